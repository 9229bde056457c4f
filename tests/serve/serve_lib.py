"""serve_lib.py - helpers shared by the tests of `reprint serve`.

Starts the server on a free loopback port (--listen 127.0.0.1:0), reads the
address from its first stderr line, keeps reading the rest (the request log)
so the pipe never fills, and stops it with SIGTERM. Builds a small index in
a temporary directory from tests/data and generated prose. Nothing here
sends traffic anywhere but 127.0.0.1 / ::1.
"""
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "..", "shared", "data", "seeds")

# Slow builds (the sanitizer pass) need room; nothing here waits this long
# when things work.
TIMEOUT = 60


class Checks:
    """Named checks: each is one test in the totals; failures say why."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s/%s%s" % (self.prefix, name, (": " + str(detail)[:600]) if detail else ""))
            sys.stdout.flush()
        return cond

    def summary(self):
        print("%s: %d passed, %d failed" % (self.prefix, self.passed, self.failed))
        return 0 if self.failed == 0 else 1


class Server:
    def __init__(self, reprint, index, *args, listen="127.0.0.1:0"):
        self.cmd = [reprint, "serve", "--listen", listen, *args, index]
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.first = self.p.stderr.readline().decode("utf-8", "replace").rstrip("\n")
        m = re.fullmatch(r"listening on http://(\[[0-9a-f:.]+\]|[0-9.]+):(\d+)/", self.first)
        self.lines = []
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()
        if m is None:
            self.p.kill()
            self.p.wait()
            self.reader.join(5)
            raise RuntimeError("no 'listening on' line: %r %r" % (self.first, self.lines[:5]))
        self.host = m.group(1).strip("[]")
        self.port = int(m.group(2))
        self.url = "http://%s:%d/" % (m.group(1), self.port)

    def _drain(self):
        for line in self.p.stderr:
            self.lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    def conn(self, timeout=TIMEOUT):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def req(self, method, path, body=None, headers=None):
        """One request on a new connection: (status, headers, body bytes)."""
        c = self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            c.close()

    def json(self, method, path, obj=None, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        body = json.dumps(obj).encode() if obj is not None else None
        st, hd, data = self.req(method, path, body, h)
        try:
            return st, hd, json.loads(data)
        except ValueError:
            return st, hd, {"_raw": data[:200]}

    def stop(self, sig=signal.SIGTERM):
        """Stop it; returns the exit status (None if it had to be killed)."""
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self.reader.join(10)
        return rc

    def sanitizer_report(self):
        """Lines of an AddressSanitizer, LeakSanitizer or UBSan report."""
        return [l for l in self.lines if "Sanitizer" in l or "runtime error:" in l]


def words_of(path):
    with open(path, encoding="utf-8") as f:
        return re.findall(r"[A-Za-z]+", f.read())


def filler_docs(n, seed=7):
    """n generated documents of 60-140 words drawn from the test texts."""
    vocab = sorted(set(w.lower() for p in ("html_a.txt", "html_b.txt")
                       for w in words_of(os.path.join(ROOT, "tests", "data", p))))
    vocab += ["w%d" % i for i in range(3000)]
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        words = [rnd.choice(vocab) for _ in range(rnd.randint(60, 140))]
        out.append({"id": "gen-%04d" % i, "date": "2024-01-%02d" % (i % 28 + 1),
                    "text": " ".join(words) + "."})
    return out


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def build_index(reprint, tmp, extra_docs=(), n_filler=200):
    """An index of tests/data/scan_archive.jsonl, the seed 000 story when
    ../shared is present, extra_docs and n_filler generated documents."""
    path = os.path.join(tmp, "corpus.jsonl")
    docs = read_jsonl(os.path.join(ROOT, "tests", "data", "scan_archive.jsonl"))
    docs += filler_docs(n_filler)
    seed = seed_texts()
    if seed is not None:
        docs.append({"id": "seed-000", "headline": "wire story", "text": seed[0]})
    docs += list(extra_docs)
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d) + "\n")
    index = os.path.join(tmp, "t.db")
    subprocess.run([reprint, "index", "add", "-q", index, path], check=True)
    return index, docs


def seed_texts():
    """The seed pair (wire story, newspaper version), or None when absent."""
    try:
        names = sorted(os.listdir(SEEDS))
    except OSError:
        return None
    a = [n for n in names if n.startswith("000_")]
    b = [n for n in names if n.startswith("001_")]
    if not a or not b:
        return None
    with open(os.path.join(SEEDS, a[0]), encoding="utf-8") as f:
        ta = f.read()
    with open(os.path.join(SEEDS, b[0]), encoding="utf-8") as f:
        tb = f.read()
    return ta, tb
