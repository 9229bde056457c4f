#!/usr/bin/env python3
"""scan_score.py - score `reprint scan` output against scan_gen's truth file.

Usage: scan_score.py TRUTH.jsonl PAIRS.jsonl [CORPUS.jsonl]

Pairs are unordered pairs of ids. The figures:

- pair recall, per kind of planted reuse (partial: 30-70% of a document
  with word edits every 10-20 words; long: a 40-100 word passage inside a
  document of 3,000-6,000 words; sibling: two reprints of one source; seed:
  the seed pair), and over partial + long together (the bar);
- pair precision: reported pairs that are planted (any kind) over all
  reported pairs; unplanted pairs are listed by count;
- passage characters, over the partial and long cases: on each side, the
  characters of the reported passages that fall inside the planted range
  (true positives), against all reported passage characters of the pair
  (precision) and all planted characters (recall; a missed pair counts
  all its characters as missed). Micro-averaged over cases and sides; F1.
  The seed pair is scored the same way, against the reference ranges of
  eval/motivating_pair_reference.json, on a line of its own.

With the corpus, each reported pair that was not planted is checked for
text its two documents really share: a run of 8 or more words (after
lowercasing and dropping punctuation) common to its passages on both
sides. Such pairs are chance reuse of the generated background (common
phrases, the bigram model's favourite paths), not errors of the scan:
"unplanted_verbatim" counts them, and "pair_precision_verified" counts
them as correct.

Prints one "key value" line per figure, for bench/scan.sh to pick up.
"""
import json
import re
import sys
from collections import Counter

WORD = re.compile(r"\w+")
RUN = 8


def union_len(spans):
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(spans):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def overlap(spans, lo, hi):
    clipped = [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]
    return union_len(clipped)


def runs(text):
    w = WORD.findall(text.lower())
    return {tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1)}


def count_verbatim(corpus, pairs):
    """Pairs whose passages share a run of RUN words on both sides."""
    need = {r["a"]["id"] for r in pairs} | {r["b"]["id"] for r in pairs}
    texts = {}
    if need:
        for line in open(corpus, encoding="utf-8"):
            i = line.find('"id":"')
            if i < 0 or line[i + 6:line.find('"', i + 6)] not in need:
                continue
            d = json.loads(line)
            texts[d["id"]] = d["text"].encode("utf-8")  # offsets count bytes
    n = 0
    for r in pairs:
        a, b = texts.get(r["a"]["id"], b""), texts.get(r["b"]["id"], b"")
        for p in r["passages"]:
            pa = a[p["a_start"]:p["a_end"]].decode("utf-8", "replace")
            pb = b[p["b_start"]:p["b_end"]].decode("utf-8", "replace")
            if runs(pa) & runs(pb):
                n += 1
                break
    return n


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    truth = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        t = json.loads(line)
        truth[frozenset((t["a"], t["b"]))] = t
    found = {}
    n_reported = 0
    for line in open(sys.argv[2], encoding="utf-8"):
        r = json.loads(line)
        n_reported += 1
        found[frozenset((r["a"]["id"], r["b"]["id"]))] = r

    kinds = Counter(t["kind"] for t in truth.values())
    hits = Counter(t["kind"] for k, t in truth.items() if k in found)
    for kind in ("partial", "long", "sibling", "seed"):
        if kinds[kind]:
            print(f"recall_{kind} {hits[kind] / kinds[kind]:.4f} ({hits[kind]}/{kinds[kind]})")
    bar_total = kinds["partial"] + kinds["long"]
    bar_hits = hits["partial"] + hits["long"]
    print(f"pair_recall {bar_hits / bar_total if bar_total else 0:.4f} ({bar_hits}/{bar_total})")
    planted = sum(1 for k in found if k in truth)
    print(f"pair_precision {planted / n_reported if n_reported else 1:.4f} "
          f"({planted}/{n_reported}; {n_reported - planted} pairs not planted)")
    if len(sys.argv) > 3:
        verbatim = count_verbatim(sys.argv[3], [r for k, r in found.items() if k not in truth])
        ok = planted + verbatim
        print(f"unplanted_verbatim {verbatim} (share a run of {RUN}+ words)")
        print(f"pair_precision_verified {ok / n_reported if n_reported else 1:.4f} ({ok}/{n_reported})")

    def chars(cases):
        tp = pred = gold = 0
        for t in cases:
            gold += (t["a_end"] - t["a_start"]) + (t["b_end"] - t["b_start"])
            r = found.get(frozenset((t["a"], t["b"])))
            if r is None:
                continue
            swap = r["a"]["id"] != t["a"]
            sa = [(p["b_start"], p["b_end"]) if swap else (p["a_start"], p["a_end"])
                  for p in r["passages"]]
            sb = [(p["a_start"], p["a_end"]) if swap else (p["b_start"], p["b_end"])
                  for p in r["passages"]]
            pred += union_len(sa) + union_len(sb)
            tp += overlap(sa, t["a_start"], t["a_end"]) + overlap(sb, t["b_start"], t["b_end"])
        p = tp / pred if pred else 0.0
        rc = tp / gold if gold else 0.0
        f = 2 * p * rc / (p + rc) if p + rc else 0.0
        return p, rc, f

    p, rc, f = chars([t for t in truth.values() if t["kind"] in ("partial", "long")])
    print(f"char_precision {p:.4f}")
    print(f"char_recall {rc:.4f}")
    print(f"char_f1 {f:.4f}")
    seeds = [t for t in truth.values() if t["kind"] == "seed"]
    if seeds:
        p, rc, f = chars(seeds)
        print(f"seed_found {1 if frozenset((seeds[0]['a'], seeds[0]['b'])) in found else 0}")
        print(f"seed_char_f1 {f:.4f}")


if __name__ == "__main__":
    main()
