"""Shared fixtures of the Python tests: the CLI of the same build, corpora made
on the fly (deterministic), and a helper that runs the CLI.

Run by tests/python/run.sh (from tests/run_all.sh) with PYTHONPATH=$BUILD/python;
REPRINT names the CLI of the same build, whose output every result is compared with."""
import json
import os
import random
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(ROOT, BUILD, "python") if not os.path.isabs(BUILD)
                else os.path.join(BUILD, "python"))

import reprint  # noqa: E402


def cli_path():
    p = os.environ.get("REPRINT", os.path.join(BUILD, "reprint"))
    return p if os.path.isabs(p) else os.path.join(ROOT, p)


def run_cli(*args, check=True):
    """Run the CLI; its stdout."""
    # not the interpreter's LD_PRELOAD (the ASan runtime of a sanitizer pass): the CLI
    # links its own
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    r = subprocess.run([cli_path()] + [str(a) for a in args], capture_output=True, cwd=ROOT,
                       env=env)
    if check and r.returncode != 0:
        raise AssertionError("reprint %s failed: %s" % (" ".join(map(str, args)),
                                                        r.stderr.decode(errors="replace")))
    return r.stdout


WORDS = ("harbour authority approved trial night ferry crossings council minister said "
         "report tuesday police city hospital school budget river bridge station market "
         "union strike weather storm coast village election vote party leader court judge "
         "company shares profit workers factory farmers prices energy water road plan").split()


def make_text(rng, n_words, vocab=WORDS):
    return " ".join(rng.choice(vocab) for _ in range(n_words)) + "."


def mutate(rng, text, rate):
    out = []
    for w in text.split(" "):
        if rng.random() < rate:
            out.append(rng.choice(WORDS))
        else:
            out.append(w)
    return " ".join(out)


def near_dup_corpus(n, seed=7, n_words=120):
    """n documents of a large random vocabulary; every fifth one a light edit of an
    earlier one, so that dedup has pairs and chained clusters."""
    rng = random.Random(seed)
    vocab = ["w%d" % i for i in range(20000)]
    docs = []
    for i in range(n):
        if i % 5 == 4:
            src = docs[rng.randrange(len(docs))]["text"]
            words = src.split(" ")
            for _ in range(rng.choice((1, 2, 4, 10))):
                words[rng.randrange(len(words))] = rng.choice(vocab)
            text = " ".join(words)
        else:
            text = make_text(rng, n_words, vocab)
        docs.append({"id": "d%04d" % i, "text": text, "n": i})
    return docs


def write_jsonl(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def corpus(tmp_path):
    docs = near_dup_corpus(400)
    return docs, write_jsonl(tmp_path / "corpus.jsonl", docs)
