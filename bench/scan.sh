#!/bin/sh
# scan.sh - the benchmark of `reprint scan`: corpora of 10k and 100k
# documents (and 1M on request) generated from real prose with planted
# reuse of known offsets, scanned end to end; prints documents per second,
# peak memory, pair recall and precision, passage character F1, and whether
# the seed pair was found.
#
# Usage: sh bench/scan.sh [SIZE...]     e.g. sh bench/scan.sh 10000 100000 1000000
#
# Each corpus is made by bench/scan_gen.c from $REPRINT_DATA (default
# ../shared/data: bbc-news, reuters21578, seeds) and kept in $SCAN_CACHE
# (default $TMPDIR/reprint-scan-bench) for the next run: a 1M corpus is
# 3.3 GB and takes a few minutes to write. The scan runs once per size under
# /usr/bin/time -v (wall time, peak RSS), with -j $SCAN_THREADS (default:
# all CPUs) and the default --mem-limit unless $SCAN_MEM is set.
# bench/scan_score.py scores the pairs against the truth file.
#
# Bars (the scan issue): pair recall and precision >= 0.95 on planted
# partial reuse, passage character F1 >= 0.9, the seed pair found at 100k;
# 100k documents in under 2 minutes; 1M in under 30 minutes with peak RSS
# under 4 GB. The figures are printed next to them; the script exits 0
# whatever it measures, 1 only when it cannot run.
set -u

BUILD=${BUILD:-build}
DATA=${REPRINT_DATA:-../shared/data}
CACHE=${SCAN_CACHE:-${TMPDIR:-/tmp}/reprint-scan-bench}
THREADS=${SCAN_THREADS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
SEED=${SCAN_SEED:-1}
[ $# -gt 0 ] || set -- 10000 100000

cd "$(dirname "$0")/.." || exit 1
make --no-print-directory all "$BUILD/bench/scan_gen" >/dev/null || exit 1
if [ ! -d "$DATA/bbc-news" ] || [ ! -d "$DATA/reuters21578" ]; then
    echo "scan bench: $DATA/bbc-news and $DATA/reuters21578 are needed (REPRINT_DATA)" >&2
    exit 1
fi
[ -x /usr/bin/time ] || { echo "scan bench: /usr/bin/time is needed (Debian package time)" >&2; exit 1; }
mkdir -p "$CACHE" || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/reprint-scan.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "reprint scan benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(uname -srm), ${cpu:-unknown CPU}, $(getconf _NPROCESSORS_ONLN) CPUs, -j $THREADS"
[ -r /proc/loadavg ] && echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work skews timings)"

field() { # the value of "key value" line $2 in file $1
    awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}

summary=$TMP/summary
: >"$summary"
for n in "$@"; do
    corpus=$CACHE/corpus-$n-seed$SEED
    if [ ! -s "$corpus.jsonl" ] || [ ! -s "$corpus.truth.jsonl" ]; then
        echo
        echo "== generating $n documents"
        "$BUILD/bench/scan_gen" --docs "$n" --seed "$SEED" --data "$DATA" --out "$corpus" || exit 1
    fi
    echo
    echo "== scanning $n documents ($(du -h "$corpus.jsonl" | cut -f1))"
    mem=""
    [ -n "${SCAN_MEM:-}" ] && mem="--mem-limit $SCAN_MEM"
    # shellcheck disable=SC2086
    /usr/bin/time -v "$BUILD/reprint" scan -q -j "$THREADS" $mem "$corpus.jsonl" -o "$TMP/pairs-$n.jsonl" \
        2>"$TMP/time-$n" || { tail -n 30 "$TMP/time-$n"; echo "scan failed"; continue; }
    secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$TMP/time-$n" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time-$n")
    bytes=$(wc -c <"$corpus.jsonl")
    python3 bench/scan_score.py "$corpus.truth.jsonl" "$TMP/pairs-$n.jsonl" "$corpus.jsonl" \
        >"$TMP/score-$n" || exit 1
    cat "$TMP/score-$n"
    awk -v n="$n" -v s="$secs" -v r="$rss" -v b="$bytes" \
        'BEGIN { printf("time %.1f s, %.0f documents/s, %.1f MB/s, peak RSS %.0f MB\n", s, n / s, b / s / 1e6, r / 1024) }'
    printf '%s %s %s %s %s %s %s %s\n' "$n" "$secs" "$rss" "$(field "$TMP/score-$n" pair_recall)" \
        "$(field "$TMP/score-$n" pair_precision)" "$(field "$TMP/score-$n" pair_precision_verified)" \
        "$(field "$TMP/score-$n" char_f1)" "$(field "$TMP/score-$n" seed_found)" >>"$summary"
done

echo
echo "== summary (bars: recall, precision >= 0.95; char F1 >= 0.9; 100k < 120 s; 1M < 1800 s, RSS < 4096 MB)"
printf '%9s %9s %10s %9s %7s %9s %9s %8s %5s\n' documents seconds "docs/s" "RSS MB" recall precision "verified" "char F1" seed
awk '{ printf("%9d %9.1f %10.0f %9.0f %7s %9s %9s %8s %5s\n", $1, $2, $1 / $2, $3 / 1024, $4, $5, $6, $7, $8 ? "found" : "MISSED") }' "$summary"
echo "precision counts every reported pair that was not planted as wrong; 'verified' counts"
echo "those whose passages share a run of 8+ words (chance reuse in the generated background)"
exit 0
