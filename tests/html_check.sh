#!/bin/sh
# html_check.sh - check the HTML reports of `reprint compare --format html`
# and `reprint scan --html`.
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
# 3. The report of `reprint scan --html` over tests/data/scan_*.jsonl plus
#    generated documents that all reprint one story (so that the index has
#    more than one page of pairs): index.html and a pair page are checked
#    statically (no external resources, the pairs' JSON data cannot close
#    its <script>, every row links to an existing page), then, with
#    chromium, loaded headless: no console message, data-ready="1", the
#    first page's rows in the DOM, "#page=2" opening the second page, and
#    a pair page with its navigation links.
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

# ---- 1b. the scan report, statically ----------------------------------------
scan_dir=$root/$build/scan_report
rm -rf "$scan_dir"
# 130 generated documents reprinting the same invented story, each with its
# own tail of words (a line of awk's seeded generator): 8,385 pairs, over
# the report's cap of 200 given below, so the index holds the top 200
# (--max-df 200: a story in 130 documents is not boilerplate here).
awk 'BEGIN { srand(11); story = "The harbour board voted on Thursday to rebuild the north pier before the autumn storms, after surveyors found that the old oak piles had rotted through in at least twelve places along its length";
    for (i = 0; i < 130; i++) { t = story "."; for (j = 0; j < 40; j++) t = t " w" int(rand() * 5000); printf("{\"id\":\"gen-%03d <&>\",\"text\":\"%s.\"}\n", i, t) } }' \
    >"$tmp/gen.jsonl"
"$bin" scan -q --max-df 200 --html "$scan_dir" --html-max 200 tests/data/scan_archive.jsonl \
    tests/data/scan_today.jsonl "$tmp/gen.jsonl" >"$tmp/scan.jsonl" 2>"$tmp/scan.err"
st=$?
[ $st -eq 0 ] || { cat "$tmp/scan.err" >&2; fail "reprint scan --html exited $st"; }
index=$scan_dir/index.html
[ -s "$index" ] || fail "scan report: no index.html"
head -n 1 "$index" | grep -q '^<!DOCTYPE html>' || fail "scan index: no <!DOCTYPE html> on line 1"
if grep -Eiq '<(script|link|img|iframe|object|embed|audio|video|source)[^>]*[[:space:]](src|href)=' "$index" ||
    grep -Eiq '@import|url\(' "$index"; then
    fail "scan index references an external resource"
fi
[ "$(grep -c '</script>' "$index")" -eq 2 ] || fail "scan index: the pairs' JSON can close its <script>"
grep -q 'gen-000 \\u003c\\u0026\\u003e' "$index" || fail "scan index: ids not escaped in the JSON data"
grep -q 'gen-000 &lt;&amp;&gt;' "$index" || fail "scan index: ids not escaped in the HTML rows"
rows=$(grep -c '<tr><td><a href="pairs/' "$index")
[ "$rows" -eq 100 ] || fail "scan index: $rows rows in the HTML, not the first page of 100"
n_pages=$(ls "$scan_dir/pairs" | wc -l)
[ "$n_pages" -eq 200 ] || fail "scan report: $n_pages pair pages, not 200 (--html-max)"
for href in $(grep -o '"pairs/[0-9]*\.html"' "$index" | tr -d '"' | sort -u); do
    [ -f "$scan_dir/$href" ] || fail "scan index links to a missing page $href"
done
page=$scan_dir/pairs/000002.html
grep -q 'href="../index.html" id="nav-index"' "$page" || fail "scan pair page: no link to the index"
grep -q 'href="000001.html" id="nav-prev"' "$page" || fail "scan pair page: no link to the previous pair"
grep -q 'href="000003.html" id="nav-next"' "$page" || fail "scan pair page: no link to the next pair"
grep -q 'id="b1"' "$page" || fail "scan pair page: no passage"

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

# The scan report: the index (first page, then "#page=2"), and a pair page.
no_console() {
    if grep -q 'CONSOLE' "$tmp/$1.log"; then
        grep 'CONSOLE' "$tmp/$1.log" | head -n 10 >&2
        fail "$2: console message: $(grep 'CONSOLE' "$tmp/$1.log" | head -n 1 | sed 's/^[^]]*\] //' | cut -c1-160)"
    fi
}
run_chromium scan_index "file://$index" --window-size=1400,900 --dump-dom
[ $? -eq 0 ] || fail "chromium exited with an error on the scan index"
no_console scan_index "scan index"
grep -q 'data-ready="1"' "$tmp/scan_index.out" || fail "scan index: the script did not finish"
grep -q 'pairs 1–100 of 200 · page 1 of 2' "$tmp/scan_index.out" || fail "scan index: no paging status for page 1"
[ "$(grep -o '<tr data-href="pairs/' "$tmp/scan_index.out" | wc -l)" -eq 100 ] ||
    fail "scan index: the script did not render 100 rows"
run_chromium scan_page2 "file://$index#page=2" --window-size=1400,900 --dump-dom
no_console scan_page2 "scan index, page 2"
grep -q 'pairs 101–200 of 200 · page 2 of 2' "$tmp/scan_page2.out" || fail "scan index: #page=2 did not open page 2"
grep -q 'data-href="pairs/000200.html"' "$tmp/scan_page2.out" || fail "scan index: page 2 lacks pair 200"
run_chromium scan_pair "file://$page" --window-size=1400,900 --dump-dom
no_console scan_pair "scan pair page"
grep -q 'data-ready="1"' "$tmp/scan_pair.out" || fail "scan pair page: the script did not finish"

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
