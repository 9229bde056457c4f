# Crash safety: `reprint index add` killed with SIGKILL at a random moment,
# 20 times over one growing index. Each time the index must pass
# PRAGMA integrity_check, still open and answer queries, and hold exactly
# the batches that were committed: whole batches, in order, at least those
# `-v` reported, and at most one more (a batch is committed before its
# line is printed, so a kill can fall between the two), never part of one.
d=$(mktemp -d)
B=50
N=1500
awk -v n=$N -v seed=7 -v prefix=X -f tests/cli/index_docs.awk > "$d/docs.jsonl"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# How long an add runs here, so the kills land inside one.
t0=$(now_ms)
$REPRINT index add -q -b $B "$d/probe.db" "$d/docs.jsonl"
t=$(( $(now_ms) - t0 + 20 ))
total=0
fail=0
round=1
while [ $round -le 20 ]; do
    r=$(printf 'r%02d' $round)
    sed "s/\"X-/\"$r-/" "$d/docs.jsonl" > "$d/in.jsonl"
    # Spread over the run: fractional parts of multiples of the golden ratio.
    delay=$(awk -v s=$round -v t=$t 'BEGIN { printf "%.3f", (s * 0.6180339887 % 1) * t / 1000 }')
    $REPRINT index add -v -q -b $B "$d/k.db" "$d/in.jsonl" 2> "$d/log" &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    reported=$(grep -c ' committed: ' "$d/log")
    # The index opens, its postings read, and SQLite finds it sound.
    if [ -f "$d/k.db" ] && ! $REPRINT index stats "$d/k.db" > /dev/null 2> "$d/err"; then
        if ! grep -q 'empty file\|without tables' "$d/err"; then
            echo "round $round: stats failed: $(cat "$d/err")"; fail=1
        fi
    fi
    check=$(sqlite3 "$d/k.db" 'PRAGMA integrity_check')
    [ "$check" = ok ] || { echo "round $round: integrity_check: $check"; fail=1; }
    if sqlite3 "$d/k.db" 'SELECT 1 FROM document LIMIT 0' > /dev/null 2>&1; then
        set -- $(sqlite3 -separator ' ' "$d/k.db" \
            "SELECT count(*), coalesce(max(id), '-') FROM document WHERE id >= '$r-' AND id < '$r.';
             SELECT count(*) FROM document")
        count=$1 maxid=$2 all=$3
    else
        count=0 maxid=- all=0
    fi
    lo=$((reported * B)); hi=$(((reported + 1) * B)); [ $hi -gt $N ] && hi=$N
    whole=$(( count % B == 0 || count == N ))
    if [ $whole -ne 1 ] || [ $count -lt $lo ] || [ $count -gt $hi ]; then
        echo "round $round: $count documents, $reported batches of $B reported"; fail=1
    fi
    if [ $count -gt 0 ] && [ "$maxid" != "$(printf '%s-%05d' $r $((count - 1)))" ]; then
        echo "round $round: $count documents but the last is $maxid"; fail=1
    fi
    total=$((total + count))
    [ "$all" -eq $total ] || { echo "round $round: $all documents in all, expected $total"; fail=1; }
    round=$((round + 1))
done
# After all that, the index takes the rest and finds what it holds.
sed "s/\"X-/\"r01-/" "$d/docs.jsonl" > "$d/in.jsonl"
$REPRINT index add --replace -q "$d/k.db" "$d/in.jsonl" || fail=1
sed -n '5p' "$d/in.jsonl" > "$d/q.jsonl"
# (every round added the same texts: the query finds each round's copy)
$REPRINT query -f json --top 0 "$d/k.db" "$d/q.jsonl" | grep -q '^{"a":{"id":"r01-00004"' ||
    { echo "query did not find r01-00004"; fail=1; }
[ "$(sqlite3 "$d/k.db" 'PRAGMA integrity_check')" = ok ] || fail=1
[ $fail -eq 0 ] && echo "20 kills: integrity ok, whole committed batches only, index usable"
rm -rf "$d"
