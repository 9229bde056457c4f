"""reprint.scan against `reprint scan`: the same pairs and passages; str offsets."""
import json
import os
import random
import signal
import threading
import time

import pytest

import reprint
from conftest import make_text, run_cli, write_jsonl


def reuse_corpus(n=120, seed=3):
    """Documents made of fresh sentences and sentences copied from earlier documents."""
    rng = random.Random(seed)
    vocab = ["v%d" % i for i in range(5000)] + ["Zürich", "café", "東京", "🎉"]
    docs = []
    for i in range(n):
        parts = []
        for _ in range(6):
            if docs and rng.random() < 0.3:
                src = rng.choice(docs)["text"].split(". ")
                parts.append(rng.choice(src).rstrip("."))
            else:
                parts.append(make_text(rng, 25, vocab).rstrip("."))
        docs.append({"id": "s%03d" % i, "text": ". ".join(parts) + "."})
    return docs


def r4(x):
    return round(x * 10000) / 10000


def test_equal_cli_scan(tmp_path):
    docs = reuse_corpus()
    path = write_jsonl(tmp_path / "scan.jsonl", docs)
    expect = [json.loads(line) for line in run_cli("scan", "-q", "-j", "1", path).splitlines()]
    assert len(expect) >= 20
    s = reprint.scan([(d["id"], d["text"].encode()) for d in docs])
    got = list(s)
    assert len(got) == len(expect)
    assert s.stats()["pairs"] == len(got) and s.stats()["documents"] == len(docs)
    for p, e in zip(got, expect):
        assert (p.a_id, p.b_id) == (e["a"]["id"], e["b"]["id"])
        assert r4(p.containment_a) == e["containment_a"]
        assert r4(p.containment_b) == e["containment_b"]
        assert r4(p.jaccard) == e["jaccard"]
        assert [[x.a_start, x.a_end, x.b_start, x.b_end, x.tokens] for x in p.passages] == \
            [[x["a_start"], x["a_end"], x["b_start"], x["b_end"], x["tokens"]]
             for x in e["passages"]]
    # from the file, with the library reading it
    with reprint.scan([__import__("pathlib").Path(path)], threads=2) as s:
        from_file = [(p.a_id, p.b_id, p.passages) for p in s]
    assert from_file == [(p.a_id, p.b_id, p.passages) for p in got]


def test_str_offsets_in_scan():
    docs = reuse_corpus(60, seed=5)
    texts = [d["text"] for d in docs]
    n = 0
    for p in reprint.scan(texts):
        a, b = texts[p.a], texts[p.b]
        assert isinstance(p.a_id, int)
        for x in p.passages:
            # a str index slice of both sides shares its words
            wa = set(a[x.a_start:x.a_end].split())
            wb = set(b[x.b_start:x.b_end].split())
            assert len(wa & wb) >= 0.5 * min(len(wa), len(wb))
            n += 1
    assert n > 0


def test_against_only_cross_pairs():
    docs = reuse_corpus(60, seed=9)
    half = len(docs) // 2
    pairs = list(reprint.scan(docs[:half], against=docs[half:]))
    assert pairs and all(p.a < half <= p.b for p in pairs)


def test_bad_input_raises():
    with pytest.raises(reprint.Utf8Error):
        reprint.scan(["fine", b"bad \xfe"])
    with pytest.raises(reprint.ParamError):
        reprint.scan(["a"], max_df=1)


def test_keyboard_interrupt_during_iteration():
    rng = random.Random(1)
    common = [make_text(rng, 30) for _ in range(40)]
    docs = [" ".join(rng.sample(common, 12)) for _ in range(1500)]
    s = reprint.scan(docs, max_df=100000, min_shared=1)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    t = time.monotonic()
    n = 0
    with pytest.raises(KeyboardInterrupt):
        for _ in s:
            n += 1
    timer.join()
    s.close()
    assert time.monotonic() - t < 3.0
    assert n < 1500 * 1499 // 2
