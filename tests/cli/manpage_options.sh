# Every long option in each command's --help is documented in its man page,
# and every command has a man page that reprint(1) mentions.
for cmd in $($REPRINT --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p'); do
    [ -f "docs/reprint-$cmd.1" ] || { echo "no man page: reprint-$cmd.1"; continue; }
    grep -q "reprint-$cmd" docs/reprint.1 || echo "reprint(1) does not mention reprint-$cmd"
    for opt in $($REPRINT "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "docs/reprint-$cmd.1" ||
            echo "undocumented in reprint-$cmd.1: $opt"
    done
done
echo checked
