# Every numeric option has a range (reprint-CMD(1), NUMBERS) and is refused
# outside it with status 2, before any input is read; the largest 64-bit
# value, overflowing suffixes and the range ends are the cases (issue 15).
in=tests/data/scan_archive.jsonl
t() { "$REPRINT" "$@" > /dev/null 2>&1; echo "$*: status $?"; }
for v in 18446744073709551615 18446744073709551616 4294967296 16777216K 1; do t scan -q --max-df $v $in; done
t scan -q --max-df 4294967295 $in
t scan -q --min-words 4294967296 $in
t scan -q --min-shared 99999999999999999999 $in
t scan -q --html-max 18446744073709551615 $in
t scan -q --mem-limit 2T $in
t scan -q --mem-limit 16777216T $in
t scan -q --threads 257 $in
t dedup -q --pairs - --bands 4097 --rows 1 $in
t dedup -q --pairs - --rows 18446744073709551615 --bands 1 $in
t dedup -q --pairs - --hashes 4097 $in
t dedup -q --pairs - --mem-limit 1025G $in
t dedup -q --pairs - --seed 18446744073709551615 $in
t dedup -q --pairs - --seed 18446744073709551616 $in
t compare --min-words 18446744073709551615 examples/wire.txt examples/article.txt
t index add --batch 4294967296 /nonexistent/db $in
t query --top 4294967296 /nonexistent/db $in
t query --max-df 18446744073709551615 /nonexistent/db $in
echo "the message names the range:"
"$REPRINT" scan --max-df 18446744073709551615 $in 2>&1 | head -n 1
