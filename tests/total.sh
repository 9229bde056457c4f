#!/bin/sh
# Sum the totals of several test passes into the one closing line.
passed=0
failed=0
for f in "$@"; do
    if [ -f "$f" ]; then
        read -r p q < "$f"
        passed=$((passed + p))
        failed=$((failed + q))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
