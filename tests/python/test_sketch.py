"""Sketcher, LSH and the datasketch drop-in: meaning (estimates within the stated error of
the exact Jaccard), the API, and the same pairs as datasketch's own code when a checkout is
available (DATASKETCH_DIR)."""
import math
import os
import random
import sys

import pytest

import reprint
from reprint import datasketch as rds
from conftest import make_text, mutate


def shingles(text, n=5):
    w = text.split()
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def exact_j(a, b):
    return len(a & b) / len(a | b)


def test_sketcher_estimates_compare_jaccard():
    rng = random.Random(4)
    vocab = ["t%d" % i for i in range(3000)]
    sk = reprint.Sketcher(num_perm=256)
    errs = []
    for rate in (0.01, 0.03, 0.08, 0.2):
        a = make_text(rng, 2000, vocab)
        b = mutate(rng, a, rate)
        j = reprint.compare(a, b).jaccard
        est = reprint.similarity(sk.sketch(a), sk.sketch(b))
        sd = math.sqrt(j * (1 - j) / 256) + 1e-9
        errs.append(abs(est - j) / sd)
    assert max(errs) < 4.5, errs


def test_signature_buffer_and_lsh():
    sk = reprint.Sketcher()
    rng = random.Random(5)
    base = make_text(rng, 300)
    sig, n = sk.sketch_with_count(base)
    assert len(sig) == 128 and sig.format == "I" and n > 0
    assert sk.sketch_with_count("")[1] == 0
    numpy = pytest.importorskip("numpy")
    arr = numpy.frombuffer(sig, dtype=numpy.uint32)
    assert arr.shape == (128,)
    lsh = reprint.LSH(threshold=0.8, num_perm=128)
    lsh.insert("base", sig)
    lsh.insert("other", sk.sketch(make_text(rng, 300)))
    assert lsh.query(sk.sketch(mutate(rng, base, 0.01))) == ["base"]
    assert lsh.query(arr) == ["base"]
    lsh.remove("base")
    assert "base" not in lsh and len(lsh) == 1 and lsh.query(sig) == []
    with pytest.raises(ValueError):
        lsh.insert("short", sig[:10])
    with pytest.raises(reprint.ParamError):
        reprint.Sketcher(num_perm=0)
    with pytest.raises(reprint.Utf8Error):
        sk.sketch(b"\xff")


def test_drop_in_estimates_within_error():
    rng = random.Random(6)
    vocab = ["u%d" % i for i in range(5000)]
    worst = 0.0
    for trial in range(20):
        a = make_text(rng, 600, vocab)
        b = mutate(rng, a, rng.choice((0.01, 0.03, 0.06, 0.12)))
        sa, sb = shingles(a), shingles(b)
        j = exact_j(sa, sb)
        m1, m2 = rds.MinHash(num_perm=128, seed=trial + 1), rds.MinHash(num_perm=128, seed=trial + 1)
        m1.update_batch([s.encode() for s in sa])
        for s in sb:
            m2.update(s.encode())
        sd = math.sqrt(j * (1 - j) / 128) + 0.01
        worst = max(worst, abs(m1.jaccard(m2) - j) / sd)
    assert worst < 4.5


def test_drop_in_api():
    m = rds.MinHash(num_perm=64)
    assert m.is_empty() and len(m) == 64
    m.update(b"a")
    c = m.copy()
    assert c == m and c is not m
    c.update(b"b")
    assert c != m
    u = rds.MinHash.union(m, c)
    assert u == c
    assert len(m.digest()) == 64
    with pytest.raises(TypeError):
        m.update("str is not bytes")
    with pytest.raises(ValueError):
        m.jaccard(rds.MinHash(num_perm=32))
    with pytest.raises(NotImplementedError, match="hashfunc"):
        rds.MinHash(hashfunc=hash)
    with pytest.raises(NotImplementedError, match="count"):
        m.count()
    with pytest.raises(NotImplementedError, match="LeanMinHash"):
        from reprint.datasketch import LeanMinHash  # noqa: F401
    lsh = rds.MinHashLSH(threshold=0.5, num_perm=64)
    lsh.insert("m", m)
    assert "m" in lsh and not lsh.is_empty()
    with pytest.raises(ValueError):
        lsh.insert("m", m)
    lsh.insert("m", c, check_duplication=False)
    with lsh.insertion_session() as s:
        s.insert("c", c)
    assert set(lsh.query(c)) == {"m", "c"}
    lsh.remove("m")
    with pytest.raises(ValueError):
        lsh.remove("m")
    assert lsh.query(c) == ["c"]
    with pytest.raises(NotImplementedError, match="redis"):
        rds.MinHashLSH(storage_config={"type": "redis"})
    w = rds.MinHashLSH(threshold=0.8, num_perm=32, weights=(0.5, 0.5))
    assert w.b * w.r <= 32
    assert rds.MinHashLSH(threshold=0.8, params=(16, 8)).b == 16


def corpus_with_pairs(n=200, seed=8):
    rng = random.Random(seed)
    vocab = ["x%d" % i for i in range(20000)]
    docs = []
    for i in range(n):
        if i % 4 == 3:  # two words replaced: J about 0.93, far above the threshold
            words = docs[i - 1].split(" ")
            for k in rng.sample(range(20, 280), 2):
                words[k] = rng.choice(vocab)
            docs.append(" ".join(words))
        else:
            docs.append(make_text(rng, 300, vocab))
    return docs


def dedup_loop(MinHash, MinHashLSH, docs, threshold=0.8):
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    hashes, pairs = {}, set()
    for i, text in enumerate(docs):
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf8") for s in shingles(text)])
        for other in lsh.query(m):
            if m.jaccard(hashes[other]) >= threshold:
                pairs.add((other, i))
        lsh.insert(i, m)
        hashes[i] = m
    return pairs


def test_drop_in_finds_the_true_pairs():
    docs = corpus_with_pairs()
    sets = [shingles(d) for d in docs]
    truth = {(i, j) for i in range(len(docs)) for j in range(i + 1, len(docs))
             if exact_j(sets[i], sets[j]) >= 0.8}
    assert len(truth) >= 40
    assert dedup_loop(rds.MinHash, rds.MinHashLSH, docs) == truth


def test_same_pairs_as_datasketch():
    d = os.environ.get("DATASKETCH_DIR")
    if d:
        sys.path.insert(0, d)
    try:
        import datasketch
    except ImportError:
        pytest.skip("datasketch not importable (set DATASKETCH_DIR to a checkout; it needs "
                    "python3-numpy and python3-scipy): comparison with datasketch skipped")
    docs = corpus_with_pairs()
    ours = dedup_loop(rds.MinHash, rds.MinHashLSH, docs)
    theirs = dedup_loop(datasketch.MinHash, datasketch.MinHashLSH, docs)
    assert ours == theirs
