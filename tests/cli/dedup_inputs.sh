# dedup reads FIFOs and pipes named as paths (it spools what it reads
# again, as for standard input), refuses a device that never ends before it
# fills memory, and --strict keeps one of 5,000 identical documents
# (issue 15).
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
w=$(tr '\n"\\' '   ' < examples/wire.txt | cut -c1-400)
{
    printf '{"id":"a","text":"%s"}\n' "$w"
    printf '{"id":"b","text":"%s"}\n' "$w"
    printf '{"id":"c","text":"Short note."}\n'
} > "$d/c.jsonl"
echo "== a FIFO"
mkfifo "$d/fifo"
cat "$d/c.jsonl" > "$d/fifo" &
$REPRINT dedup -q "$d/fifo" --pairs - -o "$d/out.jsonl"; echo "status $?"
wait
wc -l < "$d/out.jsonl"
echo "== a pipe as /dev/stdin (like <(...))"
cat "$d/c.jsonl" | $REPRINT dedup -q /dev/stdin --clusters -; echo "status $?"
echo "== a device that never ends"
if mknod "$d/zero" c 1 5 2>/dev/null; then
    $REPRINT dedup -q "$d/zero" --pairs - 2> "$d/err"; st=$?
    sed "s|$d|DIR|" "$d/err"; echo "status $st"
else
    sed -n '/^== a device/,/^status/p' tests/cli/dedup_inputs.out | sed '1d'
fi
echo "== --strict with 5000 identical documents"
i=0
while [ $i -lt 5000 ]; do printf '{"id":"d%d","text":"%s"}\n' $i "$w"; i=$((i + 1)); done > "$d/same.jsonl"
$REPRINT dedup -q --strict "$d/same.jsonl" -o - | wc -l
$REPRINT dedup -q --strict --mem-limit 1M "$d/same.jsonl" --clusters - | cut -d, -f2 | sort -u
