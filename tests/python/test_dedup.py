"""reprint.dedup against `reprint dedup` on the same corpus: pairs, clusters, output."""
import json
import os
import pathlib
import signal
import threading
import time

import pytest

import reprint
import random

from conftest import make_text, run_cli, write_jsonl


def cli_dedup(tmp_path, corpus, *extra):
    pairs, clusters, out = tmp_path / "p.tsv", tmp_path / "c.jsonl", tmp_path / "o.jsonl"
    run_cli("dedup", corpus, "--pairs", pairs, "--clusters", clusters, "-o", out, "-q", *extra)
    p = []
    for line in pairs.read_text().splitlines():
        a, b, s = line.split("\t")
        p.append((a, b, s))
    c = {}
    for line in clusters.read_text().splitlines():
        rec = json.loads(line)
        c.setdefault(rec["cluster"], []).append(rec["id"])
    return sorted(p), {k: sorted(v) for k, v in c.items()}, out.read_bytes()


def normalize_pairs(result):
    out = []
    for a, b, s in result.pairs:
        a, b = str(a), str(b)
        if a.encode() > b.encode():
            a, b = b, a
        out.append((a, b, "%.4f" % s))
    return sorted(out)


def clusters_by_rep(result):
    return {str(c[0]): sorted(str(x) for x in c) for c in result.clusters}


def test_equal_cli_on_path_and_on_dicts(tmp_path, corpus):
    docs, path = corpus
    pairs, clusters, output = cli_dedup(tmp_path, path)
    assert len(pairs) >= 30, "the corpus should have near-duplicates"
    r_path = reprint.dedup(pathlib.Path(path), output=tmp_path / "py.jsonl")
    r_dicts = reprint.dedup(docs)
    for r in (r_path, r_dicts):
        assert normalize_pairs(r) == pairs
        assert clusters_by_rep(r) == {k: v for k, v in clusters.items()}
        assert r.stats["docs"] == len(docs)
    assert (tmp_path / "py.jsonl").read_bytes() == output
    kept = {json.loads(line)["id"] for line in output.decode().splitlines()}
    assert set(r_dicts.keep) == kept
    assert len(r_dicts.keep) + len(r_dicts.removed) == len(docs)


def test_ids_of_plain_texts_and_tuples(corpus):
    docs, _ = corpus
    texts = [d["text"] for d in docs]
    r_texts = reprint.dedup(iter(texts))           # any iterable, streamed
    r_tuples = reprint.dedup((d["id"], d["text"]) for d in docs)
    by_number = [(docs[a]["id"], docs[b]["id"], s) for a, b, s in r_texts.pairs]
    assert by_number == r_tuples.pairs
    assert all(isinstance(a, int) for a, _, _ in r_texts.pairs)
    assert r_texts.representative(docs.index(docs[4])) in range(len(docs))


def test_options_reach_the_library(tmp_path, corpus):
    docs, path = corpus
    pairs, clusters, _ = cli_dedup(tmp_path, path, "--threshold", "0.9", "--keep", "longest",
                                   "--verify", "exact", "--ngram", "3")
    r = reprint.dedup(docs, threshold=0.9, keep="longest", verify="exact", ngram=3)
    assert normalize_pairs(r) == pairs
    assert clusters_by_rep(r) == clusters


def test_bad_input_raises(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": \n')
    with pytest.raises(reprint.ParseError) as ei:
        reprint.dedup(bad)
    assert ei.value.line == 2 and ei.value.path.endswith("bad.jsonl")
    with pytest.raises(reprint.FileError) as ei:
        reprint.dedup([pathlib.Path(tmp_path / "missing.jsonl")])
    assert ei.value.errno == 2 and isinstance(ei.value, OSError)
    with pytest.raises(reprint.Utf8Error) as ei:
        reprint.dedup(["fine text", b"bad \xff text"])
    with pytest.raises(reprint.ParamError):
        reprint.dedup(["a", "b"], threshold=1.5)
    with pytest.raises(TypeError):
        reprint.dedup([1, 2])
    with pytest.raises(TypeError):
        reprint.dedup([None, "text"])
    with pytest.raises(TypeError):
        reprint.dedup("not a list of documents")


def slow_corpus(path):
    """Texts of a 60-word vocabulary: with single-word shingles and a low threshold nearly
    every pair is a candidate, so an exact run takes many seconds (about 6 s here)."""
    rng = random.Random(1)
    write_jsonl(path, [{"id": str(i), "text": make_text(rng, 80)} for i in range(6000)])
    return path


def test_keyboard_interrupt_stops_dedup_promptly(tmp_path):
    path = slow_corpus(tmp_path / "slow.jsonl")
    out = tmp_path / "out.jsonl"
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    t = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        reprint.dedup(path, ngram=1, threshold=0.3, verify="exact", threads=1, output=out)
    elapsed = time.monotonic() - t
    timer.join()
    assert 0.3 <= elapsed < 2.0, "interrupt took %.2f s" % elapsed
    assert not out.exists()
    with pytest.raises(ChildProcessError):  # the worker process is gone, not a zombie
        os.waitpid(-1, os.WNOHANG)


def test_against_an_index_equals_cli(tmp_path, corpus):
    docs, path = corpus
    db = tmp_path / "archive.db"
    with reprint.Index(db) as idx:
        for d in docs[:150]:
            idx.add(d["id"], d["text"])
    rest = write_jsonl(tmp_path / "rest.jsonl", docs[150:])
    pairs, clusters, output = cli_dedup(tmp_path, rest, "--against", db)
    r = reprint.dedup(docs[150:], against=idx, output=tmp_path / "py.jsonl")
    assert normalize_pairs(r) == pairs and pairs
    # the CLI lists input documents only; a cluster here also names its indexed representative
    inputs = {d["id"] for d in docs[150:]}
    assert {k: [x for x in v if x in inputs] for k, v in clusters_by_rep(r).items()} == clusters
    assert r.stats["against_removed"] > 0
    kept = [json.loads(line) for line in (tmp_path / "py.jsonl").read_text().splitlines()]
    assert [k["id"] for k in kept] == [json.loads(line)["id"] for line in output.splitlines()]
    by_id = {d["id"]: d["text"] for d in docs}
    assert all(k["text"] == by_id[k["id"]] for k in kept)
