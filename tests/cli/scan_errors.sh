# Misuse is a usage error (status 2); bad input names the file and line
# (status 1), or is skipped and counted with --skip-bad.
A=tests/data/scan_archive.jsonl
$REPRINT scan --max-df 1 $A; echo "status $?"
$REPRINT scan --min-containment 2 $A; echo "status $?"
$REPRINT scan --min-words 0 $A; echo "status $?"
$REPRINT scan --mem-limit 1K $A; echo "status $?"
$REPRINT scan -j 0 $A; echo "status $?"
$REPRINT scan --date-field date $A; echo "status $?"
$REPRINT scan --bogus $A; echo "status $?"
$REPRINT scan - --against -; echo "status $?"
d=$(mktemp -d)
out=$($REPRINT scan -q "$d/missing.jsonl" 2>&1); echo "status $?"
echo "$out" | sed "s|$d|DIR|g"
{ cat $A; echo '{"id": "broken", "text": '; printf '{"id":"latin1","text":"caf\351"}\n'; } > "$d/bad.jsonl"
out=$($REPRINT scan -q "$d/bad.jsonl" 2>&1); echo "status $?"
echo "$out" | sed "s|$d|DIR|g"
$REPRINT scan --skip-bad "$d/bad.jsonl" 2>&1 >/dev/null | sed "s|$d|DIR|g; s/; [0-9.]* s (.*//"
out=$($REPRINT scan -q --tmpdir "$d/nope" $A 2>&1); echo "status $?"
echo "$out" | sed "s|$d|DIR|g"
$REPRINT scan -q --html "$A" $A 2>&1; echo "status $?"
$REPRINT scan -q -o /dev/full $A tests/data/scan_today.jsonl; echo "status $?"
rm -rf "$d"
