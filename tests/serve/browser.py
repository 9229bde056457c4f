#!/usr/bin/env python3
"""browser.py - the page of `reprint serve` in headless Chromium.

Usage: python3 tests/serve/browser.py path/to/reprint [screenshot.png]

Drives Debian's chromium over the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3
and 4, so no WebSocket client is needed), with nothing but the Python
standard library. Against a server on a free loopback port it pastes an
article into the page, submits it, waits for the result list, checks the
first match, opens it side by side and checks the highlighted passages in
the frame, saves a screenshot, adds a document with a hostile id and meta
and checks that the page shows them as text, looks a document up by id,
and checks that nothing overflows at phone width. Any console message,
uncaught exception, log entry of level warning or error (a blocked
resource, a Content-Security-Policy violation) or JavaScript dialog fails
the test; a canary first proves such messages are seen.

Prints one line: "ok serve browser", "FAIL serve browser: reason" (exit 1)
or "SKIP serve browser: ..." (exit 0).
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_lib import ROOT, Server, build_index, read_jsonl, seed_texts  # noqa: E402

REPRINT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "reprint"))
SHOT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else
                       os.path.join(os.path.dirname(REPRINT), "serve_page.png"))
WAIT = float(os.environ.get("SERVE_BROWSER_TIMEOUT", "60"))
HOSTILE_ID = "<script>alert(1)</script>"


class Fail(Exception):
    pass


class DevTools:
    """A DevTools protocol client over chromium's debugging pipe."""

    def __init__(self, chromium, profile):
        cmd_r, self._cmd_w = os.pipe()  # we write commands; chromium reads fd 3
        self._ev_r, ev_w = os.pipe()    # chromium writes fd 4; we read
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--disable-default-apps", "--disable-quic", "--mute-audio",
                "--user-data-dir=" + os.path.join(profile, "profile"), "--window-size=1280,900",
                "about:blank"]

        def child_fds():
            # Through fresh numbers first: dup2 onto the same number would
            # keep close-on-exec set. (close_fds=False: Python's other
            # descriptors are close-on-exec anyway, and closing would take
            # these two.)
            a, b = os.dup(cmd_r), os.dup(ev_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        env = dict(os.environ, HOME=profile, XDG_CONFIG_HOME=profile, XDG_CACHE_HOME=profile)
        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, close_fds=False, env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.log,
                                     start_new_session=True)
        os.close(cmd_r)
        os.close(ev_w)
        self._buf = b""
        self._id = 0
        self.events = []
        self.session = None

    def _read_message(self, deadline):
        while b"\0" not in self._buf:
            left = deadline - time.time()
            if left <= 0:
                raise Fail("chromium did not answer within %.0f s" % WAIT)
            ready, _, _ = select.select([self._ev_r], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._ev_r, 1 << 20)
            if not chunk:
                raise Fail("chromium closed the debugging pipe (exit %s)" % self.proc.poll())
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session is not None:
            msg["sessionId"] = self.session
        try:
            os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        except OSError as e:
            raise Fail("chromium is gone (%s; exit %s)" % (e, self.proc.poll()))
        deadline = time.time() + WAIT
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self._id:
                if "error" in m:
                    raise Fail("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            self._event(m)

    def _event(self, m):
        if m.get("method") == "Page.javascriptDialogOpening":
            # Answer it, or the page stays blocked; the dialog itself fails the test.
            self.events.append(m)
            self._id += 1
            os.write(self._cmd_w, json.dumps({"id": self._id, "method": "Page.handleJavaScriptDialog",
                                              "params": {"accept": True},
                                              "sessionId": self.session}).encode() + b"\0")
            return
        if "method" in m:
            self.events.append(m)

    def pump(self, seconds):
        """Collect events for a while."""
        deadline = time.time() + seconds
        while True:
            ready, _, _ = select.select([self._ev_r], [], [], max(0.0, deadline - time.time()))
            if not ready:
                return
            try:
                self._event(self._read_message(time.time() + WAIT))
            except Fail:
                return

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                            "awaitPromise": True})
        if "exceptionDetails" in r:
            raise Fail("evaluating %r: %s" % (expr[:80], r["exceptionDetails"].get("text")))
        return r.get("result", {}).get("value")

    def wait_for(self, expr, what):
        deadline = time.time() + WAIT
        while time.time() < deadline:
            v = self.eval(expr)
            if v:
                return v
            self.pump(0.1)
        raise Fail("timed out waiting for " + what)

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (Fail, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._ev_r)
        self.log.close()


def bad_events(events):
    """Console messages, exceptions, warnings and errors, and dialogs."""
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled":
            out.append("console.%s: %s" % (p.get("type"), " ".join(
                str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("exception: %s %s" % (d.get("text"), d.get("exception", {}).get("description", "")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("warning", "error"):
            en = p["entry"]
            out.append("log %s: %s %s" % (en.get("level"), en.get("text"), en.get("url", "")))
        elif m == "Page.javascriptDialogOpening":
            out.append("dialog: %s" % p.get("message"))
    return out


def js_str(s):
    return json.dumps(s)


def run(tmp, chromium):
    hostile = {"id": HOSTILE_ID, "headline": "He said \"</textarea><b>bold</b>\" & left",
               "url": "javascript:alert(2)", "date": "<i>2024</i>"}
    index, docs = build_index(REPRINT, tmp, n_filler=50)
    seeds = seed_texts()
    if seeds is not None:
        query, want_first = seeds[1], "seed-000"
    else:
        print("serve browser: ../shared/data/seeds absent; querying with tests/data instead")
        query, want_first = read_jsonl(os.path.join(ROOT, "tests", "data", "scan_today.jsonl"))[0]["text"], "wire-bridge"
    dt = DevTools(chromium, tmp)
    srv = None
    try:
        r = dt.call("Target.getTargets", session=False)
        pages = [t for t in r.get("targetInfos", []) if t.get("type") == "page"]
        if not pages:
            raise Fail("no page target")
        dt.session = dt.call("Target.attachToTarget", {"targetId": pages[0]["targetId"], "flatten": True},
                             session=False)["sessionId"]
        for dom in ("Page", "Runtime", "Log"):
            dt.call(dom + ".enable")
        srv = Server(REPRINT, index, "-j", "2")
        dt.call("Page.navigate", {"url": srv.url})
        dt.wait_for("document.readyState === 'complete' && document.documentElement.getAttribute('data-ready') === '1'",
                    "the page's script")
        dt.wait_for("/\\d+ documents/.test(document.getElementById('stats').textContent)", "the index stats")
        # Canary, in the page under test: a console error and an uncaught
        # exception must be seen, or the check at the end proves nothing.
        # (The exception is thrown by an event listener, as the page's own
        # code runs; one thrown by a timer was not always reported.)
        dt.eval("console.error('reprint-canary-console'); var c = document.createElement('p'); "
                "c.addEventListener('canary', function(){throw new Error('reprint-canary-throw');}); "
                "c.dispatchEvent(new Event('canary')); 1")
        deadline = time.time() + WAIT
        seen = ""
        while time.time() < deadline and not ("reprint-canary-console" in seen and
                                              "reprint-canary-throw" in seen):
            dt.pump(0.2)
            seen = " ".join(bad_events(dt.events))
        if "reprint-canary-console" not in seen or "reprint-canary-throw" not in seen:
            raise Fail("the canary's console error and exception were not reported: " + seen[:200])
        dt.events = [e for e in dt.events if "reprint-canary" not in json.dumps(e)]
        labels = dt.eval("Array.from(document.querySelectorAll('textarea,input:not([type=hidden]),select'))"
                         ".filter(function(e){return e.closest('[hidden]')===null;})"
                         ".every(function(e){return e.id && document.querySelector('label[for=\"'+e.id+'\"]');})")
        if not labels:
            raise Fail("a form control has no label")
        if dt.eval("document.querySelectorAll('h1').length") != 1:
            raise Fail("the page needs one h1")

        # Paste the article and submit.
        dt.eval("document.getElementById('text').focus(); 1")
        dt.call("Input.insertText", {"text": query})
        if dt.eval("document.getElementById('text').value.length") != len(query):
            raise Fail("the pasted text did not arrive in the text box")
        dt.eval("document.getElementById('go').click(); 1")
        n = int(dt.wait_for("document.documentElement.getAttribute('data-results')", "the result list"))
        ids = dt.eval("Array.from(document.querySelectorAll('#results li.match .id')).map(function(e){return e.textContent;})")
        if n < 1 or not ids or ids[0] != want_first:
            raise Fail("first match %r, not %s" % (ids[:3] if ids else ids, want_first))
        if seeds is not None and dt.eval("document.querySelector('#results li.match .headline').textContent") != "wire story":
            raise Fail("the match's headline (meta) is not shown")

        # Open it side by side: the frame holds compare's report.
        dt.eval("document.querySelector('#results li.match button.open').click(); 1")
        frame = "document.getElementById('view').contentDocument"
        dt.wait_for("(function(){var d=%s;return d&&d.documentElement&&d.documentElement.getAttribute('data-ready')==='1';})()" % frame,
                    "the side-by-side view")
        marks = dt.eval("(function(){var d=%s;return {a:!!d.getElementById('a1'),b:!!d.getElementById('b1'),"
                        "np:parseInt(d.body.getAttribute('data-np'),10),"
                        "marks:d.querySelectorAll('mark').length};})()" % frame)
        if not (marks["a"] and marks["b"] and marks["np"] >= 1 and marks["marks"] >= 2):
            raise Fail("no highlighted passages in the side-by-side view: %r" % marks)
        # Its offsets are the API's: the text reached the view unchanged.
        api = dt.eval("fetch('/api/query',{method:'POST',headers:{'Content-Type':'application/json'},"
                      "body:JSON.stringify({text:document.getElementById('text').value})})"
                      ".then(function(r){return r.json();})")
        p1 = api["matches"][0]["passages"][0]
        cells = dt.eval("Array.from(%s.querySelectorAll('#plist tr[data-p=\"1\"] td')).map(function(c){return c.textContent;})" % frame)
        if "%d\u2013%d" % (p1["a_start"], p1["a_end"]) not in cells or "%d\u2013%d" % (p1["b_start"], p1["b_end"]) not in cells:
            raise Fail("the view's passage 1 %r is not the API's %r" % (cells, p1))
        dt.eval("window.scrollTo(0, 0); 1")
        dt.pump(0.3)
        height = min(int(dt.eval("document.documentElement.scrollHeight")), 2200)
        png = base64.b64decode(dt.call("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})["data"])
        if png[:8] != b"\x89PNG\r\n\x1a\n":
            raise Fail("the screenshot is not a PNG")
        os.makedirs(os.path.dirname(SHOT), exist_ok=True)
        with open(SHOT, "wb") as f:
            f.write(png)

        # A hostile id and meta are text on the page, never markup.
        st, _, e = srv.json("POST", "/api/documents", dict(hostile, text=docs[0]["text"]))
        if st != 200:
            raise Fail("adding the hostile document: %s %s" % (st, e))
        dt.eval("document.getElementById('text').value = %s; document.getElementById('go').click(); 1"
                % js_str(docs[0]["text"]))
        dt.wait_for("document.documentElement.getAttribute('data-results') && "
                    "Array.from(document.querySelectorAll('#results .id')).some(function(e){return e.textContent===%s;})"
                    % js_str(HOSTILE_ID), "the hostile document among the results")
        checks = dt.eval("(function(){var r=document.getElementById('results');return {"
                         "scripts:document.querySelectorAll('script').length,"
                         "b:r.querySelectorAll('b,i,textarea').length,"
                         "js_links:r.querySelectorAll('a[href^=\"javascript\"]').length,"
                         "headline:Array.from(r.querySelectorAll('.headline')).map(function(e){return e.textContent;}),"
                         "dates:Array.from(r.querySelectorAll('.date')).map(function(e){return e.textContent;})};})()")
        if checks["scripts"] != 1 or checks["b"] != 0 or checks["js_links"] != 0:
            raise Fail("the hostile document's id or meta became markup: %r" % checks)
        if hostile["headline"] not in checks["headline"] or not any(hostile["date"] in d for d in checks["dates"]):
            raise Fail("the hostile meta is not shown as text: %r" % checks)
        dt.eval("document.getElementById('docid').value = %s; "
                "document.querySelector('#dform button').click(); 1" % js_str(HOSTILE_ID))
        dt.wait_for("(function(){var d=document.querySelector('#doc dl dd');return d&&d.textContent===%s;})()"
                    % js_str(HOSTILE_ID), "the document looked up by id")
        if dt.eval("document.querySelectorAll('#doc b, #doc textarea, #doc script').length") != 0:
            raise Fail("the looked-up document's meta became markup")

        # Phone width: nothing wider than the screen.
        dt.call("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2,
                                                        "mobile": True})
        dt.pump(0.3)
        width = dt.eval("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1] + 1:
            raise Fail("the page is %d px wide at a phone's %d px" % (width[0], width[1]))
        dt.pump(0.3)
        bad = bad_events(dt.events)
        if bad:
            raise Fail("; ".join(bad)[:400])
    finally:
        dt.close()
        if srv is not None:
            rc = srv.stop()
            if rc != 0 or srv.sanitizer_report():
                raise Fail("the server exited %s %s" % (rc, srv.sanitizer_report()[:3]))


def main():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("SKIP serve browser: chromium not installed")
        return 0
    tmp = tempfile.mkdtemp(prefix="reprint-browser-")
    try:
        run(tmp, chromium)
    except Fail as e:
        print("FAIL serve browser: %s" % e)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ok serve browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
