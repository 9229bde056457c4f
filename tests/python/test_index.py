"""reprint.Index against `reprint index` / `reprint query` on the same file."""
import json
import os
import signal
import threading

import pytest

import reprint
from conftest import ROOT, run_cli
from test_scan import reuse_corpus


def r4(x):
    return round(x * 10000) / 10000


def test_query_equals_cli(tmp_path):
    docs = reuse_corpus(80, seed=21)
    db = tmp_path / "news.db"
    with reprint.Index(db) as idx:
        for d in docs[:60]:
            idx.add(d["id"], d["text"], meta={"n": d["id"][1:]})
    for d in docs[60:70]:
        q = tmp_path / ("%s.txt" % d["id"])
        q.write_text(d["text"], encoding="utf-8")
        expect = [json.loads(line) for line in
                  run_cli("query", "-f", "json", "--top", "5", db, q).splitlines()]
        with reprint.Index(db, readonly=True) as idx:
            got = idx.query(d["text"].encode(), top=5)
        assert [m.id for m in got] == [e["a"]["id"] for e in expect]
        for m, e in zip(got, expect):
            assert r4(m.containment_b) == e["containment_b"]
            assert [[p.a_start, p.a_end, p.b_start, p.b_end] for p in m.passages] == \
                [[p["a_start"], p["a_end"], p["b_start"], p["b_end"]] for p in e["passages"]]
            assert m.meta == {"n": m.id[1:]}


def test_cli_built_index_and_str_offsets(tmp_path):
    db = tmp_path / "w.db"
    run_cli("index", "add", db, "examples/wire.txt")
    article = open(os.path.join(ROOT, "examples/article.txt"), encoding="utf-8").read()
    wire = open(os.path.join(ROOT, "examples/wire.txt"), encoding="utf-8").read()
    with reprint.Index(db) as idx:
        (m,) = idx.query("« " + article)  # a non-ASCII prefix moves byte and str offsets apart
        assert m.id == "examples/wire.txt"
        r = reprint.compare(wire, "« " + article)
        assert m.passages == r.passages
        assert idx.stats()["documents"] == 1


def test_add_remove_commit_rollback(tmp_path):
    db = tmp_path / "i.db"
    idx = reprint.Index(db)
    idx.add("x", "one two three four five six seven eight nine ten")
    assert idx.pending == 1
    idx.rollback()
    assert idx.stats()["documents"] == 0
    idx.add("x", "one two three four five six seven eight nine ten")
    idx.commit()
    with pytest.raises(reprint.ParamError):
        idx.add("x", "again")
    idx.rollback()
    assert idx.remove("x") is True and idx.remove("nope") is False
    idx.commit()
    assert idx.stats()["documents"] == 0
    idx.close()
    with pytest.raises(ValueError):
        idx.query("x")


def test_bad_files_raise(tmp_path):
    notdb = tmp_path / "not.db"
    notdb.write_text("hello, this is not an SQLite file at all" * 10)
    with pytest.raises(reprint.FormatError):
        reprint.Index(notdb)
    with pytest.raises(reprint.FileError):
        reprint.Index(tmp_path / "absent.db", create=False)
    with pytest.raises(reprint.Utf8Error):
        with reprint.Index(tmp_path / "u.db") as idx:
            idx.add("bad", b"\xc3\x28 broken")
    with pytest.raises(reprint.MismatchError):
        reprint.Index(tmp_path / "u.db", ngram=7)


def test_interrupted_add_many_rolls_back(tmp_path):
    db = tmp_path / "big.db"
    docs = reuse_corpus(50, seed=2)
    with reprint.Index(db) as idx:
        idx.add_many((d["id"], d["text"]) for d in docs[:10])

    def endless():
        i = 0
        while True:
            d = docs[i % len(docs)]
            yield ("x%d" % i, d["text"])
            i += 1

    idx = reprint.Index(db)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        idx.add_many(endless())
    timer.join()
    assert idx.pending == 0
    assert idx.stats()["documents"] == 10
    idx.close()
