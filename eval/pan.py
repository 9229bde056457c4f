#!/usr/bin/env python3
"""PAN text-alignment evaluation of reprint on the Indonesian PAN-format corpus.

Runs `reprint compare --format json SOURCE SUSPICIOUS` (default settings) on all
35 suspicious x 30 source document pairs, turns the reported passages into detections
(character spans in both documents, code-point offsets as in the PAN ground truth), and scores
them with the PAN measures of Potthast et al., "An Evaluation Framework for Plagiarism
Detection" (COLING 2010):

- a detection r detects a case s when both refer to the same (suspicious, source) pair and
  their suspicious spans overlap and their source spans overlap;
- recall    = mean over cases s of |s ⊓ (union of detections of s)| / |s|, where s counts its
              suspicious and its source characters together;
- precision = the same with detections and cases swapped;
- granularity = mean number of detections per detected case (1 when no case is detected);
- plagdet   = F1 / log2(1 + granularity).

It also breaks the figures down by obfuscation type and scores document-level pair detection
(a pair is positive when a case links it; predicted positive when reprint reports any passage).
"""

import argparse
import json
import math
import os
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict, namedtuple

from common import (CharIndex, ReprintError, compare, data_set, parallel_map, prf,
                    reprint_binary, similarity_distribution)

DATA_SET = "pan-format-indonesian"
EXPECTED_CASES = 94
MAX_SHOWN, MAX_OTHERS = 6, 3   # detections printed per case by --show-misses
TYPES = ["simulated", "none", "random-shuffling", "semantic-variation", "pos-preserving"]

# One plagiarism case or one detection. Offsets/lengths are in code points.
# susp/src name the documents; kind is the case type (None for detections); info is free data.
Annotation = namedtuple("Annotation",
                        "susp src susp_off susp_len src_off src_len kind info",
                        defaults=(None, None))


# --------------------------------------------------------------------------- scorer

def _overlap(off1, len1, off2, len2):
    """Intersection of [off1, off1+len1) and [off2, off2+len2) as (start, end), or None."""
    start, end = max(off1, off2), min(off1 + len1, off2 + len2)
    return (start, end) if start < end else None


def detects(r, s):
    """True when r and s link the same documents and overlap on both sides (symmetric)."""
    return (r.susp == s.susp and r.src == s.src
            and _overlap(r.susp_off, r.susp_len, s.susp_off, s.susp_len) is not None
            and _overlap(r.src_off, r.src_len, s.src_off, s.src_len) is not None)


def _union_length(intervals):
    total, cur_start, cur_end = 0, None, None
    for start, end in sorted(intervals):
        if cur_end is None or start > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def coverage(x, others):
    """Share of x's characters (suspicious + source) covered by those of `others` that detect x."""
    size = x.susp_len + x.src_len
    if size == 0:
        return 0.0
    hits = [o for o in others if detects(x, o)]
    susp = [_overlap(x.susp_off, x.susp_len, o.susp_off, o.susp_len) for o in hits]
    src = [_overlap(x.src_off, x.src_len, o.src_off, o.src_len) for o in hits]
    return (_union_length(susp) + _union_length(src)) / size


def _by_pair(annotations):
    index = defaultdict(list)
    for a in annotations:
        index[(a.susp, a.src)].append(a)
    return index


def macro_coverage(xs, ys):
    """Mean over x in xs of coverage(x, ys): recall when xs are cases, precision when detections.

    PAN convention for empty sets: 1 when both are empty, 0 when only one is.
    """
    if not xs and not ys:
        return 1.0
    if not xs or not ys:
        return 0.0
    index = _by_pair(ys)
    return sum(coverage(x, index[(x.susp, x.src)]) for x in xs) / len(xs)


def granularity(cases, detections):
    """Mean number of detections per detected case; 1 when no case is detected."""
    index = _by_pair(detections)
    counts = [sum(detects(s, r) for r in index[(s.susp, s.src)]) for s in cases]
    counts = [c for c in counts if c > 0]
    return sum(counts) / len(counts) if counts else 1.0


def plagdet(precision, recall, gran):
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1 / math.log2(1 + gran)


def score(cases, detections, all_cases=None):
    """PAN measures. Recall and granularity are over `cases`, precision over `detections`
    measured against `all_cases` (default: `cases`)."""
    all_cases = cases if all_cases is None else all_cases
    p = macro_coverage(detections, all_cases)
    r = macro_coverage(cases, detections)
    g = granularity(cases, detections)
    index = _by_pair(detections)
    detected = sum(any(detects(s, d) for d in index[(s.susp, s.src)]) for s in cases)
    return {"precision": p, "recall": r, "granularity": g, "plagdet": plagdet(p, r, g),
            "cases": len(cases), "detections": len(detections), "detected_cases": detected}


def score_by_type(cases, detections, types):
    """Per-type scores: recall and granularity over that type's cases, precision over the
    detections that detect at least one case of that type (measured against all cases)."""
    index = _by_pair(cases)
    result = {}
    for kind in types:
        kind_cases = [s for s in cases if s.kind == kind]
        kind_dets = [r for r in detections
                     if any(detects(r, s) for s in index[(r.susp, r.src)] if s.kind == kind)]
        result[kind] = score(kind_cases, kind_dets, all_cases=cases)
    return result


def case_recalls(cases, detections):
    """[(case, recall of that case, detections that detect it)]."""
    index = _by_pair(detections)
    out = []
    for s in cases:
        hits = [r for r in index[(s.susp, s.src)] if detects(s, r)]
        out.append((s, coverage(s, hits), hits))
    return out


# --------------------------------------------------------------------------- ground truth

def case_type(attrs):
    """'simulated', or the obfuscation of an artificial case ('none', 'random-shuffling', ...)."""
    if attrs.get("type") == "artificial":
        return attrs.get("obfuscation", "none")
    return attrs.get("type", "unknown")


def read_cases(susp_dir):
    """All plagiarism cases of the corpus.

    Any element with name="plagiarism" is a case, whatever its tag: suspicious-document00028.xml
    spells one `<featue ...>` and it must be counted. Returns (cases, list of odd tags seen).
    """
    cases, odd = [], []
    for xml_path in sorted(susp_dir.glob("suspicious-document*.xml")):
        root = ET.parse(xml_path).getroot()
        susp = root.get("reference", xml_path.with_suffix(".txt").name)
        for el in root:
            if el.get("name") != "plagiarism":
                continue
            if el.tag != "feature":
                odd.append(f"<{el.tag}> in {xml_path.name}")
            cases.append(Annotation(susp, el.get("source_reference"),
                                    int(el.get("this_offset")), int(el.get("this_length")),
                                    int(el.get("source_offset")), int(el.get("source_length")),
                                    case_type(el.attrib)))
    return cases, odd


# --------------------------------------------------------------------------- running reprint

class Document:
    def __init__(self, path):
        self.path = path
        self.name = path.name
        data = path.read_bytes()
        self.text = data.decode("utf-8")
        self.char = CharIndex(data)


def detections_for_pair(reprint, src, susp):
    """Run reprint on (a = source, b = suspicious); return its passages as detections."""
    _, result, _ = compare(reprint, src.path, susp.path)
    dets = []
    for p in result["passages"]:
        s0, s1 = susp.char(p["b_start"]), susp.char(p["b_end"])
        r0, r1 = src.char(p["a_start"]), src.char(p["a_end"])
        info = {k: p.get(k) for k in ("a_start", "a_end", "b_start", "b_end", "tokens", "similarity")}
        dets.append(Annotation(susp.name, src.name, s0, s1 - s0, r0, r1 - r0, None, info))
    return dets


# --------------------------------------------------------------------------- reporting

def snippet(text, limit):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def print_scores(overall, per_type):
    print(f"{'type':20s} {'cases':>5s} {'dets':>5s} {'detected':>8s} {'precision':>9s} "
          f"{'recall':>7s} {'granul.':>7s} {'plagdet':>7s}")
    for name, s in [("all", overall)] + list(per_type.items()):
        print(f"{name:20s} {s['cases']:5d} {s['detections']:5d} {s['detected_cases']:8d} "
              f"{s['precision']:9.4f} {s['recall']:7.4f} {s['granularity']:7.4f} {s['plagdet']:7.4f}")
    print("(per-type rows: recall and granularity over that type's cases; precision over the "
          "detections that detect at least one case of that type)")


def print_document_level(cases, detections, n_pairs):
    truth = {(s.susp, s.src) for s in cases}
    predicted = {(r.susp, r.src) for r in detections}
    tp, fp, fn = len(truth & predicted), len(predicted - truth), len(truth - predicted)
    p, r, f = prf(tp, fp, fn)
    print(f"\ndocument level ({n_pairs} pairs, {len(truth)} positive = linked by a case; "
          f"predicted positive = any passage reported):")
    print(f"  TP {tp}  FP {fp}  FN {fn}  TN {n_pairs - tp - fp - fn}")
    print(f"  precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}")


def show_misses(recalls, detections, docs, n, kind=None):
    """Print the n cases with the lowest recall, their text, and the detections of their pair."""
    pair_dets = _by_pair(detections)
    rows = [row for row in recalls if kind is None or row[0].kind == kind]
    rows.sort(key=lambda row: (row[1], -(row[0].susp_len + row[0].src_len)))
    title = f"{n} worst-recalled cases" + (f" of type {kind}" if kind else "")
    print(f"\n{title}:\n")
    for s, rec, hits in rows[:n]:
        susp, src = docs[s.susp], docs[s.src]
        print(f"- [{s.kind}] recall {rec:.3f}  {s.susp}[{s.susp_off}:{s.susp_off + s.susp_len}]"
              f" <- {s.src}[{s.src_off}:{s.src_off + s.src_len}]")
        print(f"  suspicious: {snippet(susp.text[s.susp_off:s.susp_off + s.susp_len], 300)}")
        print(f"  source:     {snippet(src.text[s.src_off:s.src_off + s.src_len], 300)}")
        pair = pair_dets.get((s.susp, s.src), [])
        if not pair:
            print("  detected: nothing for this (source, suspicious) pair")
            print()
            continue
        # the detections of this case, then the others of the pair nearest to it
        others = sorted((r for r in pair if r not in hits),
                        key=lambda r: abs(r.susp_off - s.susp_off))
        shown = hits[:MAX_SHOWN] + others[:MAX_OTHERS]
        print(f"  detections in this pair: {len(pair)} ({len(hits)} detect this case)")
        for r in shown:
            tag = "detects this case" if r in hits else "elsewhere in pair"
            info = r.info or {}
            print(f"  - {tag}: susp[{r.susp_off}:{r.susp_off + r.susp_len}] "
                  f"src[{r.src_off}:{r.src_off + r.src_len}] tokens={info.get('tokens')} "
                  f"similarity={info.get('similarity')}")
            print(f"    susp: {snippet(susp.text[r.susp_off:r.susp_off + r.susp_len], 160)}")
            print(f"    src:  {snippet(src.text[r.src_off:r.src_off + r.src_len], 160)}")
        if len(pair) > len(shown):
            print(f"  ... {len(pair) - len(shown)} more (see --dump)")
        print()


def dump(path, detections, cases):
    index = _by_pair(cases)
    with open(path, "w", encoding="utf-8") as out:
        for r in detections:
            hit = [s for s in index[(r.susp, r.src)] if detects(r, s)]
            row = {"suspicious": r.susp, "source": r.src,
                   "susp_offset": r.susp_off, "susp_length": r.susp_len,
                   "src_offset": r.src_off, "src_length": r.src_len,
                   **(r.info or {}),
                   "detects": [{"type": s.kind, "susp_offset": s.susp_off,
                                "susp_length": s.susp_len, "src_offset": s.src_off,
                                "src_length": s.src_len} for s in hit]}
            out.write(json.dumps(row) + "\n")


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reprint", help="reprint binary (default: build/reprint under the project root)")
    ap.add_argument("--dump", metavar="FILE", help="write all detections as JSONL")
    ap.add_argument("--show-misses", type=int, default=0, metavar="N",
                    help="print the N worst-recalled cases with their text and the detections")
    ap.add_argument("--miss-type", choices=TYPES, help="restrict --show-misses to one case type")
    args = ap.parse_args()

    root = data_set(DATA_SET)
    if root is None:
        return 0
    reprint = reprint_binary(args.reprint)

    susp_dir, src_dir = root / "suspicious-documents", root / "source-documents"
    cases, odd = read_cases(susp_dir)
    print(f"PAN text alignment on {DATA_SET}")
    print(f"ground truth: {len(cases)} cases" + (f" (counted odd tags: {', '.join(odd)})" if odd else ""))
    if len(cases) != EXPECTED_CASES:
        print(f"WARNING: expected {EXPECTED_CASES} cases, found {len(cases)}")

    suspicious = [Document(p) for p in sorted(susp_dir.glob("suspicious-document*.txt"))]
    sources = [Document(p) for p in sorted(src_dir.glob("source-document*.txt"))]
    docs = {d.name: d for d in suspicious + sources}
    pairs = [(src, susp) for susp in suspicious for src in sources]

    started = time.monotonic()
    try:
        per_pair = parallel_map(lambda pair: detections_for_pair(reprint, *pair), pairs)
    except ReprintError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    detections = [d for dets in per_pair for d in dets]
    print(f"reprint: {len(suspicious)} suspicious x {len(sources)} source = {len(pairs)} runs "
          f"in {elapsed:.1f} s wall clock on {os.cpu_count()} threads")

    overall = score(cases, detections)
    types = TYPES + sorted({s.kind for s in cases} - set(TYPES))
    per_type = score_by_type(cases, detections, types)
    useless = sum(not any(detects(r, s) for s in cases) for r in detections)
    print(f"detections: {len(detections)} ({useless} detect no case)\n")
    print("passage level (PAN measures, character level, macro-averaged):")
    print_scores(overall, per_type)
    print_document_level(cases, detections, len(pairs))
    similarity_distribution("pan-format-indonesian", [d.info["similarity"] for d in detections])

    if args.dump:
        dump(args.dump, detections, cases)
        print(f"\ndetections written to {args.dump}")
    if args.show_misses:
        show_misses(case_recalls(cases, detections), detections, docs, args.show_misses,
                    args.miss_type)
    return 0


if __name__ == "__main__":
    sys.exit(main())
