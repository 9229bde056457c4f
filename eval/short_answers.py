#!/usr/bin/env python3
"""Document-level evaluation of reprint on the Clough & Stevenson corpus of plagiarised short answers.

For each of the 95 answers it runs `reprint compare --format json --lossy orig_taskX.txt ANSWER`
(a = Wikipedia source of the answer's task, b = answer) and measures:

- mean containment_b, containment_a and jaccard per class (cut, light, heavy, non);
- reprint's own verdict against the mapping cut -> wholly-derived, light/heavy -> partially-derived,
  non -> non-derived (confusion matrix, accuracy, macro-F1);
- leave-one-out classification from one score (containment_b; jaccard and containment_a for
  comparison): a 1-D ordered threshold classifier non < heavy < light < cut whose thresholds
  maximise accuracy on the other 94 answers, and a single plagiarised-vs-non threshold that
  maximises F1 on the other 94; both are applied to the held-out answer;
- true negatives: every answer against the 4 other tasks' sources (mean containment_b and the
  share with a verdict other than non-derived, i.e. the false positive rate);
- the thresholds on containment_b that a fit on all 95 answers would choose for
  wholly vs partially and partially vs non-derived (to set reprint's verdict thresholds), and for
  comparison the same fit on jaccard / containment_a and a two-stage rule (containment_b for
  derived vs non, then jaccard for wholly vs partially).

17 answers are Windows-1252, hence --lossy; the script counts them (Python decodability) and checks
that reprint refuses exactly those without --lossy.
"""

import argparse
import csv
import math
import os
import sys
import time

from common import (ReprintError, compare, data_set, parallel_map, prf, print_matrix,
                    reprint_binary, similarity_distribution)

DATA_SET = "clough-stevenson"
CLASSES = ["non", "heavy", "light", "cut"]              # ordered by amount of copying
VERDICTS = ["non-derived", "partially-derived", "wholly-derived"]
EXPECTED_VERDICT = {"cut": "wholly-derived", "light": "partially-derived",
                    "heavy": "partially-derived", "non": "non-derived"}
# "derivation" = containment_b + shingles_b: how much of B lies in passages plus
# how much of it is verbatim (share of B's word 5-grams found in A). The first
# separates derived from not derived, the second the degree of copying.
FEATURES = ["derivation", "containment_b", "matched_b", "shingles_b", "jaccard", "containment_a"]
INF = math.inf


# --------------------------------------------------------------------------- threshold fitting
# A threshold classifier with ordered classes 0..K-1 and thresholds t_1 <= ... <= t_{K-1}
# predicts for a score x the number of thresholds with x >= t.

def predict(x, thresholds):
    return sum(x >= t for t in thresholds)


def candidates(values):
    """Thresholds worth trying: below everything, between consecutive distinct values, above."""
    distinct = sorted(set(values))
    return [-INF] + [(lo + hi) / 2 for lo, hi in zip(distinct, distinct[1:])] + [INF]


def accuracy(values, labels, thresholds):
    return sum(predict(x, thresholds) == y for x, y in zip(values, labels)) / len(values)


def _tie_run(cands, scores, current):
    """Indices (first, last) of the run of equal best scores that contains `current`."""
    best = scores[current]
    first = last = current
    while first > 0 and scores[first - 1] == best:
        first -= 1
    while last + 1 < len(cands) and scores[last + 1] == best:
        last += 1
    return first, last


def fit_ordered(values, labels, n_classes):
    """Thresholds maximising accuracy for ordered labels 0..n_classes-1.

    Exact optimum by dynamic programming over the distinct values (labels may only rise with the
    score). Each threshold is then moved to the middle of the run of candidates that give the same
    accuracy (others fixed), so that ties do not favour one side. Returns (thresholds, ranges) where
    ranges[k] = (lowest, highest) equally good value of threshold k.
    """
    distinct = sorted(set(values))
    counts = {v: [0] * n_classes for v in distinct}
    for x, y in zip(values, labels):
        counts[x][y] += 1
    # best[k]: most correct answers so far with the current value assigned class k
    best, back = [0] * n_classes, []
    for v in distinct:
        row_back, new = [], []
        run_max, run_arg = -1, 0
        for k in range(n_classes):
            if best[k] > run_max:
                run_max, run_arg = best[k], k
            new.append(run_max + counts[v][k])
            row_back.append(run_arg)
        best = new
        back.append(row_back)
    k = max(range(n_classes), key=lambda c: best[c])
    assigned = []
    for row_back in reversed(back):
        assigned.append(k)
        k = row_back[k]
    assigned.reverse()

    thresholds = []
    for k in range(n_classes - 1):
        below = [v for v, c in zip(distinct, assigned) if c <= k]
        above = [v for v, c in zip(distinct, assigned) if c > k]
        if not below:
            thresholds.append(-INF)
        elif not above:
            thresholds.append(INF)
        else:
            thresholds.append((max(below) + min(above)) / 2)

    cands, ranges = candidates(values), []
    for k in range(n_classes - 1):
        lo = thresholds[k - 1] if k > 0 else -INF
        hi = thresholds[k + 1] if k + 1 < len(thresholds) else INF
        usable = [c for c in cands if lo <= c <= hi]
        scores = [accuracy(values, labels, thresholds[:k] + [c] + thresholds[k + 1:]) for c in usable]
        first, last = _tie_run(usable, scores, usable.index(thresholds[k]))
        thresholds[k] = usable[(first + last) // 2]
        ranges.append((usable[first], usable[last]))
    return thresholds, ranges


def f1_at(values, positive, t):
    tp = sum(x >= t and p for x, p in zip(values, positive))
    fp = sum(x >= t and not p for x, p in zip(values, positive))
    fn = sum(x < t and p for x, p in zip(values, positive))
    return prf(tp, fp, fn)[2]


def fit_binary_f1(values, positive):
    """Single threshold (predict positive when x >= t) maximising F1, centred in its tie run."""
    cands = candidates(values)
    scores = [f1_at(values, positive, c) for c in cands]
    top = max(range(len(cands)), key=lambda i: scores[i])
    first, last = _tie_run(cands, scores, top)
    return cands[(first + last) // 2]


def loo_ordered(values, labels, n_classes):
    preds = []
    for i in range(len(values)):
        train_x, train_y = values[:i] + values[i + 1:], labels[:i] + labels[i + 1:]
        thresholds, _ = fit_ordered(train_x, train_y, n_classes)
        preds.append(predict(values[i], thresholds))
    return preds


def loo_binary(values, positive):
    preds = []
    for i in range(len(values)):
        t = fit_binary_f1(values[:i] + values[i + 1:], positive[:i] + positive[i + 1:])
        preds.append(values[i] >= t)
    return preds


def auc(pos_scores, neg_scores):
    """Area under the ROC curve (Mann-Whitney), ties counted as one half."""
    if not pos_scores or not neg_scores:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos_scores for n in neg_scores)
    return wins / (len(pos_scores) * len(neg_scores))


def macro_f1(truth, pred, classes):
    scores = []
    for c in classes:
        tp = sum(t == c and p == c for t, p in zip(truth, pred))
        fp = sum(t != c and p == c for t, p in zip(truth, pred))
        fn = sum(t == c and p != c for t, p in zip(truth, pred))
        scores.append(prf(tp, fp, fn)[2])
    return sum(scores) / len(scores)


# --------------------------------------------------------------------------- data and runs

def read_answers(root):
    """[(file name, task, category)] for the 95 answers, from file_list.csv."""
    with open(root / "file_list.csv", newline="", encoding="utf-8") as f:
        return [(row["File"], row["Task"], row["Category"]) for row in csv.DictReader(f)
                if row["Category"] in CLASSES]


def is_utf8(path):
    try:
        path.read_bytes().decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def fmt_t(t):
    return f"{t:.4f}" if math.isfinite(t) else ("-inf" if t < 0 else "+inf")


# --------------------------------------------------------------------------- report sections

def report_means(rows):
    print("\nmean scores per class (answer vs its own task's source):")
    print(f"{'class':8s} {'n':>3s} {'containment_b':>13s} {'containment_a':>13s} {'jaccard':>8s} "
          f"{'min c_b':>8s} {'max c_b':>8s} {'passages':>8s}")
    for c in reversed(CLASSES):
        sel = [r for r in rows if r["class"] == c]
        mean = lambda key: sum(r[key] for r in sel) / len(sel)  # noqa: E731
        cb = [r["containment_b"] for r in sel]
        print(f"{c:8s} {len(sel):3d} {mean('containment_b'):13.4f} {mean('containment_a'):13.4f} "
              f"{mean('jaccard'):8.4f} {min(cb):8.4f} {max(cb):8.4f} {mean('passages'):8.2f}")
    order = [sum(r["containment_b"] for r in rows if r["class"] == c) for c in CLASSES]
    counts = [sum(r["class"] == c for r in rows) for c in CLASSES]
    means = [s / n for s, n in zip(order, counts)]
    ok = all(a < b for a, b in zip(means, means[1:]))
    print(f"ordering cut > light > heavy > non on mean containment_b: {'yes' if ok else 'NO'}")


def report_verdicts(rows):
    counts = {}
    for r in rows:
        counts[(r["class"], r["verdict"])] = counts.get((r["class"], r["verdict"]), 0) + 1
    print()
    print_matrix("reprint verdict (columns) per class (rows):", list(reversed(CLASSES)),
                 list(reversed(VERDICTS)), counts)
    truth = [EXPECTED_VERDICT[r["class"]] for r in rows]
    pred = [r["verdict"] for r in rows]
    acc = sum(t == p for t, p in zip(truth, pred)) / len(rows)
    print(f"verdict vs mapping cut->wholly, light/heavy->partially, non->non: accuracy {acc:.4f}, "
          f"macro-F1 {macro_f1(truth, pred, VERDICTS):.4f}")
    tp = sum(t != "non-derived" and p != "non-derived" for t, p in zip(truth, pred))
    fp = sum(t == "non-derived" and p != "non-derived" for t, p in zip(truth, pred))
    fn = sum(t != "non-derived" and p == "non-derived" for t, p in zip(truth, pred))
    p, r, f = prf(tp, fp, fn)
    print(f"verdict as binary (derived vs non-derived): precision {p:.4f} recall {r:.4f} F1 {f:.4f}")


def report_loo(rows):
    labels = [CLASSES.index(r["class"]) for r in rows]
    positive = [r["class"] != "non" for r in rows]
    print("\nleave-one-out classification (thresholds fitted on the other 94 answers); the first row,")
    print("derivation = containment_b + shingles_b, is the reported classifier:")
    print(f"{'feature':14s} {'4-class acc':>11s} {'macro-F1':>8s} {'bin P':>6s} {'bin R':>6s} "
          f"{'bin F1':>6s} {'AUC':>6s}")
    primary = None
    for feat in FEATURES:
        values = [r[feat] for r in rows]
        pred4 = loo_ordered(values, labels, len(CLASSES))
        acc4 = sum(p == y for p, y in zip(pred4, labels)) / len(rows)
        mf1 = macro_f1(labels, pred4, range(len(CLASSES)))
        pred2 = loo_binary(values, positive)
        tp = sum(p and t for p, t in zip(pred2, positive))
        fp = sum(p and not t for p, t in zip(pred2, positive))
        fn = sum(t and not p for p, t in zip(pred2, positive))
        bp, br, bf = prf(tp, fp, fn)
        a = auc([v for v, t in zip(values, positive) if t], [v for v, t in zip(values, positive) if not t])
        print(f"{feat:14s} {acc4:11.4f} {mf1:8.4f} {bp:6.3f} {br:6.3f} {bf:6.3f} {a:6.3f}")
        if feat == FEATURES[0]:
            primary = (pred4, pred2, (tp, fp, fn))
    pred4, pred2, (tp, fp, fn) = primary
    counts = {}
    for y, p in zip(labels, pred4):
        key = (CLASSES[y], CLASSES[p])
        counts[key] = counts.get(key, 0) + 1
    print()
    rev = list(reversed(CLASSES))
    print_matrix(f"{FEATURES[0]}, 4-class LOO confusion (rows truth, columns predicted):", rev, rev,
                 counts)
    print()
    print_matrix(f"{FEATURES[0]}, binary LOO confusion (rows truth, columns predicted):",
                 ["plagiarised", "non"], ["plagiarised", "non"],
                 {("plagiarised", "plagiarised"): tp, ("plagiarised", "non"): fn,
                  ("non", "plagiarised"): fp, ("non", "non"): len(rows) - tp - fp - fn})


THREE = {"non": 0, "heavy": 1, "light": 1, "cut": 2}   # non < partially < wholly-derived


def fit_two_stage(rows):
    """Derived-vs-non threshold on containment_b, then, among the answers above it, a
    wholly-vs-partially threshold on jaccard. Returns (t_partial, t_wholly_jaccard)."""
    (t_b,), _ = fit_ordered([r["containment_b"] for r in rows],
                            [THREE[r["class"]] > 0 for r in rows], 2)
    derived = [r for r in rows if r["containment_b"] >= t_b] or rows
    (t_j,), _ = fit_ordered([r["jaccard"] for r in derived],
                            [r["class"] == "cut" for r in derived], 2)
    return t_b, t_j


def predict_two_stage(row, thresholds):
    t_b, t_j = thresholds
    return 0 if row["containment_b"] < t_b else (2 if row["jaccard"] >= t_j else 1)


def report_fit_all(rows, negatives):
    values = [r["containment_b"] for r in rows]
    labels = [THREE[r["class"]] for r in rows]
    (t_partial, t_wholly), ranges = fit_ordered(values, labels, 3)
    acc = accuracy(values, labels, [t_partial, t_wholly])
    loo = loo_ordered(values, labels, 3)
    loo_acc = sum(p == y for p, y in zip(loo, labels)) / len(rows)
    print("\nverdict thresholds on containment_b fitted on all 95 answers "
          "(partially-derived when containment_b >= t_partial, wholly-derived when >= t_wholly):")
    print(f"  partially vs non-derived: t = {fmt_t(t_partial)}  "
          f"(equally good from {fmt_t(ranges[0][0])} to {fmt_t(ranges[0][1])})")
    print(f"  wholly vs partially:      t = {fmt_t(t_wholly)}  "
          f"(equally good from {fmt_t(ranges[1][0])} to {fmt_t(ranges[1][1])})")
    print(f"  training accuracy {acc:.4f}; leave-one-out accuracy of this 3-class fit {loo_acc:.4f}")
    if negatives:
        fp = sum(n["containment_b"] >= t_partial for n in negatives)
        print(f"  cross-task negatives with containment_b >= {fmt_t(t_partial)}: "
              f"{fp}/{len(negatives)} ({fp / len(negatives):.4f})")
    thresholds4, _ = fit_ordered(values, [CLASSES.index(r["class"]) for r in rows], len(CLASSES))
    print("  (4-class fit, for reference: " + ", ".join(
        f"{lo}|{hi} {fmt_t(t)}" for lo, hi, t in zip(CLASSES, CLASSES[1:], thresholds4)) + ")")

    print("\nthe same 3-class fit on other scores, for comparison:")
    for feat in FEATURES[1:]:
        v = [r[feat] for r in rows]
        th, _ = fit_ordered(v, labels, 3)
        loo = loo_ordered(v, labels, 3)
        print(f"  {feat:14s} t_partial {fmt_t(th[0])}  t_wholly {fmt_t(th[1])}  training accuracy "
              f"{accuracy(v, labels, th):.4f}  LOO {sum(p == y for p, y in zip(loo, labels)) / len(rows):.4f}")
    two = fit_two_stage(rows)
    train = sum(predict_two_stage(r, two) == y for r, y in zip(rows, labels)) / len(rows)
    loo = [predict_two_stage(rows[i], fit_two_stage(rows[:i] + rows[i + 1:])) for i in range(len(rows))]
    print(f"  two-stage: partially when containment_b >= {fmt_t(two[0])}, wholly when also "
          f"jaccard >= {fmt_t(two[1])}: training accuracy {train:.4f}  "
          f"LOO {sum(p == y for p, y in zip(loo, labels)) / len(rows):.4f}")


def report_negatives(negatives):
    cb = [n["containment_b"] for n in negatives]
    flagged = [n for n in negatives if n["verdict"] != "non-derived"]
    with_passages = sum(n["passages"] > 0 for n in negatives)
    print(f"\ntrue negatives: each answer vs the 4 other tasks' sources ({len(negatives)} pairs):")
    print(f"  mean containment_b {sum(cb) / len(cb):.4f}  max {max(cb):.4f}  "
          f"mean jaccard {sum(n['jaccard'] for n in negatives) / len(negatives):.4f}")
    print(f"  verdict != non-derived: {len(flagged)}/{len(negatives)} "
          f"(false positive rate {len(flagged) / len(negatives):.4f}); "
          f"pairs with any passage: {with_passages}")
    for n in flagged[:10]:
        print(f"    {n['answer']} vs {n['source']}: {n['verdict']} containment_b {n['containment_b']:.4f}")


# --------------------------------------------------------------------------- main

def summarise(result):
    """The scores of one reprint result, plus its number of passages."""
    row = {k: result[k] for k in ("containment_a", "containment_b", "jaccard", "verdict")}
    row["passages"] = len(result["passages"])
    row["similarities"] = [p["similarity"] for p in result["passages"]]
    # share of B's words matched word for word inside passages
    nb = result["b"]["tokens"]
    row["matched_b"] = sum(p["tokens"] for p in result["passages"]) / nb if nb else 0.0
    row["shingles_b"] = result["shingles_b"]
    row["derivation"] = result["containment_b"] + result["shingles_b"]
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reprint", help="reprint binary (default: build/reprint under the project root)")
    ap.add_argument("--per-answer", action="store_true", help="print one line per answer")
    args = ap.parse_args()

    root = data_set(DATA_SET)
    if root is None:
        return 0
    reprint = reprint_binary(args.reprint)
    corpus = root / "corpus-20090418"
    answers = read_answers(root)
    tasks = sorted({task for _, task, _ in answers})
    source = {t: corpus / f"orig_task{t}.txt" for t in tasks}
    print(f"Clough & Stevenson short answers: {len(answers)} answers, {len(tasks)} tasks")

    not_utf8 = [name for name, _, _ in answers if not is_utf8(corpus / name)]
    print(f"answers that are not valid UTF-8 (need --lossy): {len(not_utf8)}")

    started = time.monotonic()
    try:
        own = parallel_map(lambda a: compare(reprint, source[a[1]], corpus / a[0], lossy=True)[1],
                           answers)
        strict = parallel_map(lambda a: compare(reprint, source[a[1]], corpus / a[0],
                                                check=False)[0], answers)
        others = [(name, t) for name, task, _ in answers for t in tasks if t != task]
        neg = parallel_map(lambda p: compare(reprint, source[p[1]], corpus / p[0], lossy=True)[1],
                           others)
    except ReprintError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started

    refused = [name for (name, _, _), code in zip(answers, strict) if code != 0]
    odd_codes = sorted({code for code in strict if code not in (0, 1)})
    print(f"reprint without --lossy refused {len(refused)} answers"
          + (" (the same files)" if sorted(refused) == sorted(not_utf8) else
             f" -- DIFFERS from the non-UTF-8 list: {sorted(set(refused) ^ set(not_utf8))}")
          + (f"; unexpected exit codes {odd_codes}" if odd_codes else ""))
    print(f"reprint: {len(answers) * 2 + len(others)} runs in {elapsed:.1f} s wall clock "
          f"on {os.cpu_count()} threads")

    rows = [{"answer": name, "class": cat, **summarise(res)}
            for (name, _, cat), res in zip(answers, own)]
    negatives = [{"answer": name, "source": source[t].name, **summarise(res)}
                 for (name, t), res in zip(others, neg)]

    if args.per_answer:
        print(f"\n{'answer':16s} {'class':6s} {'c_b':>6s} {'c_a':>6s} {'jacc':>6s} {'pass':>4s} verdict")
        for r in sorted(rows, key=lambda r: (CLASSES.index(r["class"]), r["containment_b"])):
            print(f"{r['answer']:16s} {r['class']:6s} {r['containment_b']:6.3f} {r['containment_a']:6.3f} "
                  f"{r['jaccard']:6.3f} {r['passages']:4d} {r['verdict']}")

    report_means(rows)
    similarity_distribution("clough-stevenson, answers vs their own source",
                            [x for r in rows for x in r["similarities"]])
    report_verdicts(rows)
    report_loo(rows)
    report_negatives(negatives)
    report_fit_all(rows, negatives)
    return 0


if __name__ == "__main__":
    sys.exit(main())
