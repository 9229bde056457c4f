# --skip-bad over a directory (issue 15): binary, non-UTF-8, UTF-16 and
# not-really-JSONL files and dangling links are skipped with one warning
# line each and counted, the rest is read; without it the first aborts.
# Walks leave out hidden names unless --hidden; --include / --exclude.
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir "$d/c" "$d/c/.git" "$d/c/sub"
cp examples/wire.txt "$d/c/a.txt"
cp examples/wire.txt "$d/c/sub/b.txt"
cp examples/wire.txt "$d/c/.git/HEAD"
printf 'GIF89a\001\000\001\000\000\000\000' > "$d/c/bin.gif"
printf 'caf\351 au lait\n' > "$d/c/latin1.txt"
printf '{"note": "not a record"}\nplain words\n' > "$d/c/looks.txt"
printf '\377\376h\000i\000' > "$d/c/utf16.txt"
ln -s "$d/nonexistent" "$d/c/dangling.txt"
sum=$(find "$d/c" -type f -exec cat {} + | cksum)
r() { "$REPRINT" "$@" > "$d/out" 2> "$d/err"; st=$?; sed -e "s|$d/||g" -e "s/ in [0-9.]* s ([0-9]* docs\/s)//" -e "s/; [0-9.]* s ([0-9]* documents\/s)//" -e "s/; peak memory [0-9.]* MB//" -e "s/, peak memory [0-9.]* MB//" "$d/err"; sed "s|$d/||g" "$d/out"; echo "status $st"; }
echo "== without --skip-bad the first bad file is an error"
r dedup -q "$d/c" --pairs -
echo "== dedup --skip-bad"
r dedup --skip-bad "$d/c" --pairs -
echo "== scan --skip-bad"
r scan --skip-bad "$d/c" -o /dev/null
echo "== index add --skip-bad"
r index add -v --skip-bad "$d/db" "$d/c"
echo "== --hidden reads .git/HEAD; --include, --exclude"
r dedup -q --skip-bad --hidden --include '*.txt' --include HEAD "$d/c" --clusters -
r dedup -q --skip-bad --exclude sub --exclude '*.gif' "$d/c" --clusters -
echo "== a UTF-16 file named on its own"
r compare "$d/c/utf16.txt" examples/wire.txt
r compare --lossy "$d/c/utf16.txt" examples/wire.txt
[ "$(find "$d/c" -type f -exec cat {} + | cksum)" = "$sum" ] && echo "inputs unchanged"
