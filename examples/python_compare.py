#!/usr/bin/env python3
"""python_compare.py - the smallest use of the Python module: compare a wire story with
a newspaper's rewrite and print each reused passage from both texts.

    PYTHONPATH=build/python python3 examples/python_compare.py [A B]
"""
import os
import sys

import reprint

here = os.path.dirname(os.path.abspath(__file__))
a_path, b_path = sys.argv[1:3] if len(sys.argv) == 3 else (
    os.path.join(here, "wire.txt"), os.path.join(here, "article.txt"))
with open(a_path, encoding="utf-8") as f:
    a = f.read()
with open(b_path, encoding="utf-8") as f:
    b = f.read()

r = reprint.compare(a, b)  # str in: offsets index the str
print("verdict %s, containment of B %.2f, Jaccard %.2f" % (r.verdict, r.containment_b, r.jaccard))
for p in r.passages:
    print("passage A[%d:%d] = B[%d:%d], %d words, similarity %.2f"
          % (p.a_start, p.a_end, p.b_start, p.b_end, p.tokens, p.similarity))
    print("  A: %.70s..." % " ".join(a[p.a_start:p.a_end].split()))
    print("  B: %.70s..." % " ".join(b[p.b_start:p.b_end].split()))
