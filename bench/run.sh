#!/bin/sh
# run.sh - what `make bench` runs, from the project root, once the Makefile
# has built $BUILD/reprint and $BUILD/bench/bench_align (it builds nothing).
#
# 1. bench_align on the standard synthetic pair: two 10 MB documents sharing
#    30 reordered, edited passages; the bar is 30/30 found in < 5 s.
# 2. bench_align at 2.5 MB, for the scaling ratio of compare time to size.
# 3. bench_align on real prose (bbc-news), when the data directory has it.
# 4. The CLI, `reprint compare --format json`, on the 10 MB pair of step 1
#    (once; its overhead over the library) and on the seed pair
#    $DATA/seeds/000_*.txt 001_*.txt (hyperfine if installed, else a loop
#    of $BENCH_RUNS runs timed with date +%s%N).
# Then a summary. Benchmarks report figures and ratios; this script exits 0
# whatever it measures, and 1 only when the programs it needs are missing.
#
# Environment: BUILD (default build), REPRINT_DATA (default ../shared/data),
# BENCH_REPEAT (timed runs per bench_align, best reported; default 3),
# BENCH_RUNS (CLI runs on the seed pair; default 20).
set -u

BUILD=${BUILD:-build}
DATA=${REPRINT_DATA:-../shared/data}
REPEAT=${BENCH_REPEAT:-3}
RUNS=${BENCH_RUNS:-20}
ALIGN=$BUILD/bench/bench_align
CLI=$BUILD/reprint

for prog in "$ALIGN" "$CLI"; do
    if [ ! -x "$prog" ]; then
        echo "bench: $prog is missing; run 'make bench' from the project root" >&2
        exit 1
    fi
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/reprint-bench.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# Field 2 of the first line whose field 1 is $2, in file $1 ("compare 1.23 s").
field() {
    awk -v k="$2" '$1 == k { print $2; exit }' "$1"
}

rule() {
    printf '\n== %s ==\n' "$1"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "reprint benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(uname -srm), ${cpu:-unknown CPU}, $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs"
if [ -r /proc/loadavg ]; then
    echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other work skews timings)"
fi
have_data=1
if [ ! -d "$DATA" ]; then
    have_data=0
    echo "note: $DATA is absent; the real-prose run and the seed-pair CLI timing are skipped"
fi

rule "1. aligner, synthetic 10 MB pair, 30 passages (best of $REPEAT)"
"$ALIGN" --size 10 --passages 30 --repeat "$REPEAT" --dump "$TMP/pair10" | tee "$TMP/align10.txt"
rule "2. aligner, synthetic 2.5 MB pair, for scaling (best of $REPEAT)"
"$ALIGN" --size 2.5 --passages 30 --repeat "$REPEAT" | tee "$TMP/align2.txt"

if [ "$have_data" = 1 ] && [ -d "$DATA/bbc-news" ]; then
    rule "3. aligner, real prose from $DATA/bbc-news (best of $REPEAT)"
    "$ALIGN" --prose bbc --data "$DATA" --repeat "$REPEAT" | tee "$TMP/bbc.txt"
else
    rule "3. aligner, real prose: skipped ($DATA/bbc-news not found)"
fi

rule "4. CLI: $CLI compare --format json"
cli_big=""
if [ -f "$TMP/pair10.a.txt" ]; then
    s=$(date +%s%N)
    "$CLI" compare --format json "$TMP/pair10.a.txt" "$TMP/pair10.b.txt" > "$TMP/cli10.json"
    rc=$?
    e=$(date +%s%N)
    case "$s$e" in
    *N*) echo "10 MB pair: date +%s%N is not supported here; not timed" ;;
    *)
        cli_big=$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", (e - s) / 1e9 }')
        echo "10 MB pair: $cli_big s, exit status $rc, $(wc -c < "$TMP/cli10.json") bytes of JSON"
        ;;
    esac
fi

cli_seed=""
cli_how=""
A=""
B=""
if [ "$have_data" = 1 ]; then
    A=$(ls "$DATA"/seeds/000_*.txt 2>/dev/null | head -n 1)
    B=$(ls "$DATA"/seeds/001_*.txt 2>/dev/null | head -n 1)
fi
if [ "$have_data" = 0 ] || [ -z "$A" ] || [ -z "$B" ]; then
    echo "seed pair: skipped ($DATA/seeds/000_*.txt and 001_*.txt not found)"
elif command -v hyperfine > /dev/null 2>&1; then
    echo "seed pair: $A $B ($(wc -c < "$A") and $(wc -c < "$B") bytes), hyperfine:"
    # -N (no shell between runs; hyperfine >= 1.13) matters for runs this short.
    noshell=""
    hyperfine --help 2>/dev/null | grep -q -e '--shell' && noshell="-N"
    hyperfine $noshell --warmup 3 --runs "$RUNS" --export-json "$TMP/hf.json" \
        "$CLI compare --format json '$A' '$B'"
    # Seconds in hyperfine's JSON; the first "mean" is the command's.
    mean=$(sed -n 's/.*"mean": *\([0-9.eE+-]*\).*/\1/p' "$TMP/hf.json" | head -n 1)
    [ -n "$mean" ] && cli_seed=$(awk -v m="$mean" 'BEGIN { printf "%.2f", m * 1000 }')
    cli_how="hyperfine, $RUNS runs"
else
    echo "seed pair: $A $B ($(wc -c < "$A") and $(wc -c < "$B") bytes)"
    echo "hyperfine is not installed; timing $RUNS runs with date +%s%N"
    case "$(date +%N)" in
    *N*) echo "date +%s%N is not supported here; seed pair not timed" ;;
    *)
        "$CLI" compare --format json "$A" "$B" > /dev/null # warm the cache
        i=0
        : > "$TMP/ns.txt"
        while [ "$i" -lt "$RUNS" ]; do
            s=$(date +%s%N)
            "$CLI" compare --format json "$A" "$B" > /dev/null
            e=$(date +%s%N)
            echo "$((e - s))" >> "$TMP/ns.txt"
            i=$((i + 1))
        done
        sort -n "$TMP/ns.txt" | awk '
            { t[NR] = $1 / 1e6; sum += t[NR] }
            END { printf "  mean %.2f ms, min %.2f ms, median %.2f ms, max %.2f ms (%d runs, each including the date calls)\n",
                  sum / NR, t[1], t[int((NR + 1) / 2)], t[NR], NR }'
        cli_seed=$(awk '{ s += $1 } END { printf "%.2f", s / NR / 1e6 }' "$TMP/ns.txt")
        cli_how="shell loop, $RUNS runs"
        ;;
    esac
fi

rule "MinHash sketching (bench_sketch)"
if [ -x "$BUILD/bench/bench_sketch" ]; then
    "$BUILD/bench/bench_sketch" | tee "$TMP/sketch.txt"
fi

rule "summary"
echo "aligner, 10 MB synthetic:   $(grep '^found ' "$TMP/align10.txt")"
echo "  recall    $(grep '^  recall' "$TMP/align10.txt" | sed 's/^ *recall *//; s/ *(.*//')," \
    "precision $(grep '^  precision' "$TMP/align10.txt" | sed 's/^ *precision *//; s/ *(.*//')," \
    "peak RSS $(awk '$1 == "peak" { print $3; exit }' "$TMP/align10.txt") MB"
c10=$(field "$TMP/align10.txt" compare)
c2=$(field "$TMP/align2.txt" compare)
t10=$(field "$TMP/align10.txt" total)
if [ -n "$c10" ] && [ -n "$c2" ]; then
    awk -v a="$c2" -v b="$c10" 'BEGIN {
        printf "scaling 2.5 -> 10 MB:       compare %.2f s -> %.2f s, x%.2f for x4 the input (%.2f of linear)\n",
               a, b, b / a, b / a / 4 }'
fi
if [ -f "$TMP/bbc.txt" ]; then
    echo "aligner, real prose (bbc):  $(grep '^found ' "$TMP/bbc.txt" | sed 's/; the bar.*/)/; s/ (the bar.*//')," \
        "$(grep '^  A ' "$TMP/bbc.txt" | awk '{ print $2 }') MB per side"
    echo "  recall    $(grep '^  recall' "$TMP/bbc.txt" | sed 's/^ *recall *//; s/ *(.*//')," \
        "precision $(grep '^  precision' "$TMP/bbc.txt" | sed 's/^ *precision *//; s/ *(.*//')" \
        "(stray passages in real news are often genuine shared quotes)"
fi
if [ -n "$cli_big" ] && [ -n "$t10" ]; then
    awk -v c="$cli_big" -v l="$t10" 'BEGIN {
        printf "CLI, 10 MB pair:            %.2f s, %.2f x the library alone (%.2f s)\n", c, c / l, l }'
fi
if [ -n "$cli_seed" ]; then
    echo "CLI, seed pair:             $cli_seed ms per run ($cli_how)"
fi
if [ -f "$TMP/sketch.txt" ]; then
    grep '^sketch' "$TMP/sketch.txt"
fi
exit 0
