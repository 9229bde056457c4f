# reprint dedup --against: a batch deduplicated against an index; inputs
# near an indexed document are removed and named with it.
d=$(mktemp -d)
w=$(tr '\n"\\' '   ' < examples/wire.txt)
a=$(tr '\n"\\' '   ' < examples/article.txt)
e=$(printf '%s' "$w" | sed 's/ferry/boat/')
printf '{"id":"wire-2026-03-04","text":"%s"}\n' "$w" > "$d/archive.jsonl"
$REPRINT index add -q "$d/news.db" "$d/archive.jsonl"
{
    printf '{"id":"in-edit","text":"%s"}\n' "$e"
    printf '{"id":"in-article","text":"%s"}\n' "$a"
    printf '{"id":"in-edit-again","text":"%s"}\n' "$e"
} > "$d/in.jsonl"
echo "== pairs"
$REPRINT dedup -q "$d/in.jsonl" --against "$d/news.db" --pairs -
echo "== clusters"
$REPRINT dedup -q "$d/in.jsonl" --against "$d/news.db" --clusters -
echo "== kept"
$REPRINT dedup -q "$d/in.jsonl" --against "$d/news.db" -o - | cut -c1-30
echo "== summary"
$REPRINT dedup "$d/in.jsonl" --against "$d/news.db" --pairs /dev/null 2>&1 | grep against
echo "== errors"
$REPRINT dedup "$d/in.jsonl" --against "$d/in.jsonl" --pairs - 2>&1 | sed "s|$d|DIR|g"
$REPRINT dedup "$d/in.jsonl" --against "$d/missing.db" --pairs - 2>&1 | sed "s|$d|DIR|g"
$REPRINT dedup "$d/in.jsonl" --against "$d/news.db" --ngram 4 --pairs - 2>&1 | sed "s|$d|DIR|g"
rm -rf "$d"
