"""Native behaviour: the GIL is released, threads run in parallel, memory stays flat over
100k calls, objects are collected."""
import gc
import os
import random
import threading
import time

import reprint
from reprint import datasketch as rds
from conftest import make_text, mutate


def big_pair(words=200000, seed=1):
    rng = random.Random(seed)
    vocab = ["g%d" % i for i in range(10000)]
    a = make_text(rng, words, vocab)
    return a, mutate(rng, a, 0.05)


def test_gil_released_during_compare():
    a, b = big_pair()
    t = time.monotonic()
    reprint.compare(a, b)
    alone = time.monotonic() - t
    done = threading.Event()
    ticks = 0

    def work():
        reprint.compare(a, b)
        done.set()

    th = threading.Thread(target=work)
    th.start()
    while not done.is_set():   # Python code runs while the other thread is in C
        ticks += 1
        time.sleep(0.001)
    th.join()
    # with the GIL held the loop could not run until the call returned (0 or 1 tick)
    assert alone > 0.02 and ticks >= 5, (ticks, alone)


def test_threads_give_equal_results():
    pairs = [big_pair(20000, seed=s) for s in range(4)]
    expect = [reprint.compare(a, b).to_dict() for a, b in pairs]
    out = [None] * 8

    def work(i):
        a, b = pairs[i % 4]
        out[i] = reprint.compare(a, b).to_dict()

    ths = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    assert out == expect + expect


def test_shared_index_and_sketcher_across_threads(tmp_path):
    idx = reprint.Index(tmp_path / "t.db")
    rng = random.Random(2)
    texts = [make_text(rng, 200) for _ in range(20)]
    for i, t in enumerate(texts):
        idx.add(str(i), t)
    idx.commit()
    sk = reprint.Sketcher()
    errors = []

    def work(k):
        try:
            for i in range(k, len(texts), 4):
                assert idx.query(texts[i])[0].id == str(i)
                assert reprint.similarity(sk.sketch(texts[i]), sk.sketch(texts[i])) == 1.0
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ths = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    idx.close()
    assert not errors


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def test_memory_flat_over_100k_calls():
    rng = random.Random(3)
    a = make_text(rng, 60) + " café 東京 🎉"
    b = mutate(rng, a, 0.1)
    sk = reprint.Sketcher()
    lsh = rds.MinHashLSH(threshold=0.8, num_perm=128)
    items = [w.encode() for w in a.split()]

    def one(i):
        k = i % 4
        if k == 0:
            r = reprint.compare(a, b)
            r.passages
            r.to_dict()
        elif k == 1:
            reprint.similarity(sk.sketch(a), sk.sketch(b))
        elif k == 2:
            m = rds.MinHash()
            m.update_batch(items)
            lsh.query(m)
            m.copy().jaccard(m)
        else:
            try:
                reprint.compare(b"x\xff", "y")
            except reprint.Utf8Error:
                pass

    # Under ASan (tests/python/run.sh sets REPRINT_PY_SANITIZER) a quarter of the calls:
    # the allocator's quarantine, not our code, sets RSS there, and each call is slower.
    calls = 25000 if os.environ.get("REPRINT_PY_SANITIZER") else 100000
    for i in range(20000):
        one(i)
    gc.collect()
    before = rss_kb()
    for i in range(calls):
        one(i)
    gc.collect()
    grown = rss_kb() - before
    assert grown < 4096, "RSS grew by %d kB over %d calls" % (grown, calls)


def test_dedup_from_threads_at_once(corpus):
    docs, path = corpus
    expect = reprint.dedup(docs, threads=1).pairs
    out = [None] * 3

    def work(i):
        out[i] = reprint.dedup(docs, threads=1).pairs

    ths = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    assert out == [expect] * 3


def test_docstrings_and_stubs():
    import ast
    import inspect
    names = [n for n in reprint.__all__ if not n.startswith("__")]
    for name in names:
        obj = getattr(reprint, name)
        assert inspect.getdoc(obj), name
        for attr, member in vars(obj).items() if inspect.isclass(obj) else ():
            if not attr.startswith("_") and callable(member):
                assert inspect.getdoc(member), "%s.%s" % (name, attr)
    for name in rds.__all__[:2]:
        assert inspect.getdoc(getattr(rds, name))
    pkg = os.path.dirname(reprint.__file__)
    for stub in ("__init__.pyi", "_reprint.pyi"):
        with open(os.path.join(pkg, stub)) as f:
            tree = ast.parse(f.read())
        defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        if stub == "__init__.pyi":
            assert {"compare", "dedup", "scan", "Index", "Sketcher", "LSH"} <= defined
    assert os.path.exists(os.path.join(pkg, "py.typed"))


def test_close_from_another_thread_is_safe(tmp_path):
    rng = random.Random(9)
    texts = [make_text(rng, 300) for _ in range(30)]
    idx = reprint.Index(tmp_path / "c.db")
    for i, t in enumerate(texts):
        idx.add(str(i), t)
    idx.commit()
    outcomes = []

    def query_loop():
        for _ in range(200):
            try:
                idx.query(texts[3])
            except ValueError as e:  # reprint.ParamError or the closed check
                outcomes.append(str(e))
                return
        outcomes.append("finished")

    th = threading.Thread(target=query_loop)
    th.start()
    time.sleep(0.05)
    idx.close()
    th.join()
    assert outcomes and ("closed" in outcomes[0] or outcomes[0] == "finished")

    docs = [make_text(rng, 200) for _ in range(300)]
    s = reprint.scan(docs + docs)
    errors = []

    def iterate():
        try:
            for _ in s:
                time.sleep(0.001)
        except RuntimeError as e:
            errors.append(e)

    th = threading.Thread(target=iterate)
    th.start()
    time.sleep(0.05)
    try:
        s.close()
    except RuntimeError:
        pass  # refused while the other thread is inside __next__
    th.join()
    s.close()
