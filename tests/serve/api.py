#!/usr/bin/env python3
"""api.py - the HTTP API of `reprint serve`, end to end.

Usage: python3 tests/serve/api.py path/to/reprint

Builds a small index, starts the server on a free loopback port with a
token and a small --max-body, and checks every endpoint and error status,
that a query's passages equal `reprint compare`'s, writes with and without
the token, escaping in the side-by-side page, the request log, parallel
queries during adds, a battery of malformed requests (the server must keep
answering, and exit 0 after SIGTERM without a sanitizer report), requests
in flight finishing after SIGTERM, CORS, IPv6 and the exit statuses. The
last line is "serve api: N passed, N failed".
"""
import concurrent.futures
import gzip
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_lib import ROOT, Checks, Server, build_index, read_jsonl, seed_texts  # noqa: E402

REPRINT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "reprint"))
TOKEN = "s3cret-token-4711"
HOSTILE_ID = "<script>alert(1)</script>"
HOSTILE_META = {"headline": "He said \"</textarea><b>hi</b>\" & left", "url": "javascript:alert(2)"}
t = Checks("serve api")


def compare_passages(tmp, text_a, text_b):
    pa, pb = os.path.join(tmp, "ca.txt"), os.path.join(tmp, "cb.txt")
    with open(pa, "w", encoding="utf-8") as f:
        f.write(text_a)
    with open(pb, "w", encoding="utf-8") as f:
        f.write(text_b)
    out = subprocess.run([REPRINT, "compare", "--format", "json", pa, pb], check=True,
                         capture_output=True).stdout
    return json.loads(out)


def passages_equal(got, want):
    keys = ("a_start", "a_end", "b_start", "b_end", "tokens", "similarity")
    return [[p[k] for k in keys] for p in got] == [[p[k] for k in keys] for p in want]


def response_complete(out):
    """A whole response: headers and as many body bytes as declared."""
    end = out.find(b"\r\n\r\n")
    if end < 0:
        return False
    m = re.search(rb"\r\ncontent-length: *(\d+)", out[:end].lower())
    return m is None or len(out) - end - 4 >= int(m.group(1))


def raw(srv, data, timeout=0.5):
    """Send bytes on a raw connection and return what comes back (may be
    b''), as a client would: until a whole response has arrived, the server
    closes, or it stays silent for timeout seconds; then hang up."""
    s = socket.create_connection((srv.host, srv.port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while not response_complete(out):
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
        return out
    except (BrokenPipeError, ConnectionResetError):
        return b""
    finally:
        s.close()


def malformed_requests(n, rnd):
    """n malformed or hostile requests, of many kinds."""
    kinds = [
        lambda: bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 300))),
        lambda: b"GET\r\n\r\n",
        lambda: b"GET / HTTP/9.9\r\n\r\n",
        lambda: b"BREW /api/query HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /" + b"a" * rnd.randint(1, 70000) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"y" * 70000 + b"\r\n\r\n",
        lambda: b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello",
        lambda: b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\nx",
        lambda: b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort",
        lambda: b"POST /api/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        lambda: b"POST /api/query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + b"ffffffffffffffff\r\nabc\r\n",
        lambda: b"POST /api/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 12\r\n\r\n{\"text\":\x00\x01}",
        lambda: b"POST /api/documents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \x00\xff\r\n"
                b"Content-Length: 2\r\n\r\n{}",
        lambda: b"GET /api/documents/%00%ff%2e%2e HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        lambda: b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        lambda: b"POST /view HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 9\r\n\r\nid=%&text",
        lambda: b"GET / HTTP/1.1\r\n" + b"H: v\r\n" * 3000 + b"\r\n",
        lambda: b"\r\n\r\n\r\n",
        lambda: b"GET / HTTP/1.1\nHost: x\n\n",
    ]
    return [kinds[i % len(kinds)]() for i in range(n)]


def main():
    if not os.access(REPRINT, os.X_OK):
        print("FAIL serve api: no executable %s" % REPRINT)
        print("serve api: 0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="reprint-serve-")
    try:
        return run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp):
    index, docs = build_index(REPRINT, tmp)
    n_docs = len(docs)
    today = read_jsonl(os.path.join(ROOT, "tests", "data", "scan_today.jsonl"))
    wire = docs[0]  # wire-bridge
    query_text = today[0]["text"]  # courier-bridge reprints wire-bridge
    token_file = os.path.join(tmp, "token")
    with open(token_file, "w", encoding="utf-8") as f:
        f.write(TOKEN + "\n")
    auth = {"Authorization": "Bearer " + TOKEN}

    srv = Server(REPRINT, index, "--token-file", token_file, "--max-body", "256K", "-j", "3",
                 "--timeout", "2")
    t.check("listening_line", srv.first.startswith("listening on http://127.0.0.1:"), srv.first)

    # ---- static assets --------------------------------------------------------------
    st, hd, page = srv.req("GET", "/")
    t.check("page_status", st == 200 and hd.get("content-type", "").startswith("text/html"), st)
    t.check("page_csp", "script-src 'self'" in hd.get("content-security-policy", ""), hd)
    t.check("page_nosniff", hd.get("x-content-type-options") == "nosniff", hd)
    t.check("page_form", b"<textarea" in page and b'<label for="text">' in page)
    ext = re.findall(rb'(?:src|href)="(?!/|#|data:)[^"]*"', page)
    t.check("page_self_contained", ext == [], ext)
    st, hd, js = srv.req("GET", "/app.js")
    t.check("js", st == 200 and hd["content-type"].startswith("text/javascript") and b"textContent" in js)
    t.check("js_no_innerhtml", b"innerHTML" not in js and b"eval(" not in js)
    st, hd, css = srv.req("GET", "/app.css")
    t.check("css", st == 200 and hd["content-type"].startswith("text/css") and b"@media" in css)
    st, hd, body = srv.req("HEAD", "/")
    t.check("head", st == 200 and body == b"", st)
    st, hd, api = srv.json("GET", "/api/openapi.json")
    paths = api.get("paths", {})
    t.check("openapi", st == 200 and api.get("openapi", "").startswith("3.") and
            all(p in paths for p in ("/api/query", "/api/documents", "/api/documents/{id}",
                                     "/api/stats", "/healthz")), sorted(paths))
    st, hd, h = srv.json("GET", "/healthz")
    t.check("healthz", st == 200 and h == {"status": "ok"}, h)
    st, hd, s = srv.json("GET", "/api/stats")
    t.check("stats", st == 200 and s.get("documents") == n_docs and s["params"]["ngram"] == 5, s)

    # ---- files outside the assets are never served -----------------------------------
    for i, p in enumerate(("/nope", "/../README.md", "/%2e%2e/Makefile", "/cli/cmd_serve.c",
                           "/app.js/", "//etc/passwd", "/api", "/api/documents/")):
        st, hd, e = srv.json("GET", p)
        t.check("not_found_%d" % i, st == 404 and "error" in e, (p, st, e))

    # ---- 405 with Allow ------------------------------------------------------------------
    for i, (m, p, allow) in enumerate((("PUT", "/api/query", "POST"), ("POST", "/healthz", "GET, HEAD"),
                                       ("DELETE", "/api/stats", "GET, HEAD"),
                                       ("PATCH", "/api/documents/x", "GET, HEAD, DELETE"),
                                       ("GET", "/api/query", "POST"))):
        st, hd, e = srv.json(m, p)
        t.check("method_%d" % i, st == 405 and hd.get("allow") == allow and "error" in e, (m, p, st, hd))

    # ---- queries ------------------------------------------------------------------------
    want = compare_passages(tmp, wire["text"], query_text)["passages"]
    st, hd, q = srv.json("POST", "/api/query", {"text": query_text})
    first = q.get("matches", [{}])[0] if q.get("matches") else {}
    t.check("query_json", st == 200 and first.get("a", {}).get("id") == "wire-bridge", q)
    t.check("query_passages_equal_compare", passages_equal(first.get("passages", []), want),
            (first.get("passages"), want))
    t.check("query_fields", first.get("meta") == {"date": "2024-03-05"} and
            first.get("verdict") in ("partially-derived", "wholly-derived") and
            first.get("words") == sum(p["tokens"] for p in want) and first.get("shared", 0) > 0 and
            first.get("b", {}).get("id") == "query" and "containment_a" in first, first)
    t.check("query_json_ctype", hd.get("content-type") == "application/json", hd)
    st, hd, body = srv.req("POST", "/api/query", query_text.encode(), {"Content-Type": "text/plain"})
    t.check("query_text", st == 200 and json.loads(body)["matches"][0]["passages"] == first.get("passages"))
    form = urllib.parse.urlencode({"text": query_text, "top": "1"}).encode()
    st, hd, body = srv.req("POST", "/api/query", form,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    t.check("query_form", st == 200 and len(json.loads(body)["matches"]) == 1, body[:200])
    gz = gzip.compress(query_text.encode())
    st, hd, body = srv.req("POST", "/api/query?include_text=1", gz,
                           {"Content-Type": "application/octet-stream"})
    res = json.loads(body) if st == 200 else {}
    t.check("query_gzip", st == 200 and res["matches"][0]["passages"] == first.get("passages") and
            res["query"].get("text") == query_text, body[:300])
    if shutil.which("zstd"):
        zst = subprocess.run(["zstd", "-q", "-c"], input=query_text.encode(), capture_output=True).stdout
        st, hd, body = srv.req("POST", "/api/query", zst, {"Content-Type": "application/zstd"})
        t.check("query_zstd", st == 200 and json.loads(body)["matches"][0]["a"]["id"] == "wire-bridge", body[:200])
    st, hd, body = srv.req("POST", "/api/query", b"\x1f\x8b\x08\x00garbage", {"Content-Type": "application/gzip"})
    t.check("query_bad_gzip", st == 400 and b"error" in body, (st, body))
    st, hd, q2 = srv.json("POST", "/api/query", {"text": query_text, "min_containment": 1.0})
    t.check("query_min_containment", st == 200 and q2["matches"] == [], q2)
    st, hd, q2 = srv.json("POST", "/api/query", {"text": query_text, "id": "my \"story\""})
    t.check("query_id", st == 200 and q2["query"]["id"] == "my \"story\"" and
            q2["matches"][0]["b"]["id"] == "my \"story\"", q2.get("query"))
    st, hd, q2 = srv.json("POST", "/api/query", {"text": "nothing in common here at all, really."})
    t.check("query_no_match", st == 200 and q2["matches"] == [], q2)
    st, hd, q2 = srv.json("POST", "/api/query", {"text": ""})
    t.check("query_empty", st == 200 and q2["matches"] == [] and q2["query"]["tokens"] == 0, q2)
    seeds = seed_texts()
    if seeds is not None:
        want_seed = compare_passages(tmp, seeds[0], seeds[1])["passages"]
        st, hd, qs = srv.json("POST", "/api/query", {"text": seeds[1]})
        m0 = qs.get("matches", [{}])[0] if qs.get("matches") else {}
        t.check("seed_first_match", st == 200 and m0.get("a", {}).get("id") == "seed-000", qs)
        t.check("seed_passages_equal_compare", passages_equal(m0.get("passages", []), want_seed),
                (m0.get("passages"), want_seed))
    else:
        print("serve api: ../shared/data/seeds absent; the seed pair checks are skipped")

    # ---- query errors -----------------------------------------------------------------
    bad = [
        ("bad_json", b"{\"text\": ", "application/json", 400),
        ("not_object", b"[1,2]", "application/json", 400),
        ("no_text", b"{\"top\": 3}", "application/json", 400),
        ("text_not_string", b"{\"text\": 5}", "application/json", 400),
        ("top_negative", b"{\"text\": \"a\", \"top\": -1}", "application/json", 400),
        ("top_fraction", b"{\"text\": \"a\", \"top\": 1.5}", "application/json", 400),
        ("top_huge", b"{\"text\": \"a\", \"top\": 1e300}", "application/json", 400),
        ("minc_range", b"{\"text\": \"a\", \"min_containment\": 2}", "application/json", 400),
        ("id_type", b"{\"text\": \"a\", \"id\": {}}", "application/json", 400),
        ("bad_utf8", b"caf\xc3(", "text/plain", 400),
        ("nul", b"a\x00b", "text/plain", 400),
        ("form_no_text", b"top=3", "application/x-www-form-urlencoded", 400),
        ("form_bad_top", b"text=a&top=x", "application/x-www-form-urlencoded", 400),
        ("ctype", b"hello", "image/png", 415),
        ("multipart", b"--x--", "multipart/form-data; boundary=x", 415),
    ]
    for name, body, ctype, want_st in bad:
        st, hd, data = srv.req("POST", "/api/query", body, {"Content-Type": ctype})
        try:
            err = json.loads(data)
        except ValueError:
            err = {}
        t.check("error_" + name, st == want_st and isinstance(err.get("error"), str) and
                hd.get("content-type") == "application/json", (st, data[:200]))
    st, hd, data = srv.req("POST", "/api/query", b"caf\xc3(", {"Content-Type": "text/plain"})
    t.check("error_utf8_offset", b"byte offset 3" in data, data)
    st, hd, data = srv.req("POST", "/api/query?top=abc", b"x", {"Content-Type": "text/plain"})
    t.check("error_top_arg", st == 400, st)
    big = b"word " * (300 * 1024 // 5)
    st, hd, data = srv.req("POST", "/api/query", big, {"Content-Type": "text/plain"})
    t.check("too_large_declared", st == 413 and b"max-body" in data, (st, data[:200]))
    # Chunked: no length is declared, so the limit is found while reading.
    c = srv.conn()
    c.putrequest("POST", "/api/query")
    c.putheader("Content-Type", "text/plain")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    for _ in range(10):
        chunk = b"word " * 8000
        c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    c.send(b"0\r\n\r\n")
    r = c.getresponse()
    t.check("too_large_chunked", r.status == 413, r.status)
    r.read()
    c.close()
    st, hd, data = srv.req("POST", "/api/query", b"word " * (200 * 1024 // 5), {"Content-Type": "text/plain"})
    t.check("under_limit", st == 200, (st, data[:200]))

    # ---- documents --------------------------------------------------------------------
    st, hd, d = srv.json("GET", "/api/documents/wire-bridge")
    t.check("doc_get", st == 200 and d.get("id") == "wire-bridge" and d.get("text") == wire["text"] and
            d.get("meta") == {"date": "2024-03-05"}, d)
    st, hd, d = srv.json("GET", "/api/documents/gen-0001")
    t.check("doc_get_generated", st == 200 and d.get("text") == docs[3]["text"], d)
    st, hd, d = srv.json("GET", "/api/documents/no-such-doc")
    t.check("doc_missing", st == 404 and "error" in d, (st, d))
    new_doc = {"id": HOSTILE_ID, "text": today[1]["text"], **HOSTILE_META}
    st, hd, e = srv.json("POST", "/api/documents", new_doc)
    t.check("add_no_token", st == 401 and hd.get("www-authenticate") == "Bearer" and "error" in e, (st, e))
    st, hd, e = srv.json("POST", "/api/documents", new_doc, {"Authorization": "Bearer wrong"})
    t.check("add_wrong_token", st == 401, (st, e))
    st, hd, e = srv.json("POST", "/api/documents", new_doc, {"Authorization": "Bearer " + TOKEN + "x"})
    t.check("add_longer_token", st == 401, (st, e))
    st, hd, e = srv.json("POST", "/api/documents", new_doc, {"Authorization": "Basic " + TOKEN})
    t.check("add_basic_auth", st == 401, (st, e))
    st, hd, e = srv.json("POST", "/api/documents", new_doc, auth)
    t.check("add", st == 200 and e.get("added") == 1, (st, e))
    st, hd, d = srv.json("GET", "/api/documents/" + urllib.parse.quote(HOSTILE_ID, safe=""))
    t.check("doc_get_hostile", st == 200 and d.get("id") == HOSTILE_ID and
            d.get("meta", {}).get("headline") == HOSTILE_META["headline"], d)
    st, hd, q3 = srv.json("POST", "/api/query", {"text": today[1]["text"]})
    t.check("added_is_found", st == 200 and q3["matches"] and q3["matches"][0]["a"]["id"] == HOSTILE_ID and
            q3["matches"][0]["meta"]["url"] == HOSTILE_META["url"], q3)
    st, hd, e = srv.json("POST", "/api/documents", new_doc, auth)
    t.check("add_duplicate", st == 409 and "replace=1" in e.get("error", ""), (st, e))
    st, hd, e = srv.json("POST", "/api/documents?replace=1", new_doc, auth)
    t.check("add_replace", st == 200 and e.get("added") == 1, (st, e))
    jsonl = "".join(json.dumps({"id": "batch-%d" % i, "text": today[2]["text"] + " n%d" % i}) + "\n"
                    for i in range(3)).encode()
    st, hd, data = srv.req("POST", "/api/documents", jsonl, {**auth, "Content-Type": "application/x-ndjson"})
    t.check("add_jsonl", st == 200 and json.loads(data).get("added") == 3, (st, data))
    pretty = json.dumps({"id": "pretty", "text": "A pretty printed document with some words.",
                         "tags": ["a", "b"]}, indent=2).encode()
    st, hd, data = srv.req("POST", "/api/documents", pretty, {**auth, "Content-Type": "application/json"})
    t.check("add_pretty_json", st == 200, (st, data))
    st, hd, d = srv.json("GET", "/api/documents/pretty")
    t.check("pretty_meta", st == 200 and d.get("meta") == {"tags": ["a", "b"]}, d)
    st, hd, s = srv.json("GET", "/api/stats")
    before = s.get("documents")
    t.check("stats_after_adds", before == n_docs + 5, s)
    badl = (json.dumps({"id": "ok-1", "text": "fine"}) + "\n{\"id\": \"x\", \"text\": \n").encode()
    st, hd, data = srv.req("POST", "/api/documents", badl, {**auth, "Content-Type": "application/x-ndjson"})
    t.check("add_bad_line", st == 400 and b"line 2" in data, (st, data))
    st, hd, data = srv.req("POST", "/api/documents", b'{"text": "no id here"}', {**auth, "Content-Type": "application/json"})
    t.check("add_no_id", st == 400 and b"no id" in data, (st, data))
    st, hd, data = srv.req("POST", "/api/documents", b'{"id": "u", "text": "caf\xc3("}', {**auth, "Content-Type": "application/json"})
    t.check("add_bad_utf8", st == 400, (st, data))
    st, hd, data = srv.req("POST", "/api/documents", b"plain text", {**auth, "Content-Type": "text/plain"})
    t.check("add_ctype", st == 415, (st, data))
    st, hd, data = srv.req("POST", "/api/documents", b"plain text", {**auth, "Content-Type": "application/json"})
    t.check("add_not_json", st == 400, (st, data))
    st, hd, s = srv.json("GET", "/api/stats")
    t.check("failed_adds_rolled_back", s.get("documents") == before and srv.json("GET", "/api/documents/ok-1")[0] == 404, s)
    hid = "/api/documents/" + urllib.parse.quote(HOSTILE_ID, safe="")
    st, hd, e = srv.json("DELETE", hid)
    t.check("delete_no_token", st == 401, (st, e))
    st, hd, e = srv.json("DELETE", hid, None, auth)
    t.check("delete", st == 200 and e.get("removed") == HOSTILE_ID, (st, e))
    st, hd, e = srv.json("DELETE", hid, None, auth)
    t.check("delete_again", st == 404, (st, e))
    st, hd, q3 = srv.json("POST", "/api/query", {"text": today[1]["text"]})
    t.check("deleted_not_found", st == 200 and all(m["a"]["id"] != HOSTILE_ID for m in q3["matches"]), q3)

    # ---- the side-by-side page: escaping -------------------------------------------------
    srv.json("POST", "/api/documents", {"id": HOSTILE_ID, "text": wire["text"] + " </textarea>",
                                        **HOSTILE_META}, auth)
    form = urllib.parse.urlencode({"id": HOSTILE_ID, "text": query_text + " <img src=x onerror=alert(3)>"}).encode()
    st, hd, view = srv.req("POST", "/view", form, {"Content-Type": "application/x-www-form-urlencoded"})
    t.check("view_status", st == 200 and hd.get("content-type", "").startswith("text/html"), st)
    t.check("view_escaped", b"<script>alert(1)" not in view and b"&lt;script&gt;alert(1)&lt;/script&gt;" in view and
            b"<img src=x" not in view and b"</textarea> " not in view.replace(b"&lt;/textarea&gt;", b""), view[:300])
    t.check("view_passages", b'id="a1"' in view and b'id="b1"' in view, view[:200])
    t.check("view_csp", "frame-ancestors 'self'" in hd.get("content-security-policy", ""), hd)
    st, hd, data = srv.req("POST", "/view", b"id=nope&text=x", {"Content-Type": "application/x-www-form-urlencoded"})
    t.check("view_missing", st == 404, st)
    st, hd, data = srv.req("POST", "/view", b"text=x", {"Content-Type": "application/x-www-form-urlencoded"})
    t.check("view_no_id", st == 400, st)
    st, hd, data = srv.req("POST", "/view", b"{}", {"Content-Type": "application/json"})
    t.check("view_ctype", st == 415, st)

    # ---- CORS is off by default -------------------------------------------------------
    st, hd, data = srv.req("GET", "/api/stats", None, {"Origin": "https://evil.example"})
    t.check("cors_off", "access-control-allow-origin" not in hd, hd)
    st, hd, data = srv.req("OPTIONS", "/api/query", None, {"Origin": "https://evil.example",
                                                          "Access-Control-Request-Method": "POST"})
    t.check("cors_preflight_off", st == 405 and "access-control-allow-origin" not in hd, (st, hd))

    # ---- parallel queries while documents are added ----------------------------------------
    errors = []
    stop_adding = threading.Event()

    def querier(k):
        for _ in range(6):
            st2, _, qq = srv.json("POST", "/api/query", {"text": query_text, "top": 3})
            if st2 != 200 or not qq["matches"] or qq["matches"][0]["a"]["id"] != "wire-bridge":
                errors.append(("query", k, st2, str(qq)[:200]))

    def adder():
        i = 0
        while not stop_adding.is_set() and i < 20:
            st2, _, e2 = srv.json("POST", "/api/documents", {"id": "par-%d" % i, "text": today[3]["text"] + " v%d" % i}, auth)
            if st2 != 200:
                errors.append(("add", i, st2, e2))
            i += 1

    ths = [threading.Thread(target=querier, args=(k,)) for k in range(6)]
    ad = threading.Thread(target=adder)
    ad.start()
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    stop_adding.set()
    ad.join()
    t.check("parallel", errors == [], errors[:3])

    # ---- malformed requests ---------------------------------------------------------------
    # Sent 8 at a time; a request the server waits on (a short body, say) is
    # abandoned after 0.2 s of silence, as a vanishing client would.
    rnd = random.Random(1234)
    reqs = malformed_requests(1000, rnd)
    t0 = time.time()
    answered = 0
    for start in range(0, len(reqs), 100):
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            outs = list(pool.map(lambda r: raw(srv, r, 0.2), reqs[start:start + 100]))
        answered += sum(1 for o in outs if o.startswith(b"HTTP/1."))
        st, hd, h = srv.json("GET", "/healthz")
        if not t.check("alive_after_%d_malformed" % (start + 100), st == 200, st):
            break
    t.check("malformed_answered_with_http", answered > 500, answered)
    t.check("malformed_time", time.time() - t0 < 60, time.time() - t0)
    # A client that sends half a header and waits is cut off (--timeout 2).
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    t1 = time.time()
    try:
        got = s.recv(100)
    except (socket.timeout, ConnectionResetError):
        got = b"timeout"
    t.check("slow_client_cut_off", got != b"timeout" and time.time() - t1 < 8, (got, time.time() - t1))
    s.close()
    st, hd, q4 = srv.json("POST", "/api/query", {"text": query_text})
    t.check("query_after_malformed", st == 200 and q4["matches"][0]["passages"] == first.get("passages"), st)

    # ---- in flight at SIGTERM: finished, then a clean exit ------------------------------------
    body = json.dumps({"text": query_text}).encode()
    c = srv.conn()
    c.putrequest("POST", "/api/query")
    c.putheader("Content-Type", "application/json")
    c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    c.send(body[:100])
    time.sleep(0.3)
    srv.p.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    c.send(body[100:])
    r = c.getresponse()
    data = r.read()
    t.check("in_flight_finished", r.status == 200 and json.loads(data)["matches"][0]["a"]["id"] == "wire-bridge",
            (r.status, data[:200]))
    c.close()
    rc = srv.stop()
    t.check("clean_exit", rc == 0, (rc, srv.lines[-5:]))
    t.check("no_sanitizer_report", srv.sanitizer_report() == [], srv.sanitizer_report()[:10])

    # ---- the request log ----------------------------------------------------------------
    log = [l for l in srv.lines if re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [A-Z]+ \S+ \d{3} \d+ [0-9.]+ms", l)]
    t.check("log_lines", len(log) > 100, srv.lines[:5])
    t.check("log_query_line", any(re.search(r" POST /api/query 200 \d+ ", l) for l in log), log[:5])
    t.check("log_413", any(" 413 " in l for l in log), log[:5])
    t.check("log_escapes_path", all("\x00" not in l and "\r" not in l for l in srv.lines), "")
    t.check("log_stop_message", any("finishing requests in flight" in l for l in srv.lines), srv.lines[-3:])

    # ---- --quiet, --cors, IPv6 ------------------------------------------------------------
    q = Server(REPRINT, index, "--quiet", "--cors", "https://news.example", "-j", "1")
    st, hd, data = q.req("GET", "/api/stats", None, {"Origin": "https://news.example"})
    t.check("cors_header", hd.get("access-control-allow-origin") == "https://news.example", hd)
    st, hd, data = q.req("OPTIONS", "/api/query", None, {"Origin": "https://news.example",
                                                        "Access-Control-Request-Method": "POST"})
    t.check("cors_preflight", st == 204 and "POST" in hd.get("access-control-allow-methods", ""), (st, hd))
    st, hd, e = q.json("POST", "/api/documents", {"id": "loop-write", "text": "written on loopback"})
    t.check("loopback_write_without_token", st == 200, (st, e))
    rc = q.stop(signal.SIGINT)
    t.check("quiet", rc == 0 and q.lines == [], (rc, q.lines[:5]))
    try:
        socket.socket(socket.AF_INET6).close()
        have6 = True
    except OSError:
        have6 = False
    if have6:
        try:
            s6 = Server(REPRINT, index, "-j", "1", listen="[::1]:0")
        except RuntimeError as e:
            s6 = None
            if "Cannot assign" in str(e) or "not available" in str(e):
                print("serve api: no IPv6 loopback here; skipped")
            else:
                t.check("ipv6_start", False, e)
        if s6 is not None:
            st, hd, h = s6.json("GET", "/healthz")
            t.check("ipv6", s6.first.startswith("listening on http://[::1]:") and st == 200, s6.first)
            t.check("ipv6_exit", s6.stop() == 0)

    # ---- exit statuses -------------------------------------------------------------------
    def run_cmd(*args):
        p = subprocess.run([REPRINT, "serve", *args], capture_output=True, timeout=TIMEOUT_CMD)
        return p.returncode, p.stderr.decode("utf-8", "replace")

    rc, err = run_cmd("--listen", "127.0.0.1:0", os.path.join(tmp, "missing.db"))
    t.check("exit_missing_index", rc == 1 and "missing.db" in err, (rc, err))
    rc, err = run_cmd("--listen", "nonsense", index)
    t.check("exit_bad_listen", rc == 2 and "--listen" in err, (rc, err))
    rc, err = run_cmd("--bogus", index)
    t.check("exit_unknown_option", rc == 2 and "Try 'reprint serve --help'" in err, (rc, err))
    rc, err = run_cmd("--listen", "127.0.0.1:0", "--token-file", os.path.join(tmp, "no-token"), index)
    t.check("exit_missing_token_file", rc == 1 and "no-token" in err, (rc, err))
    empty = os.path.join(tmp, "empty-token")
    open(empty, "w").close()
    rc, err = run_cmd("--listen", "127.0.0.1:0", "--token-file", empty, index)
    t.check("exit_empty_token_file", rc == 1 and "empty-token:1:" in err, (rc, err))
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    rc, err = run_cmd("--listen", "127.0.0.1:%d" % busy.getsockname()[1], index)
    busy.close()
    t.check("exit_port_in_use", rc == 1 and "in use" in err, (rc, err))
    p = subprocess.run([REPRINT, "serve", "--help"], capture_output=True)
    t.check("help", p.returncode == 0 and b"--token-file" in p.stdout, p.returncode)
    return t.summary()


TIMEOUT_CMD = 60

if __name__ == "__main__":
    sys.exit(main())
