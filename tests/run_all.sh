#!/bin/sh
# Run every test of one build (BUILD=build or build/san) and print the total
# as "N passed, N failed" (also written to $BUILD/unit.total):
#   1. the unit runner        2. golden CLI tests (tests/cli/*.sh)
#   3. examples/minimal       4. fuzz corpus replay     5. the HTML report check
#   6. the layout rules (scripts/check_layout.py: includes and nm calls)
#   7. reprint serve: the API (each check counts) and the page in Chromium
#   8. the Python module's pytest suite (tests/python/run.sh)
BUILD=${BUILD:-build}
export REPRINT="$BUILD/reprint"
passed=0
failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); }

# 1. unit tests: the runner's last line is "N passed, N failed"
out=$("$BUILD/tests/run" 2>&1)
status=$?
printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
line=$(printf '%s\n' "$out" | tail -n 1)
p=$(printf '%s' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(printf '%s' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
if [ -z "$p" ]; then
    echo "FAIL unit runner crashed (status $status)"
    add 0 1
else
    [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    echo "unit: $p passed, $f failed"
    add "$p" "$f"
fi

# 2. golden CLI tests
# (their failures and diffs are shown; the passing ones are not listed)
sh tests/cli/run.sh "$BUILD/reprint" > "$BUILD/cli.log" 2>&1
grep -v '^ok ' "$BUILD/cli.log" | grep -v '^cli: [0-9]* passed'
set -- $(tail -n 1 "$BUILD/cli.log" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
if [ $# -eq 2 ]; then add "$1" "$2"; else echo "FAIL cli runner"; add 0 1; fi

# 3. the example program
if ex=$("$BUILD/examples/minimal" 2>&1) && printf '%s' "$ex" | grep -q 'passage'; then
    echo "ok examples/minimal"
    add 1 0
else
    printf '%s\n' "$ex"
    echo "FAIL examples/minimal"
    add 0 1
fi

# near_dups: lines 1 and 3 are the same text with different case and
# punctuation; line 2 is unrelated.
ex=$(printf '%s\n' "The harbour authority approved a six-month trial of night ferry crossings." \
    "Rain is expected across the north on Friday with strong winds." \
    "the Harbour Authority approved a six-month trial of night ferry crossings" |
    "$BUILD/examples/near_dups" 2>&1)
if [ "$ex" = "line 3 ~ line 1 (1.00)" ]; then
    echo "ok examples/near_dups"
    add 1 0
else
    printf '%s\n' "$ex"
    echo "FAIL examples/near_dups"
    add 0 1
fi

# 4. fuzz corpus replay
for r in "$BUILD"/fuzz/replay_*; do
    [ -x "$r" ] || continue
    t=${r##*/replay_}
    if "$r" fuzz/corpus/"$t"/* >/dev/null 2>"$BUILD/fuzz/$t.log"; then
        echo "ok fuzz replay $t ($(ls fuzz/corpus/"$t" | wc -l) inputs)"
        add 1 0
    else
        cat "$BUILD/fuzz/$t.log"
        echo "FAIL fuzz replay $t"
        add 0 1
    fi
done

# 5. the HTML report in headless Chromium (skipped when Chromium is absent)
if [ -f tests/html_check.sh ]; then
    res=$(sh tests/html_check.sh "$BUILD/reprint" 2>&1 | tail -n 1)
    echo "$res"
    case "$res" in
    ok*) add 1 0 ;;
    SKIP*) ;;
    *) add 0 1 ;;
    esac
fi

# 6. the layout: include directions and calls between the library's objects
if res=$(python3 scripts/check_layout.py "$BUILD" 2>&1); then
    echo "$res"
    add 1 0
else
    printf '%s\n' "$res"
    echo "FAIL layout"
    add 0 1
fi

# 7. reprint serve: API checks ("serve api: N passed, N failed"), then the
#    page in headless Chromium (one line: ok, FAIL or SKIP)
set -- $(python3 tests/serve/api.py "$BUILD/reprint" | tee "$BUILD/serve_api.log" |
    tail -n 1 | sed -n 's/^serve api: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
if [ $# -eq 2 ]; then
    grep -v '^serve api: [0-9]* passed' "$BUILD/serve_api.log"
    echo "serve api: $1 passed, $2 failed"
    add "$1" "$2"
else
    tail -n 20 "$BUILD/serve_api.log"
    echo "FAIL serve api runner"
    add 0 1
fi
res=$(python3 tests/serve/browser.py "$BUILD/reprint" "$BUILD/serve_page.png" 2>&1 | tail -n 1)
echo "$res"
case "$res" in
ok*) add 1 0 ;;
SKIP*) ;;
*) add 0 1 ;;
esac

# 8. the Python module (pytest), compared with the CLI of the same build
if [ -f "$BUILD/python/.built" ]; then
    res=$(BUILD="$BUILD" sh tests/python/run.sh)
    printf '%s\n' "$res"
    set -- $(printf '%s\n' "$res" | tail -n 1 |
        sed -n 's/^python: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p')
    if [ $# -eq 2 ]; then add "$1" "$2"; else echo "FAIL python runner"; add 0 1; fi
fi

echo "$passed $failed" > "$BUILD/unit.total"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
