#!/usr/bin/env python3
"""dedup_datasketch.py - the dedup benchmark's baseline: datasketch's MinHash
and MinHashLSH run on the same JSONL corpus, with the same settings as
`reprint dedup`, end to end from JSONL to a pairs TSV.

What it does, as datasketch's documentation shows (MinHash and MinHash LSH
pages): one MinHash(num_perm=128) per document, updated with the document's
shingles encoded as UTF-8; a MinHashLSH(threshold=T, num_perm=128); every
MinHash inserted, then every one queried. Each pair returned by a query is
written once as `id1<TAB>id2<TAB>estimate` with id1 < id2 in byte order and
the estimate MinHash.jaccard() (datasketch itself only returns the keys;
the estimate lets the scorer also count the pairs whose estimate reaches the
threshold). Sorted, like reprint's output.

--update picks how the shingles go in: "batch" (default) calls
MinHash.update_batch() with all of a document's shingles, the faster of the
two documented ways; "loop" calls MinHash.update() once per shingle, as the
first example of the documentation does.

Tokens, as close to the library's as Python's re allows:
  text -> NFKC -> casefold -> typographic apostrophes (U+2019, U+02BC) to "'"
  words: runs of [^\\W_] (Unicode letters, digits; Python also counts a few
         more characters as word characters, such as some marks and
         letter-like numerals), with an apostrophe kept inside the word
         when a letter follows it ("don't", "1980's"), as reprint does;
  shingles: the space-joined n consecutive words (n = 5); a document of
         fewer than n words is one shingle of all its words; none without.
Differences from reprint: it normalizes the whole text before cutting it
into words (reprint cuts, then normalizes each token: the same for ordinary
prose); it does not split text written without spaces (Han, Thai, ...) into
one token per character; and Python's \\w differs from Unicode letters,
marks and digits on some rare characters. On the benchmark's 10k corpus
(seed 1) the word lists equal reprint's normalized tokens in every document.

Timing goes to standard error: reading and shingling, MinHash, LSH insert,
query, writing, and the total inside Python (the benchmark script also times
the whole process, interpreter start and imports included).

  dedup_datasketch.py [--threshold 0.8] [--ngram 5] [--num-perm 128]
                      [--update batch|loop] --pairs OUT.tsv INPUT.jsonl...

datasketch is imported from DATASKETCH_DIR when set (a source checkout:
the directory holding the datasketch package), else from the normal path.
It needs numpy and scipy (Debian: python3-numpy python3-scipy).
"""
import argparse
import json
import os
import re
import sys
import time
import unicodedata

WORD = re.compile(r"[^\W_]+(?:'(?=[^\W\d_])[^\W_]+)*")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})


def words(text):
    t = unicodedata.normalize("NFKC", text).casefold().translate(APOSTROPHES)
    return WORD.findall(t)


def shingles(text, n):
    w = words(text)
    if not w:
        return set()
    if len(w) < n:
        return {" ".join(w)}
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--update", choices=("batch", "loop"), default="batch")
    ap.add_argument("--pairs", required=True, help="output TSV")
    ap.add_argument("inputs", nargs="+", help="JSONL files with id and text members")
    args = ap.parse_args()

    ds_dir = os.environ.get("DATASKETCH_DIR")
    if ds_dir:
        sys.path.insert(0, ds_dir)
    try:
        import datasketch
        from datasketch import MinHash, MinHashLSH
    except ImportError as e:
        sys.exit("dedup_datasketch: cannot import datasketch (%s); set DATASKETCH_DIR to a "
                 "checkout holding the datasketch package; it needs numpy and scipy "
                 "(Debian: apt-get install python3-numpy python3-scipy)" % e)

    version = getattr(datasketch, "__version__", "?")
    if ds_dir and version in ("0.0.0", "?"):  # a checkout, not installed
        try:
            with open(os.path.join(ds_dir, "pyproject.toml"), encoding="utf-8") as f:
                m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
            version = m.group(1) + " (source)" if m else version
        except OSError:
            pass

    t0 = time.perf_counter()
    t_read = t_hash = 0.0
    keys, hashes = [], []
    for path in args.inputs:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                a = time.perf_counter()
                rec = json.loads(line)
                sh = [s.encode("utf8") for s in shingles(rec["text"], args.ngram)]
                b = time.perf_counter()
                m = MinHash(num_perm=args.num_perm)
                if args.update == "batch":
                    m.update_batch(sh)
                else:
                    for s in sh:
                        m.update(s)
                c = time.perf_counter()
                t_read += b - a
                t_hash += c - b
                keys.append(str(rec["id"]))
                hashes.append(m)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=args.num_perm)
    for k, m in zip(keys, hashes):
        lsh.insert(k, m)
    t2 = time.perf_counter()
    index = {k: i for i, k in enumerate(keys)}
    pairs = {}
    for k, m in zip(keys, hashes):
        for other in lsh.query(m):
            if other == k:
                continue
            a, b = (k, other) if k.encode() < other.encode() else (other, k)
            if (a, b) not in pairs:
                pairs[(a, b)] = m.jaccard(hashes[index[other]])
    t3 = time.perf_counter()
    with open(args.pairs, "w", encoding="utf-8") as out:
        for (a, b) in sorted(pairs, key=lambda p: (p[0].encode(), p[1].encode())):
            out.write("%s\t%s\t%.4f\n" % (a, b, pairs[(a, b)]))
    t4 = time.perf_counter()
    print("datasketch %s (MinHash num_perm=%d, update %s; MinHashLSH threshold=%.2f, "
          "b=%d bands x r=%d rows): %d documents, %d pairs; read+shingle %.2f s, "
          "minhash %.2f s, lsh insert %.2f s, query %.2f s, write %.2f s, total %.2f s"
          % (version, args.num_perm, args.update,
             args.threshold, lsh.b, lsh.r, len(keys), len(pairs), t_read, t_hash, t2 - t1,
             t3 - t2, t4 - t3, t4 - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
