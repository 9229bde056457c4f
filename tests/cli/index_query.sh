# reprint query: the terminal view and JSONL records, the same passages as
# `reprint compare`, --top and --min-containment, --add over a stream.
d=$(mktemp -d)
# json EXPR: print EXPR for each JSON line on stdin (r is the record), compactly.
json() { python3 -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l); v = eval(sys.argv[1])
    print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))' "$1"; }
$REPRINT index add -q "$d/news.db" examples/wire.txt
$REPRINT query --color=never -f text "$d/news.db" examples/article.txt; echo "text: $?"
$REPRINT query -f json "$d/news.db" examples/article.txt; echo "json: $?"
# the passages are those of compare for the pair (indexed, query)
$REPRINT query -f json "$d/news.db" examples/article.txt | json 'r["passages"]' > "$d/q"
$REPRINT compare -f json examples/wire.txt examples/article.txt | json 'r["passages"]' > "$d/c"
cmp "$d/q" "$d/c" && echo "same passages as compare"
# a document that reuses nothing; filters
printf 'Nothing in this sentence was ever printed anywhere before today.\n' > "$d/new.txt"
$REPRINT query -f text "$d/news.db" "$d/new.txt" | sed "s|$d|DIR|g"
$REPRINT query -f json --min-containment 0.9 "$d/news.db" examples/article.txt | wc -l
$REPRINT query -f json --min-containment 0.5 --top 1 "$d/news.db" examples/article.txt | json 'r["a"]["id"]'
# --add: each record is checked against the index and the records before it
python3 -c 'import json
a = open("examples/article.txt").read()
for r in ({"id": "paper", "text": a, "page": 3}, {"id": "paper-copy", "text": a},
          {"id": "other", "text": "Unrelated words here."}):
    print(json.dumps(r))' > "$d/today.jsonl"
$REPRINT query --add -f json "$d/news.db" "$d/today.jsonl" | json '[r["b"]["id"], r["a"]["id"], len(r["passages"])]'
$REPRINT index stats -f json "$d/news.db" | json '[r["documents"], r["segments"]]'
# the meta data of a JSONL record is kept in the index
sqlite3 "$d/news.db" "SELECT id, meta FROM document WHERE id = 'paper'"
rm -rf "$d"
