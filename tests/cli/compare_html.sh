# The HTML report is one self-contained page written to -o.
out=$(mktemp)
$REPRINT compare --format html -o "$out" examples/wire.txt examples/article.txt; echo "status $?"
head -c 15 "$out"; echo
grep -c '<script src=\|<link ' "$out"
grep -q 'Miriam Okafor' "$out" && echo "texts included"
rm -f "$out"
