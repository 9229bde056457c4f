#!/usr/bin/env python3
"""python_dedup.py - near-duplicates of a few texts with reprint.dedup, then the same job
written for datasketch, run on reprint's drop-in by changing only the import.

    PYTHONPATH=build/python python3 examples/python_dedup.py
"""
import reprint
from reprint.datasketch import MinHash, MinHashLSH  # was: from datasketch import ...

docs = [
    ("a", "The harbour authority approved a six-month trial of night ferry crossings on "
          "Thursday, the mayor told a packed meeting at the town hall."),
    ("b", "Rain is expected across the north on Friday, with strong winds along the coast "
          "and snow on the high ground by the evening."),
    ("c", "the Harbour Authority approved a six-month trial of night ferry crossings on "
          "Thursday, the mayor told a packed meeting at the town hall!"),
]

# 1. the whole job in one call: sketch, LSH, exact verification, clusters
result = reprint.dedup(docs, threshold=0.8)
print("pairs:", result.pairs)
print("clusters:", result.clusters, "keep:", result.keep)

# 2. the usual datasketch loop, unchanged
def words(text):
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()

lsh = MinHashLSH(threshold=0.8, num_perm=128)
for key, text in docs:
    w = words(text)
    m = MinHash(num_perm=128)
    m.update_batch([" ".join(w[i:i + 5]).encode("utf8") for i in range(len(w) - 4)])
    for other in lsh.query(m):
        print("drop-in: %s ~ %s" % (key, other))
    lsh.insert(key, m)
