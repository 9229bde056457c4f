#!/usr/bin/env python3
"""Moved and swapped paragraphs in BBC articles: is the moved text found where it went?

For every article of bbc-news (or --limit of them), B is A with one paragraph of at least 20 words
moved elsewhere. Three edits are measured, each on its own:

  random  a paragraph of >= 20 words chosen by a seeded generator, moved to another paragraph
          position chosen the same way (the issue's bar: any one paragraph moved elsewhere);
  end     the third paragraph (the issue's first example) moved to the end;
  swap    the first two adjacent paragraphs of >= 20 words each, swapped.

The moved paragraph is "found as its own passage" when one reported passage covers at least 90% of
its characters on both sides, and at least 90% of that passage's characters on each side are the
paragraph's (so it is not swallowed by a neighbouring passage). The bar: found in >= 95% of the
articles, and containment_a and containment_b both >= 0.95 (nothing else lost).

Run `reprint compare --format json A B` for each; the files are written to a temporary folder.
"""

import argparse
import random
import re
import sys
import tempfile
from pathlib import Path

from common import CharIndex, ReprintError, compare, data_set, parallel_map, reprint_binary

DATA_SET = "bbc-news"
MIN_WORDS = 20
COVER = 0.90


def paragraphs(text):
    """The article's paragraphs (blank-line separated), the title line first."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def words(p):
    return len(p.split())


def build(paras, order):
    return "\n\n".join(paras[i] for i in order) + "\n"


def span_of(paras, order, index):
    """Character span of paragraph `index` in the text build(paras, order)."""
    pos = 0
    for i in order:
        if i == index:
            return pos, pos + len(paras[i])
        pos += len(paras[i]) + 2
    raise ValueError(index)


def edits(paras, rng):
    """{name: (order, moved paragraph index)} for the edits this article allows."""
    n = len(paras)
    out = {}
    long_ = [i for i in range(1, n) if words(paras[i]) >= MIN_WORDS]
    if long_ and n >= 3:
        i = rng.choice(long_)
        targets = [t for t in range(1, n) if t != i]
        t = rng.choice(targets)
        order = [k for k in range(n) if k != i]
        order.insert(t if t < i else t, i)
        if order != list(range(n)):
            out["random"] = (order, i)
    if n >= 4 and words(paras[2]) >= MIN_WORDS:
        out["end"] = ([k for k in range(n) if k != 2] + [2], 2)
    for k in range(1, n - 1):
        if words(paras[k]) >= MIN_WORDS and words(paras[k + 1]) >= MIN_WORDS:
            order = list(range(n))
            order[k], order[k + 1] = order[k + 1], order[k]
            out["swap"] = (order, k + 1)  # the later paragraph moved up
            break
    return out


def overlap(lo1, hi1, lo2, hi2):
    return max(0, min(hi1, hi2) - max(lo1, lo2))


def check(job):
    reprint, tmp, name, paras, order, moved = job
    a_text = build(paras, range(len(paras)))
    b_text = build(paras, order)
    stem = name.replace("/", "_")
    pa, pb = Path(tmp) / f"{stem}.a.txt", Path(tmp) / f"{stem}.b.txt"
    pa.write_bytes(a_text.encode())
    pb.write_bytes(b_text.encode())
    _, res, _ = compare(reprint, pa, pb)
    ia, ib = CharIndex(pa.read_bytes()), CharIndex(pb.read_bytes())
    alo, ahi = span_of(paras, range(len(paras)), moved)
    blo, bhi = span_of(paras, order, moved)
    found = False
    for p in res["passages"]:
        a0, a1 = ia(p["a_start"]), ia(p["a_end"])
        b0, b1 = ib(p["b_start"]), ib(p["b_end"])
        oa, ob = overlap(a0, a1, alo, ahi), overlap(b0, b1, blo, bhi)
        if (oa >= COVER * (ahi - alo) and ob >= COVER * (bhi - blo) and oa >= COVER * (a1 - a0)
                and ob >= COVER * (b1 - b0)):
            found = True
    ok = found and res["containment_a"] >= 0.95 and res["containment_b"] >= 0.95
    sims = [p["similarity"] for p in res["passages"]]
    return name, found, ok, res["containment_a"], res["containment_b"], sims


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reprint", help="reprint binary (default: build/reprint)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    ap.add_argument("--seed", type=int, default=10, help="seed of the random moves")
    ap.add_argument("--show-failures", type=int, default=5, help="list this many failures per edit")
    args = ap.parse_args()
    root = data_set(DATA_SET)
    if root is None:
        return 0
    reprint = reprint_binary(args.reprint)
    files = sorted((root / "bbc").glob("*/*.txt"))
    if args.limit:
        files = files[: args.limit]
    rng = random.Random(args.seed)
    jobs = {"random": [], "end": [], "swap": []}
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            text = f.read_bytes().decode("utf-8", "replace")
            paras = paragraphs(text)
            name = f"{f.parent.name}/{f.name}"
            for kind, (order, moved) in edits(paras, rng).items():
                jobs[kind].append((reprint, tmp + "/" + kind, name, paras, order, moved))
            # one generator draw sequence per article, whatever the edits allowed
        for kind in jobs:
            Path(tmp, kind).mkdir()
        status = 0
        print(f"BBC articles: {len(files)}; moved paragraph found as its own passage "
              f"(>= {COVER:.0%} of it on both sides, >= {COVER:.0%} of the passage is it), "
              f"and containment >= 0.95 on both sides")
        print(f"{'edit':8} {'articles':>8} {'found':>7} {'found+cont':>10} {'mean c_a':>9} "
              f"{'mean c_b':>9}")
        all_sims = []
        try:
            for kind, js in jobs.items():
                rows = parallel_map(check, js)
                n = len(rows)
                found = sum(r[1] for r in rows)
                ok = sum(r[2] for r in rows)
                ca = sum(r[3] for r in rows) / n if n else 0
                cb = sum(r[4] for r in rows) / n if n else 0
                print(f"{kind:8} {n:8} {found / n if n else 0:7.4f} {ok / n if n else 0:10.4f} "
                      f"{ca:9.4f} {cb:9.4f}")
                for r in [r for r in rows if not r[2]][: args.show_failures]:
                    print(f"   not found: {r[0]} (containment {r[3]:.3f} / {r[4]:.3f}, "
                          f"{len(r[5])} passages)")
                for r in rows:
                    all_sims.extend(r[5])
                if kind == "random" and n and ok / n < 0.95:
                    print("   below the bar of 0.95")
        except ReprintError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print_similarities("bbc moved/swapped", all_sims)
    return status


def print_similarities(label, sims):
    """The distribution of passage similarities (deciles and a histogram)."""
    from common import similarity_distribution
    similarity_distribution(label, sims)


if __name__ == "__main__":
    sys.exit(main())
