# The index is never changed when damaged (a quick check before writing,
# `index check` for the full one), a failed first add creates nothing, and
# `index add --skip-existing` resumes an interrupted add (issue 15).
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
r() { "$REPRINT" "$@" > "$d/out" 2> "$d/err"; st=$?; sed "s|$d/||g" "$d/err"; sed "s|$d/||g" "$d/out"; echo "status $st"; }
$REPRINT index add -q "$d/good.db" tests/data/scan_archive.jsonl
echo "== index check on a good index"
r index check "$d/good.db"
echo "== a damaged index: 4 pages zeroed in the middle"
cp "$d/good.db" "$d/bad.db"
size=$(wc -c < "$d/bad.db")
dd if=/dev/zero of="$d/bad.db" bs=4096 seek=$((size / 8192 - 1)) count=4 conv=notrunc 2> /dev/null
sum=$(cksum < "$d/bad.db")
r index check "$d/bad.db" | sed 's/(integrity_check: .*)/(integrity_check: ...)/'
r index add "$d/bad.db" examples/wire.txt | sed 's/(quick_check: .*)/(quick_check: ...)/'
r index remove "$d/bad.db" x | sed 's/(quick_check: .*)/(quick_check: ...)/'
[ "$(cksum < "$d/bad.db")" = "$sum" ] && echo "damaged index unchanged"
echo "== a failed first add leaves no file"
echo 'not json' > "$d/bad.jsonl"
r index add "$d/new.db" "$d/bad.jsonl"
ls "$d" | grep -c new.db
echo "== --skip-existing resumes an add"
w=$(tr '\n"\\' '   ' < examples/wire.txt)
for i in 1 2 3 4 5 6; do printf '{"id":"doc-%d","text":"%s %d"}\n' $i "$w" $i; done > "$d/all.jsonl"
head -n 2 "$d/all.jsonl" > "$d/part.jsonl"
$REPRINT index add -q "$d/resume.db" "$d/part.jsonl" # as if killed after 2
r index add -q "$d/resume.db" "$d/all.jsonl"
r index add -q -v --skip-existing "$d/resume.db" "$d/all.jsonl"
"$REPRINT" index stats -f json "$d/resume.db" | sed 's/,"fingerprints.*//'
r index add --skip-existing --replace "$d/resume.db" "$d/part.jsonl"
