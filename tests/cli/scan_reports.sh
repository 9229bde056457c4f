# --against, --clusters with --date-field, --boilerplate with --max-df, and
# the HTML report's files.
A=tests/data/scan_archive.jsonl
T=tests/data/scan_today.jsonl
d=$(mktemp -d)
echo "today against the archive:"
$REPRINT scan -q $T --against $A | sed 's/"containment_a".*//'
echo "families, dated:"
$REPRINT scan -q --clusters "$d/families.jsonl" --date-field date $A $T > /dev/null; echo "status $?"
cat "$d/families.jsonl"
echo "boilerplate, --max-df 3:"
$REPRINT scan -q --max-df 3 --boilerplate "$d/bp.jsonl" $A $T | sed 's/"containment_a".*//'
cat "$d/bp.jsonl"
echo "html:"
$REPRINT scan -q --html "$d/report" $A $T > /dev/null; echo "status $?"
(cd "$d/report" && find . -type f | sort)
grep -c '<tr><td><a href="pairs/' "$d/report/index.html"
grep -o 'reprint scan: pair 1 of [0-9]*' "$d/report/pairs/000001.html"
grep -o 'id="nav-[a-z]*"' "$d/report/pairs/000002.html"
$REPRINT scan -q --html "$d/report2" --html-max 3 $A $T > /dev/null
ls "$d/report2/pairs"
grep -o 'in this report</span> <span class="v">3' "$d/report2/index.html"
echo "a smaller report over a larger one leaves no stale pair page (other files stay):"
touch "$d/report/pairs/mine.txt"
$REPRINT scan -q --html "$d/report" --html-max 3 $A $T > /dev/null
ls "$d/report/pairs"
rm -rf "$d"
