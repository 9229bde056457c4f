# Concurrency: queries and stats run while another process adds (each sees
# a committed state: the probe's source is either not there yet or found
# first), and two writers at once both complete.
d=$(mktemp -d)
awk -v n=3000 -v seed=3 -v prefix=A -f tests/cli/index_docs.awk > "$d/a.jsonl"
awk -v n=1000 -v seed=4 -v prefix=B -f tests/cli/index_docs.awk > "$d/b.jsonl"
sed -n '2000p' "$d/a.jsonl" | sed 's/"id":"A-/"id":"probe-/' > "$d/probe.jsonl"
$REPRINT index add -q -b 20 "$d/news.db" "$d/a.jsonl" &
pid=$!
queries=0
bad=0
while kill -0 $pid 2> /dev/null; do
    if out=$($REPRINT query -f json --top 1 "$d/news.db" "$d/probe.jsonl" 2> "$d/err"); then
        queries=$((queries + 1))
        case "$out" in
        '' | '{"a":{"id":"A-01999"'*) ;;
        *) echo "unexpected match: $out"; bad=1 ;;
        esac
        $REPRINT index stats "$d/news.db" > /dev/null || bad=1
    elif ! grep -q 'No such file\|empty file\|without tables' "$d/err"; then
        cat "$d/err"; bad=1 # only "not created yet" may fail
    fi
done
wait $pid || { echo "add failed"; bad=1; }
[ $queries -ge 1 ] || echo "no query ran during the add"
$REPRINT query -f json --top 1 "$d/news.db" "$d/probe.jsonl" | grep -q '^{"a":{"id":"A-01999"' || bad=1
[ $bad -eq 0 ] && echo "queries during add: consistent"
# Two writers: the second waits for the first's batches, both complete.
$REPRINT index add -q -b 25 "$d/two.db" "$d/a.jsonl" & p1=$!
$REPRINT index add -q -b 25 "$d/two.db" "$d/b.jsonl" & p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
echo "writers: $s1 $s2"
sqlite3 "$d/two.db" "SELECT count(*) FROM document; PRAGMA integrity_check"
$REPRINT query -f json --top 1 "$d/two.db" "$d/probe.jsonl" | sed 's/^{"a":{"id":"\([^"]*\)".*/\1/'
# Two processes creating the same index at the same moment, a few times.
head -n 100 "$d/a.jsonl" > "$d/a100.jsonl"
head -n 100 "$d/b.jsonl" > "$d/b100.jsonl"
ok=0
for i in 1 2 3 4 5 6; do
    rm -f "$d"/race.db*
    $REPRINT index add -q -b 10 "$d/race.db" "$d/a100.jsonl" & p1=$!
    $REPRINT index add -q -b 10 "$d/race.db" "$d/b100.jsonl" & p2=$!
    wait $p1 && wait $p2 && [ "$(sqlite3 "$d/race.db" 'SELECT count(*) FROM document')" = 200 ] &&
        ok=$((ok + 1))
done
echo "simultaneous creations: $ok of 6"
rm -rf "$d"
