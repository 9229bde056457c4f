# Exit statuses: 0 success, 1 bad input, 2 usage; a full disk is an error.
$REPRINT compare -f json examples/wire.txt examples/article.txt > /dev/null; echo "ok: $?"
$REPRINT compare examples/wire.txt /nonexistent 2>/dev/null; echo "missing: $?"
$REPRINT compare 2>/dev/null; echo "usage: $?"
$REPRINT compare -f json examples/wire.txt examples/article.txt > /dev/full; echo "full disk: $?"
$REPRINT compare -f json -o /nonexistent/dir/out.json examples/wire.txt examples/article.txt; echo "bad output: $?"
