# gzip and zstd files are read as their content (recognized by their bytes).
d=$(mktemp -d)
gzip -c examples/article.txt > "$d/article.gz"
$REPRINT compare -f json examples/wire.txt examples/article.txt | sed 's/"name":"[^"]*"//g' > "$d/plain.json"
$REPRINT compare -f json examples/wire.txt "$d/article.gz" | sed 's/"name":"[^"]*"//g' > "$d/gz.json"
cmp "$d/plain.json" "$d/gz.json" && echo "gzip: same result as plain"
zstd -q -c examples/article.txt > "$d/article.zst"
$REPRINT compare -f json examples/wire.txt "$d/article.zst" | sed 's/"name":"[^"]*"//g' > "$d/zst.json"
cmp "$d/plain.json" "$d/zst.json" && echo "zstd: same result as plain"
printf '\037\213garbage' > "$d/bad.gz"
$REPRINT compare examples/wire.txt "$d/bad.gz" 2>&1 | sed "s|$d|DIR|g"
rm -rf "$d"
