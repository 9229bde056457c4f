"""reprint.compare against `reprint compare --format json`, offsets for str input,
non-ASCII text, and errors."""
import json
import os
import re

import pytest

import reprint
from conftest import ROOT, run_cli

SEEDS = os.path.join(ROOT, "..", "shared", "data", "seeds")


def cli_json(pa, pb, *extra):
    return json.loads(run_cli("compare", "--format", "json", *extra, pa, pb))


def pairs_on_disk():
    """(a, b) file pairs: the examples, and the seed pair when the shared data is there."""
    out = [("examples/wire.txt", "examples/article.txt")]
    if os.path.isdir(SEEDS):
        files = sorted(os.listdir(SEEDS))
        txt = [os.path.join(SEEDS, f) for f in files if f.endswith(".txt")]
        if len(txt) >= 2:
            out.append((txt[0], txt[1]))
    return out


@pytest.mark.parametrize("pa,pb", pairs_on_disk())
def test_bytes_equal_cli_json(pa, pb):
    a = open(os.path.join(ROOT, pa), "rb").read()
    b = open(os.path.join(ROOT, pb), "rb").read()
    r = reprint.compare(a, b, name_a=pa, name_b=pb)
    expect = cli_json(pa, pb)
    assert r.to_dict() == expect
    assert expect["passages"], "the pair should share passages"
    assert r.verdict == expect["verdict"]
    assert round(r.containment_b, 4) == expect["containment_b"]
    assert [[p.a_start, p.a_end, p.b_start, p.b_end] for p in r.passages] == \
        [[p["a_start"], p["a_end"], p["b_start"], p["b_end"]] for p in expect["passages"]]


def test_seed_pair_present_or_skip():
    if not os.path.isdir(SEEDS):
        pytest.skip("../shared/data/seeds absent: seed pair not compared")


@pytest.mark.parametrize("pa,pb", pairs_on_disk())
def test_str_offsets_are_str_indices(pa, pb):
    a = open(os.path.join(ROOT, pa), encoding="utf-8").read()
    b = open(os.path.join(ROOT, pb), encoding="utf-8").read()
    rb = reprint.compare(a.encode(), b.encode())
    rs = reprint.compare(a, b)
    assert len(rs.passages) == len(rb.passages)
    ab, bb = a.encode(), b.encode()
    for ps, pb_ in zip(rs.passages, rb.passages):
        assert a[ps.a_start:ps.a_end] == ab[pb_.a_start:pb_.a_end].decode()
        assert b[ps.b_start:ps.b_end] == bb[pb_.b_start:pb_.b_end].decode()


NON_ASCII = [
    # accented Latin, CJK (one token per character), emoji between words
    ("Le conseil municipal de Besançon a approuvé jeudi l'essai des traversées nocturnes "
     "du ferry, a déclaré la maire Anne Vignot devant une salle comble, malgré l'opposition.",
     "Selon nos informations, le conseil municipal de Besançon a approuvé jeudi l'essai des "
     "traversées nocturnes du ferry, a déclaré la maire Anne Vignot devant une salle comble."),
    ("東京都議会は木曜日、夜間フェリー運航の試験実施を承認したと市長が満員の会場で述べた。",
     "速報：東京都議会は木曜日、夜間フェリー運航の試験実施を承認したと市長が述べた。"),
    ("🎉 The harbour authority 🚢 approved a six-month trial of night ferry crossings 🌙 on "
     "Thursday, the mayor said to a packed hall 👏 despite strong objections from residents.",
     "Breaking 📰: the harbour authority 🚢 approved a six-month trial of night ferry crossings "
     "🌙 on Thursday, the mayor said to a packed hall 👏 despite objections."),
]


@pytest.mark.parametrize("a,b", NON_ASCII)
def test_non_ascii_offsets_slice_and_equal_cli(tmp_path, a, b):
    pa, pb = tmp_path / "a.txt", tmp_path / "b.txt"
    pa.write_text(a, encoding="utf-8")
    pb.write_text(b, encoding="utf-8")
    expect = cli_json(pa, pb)
    assert expect["passages"], "the texts should share a passage"
    r = reprint.compare(a, b)
    ab, bb = a.encode(), b.encode()
    assert len(r.passages) == len(expect["passages"])
    for p, e in zip(r.passages, expect["passages"]):
        # the str slice is exactly the byte range the CLI reports
        assert a[p.a_start:p.a_end] == ab[e["a_start"]:e["a_end"]].decode()
        assert b[p.b_start:p.b_end] == bb[e["b_start"]:e["b_end"]].decode()
        assert p.tokens == e["tokens"]
    d = r.to_dict()
    for key in ("jaccard", "containment_a", "containment_b", "verdict", "similarity"):
        assert d[key] == expect[key]
    # str offsets differ from byte offsets on these texts (so the test can fail)
    assert [p.b_start for p in r.passages] != [e["b_start"] for e in expect["passages"]] or \
        [p.b_end for p in r.passages] != [e["b_end"] for e in expect["passages"]]


def test_bom_counts_as_one_str_index():
    a = "\ufeff" + NON_ASCII[2][0]
    r = reprint.compare(a, NON_ASCII[2][1])
    p = r.passages[0]
    assert a[p.a_start:p.a_end].startswith("The harbour") or "harbour" in a[p.a_start:p.a_end]


def test_html_report():
    a = open(os.path.join(ROOT, "examples/wire.txt"), "rb").read()
    b = open(os.path.join(ROOT, "examples/article.txt"), "rb").read()
    r = reprint.compare(a, b, name_a="examples/wire.txt", name_b="examples/article.txt")
    html = r.html()
    expect = run_cli("compare", "--format", "html", "examples/wire.txt",
                     "examples/article.txt").decode()
    assert html == expect.rstrip("\n")


def test_invalid_utf8_raises_with_offset():
    with pytest.raises(reprint.Utf8Error) as ei:
        reprint.compare(b"good text \xff bad", "x")
    e = ei.value
    assert isinstance(e, reprint.Error) and isinstance(e, ValueError)
    assert e.offset == 10 and e.code == 3 and e.path == "a"
    assert "invalid UTF-8" in e.message
    # lossy reads it as a separator
    r = reprint.compare(b"good text \xff bad", b"good text bad", lossy=True)
    assert r.jaccard > 0


def test_nul_is_format_error():
    with pytest.raises(reprint.FormatError):
        reprint.compare("a", b"x\x00y", name_b="bin")


def test_bad_option_and_type():
    with pytest.raises(reprint.ParamError):
        reprint.compare("a", "b", min_words=0)
    with pytest.raises(reprint.ParamError):
        reprint.compare("a", "b", jaccard_ngram=99)
    with pytest.raises(TypeError):
        reprint.compare(1, "b")


def test_version_is_the_library_s():
    out = run_cli("--version").decode()
    assert reprint.__version__ in out


@pytest.mark.parametrize("a,b", NON_ASCII + [(
    open(os.path.join(ROOT, "examples/wire.txt"), encoding="utf-8").read(),
    open(os.path.join(ROOT, "examples/article.txt"), encoding="utf-8").read())])
def test_edits_cover_passages_and_equal_runs_match(a, b):
    r = reprint.compare(a, b)
    assert r.passages
    saw_change = False
    for i, p in enumerate(r.passages):
        edits = r.edits(i)
        # from the passage's first word to its last (a passage may end on punctuation)
        assert edits[0][1] == p.a_start and edits[0][3] == p.b_start
        assert p.a_end - 2 <= max(e[2] for e in edits) <= p.a_end
        assert p.b_end - 2 <= max(e[4] for e in edits) <= p.b_end
        for op, a0, a1, b0, b1 in edits:
            if op == "equal":  # the same words: equal letters and digits, case folded
                assert re.findall(r"\w", a[a0:a1].casefold()) == \
                    re.findall(r"\w", b[b0:b1].casefold())
            else:
                saw_change = True
            if op == "insert":
                assert a0 == a1 and b0 < b1
            if op == "delete":
                assert b0 == b1 and a0 < a1
    assert saw_change or r.similarity == 1.0
    with pytest.raises(IndexError):
        r.edits(len(r.passages))
