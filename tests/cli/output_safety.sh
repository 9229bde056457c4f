# Outputs never destroy what the program did not create (issue 15): an
# output naming an input (directly, through a symbolic or hard link, or
# the index) is refused before anything is read, and the input keeps its
# checksum; a failed run leaves the previous output file; a device node
# given as an output is written in place and never removed; a failed or
# refused run leaves no stray (temporary) file.
d=$(mktemp -d)
s=$(mktemp -d) # scratch, outside the directory watched for stray files
trap 'rm -rf "$d" "$s"' EXIT
w=$(tr '\n"\\' '   ' < examples/wire.txt)
{
    printf '{"id":"a","text":"%s"}\n' "$w"
    printf '{"id":"b","text":"%s"}\n' "$w"
    printf '{"id":"c","text":"Short note."}\n'
} > "$d/in.jsonl"
cp "$d/in.jsonl" "$d/other.jsonl"
ln -s in.jsonl "$d/link.jsonl"
ln "$d/in.jsonl" "$d/hard.jsonl"
$REPRINT index add -q "$d/db" "$d/other.jsonl"
sum=$(cksum < "$d/in.jsonl")
dbsum=$(cksum < "$d/db")
listing() { (cd "$d" && ls -A | tr '\n' ' '); echo; }
before=$(listing)
check() { # the status of the run just made, then whether the inputs are intact
    now=$(cksum < "$d/in.jsonl")
    [ "$now" = "$sum" ] && [ "$(cksum < "$d/db")" = "$dbsum" ] && intact=intact || intact=CHANGED
    [ "$(listing)" = "$before" ] && stray="no stray file" || stray="files: $(listing)"
    echo "$1: status $st, input $intact, $stray"
}
# run reprint: stdout dropped, stderr shown with the directory as DIR, status in $st
r() { $REPRINT "$@" > "$s/out" 2> "$s/err"; st=$?; sed "s|$d|DIR|g" "$s/err"; }
echo "== an output naming an input is refused"
r dedup -q "$d/in.jsonl" -o "$d/in.jsonl"; check "dedup -o input"
r dedup -q "$d/in.jsonl" --pairs "$d/in.jsonl"; check "dedup --pairs input"
r dedup -q "$d/in.jsonl" --clusters "$d/link.jsonl"; check "dedup --clusters symlink"
r dedup -q "$d/in.jsonl" -o "$d/hard.jsonl"; check "dedup -o hard link"
$REPRINT dedup -q - --pairs "$d/in.jsonl" < "$d/in.jsonl" 2> "$s/err"; st=$?; sed "s|$d|DIR|g" "$s/err"; check "dedup --pairs stdin's file"
r dedup -q "$d/other.jsonl" --against "$d/db" -o "$d/db"; check "dedup -o the index"
r scan -q "$d/in.jsonl" -o "$d/in.jsonl"; check "scan -o input"
r scan -q "$d/in.jsonl" --clusters "$d/link.jsonl"; check "scan --clusters symlink"
r scan -q "$d/in.jsonl" --boilerplate "$d/hard.jsonl"; check "scan --boilerplate hard link"
r scan -q "$d/in.jsonl" --html "$d/in.jsonl"; check "scan --html input"
r scan -q "$d" -o "$d/in.jsonl"; check "scan -o inside an input directory"
r query -q -o "$d/in.jsonl" "$d/db" "$d/in.jsonl"; check "query -o input"
r query -q -o "$d/db" "$d/db" "$d/in.jsonl"; check "query -o the index"
r compare -o "$d/link.jsonl" "$d/in.jsonl" "$d/other.jsonl"; check "compare -o symlink"
r index add "$d/in.jsonl" "$d/in.jsonl"; check "index add into its input"
r dedup -q "$d/in.jsonl" -o "$d/x" --pairs "$d/x"; check "dedup: one file named twice"

echo "== a failed run leaves the previous output"
echo precious > "$d/old.out"
echo 'not json' > "$d/bad.jsonl"
sum_old=$(cksum < "$d/old.out")
before=$(listing)
keep() { [ "$(cksum < "$d/old.out")" = "$sum_old" ] && k=kept || k=LOST; [ "$(listing)" = "$before" ] && stray="no stray file" || stray="files: $(listing)"; echo "$1: status $st, previous output $k, $stray"; }
r scan -q "$d/bad.jsonl" -o "$d/old.out"; keep "scan -o"
r scan -q "$d/bad.jsonl" --clusters "$d/old.out"; keep "scan --clusters"
r scan -q "$d/bad.jsonl" --boilerplate "$d/old.out"; keep "scan --boilerplate"
r dedup -q "$d/bad.jsonl" -o "$d/old.out"; keep "dedup -o"
r dedup -q "$d/in.jsonl" -o /nonexistent/x --pairs "$d/old.out"; keep "dedup --pairs, -o failing"
r dedup -q "$d/in.jsonl" -o /nonexistent/x --clusters "$d/old.out"; keep "dedup --clusters, -o failing"
r query -q -o "$d/old.out" "$d/db" "$d/bad.jsonl"; keep "query -o"
r compare -o "$d/old.out" "$d/bad.jsonl" /nonexistent; keep "compare -o"
mkfifo "$s/fifo"
for sig in TERM KILL; do # killed while reading (the FIFO never gets a writer)
    $REPRINT scan -q "$s/fifo" -o "$d/old.out" 2> /dev/null &
    pid=$!
    sleep 0.5
    kill -$sig $pid
    wait $pid 2> /dev/null
    st=killed; keep "scan -o, SIG$sig while reading"
done
chmod 640 "$d/old.out"
$REPRINT dedup -q "$d/in.jsonl" --pairs "$d/old.out"; echo "dedup --pairs over it: status $?, $(wc -l < "$d/old.out") line, mode $(stat -c %a "$d/old.out")"

echo "== a device node as output is written in place, never removed"
if mknod -m 666 "$d/full" c 1 7 2>/dev/null && mknod -m 666 "$d/null" c 1 3 2>/dev/null; then
    r dedup -q "$d/in.jsonl" --pairs "$d/full"; echo "dedup --pairs full: status $st"
    r dedup -q "$d/in.jsonl" -o "$d/full"; echo "dedup -o full: status $st"
    r scan -q "$d/in.jsonl" -o "$d/full"; echo "scan -o full: status $st"
    r compare -o "$d/full" examples/wire.txt examples/article.txt; echo "compare -o full: status $st"
    r dedup -q "$d/bad.jsonl" -o "$d/null"; echo "dedup -o null, bad input: status $st"
    r dedup -q "$d/in.jsonl" -o "$d/null" --pairs "$d/null"; echo "dedup -o null --pairs null: status $st"
    ls "$d/full" "$d/null" | sed "s|$d|DIR|g"
else
    # not allowed to make device nodes here: the same lines, from the expected file
    sed -n '/^== a device/,/^DIR\/null$/p' tests/cli/output_safety.out | sed 1d
fi
echo "== /dev/null and - may serve as input and output"
$REPRINT compare -o /dev/null /dev/null examples/wire.txt; echo "status $?"
