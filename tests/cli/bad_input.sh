# Bad input: one clear line naming the file (and offset), status 1.
d=$(mktemp -d)
printf 'caf\351 au lait, the Latin-1 way\n' > "$d/latin1.txt"
printf 'binary\000data here\n' > "$d/nul.bin"
: > "$d/empty.txt"
printf ' ... !!! \n' > "$d/punct.txt"
$REPRINT compare examples/wire.txt "$d/missing.txt" 2>&1 | sed "s|$d|DIR|g"
$REPRINT compare examples/wire.txt "$d" 2>&1 | sed "s|$d|DIR|g"
$REPRINT compare "$d/latin1.txt" examples/wire.txt 2>&1 | sed "s|$d|DIR|g"
$REPRINT compare examples/wire.txt "$d/nul.bin" 2>&1 | sed "s|$d|DIR|g"
# --lossy reads them anyway
$REPRINT compare --lossy --format json "$d/latin1.txt" "$d/nul.bin" | sed "s|$d|DIR|g"
# empty and token-less documents are valid, with empty results
$REPRINT compare --format json "$d/empty.txt" "$d/punct.txt" | sed "s|$d|DIR|g"
# a file over the 4 GiB limit is refused before it is read (sparse: no disk used)
truncate -s 4294967296 "$d/huge.txt"
$REPRINT compare "$d/huge.txt" examples/wire.txt 2>&1 | sed "s|$d|DIR|g"
rm -rf "$d"
