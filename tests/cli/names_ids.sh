# Ids and file names may hold any byte (issue 15): JSON output stays valid
# (invalid UTF-8 as \udcXX, NUL as \u0000, per rp_json_quote()), ids with a
# NUL are not cut (two such ids stay two), TSV escapes them, and the
# terminal view shows neither control characters nor invalid UTF-8.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
bad=$(printf '%s/w\222ire\001.txt' "$d")
cp examples/wire.txt "$bad"
json() { python3 -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    print(sys.argv[1] + ": valid JSON:", ascii([o[k] for k in sys.argv[2:]]))' "$@"; }
echo "== compare -f json, non-UTF-8 file name"
$REPRINT compare -f json "$bad" examples/article.txt | sed "s|$d|DIR|" | json compare verdict a
$REPRINT compare -f json "$bad" examples/article.txt | python3 -c '
import json, sys
name = json.load(sys.stdin)["a"]["name"].encode("utf-8", "surrogateescape")
print("bytes recovered:", name == sys.argv[1].encode("utf-8", "surrogateescape"))' "$bad"
echo "== compare -f text: no control character or invalid UTF-8"
$REPRINT compare -f text "$bad" examples/article.txt > "$d/text"
python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
b.decode("utf-8")
print("valid UTF-8; controls:", sum(1 for c in b if (c < 32 and c not in (9, 10)) or c == 127))' "$d/text"
echo "== ids with NUL and invalid bytes"
w=$(tr '\n"\\' '   ' < examples/wire.txt)
{
    printf '{"id":"a\\u0000b","text":"%s"}\n' "$w"
    printf '{"id":"a\\u0000c","text":"%s"}\n' "$w"
    printf '{"id":"x\\u0001\\n\\"y","text":"%s"}\n' "$w"
} > "$d/ids.jsonl"
$REPRINT dedup -q "$d/ids.jsonl" --clusters - | json clusters id cluster
$REPRINT dedup -q "$d/ids.jsonl" --pairs - | cut -f1,2
$REPRINT scan -q "$d/ids.jsonl" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print("scan pair:", ascii(o["a"]["id"]), ascii(o["b"]["id"]))'
$REPRINT scan -q "$d/ids.jsonl" --clusters "$d/fam.jsonl" > /dev/null
json families members < "$d/fam.jsonl" | sed 's/, .start.: [0-9]*, .end.: [0-9]*//g'
printf 'x\222y wire text here\n' > "$d/lossy.txt"
$REPRINT dedup -q --lossy "$d/lossy.txt" -o - 2> /dev/null | json "dedup -o, lossy plain text" text
echo "== duplicate ids are reported, never merged silently"
printf '{"id":"same","text":"%s"}\n{"id":"same","text":"%s"}\n' "$w" "$w" > "$d/dup.jsonl"
$REPRINT dedup -q "$d/dup.jsonl" --pairs - 2>&1 | sed "s|$d|DIR|"
$REPRINT dedup --skip-bad "$d/dup.jsonl" --pairs - 2>&1 | grep -v ' documents (' | sed "s|$d|DIR|"
$REPRINT scan -q "$d/dup.jsonl" 2>&1 | sed "s|$d|DIR|"
$REPRINT scan -q --skip-bad "$d/dup.jsonl" -o /dev/null 2>&1 | sed "s|$d|DIR|"
