#!/usr/bin/env python3
"""Passage check of reprint on the seeds pair: a wire story (000) and a newspaper's reprint (001).

Runs `reprint compare --format json 000_*.txt 001_*.txt`, prints the verdict, the containments and
every passage's text on both sides (decoded slices of the original bytes), then measures
character-level precision, recall and F1 on each side against the hand-made reference annotation
eval/motivating_pair_reference.json (byte ranges a careful reader would mark as reprinted; see the notes in
that file). Figures are given over all characters and over non-whitespace characters only.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

from common import (CharIndex, ReprintError, compare, data_set, prf, reprint_binary,
                    similarity_distribution)

DATA_SET = "seeds"
REFERENCE = Path(__file__).resolve().parent / "motivating_pair_reference.json"


def char_set(index, ranges):
    """Code-point positions covered by byte ranges [(start, end)]."""
    chars = set()
    for start, end in ranges:
        chars.update(range(index(start), index(end)))
    return chars


def check_reference(side, data, ranges):
    for r in ranges:
        digest = hashlib.sha256(data[r["start"]:r["end"]]).hexdigest()
        if digest != r["sha256"]:
            raise ValueError(f"reference range {side}[{r['start']}:{r['end']}] no longer matches "
                             f"its SHA-256: the data file changed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reprint", help="reprint binary (default: build/reprint under the project root)")
    args = ap.parse_args()

    root = data_set(DATA_SET)
    if root is None:
        return 0
    found = [sorted(root.glob(f"{prefix}_*.txt")) for prefix in ("000", "001")]
    if not all(found):
        print(f"skipping {DATA_SET}: 000_*.txt or 001_*.txt not found in {root}")
        return 0
    reprint = reprint_binary(args.reprint)
    path_a, path_b = found[0][0], found[1][0]
    data = {"a": path_a.read_bytes(), "b": path_b.read_bytes()}
    text = {side: d.decode("utf-8", "replace") for side, d in data.items()}

    try:
        _, result, _ = compare(reprint, path_a, path_b)
    except ReprintError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    print(f"seeds: a = {path_a.name} ({len(data['a'])} bytes), b = {path_b.name} ({len(data['b'])} bytes)")
    print(f"verdict {result['verdict']}  containment_a {result['containment_a']:.4f}  "
          f"containment_b {result['containment_b']:.4f}  jaccard {result['jaccard']:.4f}  "
          f"passages {len(result['passages'])}")
    similarity_distribution("seeds", [p["similarity"] for p in result["passages"]])
    for i, p in enumerate(result["passages"], 1):
        print(f"\npassage {i}: a[{p['a_start']}:{p['a_end']}] b[{p['b_start']}:{p['b_end']}] "
              f"tokens {p.get('tokens')} similarity {p.get('similarity')}")
        for side in ("a", "b"):
            piece = data[side][p[f"{side}_start"]:p[f"{side}_end"]].decode("utf-8", "replace")
            print(f"  {side}: {piece!r}")

    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    if (reference["a"], reference["b"]) != (path_a.name, path_b.name):
        print(f"\nreference {REFERENCE.name} is for {reference['a']} / {reference['b']}: not scored")
        return 0
    print(f"\ncharacter-level agreement with {REFERENCE.name} (code points):")
    print(f"{'side':5s} {'chars':>10s} {'precision':>9s} {'recall':>7s} {'F1':>7s}")
    for side in ("a", "b"):
        ranges = reference[f"{side}_ranges"]
        try:
            check_reference(side, data[side], ranges)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        index = CharIndex(data[side])
        truth = char_set(index, [(r["start"], r["end"]) for r in ranges])
        found_chars = char_set(index, [(p[f"{side}_start"], p[f"{side}_end"]) for p in result["passages"]])
        for label, keep in (("all", lambda c: True), ("non-space", lambda c: not text[side][c].isspace())):
            t = {c for c in truth if keep(c)}
            f = {c for c in found_chars if keep(c)}
            precision, recall, f1 = prf(len(t & f), len(f - t), len(t - f))
            print(f"{side:5s} {label:>10s} {precision:9.4f} {recall:7.4f} {f1:7.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
