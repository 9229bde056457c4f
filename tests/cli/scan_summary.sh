# Without -q a summary goes to stderr (times and memory masked here).
$REPRINT scan tests/data/scan_archive.jsonl tests/data/scan_today.jsonl 2>&1 >/dev/null |
    sed -E 's/; [0-9.]+ s \([0-9]+ documents\/s\), peak memory [0-9.]+ [kMG]?B/; TIME, MEMORY/'
$REPRINT scan --mem-limit 4M tests/data/scan_archive.jsonl 2>&1 >/dev/null |
    sed -E 's/; [0-9.]+ s \([0-9]+ documents\/s\), peak memory [0-9.]+ [kMG]?B/; TIME, MEMORY/'
