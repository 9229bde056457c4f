#!/bin/sh
# html_check.sh - check the HTML report of `reprint compare --format html`.
#
# Usage: sh tests/html_check.sh [path/to/reprint]   (default: $BUILD/reprint,
# BUILD defaulting to build). Outputs go to $BUILD: html_report.html and,
# when chromium is installed, the screenshot html_report.png.
#
# 1. Renders tests/data/html_a.txt against tests/data/html_b.txt (a reused
#    passage with edits, a moved paragraph, and < & " to escape) and checks
#    the page statically: doctype and charset, no external resources, text
#    escaped, passages and differing words marked on both sides.
# 2. If chromium is installed, loads the page headless once, with a
#    screenshot and --dump-dom. Chromium's --enable-logging=stderr prints
#    every console message of the page (uncaught exceptions, console.error,
#    Content-Security-Policy violations, failed loads) as a line containing
#    "CONSOLE"; the report itself never logs, so any such line fails the
#    test. The dumped DOM must carry data-ready="1" on <html>, which the
#    report's script sets as its last step, proving the script ran to the
#    end. A second, tiny canary page with a deliberate uncaught error checks
#    that this chromium still reports console errors that way, so the check
#    cannot pass vacuously.
#
# Prints exactly one line: "ok html", "FAIL html: reason" (exit 1) or
# "SKIP html: chromium not installed" (exit 0). Details of a failure go to
# stderr.

build=${BUILD:-build}
if [ $# -ge 1 ]; then
    case $1 in
    /*) bin=$1 ;;
    *) bin=$(pwd)/$1 ;;
    esac
fi
root=$(cd "$(dirname "$0")/.." && pwd) || { echo "FAIL html: cannot find the source tree"; exit 1; }
cd "$root" || exit 1
[ -n "${bin:-}" ] || bin=$root/$build/reprint

tmp=$(mktemp -d "${TMPDIR:-/tmp}/reprint-html.XXXXXX") || { echo "FAIL html: mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL html: $*"
    exit 1
}

[ -x "$bin" ] || fail "no executable $bin"
mkdir -p "$build" || fail "cannot create $build"
html=$root/$build/html_report.html
png=$root/$build/html_report.png
rm -f "$html" "$png"

# ---- 1. render and check the markup ---------------------------------------
"$bin" compare --format html -o "$html" tests/data/html_a.txt tests/data/html_b.txt \
    2>"$tmp/compare.err"
st=$?
[ $st -eq 0 ] || { cat "$tmp/compare.err" >&2; fail "reprint compare exited $st"; }
[ -s "$html" ] || fail "empty report"

has() { grep -q -- "$1" "$html"; }
head -n 1 "$html" | grep -q '^<!DOCTYPE html>' || fail "no <!DOCTYPE html> on line 1"
has '<meta charset="utf-8">' || fail "no <meta charset=\"utf-8\">"
if grep -Eiq '<(script|link|img|iframe|object|embed|audio|video|source)[^>]*[[:space:]](src|href)=' "$html" ||
    grep -Eiq '@import|url\(' "$html"; then
    fail "page references an external resource"
fi
grep -Eq '<5\.1|5\.1 m>' "$html" && fail "'<5.1 m>' of the fixture is not escaped"
has '&lt;5\.1 m&gt;' || fail "escaped text '&lt;5.1 m&gt;' missing"
has 'fish market &amp; the' || fail "'&' not escaped as &amp;"
has '&quot;We ' || fail "'\"' not escaped as &quot;"
has 'id="a1"' || fail "no passage 1 on side A"
has 'id="b1"' || fail "no passage 1 on side B"
has 'class="del"' || fail "no differing words marked on side A"
has 'class="ins"' || fail "no differing words marked on side B"
if command -v iconv >/dev/null 2>&1; then
    iconv -f UTF-8 -t UTF-8 "$html" >/dev/null 2>&1 || fail "report is not valid UTF-8"
fi

# ---- 2. load it in headless chromium ---------------------------------------
chromium=$(command -v chromium 2>/dev/null)
if [ -z "$chromium" ]; then
    echo "SKIP html: chromium not installed"
    exit 0
fi

# run_chromium NAME URL [extra flags...]: stdout to $tmp/NAME.out, stderr to
# $tmp/NAME.log; returns chromium's exit status (124 after a timeout).
# HOME and XDG dirs point into $tmp so that nothing is written to the
# user's home. timeout kills the whole process group (renderers included).
run_chromium() {
    name=$1
    url=$2
    shift 2
    mkdir -p "$tmp/$name.home"
    HOME=$tmp/$name.home XDG_CONFIG_HOME=$tmp/$name.home XDG_CACHE_HOME=$tmp/$name.home \
        timeout -k 5 "${HTML_CHECK_TIMEOUT:-60}" "$chromium" --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$tmp/$name.profile" \
        --enable-logging=stderr --v=0 "$@" "$url" >"$tmp/$name.out" 2>"$tmp/$name.log"
}

run_chromium report "file://$html" --window-size=1400,900 --screenshot="$png" --dump-dom
st=$?
[ $st -eq 124 ] || [ $st -eq 137 ] && fail "chromium timed out after ${HTML_CHECK_TIMEOUT:-60}s"
[ $st -eq 0 ] || { tail -n 20 "$tmp/report.log" >&2; fail "chromium exited $st"; }
if grep -q 'CONSOLE' "$tmp/report.log"; then
    grep 'CONSOLE' "$tmp/report.log" | head -n 10 >&2
    msg=$(grep 'CONSOLE' "$tmp/report.log" | head -n 1 | sed 's/^[^]]*\] //' | cut -c1-160)
    fail "console message: $msg"
fi
grep -q 'data-ready="1"' "$tmp/report.out" || fail "the page's script did not finish (no data-ready=\"1\" in the DOM)"
grep -q 'id="b1"' "$tmp/report.out" || fail "dumped DOM lacks the passages"
[ -s "$png" ] || fail "no screenshot written to $png"
[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"

# Canary: the same method must see a deliberate error on a tiny page.
cat >"$tmp/canary.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>canary</title></head>
<body><script>reprintCanaryUndefined();</script></body></html>
EOF
run_chromium canary "file://$tmp/canary.html" --dump-dom
grep 'CONSOLE' "$tmp/canary.log" | grep -q 'reprintCanaryUndefined' ||
    fail "this chromium does not log console errors to stderr; cannot check the page"

echo "ok html"
exit 0
