# reprint scan on a small invented corpus (tests/data/scan_*.jsonl): one JSON
# line per pair of documents sharing passages, in document order; the same
# output for any -j and --mem-limit, from gzip and from standard input.
A=tests/data/scan_archive.jsonl
T=tests/data/scan_today.jsonl
$REPRINT scan -q $A $T; echo "status $?"
d=$(mktemp -d)
$REPRINT scan -q -j1 $A $T > "$d/j1"
$REPRINT scan -q -j2 --mem-limit 4M $A $T > "$d/j2"
$REPRINT scan -q -j3 --tmpdir "$d" $A $T > "$d/j3"
cmp "$d/j1" "$d/j2" && cmp "$d/j1" "$d/j3" && echo "same output with -j1, -j2 --mem-limit 4M and -j3"
ls "$d" | wc -l | sed 's/^ */temporary files left in --tmpdir besides ours: /; s/3$/0/'
gzip -c $T > "$d/today.jsonl.gz"
$REPRINT scan -q $A "$d/today.jsonl.gz" > "$d/gz"
cmp "$d/j1" "$d/gz" && echo "gzip: same output"
cat $A $T | $REPRINT scan -q > "$d/stdin"
cmp "$d/j1" "$d/stdin" && echo "standard input: same output"
cat $A $T | $REPRINT scan -q - > "$d/stdin2"
cmp "$d/j1" "$d/stdin2" && echo "standard input as '-': same output"
# filters: containment of the larger side, and passage length
echo "--min-containment 0.5:"
$REPRINT scan -q --min-containment 0.5 $A $T | sed 's/"tokens".*//'
echo "--min-words 40:"
$REPRINT scan -q --min-words 40 $A $T | sed 's/"tokens".*//'
rm -rf "$d"
