#!/usr/bin/env python3
"""news_pool.py - the sentence pool of the index benchmark, from real prose.

Reads the Reuters-21578 story bodies and the BBC News articles under
../shared/data (never copied into the repository) and writes one sentence
per line to OUT: sentences of 6..60 words, whitespace collapsed, duplicates
dropped. bench/gen_news.c recombines and edits them into synthetic
news-sized documents.

Usage: bench/news_pool.py DATA_DIR OUT
"""
import html
import os
import re
import sys


def reuters_bodies(root):
    d = os.path.join(root, "reuters21578")
    for name in sorted(os.listdir(d)):
        if not (name.startswith("reut2-") and name.endswith(".sgm")):
            continue
        raw = open(os.path.join(d, name), "rb").read().decode("latin-1")
        for m in re.finditer(r"<BODY>(.*?)</BODY>", raw, re.S):
            body = re.sub(r"&#\d+;", " ", m.group(1))
            body = html.unescape(body)
            body = re.sub(r"\s*Reuter\s*$", "", body.strip())
            yield body


def bbc_articles(root):
    d = os.path.join(root, "bbc-news", "bbc")
    for cat in sorted(os.listdir(d)):
        p = os.path.join(d, cat)
        if not os.path.isdir(p):
            continue
        for name in sorted(os.listdir(p)):
            b = open(os.path.join(p, name), "rb").read()
            try:
                t = b.decode("utf-8")
            except UnicodeDecodeError:
                t = b.decode("latin-1")
            yield t.split("\n", 1)[1] if "\n" in t else t


SPLIT = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"']?[A-Z])")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    root, out = sys.argv[1], sys.argv[2]
    seen = set()
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for text in list(reuters_bodies(root)) + list(bbc_articles(root)):
            for s in SPLIT.split(text):
                s = " ".join(s.split())
                words = len(s.split(" "))
                if words < 6 or words > 60 or s in seen:
                    continue
                seen.add(s)
                f.write(s + "\n")
                n += 1
    print(f"news_pool: {n} sentences", file=sys.stderr)


if __name__ == "__main__":
    main()
