# reprint dedup: pairs, clusters and the deduplicated corpus; the same
# outputs for any -j and --mem-limit and from standard input; directories
# of text files; errors name the file and line.
d=$(mktemp -d)
w=$(tr '\n"\\' '   ' < examples/wire.txt)
a=$(tr '\n"\\' '   ' < examples/article.txt)
e=$(printf '%s' "$w" | sed 's/ferry/boat/')
{
    printf '{"id":"wire","text":"%s","src":"agency"}\n' "$w"
    printf '{"id":"article","text":"%s"}\n' "$a"
    printf '{"id":"wire-edit","text":"%s"}\n' "$e"
    printf '{"id":"empty","text":""}\n'
    printf '{"id":"wire-copy","text":"%s"}\n' "$w"
    printf '{"id":7,"text":"Short note."}\n'
    printf '{"text":"short NOTE"}\n'
} > "$d/c.jsonl"
echo "== pairs"
$REPRINT dedup -q "$d/c.jsonl" --pairs - | sed "s|$d|DIR|g"
echo "== clusters"
$REPRINT dedup -q "$d/c.jsonl" --clusters - | sed "s|$d|DIR|g"
echo "== deduplicated"
$REPRINT dedup -q "$d/c.jsonl" -o - | cut -c1-60 | sed "s|$d|DIR|g"
echo "== keep longest"
$REPRINT dedup -q --keep longest "$d/c.jsonl" --clusters - | sed "s|$d|DIR|g"
echo "== same outputs"
$REPRINT dedup -q -j1 "$d/c.jsonl" --pairs "$d/p1" --clusters "$d/c1" -o "$d/o1.zst"
$REPRINT dedup -q -j2 --mem-limit 1M --verify exact "$d/c.jsonl" --pairs "$d/p2" --clusters "$d/c2" -o "$d/o2.zst"
cut -f1,2 "$d/p1" > "$d/p1k"; cut -f1,2 "$d/p2" > "$d/p2k"
cmp "$d/p1k" "$d/p2k" && cmp "$d/c1" "$d/c2" && zstd -dcq "$d/o1.zst" > "$d/o1" && zstd -dcq "$d/o2.zst" | cmp - "$d/o1" && echo "-j1 == -j2 --mem-limit 1M --verify exact"
gzip -c "$d/c.jsonl" > "$d/c.gz"
sed "s|$d/c.jsonl:|-:|" "$d/p1k" > "$d/p1s"
$REPRINT dedup -q - --pairs - < "$d/c.gz" | cut -f1,2 | cmp - "$d/p1s" && echo "stdin (gzip) == file"
cat "$d/c.jsonl" | $REPRINT dedup -q - -o - | cmp - "$d/o1" && echo "stdin -o == file -o"
echo "== directory of text files"
mkdir -p "$d/txt/sub"
cp examples/wire.txt "$d/txt/b.txt"; cp examples/article.txt "$d/txt/a.txt"; cp examples/wire.txt "$d/txt/sub/c.txt"
$REPRINT dedup -q "$d/txt" --pairs - | sed "s|$d|DIR|g"
$REPRINT dedup -q "$d/txt" -o - | cut -c1-50 | sed "s|$d|DIR|g"
echo "== summary"
$REPRINT dedup "$d/c.jsonl" --pairs /dev/null 2>&1 | sed -e 's/ in [0-9.]* s ([0-9]* docs\/s)//' -e 's/peak memory [0-9]* MB/peak memory N MB/'
echo "== explain"
$REPRINT dedup --explain; echo "status $?"
$REPRINT dedup --explain -t 0.5 --hashes 256 2>&1 | head -1
echo "== errors"
printf '{"id":1,"text":"fine"}\n{"id":2,"text":3}\n' > "$d/bad.jsonl"
$REPRINT dedup "$d/bad.jsonl" --pairs - 2> "$d/err"; echo "status $?"; sed "s|$d|DIR|g" "$d/err"
$REPRINT dedup --skip-bad "$d/bad.jsonl" --pairs /dev/null 2>&1 | grep skipped
$REPRINT dedup "$d/missing.jsonl" --pairs - 2>&1 | sed "s|$d|DIR|g"
$REPRINT dedup; echo "status $?"
$REPRINT dedup -t 1.5 x; echo "status $?"
$REPRINT dedup --bands 5 x; echo "status $?"
$REPRINT dedup --pairs - --clusters - x; echo "status $?"
$REPRINT dedup -q x; echo "status $?"
# Enough documents that 1M of memory cannot hold the run (a corpus this
# small would need no temporary file at all).
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"text\":\"note %d of many\"}\n", i }' > "$d/many.jsonl"
$REPRINT dedup -q --tmpdir /nonexistent --mem-limit 1M "$d/many.jsonl" -o "$d/never.jsonl" 2>&1 | sed "s|$d|DIR|g"
$REPRINT dedup -q --tmpdir /nonexistent - --pairs - < "$d/c.jsonl"; echo "status $?"
[ -e "$d/never.jsonl" ] || echo "no partial output left"
$REPRINT dedup -q "$d/c.jsonl" -o /nonexistent/out.jsonl; echo "status $?"
rm -rf "$d"
