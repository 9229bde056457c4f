#!/bin/sh
# Golden CLI tests: each tests/cli/NAME.sh runs with $REPRINT set and its
# stdout, stderr and exit status are compared with NAME.out, NAME.err and
# NAME.exit. UPDATE=1 rewrites the expected files from the actual output.
# The last line is "cli: N passed, N failed".
REPRINT=${1:-build/reprint}
case "$REPRINT" in /*) ;; *) REPRINT="$(pwd)/$REPRINT" ;; esac
export REPRINT
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for t in "$dir"/*.sh; do
    name=$(basename "$t" .sh)
    [ "$name" = run ] && continue
    (cd "$dir/../.." && sh "$t") > "$tmp/out" 2> "$tmp/err"
    echo $? > "$tmp/exit"
    if [ -n "$UPDATE" ]; then
        cp "$tmp/out" "$dir/$name.out"
        cp "$tmp/err" "$dir/$name.err"
        cp "$tmp/exit" "$dir/$name.exit"
    fi
    ok=1
    for k in out err exit; do
        if ! cmp -s "$tmp/$k" "$dir/$name.$k"; then
            ok=0
            echo "--- $name.$k differs:"
            diff "$dir/$name.$k" "$tmp/$k" | head -n 20
        fi
    done
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
    else
        echo "FAIL cli/$name"
        failed=$((failed + 1))
    fi
done
echo "cli: $passed passed, $failed failed"
