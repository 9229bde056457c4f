# Index errors: a missing index, a directory, a text file, an empty file,
# another SQLite database, a damaged one, parameters that differ; usage
# errors. One clear line naming the file; status 1 (2 for usage).
d=$(mktemp -d)
run() { "$@" 2>&1 | sed "s|$d|DIR|g"; }
status() { "$@" > /dev/null 2>&1; echo "status $?"; }
run $REPRINT query "$d/missing.db" examples/article.txt; status $REPRINT query "$d/missing.db" examples/article.txt
run $REPRINT index stats "$d"; status $REPRINT index stats "$d"
run $REPRINT query examples/wire.txt examples/article.txt; status $REPRINT query examples/wire.txt examples/article.txt
: > "$d/empty.db"
run $REPRINT query "$d/empty.db" examples/article.txt
sqlite3 "$d/other.db" "CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine')"
run $REPRINT index add "$d/other.db" examples/wire.txt; status $REPRINT index add "$d/other.db" examples/wire.txt
sqlite3 "$d/other.db" "SELECT * FROM notes"
# a damaged index: its first page overwritten
$REPRINT index add -q "$d/news.db" examples/wire.txt
cp "$d/news.db" "$d/bad.db"
printf 'this is not the header of a database, just some bytes of text.' | dd of="$d/bad.db" conv=notrunc status=none
run $REPRINT query "$d/bad.db" examples/article.txt; status $REPRINT query "$d/bad.db" examples/article.txt
# half an index
head -c 8192 "$d/news.db" > "$d/half.db"
run $REPRINT index stats "$d/half.db"; status $REPRINT index stats "$d/half.db"
# parameters that differ from the index's are refused, naming both
run $REPRINT query --ngram 6 "$d/news.db" examples/article.txt; status $REPRINT query --ngram 6 "$d/news.db" examples/article.txt
run $REPRINT index add --window 4 --seed 9 "$d/news.db" examples/article.txt
run $REPRINT query --ngram 5 --window 8 --seed 0 -f json "$d/news.db" examples/article.txt | sed 's/^{"a":{"id":"\([^"]*\)".*/\1/'
# bad input documents
printf '{"id":"x","text":"caf\351"}\n{"id":"y" "text":1}\n' > "$d/bad.jsonl"
run $REPRINT index add "$d/news.db" "$d/bad.jsonl"; status $REPRINT index add "$d/news.db" "$d/bad.jsonl"
run $REPRINT index add --skip-bad -v "$d/news.db" "$d/bad.jsonl"
# usage errors
status $REPRINT index
run $REPRINT index frob "$d/news.db"
run $REPRINT index add "$d/news.db"
run $REPRINT index add --batch 0 "$d/news.db" examples/wire.txt
run $REPRINT index add --ngram 40 "$d/news.db" examples/wire.txt
run $REPRINT index remove "$d/news.db"
run $REPRINT index stats -f html "$d/news.db"
run $REPRINT query "$d/news.db"
run $REPRINT query --replace "$d/news.db" examples/article.txt
run $REPRINT query --min-containment 2 "$d/news.db" examples/article.txt
run $REPRINT query --top x "$d/news.db" examples/article.txt
status $REPRINT query --bogus "$d/news.db" examples/article.txt
rm -rf "$d"
