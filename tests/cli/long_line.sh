# A document of one 8 MB line compared with a copy that has a changed word:
# a correct, complete result in bounded time.
d=$(mktemp -d)
awk 'BEGIN { srand(7); for (i = 0; i < 1300000; i++) printf "w%d ", int(rand() * 50000); }' > "$d/a.txt"
sed 's/^/changed /' "$d/a.txt" > "$d/b.txt"
$REPRINT compare -f json "$d/a.txt" "$d/b.txt" | sed "s|$d|DIR|g" | cut -c 1-400
rm -rf "$d"
