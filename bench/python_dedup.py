#!/usr/bin/env python3
"""python_dedup.py - reprint's Python module against datasketch, in one process.

On one JSONL corpus (default: the dedup benchmark's 10k-document corpus, made by
build/bench/dedup_gen from ../shared/data and cached in bench/out), three runs:

  1. reprint.dedup(docs, threshold=T): the whole job (sketch, LSH, exact verify,
     clusters) from Python strings, on one thread (threads=1) and on all cores;
  2. datasketch, the usual loop: for each document, shingle in Python (the
     shingling of bench/dedup_datasketch.py), MinHash(num_perm=128).update_batch,
     lsh.query, lsh.insert; pairs are the query results;
  3. the same loop, unchanged, with `from reprint.datasketch import MinHash,
     MinHashLSH`.

Printed: the time of each (wall, and CPU time, which other jobs on a shared machine
disturb less), the ratio datasketch / reprint.dedup (whole loop
against whole job; aim >= 50) and the ratio of the MinHash + LSH time of the
loop, datasketch / drop-in, shingling left out as it is the same Python code in
both (aim >= 10); and, against the exact truth of bench/dedup_score --all-pairs
(every pair at J >= T), the true pairs each run finds. Benchmarks report, they do
not judge: the exit status is 0 whatever the figures.

  DATASKETCH_DIR=/path/to/datasketch-checkout PYTHONPATH=build/python \\
      /usr/bin/python3 bench/python_dedup.py [--docs 10000] [--threshold 0.8] [CORPUS.jsonl]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dedup_datasketch import shingles  # noqa: E402  (the baseline's own shingling)

ROOT = os.path.dirname(HERE)


def corpus_path(n, build):
    """The dedup benchmark's corpus of n documents and its exact all-pairs truth."""
    out = os.path.join(ROOT, "bench", "out")
    os.makedirs(out, exist_ok=True)
    gen = os.path.join(build, "bench", "dedup_gen")
    score = os.path.join(build, "bench", "dedup_score")
    for prog in (gen, score):
        if not os.path.exists(prog):
            subprocess.run(["make", "-s", os.path.relpath(prog, ROOT)], cwd=ROOT, check=True)
    version = subprocess.run([gen, "--version"], capture_output=True, text=True).stdout.strip()
    base = os.path.join(out, "dedup-%d-s1-r0.10-v%s" % (n, version))
    data = os.environ.get("REPRINT_DATA", os.path.join(ROOT, "..", "shared", "data"))
    if not os.path.exists(base + ".jsonl"):
        if not os.path.isdir(data):
            return None, None
        subprocess.run([gen, "--docs", str(n), "--seed", "1", "--dup-rate", "0.10", "--data",
                        data, "--out", base], check=True)
    return base + ".jsonl", base


def truth_pairs(corpus, base, threshold, build):
    path = "%s.allpairs-t%g.tsv" % (base, threshold)
    if not os.path.exists(path):
        score = os.path.join(build, "bench", "dedup_score")
        with open(path + ".tmp", "w") as f:
            subprocess.run([score, "--all-pairs", "--threshold", str(threshold), corpus],
                           stdout=f, check=True)
        os.rename(path + ".tmp", path)
    pairs = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a, b = line.split("\t")[:2]
            pairs.add((a, b) if a.encode() < b.encode() else (b, a))
    return pairs


def cpu():
    """CPU seconds of this process and its finished children (reprint.dedup works in a
    child process): steadier than wall time on a machine shared with other jobs."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def usual_loop(docs, MinHash, MinHashLSH, threshold, num_perm):
    """The datasketch dedup loop of the documentation, timed by phase (wall), and its
    CPU time in all."""
    c0 = cpu()
    t_sh = t_mh = t_lsh = 0.0
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs = set()
    for key, text in docs:
        a = time.perf_counter()
        sh = [s.encode("utf8") for s in shingles(text, 5)]
        b = time.perf_counter()
        m = MinHash(num_perm=num_perm)
        m.update_batch(sh)
        c = time.perf_counter()
        for other in lsh.query(m):
            pairs.add((key, other) if key.encode() < other.encode() else (other, key))
        lsh.insert(key, m)
        d = time.perf_counter()
        t_sh += b - a
        t_mh += c - b
        t_lsh += d - c
    return pairs, t_sh, t_mh, t_lsh, cpu() - c0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("corpus", nargs="?")
    args = ap.parse_args()
    build = os.path.join(ROOT, os.environ.get("BUILD", "build"))
    sys.path.insert(0, os.path.join(build, "python"))
    import reprint
    from reprint import datasketch as drop_in

    if args.corpus:
        corpus, base = args.corpus, None
    else:
        corpus, base = corpus_path(args.docs, build)
        if corpus is None:
            print("python_dedup: no corpus given and no data in ../shared/data (set "
                  "REPRINT_DATA); skipped")
            return
    docs = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                docs.append((str(rec["id"]), rec["text"]))
    print("corpus: %s, %d documents, %.1f MB" % (corpus, len(docs),
                                                  sum(len(t) for _, t in docs) / 1e6))
    truth = truth_pairs(corpus, base, args.threshold, build) if base else None
    if truth is not None:
        print("truth: %d pairs at J >= %g (exact, all pairs)" % (len(truth), args.threshold))

    def found(pairs):
        return "" if truth is None else ", %d of %d true pairs" % (len(pairs & truth), len(truth))

    t, c = time.perf_counter(), cpu()
    r1 = reprint.dedup(docs, threshold=args.threshold, num_perm=args.num_perm, threads=1)
    t_rp1, c_rp1 = time.perf_counter() - t, cpu() - c
    t = time.perf_counter()
    reprint.dedup(docs, threshold=args.threshold, num_perm=args.num_perm, threads=0)
    t_rp = time.perf_counter() - t
    rp_pairs = {(a, b) if a.encode() < b.encode() else (b, a) for a, b, _ in r1.pairs}
    print("reprint.dedup: %.2f s on 1 thread (CPU %.2f s), %.2f s on all cores; %d pairs%s"
          % (t_rp1, c_rp1, t_rp, len(rp_pairs), found(rp_pairs)))

    p_di, sh_di, mh_di, lsh_di, c_di = usual_loop(docs, drop_in.MinHash, drop_in.MinHashLSH,
                                            args.threshold, args.num_perm)
    print("reprint.datasketch loop: %.2f s (shingling %.2f, MinHash %.2f, LSH %.2f; CPU %.2f s);"
          " %d candidate pairs%s" % (sh_di + mh_di + lsh_di, sh_di, mh_di, lsh_di, c_di,
                                     len(p_di), found(p_di)))

    ds_dir = os.environ.get("DATASKETCH_DIR")
    if ds_dir:
        sys.path.insert(0, ds_dir)
    try:
        import datasketch
    except ImportError as e:
        print("datasketch: not importable (%s); set DATASKETCH_DIR to a checkout (it needs "
              "python3-numpy and python3-scipy); ratios skipped" % e)
        return
    p_ds, sh_ds, mh_ds, lsh_ds, c_ds = usual_loop(docs, datasketch.MinHash, datasketch.MinHashLSH,
                                            args.threshold, args.num_perm)
    total_ds = sh_ds + mh_ds + lsh_ds
    print("datasketch loop: %.2f s (shingling %.2f, MinHash %.2f, LSH %.2f; CPU %.2f s); "
          "%d candidate pairs%s" % (total_ds, sh_ds, mh_ds, lsh_ds, c_ds, len(p_ds),
                                    found(p_ds)))
    print("ratio datasketch loop / reprint.dedup (1 thread): %.1fx wall, %.1fx CPU (aim >= 50)"
          % (total_ds / t_rp1, c_ds / c_rp1))
    print("ratio datasketch loop / reprint.dedup (all cores): %.1fx" % (total_ds / t_rp))
    print("ratio MinHash+LSH time, datasketch / reprint.datasketch: %.1fx (aim >= 10)"
          % ((mh_ds + lsh_ds) / (mh_di + lsh_di)))


if __name__ == "__main__":
    main()
