# Every long option in `compare --help` is documented in its man page.
for opt in $($REPRINT compare --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" docs/reprint-compare.1 || echo "undocumented: $opt"
done
for cmd in $($REPRINT --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
    [ -f "docs/reprint-$cmd.1" ] || echo "no man page: reprint-$cmd.1"
    grep -q "reprint-$cmd" docs/reprint.1 || echo "reprint(1) does not mention reprint-$cmd"
done
echo checked
