# A pair's passages in scan are exactly those of `reprint compare` on the
# same two texts (same aligner, same defaults).
d=$(mktemp -d)
python3 - "$d" <<'PY'
import json, sys
for f in ("tests/data/scan_archive.jsonl", "tests/data/scan_today.jsonl"):
    for line in open(f, encoding="utf-8"):
        r = json.loads(line)
        with open(f"{sys.argv[1]}/{r['id']}.txt", "w", encoding="utf-8", newline="") as out:
            out.write(r["text"])
PY
$REPRINT scan -q tests/data/scan_archive.jsonl tests/data/scan_today.jsonl > "$d/pairs.jsonl"
python3 - "$d" "$REPRINT" <<'PY'
import json, subprocess, sys
d, reprint = sys.argv[1], sys.argv[2]
for line in open(f"{d}/pairs.jsonl", encoding="utf-8"):
    s = json.loads(line)
    a, b = s["a"]["id"], s["b"]["id"]
    c = json.loads(subprocess.run([reprint, "compare", "-f", "json", f"{d}/{a}.txt", f"{d}/{b}.txt"],
                                  capture_output=True, check=True).stdout)
    same = (c["passages"] == s["passages"] and c["containment_a"] == s["containment_a"]
            and c["containment_b"] == s["containment_b"] and c["a"]["tokens"] == s["a"]["tokens"])
    print(f"{a} {b}: {len(s['passages'])} passages, {'same as' if same else 'DIFFERENT FROM'} compare")
PY
rm -rf "$d"
