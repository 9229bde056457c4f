# reprint index: add text and JSONL (other members kept as meta), stats,
# duplicates and --replace, remove, and the schema in the sqlite3 shell.
d=$(mktemp -d)
cat > "$d/wire.jsonl" <<'JSON'
{"id":"w1","text":"The harbour authority on Tuesday approved a six-month trial of night ferry crossings to Calder Island, ending a dispute with island residents that had dragged on since last summer.","desk":"local","n":1}
{"id":"w2","text":"Shares in Ellison Marine rose four percent after the operator said fuel costs had fallen for a third quarter in a row and it expected to hire more crew next year."}
{"id":42,"text":"A short note without much to say."}
{ "tags" : ["a", {"b": "}]\""}], "text": "Meta kept as written: nested values, escapes, numbers.", "price": 1.50, "id": "m1", "by\u0065": null }
{"text":"Only a text and an id.","id":"m2"}
{"id":"m3", "price": 1.50, "text":"Members copied as they are written.", "note": "a \"quoted\" word", "tags": [1, 2]}
JSON
$REPRINT index add -v "$d/news.db" examples/wire.txt "$d/wire.jsonl" 2> "$d/err"; echo "add: $?"
sed "s|$d|DIR|g" "$d/err"
$REPRINT index stats "$d/news.db" | sed 's/^size on disk .*/size on disk (varies)/'
# the documents, their meta data and the tables, as the sqlite3 shell sees them
sqlite3 "$d/news.db" "SELECT doc, id, meta FROM document ORDER BY doc" | sed "s|$d|DIR|g"
sqlite3 "$d/news.db" "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"
sqlite3 "$d/news.db" "SELECT key, value FROM meta WHERE key != 'created_by' ORDER BY key"
sqlite3 "$d/news.db" "PRAGMA journal_mode; PRAGMA application_id"
# a duplicate id is an error; --replace replaces
$REPRINT index add "$d/news.db" "$d/wire.jsonl" 2> "$d/err"; echo "duplicate: $?"
sed "s|$d|DIR|g" "$d/err"
printf '{"id":"w2","text":"Corrected: shares in Ellison Marine rose five percent."}\n' > "$d/fix.jsonl"
$REPRINT index add --replace "$d/news.db" "$d/fix.jsonl"; echo "replace: $?"
sqlite3 "$d/news.db" "SELECT id FROM document ORDER BY doc"  | sed "s|$d|DIR|g"
# remove: missing ids are an error and nothing is removed, unless ignored
$REPRINT index remove "$d/news.db" w1 nosuch; echo "remove missing: $?"
$REPRINT index remove -v "$d/news.db" w1; echo "remove: $?"
printf '42\nnosuch\n' | $REPRINT index remove --ignore-missing --ids-from - "$d/news.db"; echo "remove from stdin: $?"
$REPRINT index stats -f json "$d/news.db" | sed 's/"bytes":[0-9]*,"free_bytes":[0-9]*,"bytes_per_document":[0-9]*/"bytes":N/'
rm -rf "$d"
