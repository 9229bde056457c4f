#!/bin/sh
# dedup.sh - the `reprint dedup` benchmark: speed, memory and pair accuracy on
# a synthetic corpus of real news prose with injected near-duplicates, and,
# when datasketch is available, the same job done by datasketch.
#
#   bench/dedup.sh [SIZE...]      SIZE: 10k, 100k, 1M or a number of documents
#
# Run from the project root after `make all build/bench/dedup_gen
# build/bench/dedup_score` (`make bench` does both, then runs this with the
# default sizes). For each size:
#  1. bench/dedup_gen writes DIR/dedup-N-sSEED-rRATE-vVERSION.jsonl (about
#     3.3 KB per document: 10k 33 MB, 100k 330 MB, 1M 3.3 GB), .truth.tsv
#     (the exact word 5-gram Jaccard of every injected pair) and .stats,
#     once: later runs reuse them (the name holds everything they depend on
#     but the data files). See bench/dedup_gen.c for how the corpus is made.
#  2. Up to DEDUP_FULL_TRUTH_MAX documents (default 10000), bench/dedup_score
#     --all-pairs finds every pair of the corpus at J >= the threshold,
#     exactly, so recall counts accidental near-duplicates too. Above it, the
#     truth is the injected pairs plus every reported pair, whose exact J is
#     computed: precision is exact, recall is over injected + found pairs
#     (the output says so). DEDUP_FULL_TRUTH_MAX=100000 makes the truth
#     complete at 100k too (about a minute and 1.3 GB, once: it is cached).
#  3. `reprint dedup CORPUS --pairs P --clusters C --threshold T -q` runs at
#     -j1, -j2, the default thread count, and the default with --mem-limit
#     256M (--clusters, -q and --mem-limit only if `reprint dedup --help`
#     lists them): wall time (date +%s%N), CPU time and peak RSS (GNU time),
#     docs/s and MB/s of JSONL; the pairs and clusters files of all runs must
#     be byte-identical; the -j1 pairs are scored.
#  4. With DATASKETCH_DIR set (a datasketch checkout outside the repository;
#     it needs Debian's python3-numpy and python3-scipy, installed here when
#     missing and running as root), bench/dedup_datasketch.py does the same
#     job with MinHash + MinHashLSH (128 permutations, same threshold, same
#     word 5-grams) on corpora of up to DATASKETCH_MAX_DOCS documents
#     (default 10000: 2-4 s per 1000 documents here), timed and scored the
#     same way; the ratio of its time to reprint's -j1 time on the same
#     corpus is printed. Larger sizes show datasketch's time extrapolated
#     from its rate on the largest corpus it ran on, marked as an estimate;
#     when no size was small enough, both datasketch and reprint -j1 run on
#     the first DATASKETCH_MAX_DOCS documents of the first corpus, for the
#     ratio on equal input.
# A summary follows. The bars (issue text): precision and recall >= 0.99 at
# J >= 0.8; -j1 at least 50x datasketch end to end; 1M documents in < 60 s
# with peak RSS < 1.5 GB, also completing with --mem-limit 256M.
#
# Benchmarks report and do not judge: the exit status is 0 whatever the
# figures; 1 when a program it needs is missing or the corpus cannot be
# made. Missing data (../shared/data) is reported and the benchmark skipped.
#
# Environment:
#   BUILD (build)                 where the programs are
#   REPRINT_DATA (../shared/data) Reuters-21578 and BBC News
#   DEDUP_BENCH_DIR (bench/out)   where corpora are cached (git-ignored)
#   DEDUP_SEED (1), DEDUP_DUP_RATE (0.10), DEDUP_THRESHOLD (0.8)
#   DEDUP_REPRINT ($BUILD/reprint) the program whose `dedup` is measured
#   DEDUP_MEM_LIMIT (256M), DEDUP_FULL_TRUTH_MAX (10000)
#   BENCH_1M=1                    add 1M to the default sizes (10k 100k)
#   DATASKETCH_DIR, DATASKETCH_MAX_DOCS (10000), DATASKETCH_UPDATE (batch|loop)
#   DEDUP_PYTHON (/usr/bin/python3: Debian's, with Debian's numpy and scipy)
set -u

BUILD=${BUILD:-build}
DATA=${REPRINT_DATA:-../shared/data}
OUT=${DEDUP_BENCH_DIR:-bench/out}
SEED=${DEDUP_SEED:-1}
RATE=${DEDUP_DUP_RATE:-0.10}
T=${DEDUP_THRESHOLD:-0.8}
REPRINT=${DEDUP_REPRINT:-$BUILD/reprint}
MEM=${DEDUP_MEM_LIMIT:-256M}
FULL_MAX=${DEDUP_FULL_TRUTH_MAX:-10000}
DS_MAX=${DATASKETCH_MAX_DOCS:-10000}
DS_UPDATE=${DATASKETCH_UPDATE:-batch}
PY=${DEDUP_PYTHON:-/usr/bin/python3}
GEN=$BUILD/bench/dedup_gen
SCORE=$BUILD/bench/dedup_score
HERE=$(dirname "$0")

rule() {
    printf '\n== %s ==\n' "$1"
}

for prog in "$GEN" "$SCORE"; do
    if [ ! -x "$prog" ]; then
        echo "dedup bench: $prog is missing; run 'make bench' from the project root" >&2
        exit 1
    fi
done

rule "dedup: reprint dedup on news prose with injected near-duplicates"
for d in reuters21578 bbc-news; do
    if [ ! -d "$DATA/$d" ]; then
        echo "dedup bench: $DATA/$d not found: the corpus is generated from the Reuters-21578" \
            "and BBC News data in the shared data directory (set REPRINT_DATA); skipped" >&2
        exit 0
    fi
done

# Sizes.
if [ $# -eq 0 ]; then
    set -- 10k 100k
    [ "${BENCH_1M:-0}" = 1 ] && set -- 10k 100k 1M
fi
sizes=""
for s in "$@"; do
    case "$s" in
    *[kK]) num=${s%[kK]} mul=1000 ;;
    *[mM]) num=${s%[mM]} mul=1000000 ;;
    *) num=$s mul=1 ;;
    esac
    case "$num" in
    "" | *[!0-9]* | 0*) echo "dedup bench: bad size '$s' (10k, 100k, 1M or a number)" >&2; exit 1 ;;
    esac
    sizes="$sizes $((num * mul))"
done

mkdir -p "$OUT" || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/reprint-dedup.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

# GNU time for peak RSS; installed when missing and possible.
TIME=/usr/bin/time
if [ ! -x "$TIME" ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
    echo "dedup bench: installing GNU time (for peak RSS)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time > /dev/null 2>&1 ||
        { apt-get update -qq > /dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time > /dev/null 2>&1; }
fi
[ -x "$TIME" ] || { TIME=""; echo "note: GNU time (/usr/bin/time) is missing: no peak RSS"; }

case "$(date +%N)" in
*N*) echo "dedup bench: date +%s%N is not supported here; cannot time" >&2; exit 1 ;;
esac

# timed NAME CMD...: run CMD with stdout to /dev/null and stderr to
# $TMP/NAME.err; writes "wall_seconds rss_kb status cpu_seconds" to
# $TMP/NAME.t (CPU: user + system, from GNU time; 0 without it). On a busy
# machine CPU time moves less than wall time: both are shown.
timed() {
    name=$1
    shift
    s=$(date +%s%N)
    if [ -n "$TIME" ]; then
        "$TIME" -f '%M %U %S' -o "$TMP/$name.rss" "$@" > /dev/null 2> "$TMP/$name.err"
        rc=$?
    else
        "$@" > /dev/null 2> "$TMP/$name.err"
        rc=$?
    fi
    e=$(date +%s%N)
    usage=$(tail -n 1 "$TMP/$name.rss" 2> /dev/null | grep -E '^[0-9]+ [0-9.]+ [0-9.]+$' ||
        echo "0 0 0")
    echo "$usage" | awk -v s="$s" -v e="$e" -v rc="$rc" '{
        printf "%.3f %d %s %.2f\n", (e - s) / 1e9, $1, rc, $2 + $3 }' > "$TMP/$name.t"
}

# row LABEL NAME DOCS BYTES: one line of the timing table.
row() {
    read -r sec rss rc cpu < "$TMP/$2.t"
    awk -v l="$1" -v s="$sec" -v r="$rss" -v c="$rc" -v n="$3" -v b="$4" -v u="$cpu" 'BEGIN {
        rs = r > 0 ? sprintf("%9.0f", r / 1024) : "      n/a"
        us = r > 0 ? sprintf("%8.2f", u) : "     n/a"
        printf "  %-24s %8.2f %s %10.0f %8.1f %s %5s\n", l, s, us, n / s, b / 1e6 / s, rs, c }'
}

header() {
    printf '  %-24s %8s %8s %10s %8s %9s %5s\n' "run" "wall s" "CPU s" "docs/s" "MB/s" "RSS MB" \
        "exit"
}

# score LABEL PAIRS [OPTION...]: dedup_score on a pairs file against the
# truth of the current size ($base, $corpus, $all).
score() {
    label=$1
    pairs=$2
    shift 2
    if [ -n "$all" ]; then
        "$SCORE" --threshold "$T" --truth "$base.truth.tsv" --truth "$all" --complete \
            --corpus "$corpus" --label "$label" "$@" "$pairs"
    else
        "$SCORE" --threshold "$T" --truth "$base.truth.tsv" --corpus "$corpus" \
            --label "$label" "$@" "$pairs"
    fi
}

# The -j1 figures and scores of each size, for the summary.
: > "$TMP/summary"
: > "$TMP/ratios"

have_dedup=0
opt_clusters=""
opt_quiet=""
have_mem=0
if [ -x "$REPRINT" ] && "$REPRINT" dedup --help > "$TMP/dedup-help.txt" 2>&1; then
    have_dedup=1
    # Options the benchmark uses only if this build has them.
    grep -q -e '--clusters' "$TMP/dedup-help.txt" && opt_clusters=1
    grep -q -e '-q\b' -e '--quiet' "$TMP/dedup-help.txt" && opt_quiet=-q
    if grep -q -e '--mem-limit' "$TMP/dedup-help.txt" && grep -q -e '--tmpdir' "$TMP/dedup-help.txt"; then
        have_mem=1
    else
        echo "note: '$REPRINT dedup --help' shows no --mem-limit/--tmpdir: that run is skipped"
    fi
else
    echo "note: '$REPRINT dedup' is not available in this build: only the corpus, the truth" \
        "and datasketch (if set up) are run"
fi

ncpu=$(getconf _NPROCESSORS_ONLN 2> /dev/null || echo 1)
gen_version=$("$GEN" --version) || exit 1
echo "machine: $(uname -srm), $ncpu CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg 2> /dev/null)" \
    "(other work skews timings)"
echo "corpus cache: $OUT (seed $SEED, dup-rate $RATE); threshold $T"

# datasketch set-up.
have_ds=0
if [ -n "${DATASKETCH_DIR:-}" ] && [ ! -x "$PY" ]; then
    echo "note: datasketch skipped: $PY not found (set DEDUP_PYTHON)"
elif [ -n "${DATASKETCH_DIR:-}" ]; then
    if ! "$PY" -c 'import numpy, scipy' > /dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
            echo "dedup bench: installing python3-numpy and python3-scipy for datasketch" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-scipy \
                > /dev/null 2>&1
        fi
    fi
    if ! "$PY" -c 'import numpy, scipy' > /dev/null 2>&1; then
        echo "note: datasketch skipped: $PY lacks numpy or scipy" \
            "(Debian: apt-get install python3-numpy python3-scipy)"
    elif ! DATASKETCH_DIR="$DATASKETCH_DIR" "$PY" -c \
        'import os, sys; sys.path.insert(0, os.environ["DATASKETCH_DIR"]); from datasketch import MinHash, MinHashLSH' \
        > "$TMP/ds-import.err" 2>&1; then
        echo "note: datasketch skipped: it does not import from DATASKETCH_DIR=$DATASKETCH_DIR:"
        tail -n 1 "$TMP/ds-import.err" | sed 's/^/  /'
    else
        have_ds=1
        echo "datasketch: $DATASKETCH_DIR ($PY), up to $DS_MAX documents, update=$DS_UPDATE"
    fi
else
    echo "note: DATASKETCH_DIR is not set: no datasketch comparison"
fi
ds_rate="" # datasketch docs/s on the largest corpus it ran on
ds_rate_n=""

for n in $sizes; do
    base="$OUT/dedup-$n-s$SEED-r$RATE-v$gen_version"
    corpus="$base.jsonl"
    rule "dedup, $n documents"
    if [ -f "$base.stats" ] && [ -f "$corpus" ] && [ -f "$base.truth.tsv" ]; then
        echo "corpus: $corpus (cached)"
        cat "$base.stats"
    else
        echo "corpus: generating $corpus"
        s=$(date +%s%N)
        if ! "$GEN" --docs "$n" --seed "$SEED" --dup-rate "$RATE" --data "$DATA" --out "$base"; then
            echo "dedup bench: the corpus could not be generated" >&2
            exit 1
        fi
        e=$(date +%s%N)
        awk -v s="$s" -v e="$e" 'BEGIN { printf "(generated in %.1f s)\n", (e - s) / 1e9 }'
    fi
    bytes=$(wc -c < "$corpus" | tr -d ' ')

    # Truth.
    all="" # the complete truth file, when there is one
    if [ "$n" -le "$FULL_MAX" ]; then
        all="$base.allpairs-t$T.tsv"
        if [ ! -f "$all" ]; then
            if "$SCORE" --all-pairs --threshold "$T" "$corpus" > "$all.tmp" 2> "$TMP/allpairs.err"; then
                mv "$all.tmp" "$all"
                sed 's/^dedup_score --all-pairs: /truth: all pairs, exact: /' "$TMP/allpairs.err"
            else
                cat "$TMP/allpairs.err" >&2
                rm -f "$all.tmp"
                all=""
            fi
        fi
        if [ -n "$all" ]; then
            echo "truth: every pair at J >= $T, exact ($(wc -l < "$all" | tr -d ' ') pairs," \
                "$(awk -F'\t' -v t="$T" '!/^#/ && $4 / $5 >= t' "$base.truth.tsv" | wc -l | tr -d ' ') of them injected)"
        fi
    else
        echo "truth: injected pairs + reported pairs, exact J (above DEDUP_FULL_TRUTH_MAX=$FULL_MAX" \
            "documents all pairs are not computed, so recall is over injected + found pairs)"
    fi

    j1=""
    if [ "$have_dedup" = 1 ]; then
        runs="j1 j2 jdef"
        [ "$have_mem" = 1 ] && runs="$runs mem"
        mkdir -p "$TMP/spill"
        echo
        header
        for r in $runs; do
            case $r in
            j1) label="-j1"; set -- -j1 ;;
            j2) label="-j2"; set -- -j2 ;;
            jdef) label="default threads"; set -- ;;
            mem) label="--mem-limit $MEM"; set -- --mem-limit "$MEM" --tmpdir "$TMP/spill" ;;
            esac
            [ -n "$opt_clusters" ] && set -- "$@" --clusters "$TMP/$r.clusters"
            [ -n "$opt_quiet" ] && set -- "$@" "$opt_quiet"
            timed "$r" "$REPRINT" dedup "$corpus" --pairs "$TMP/$r.pairs" --threshold "$T" "$@"
            row "$label" "$r" "$n" "$bytes"
            read -r sec rss rc cpu < "$TMP/$r.t"
            if [ "$rc" != 0 ]; then
                echo "    failed (exit $rc):"
                tail -n 5 "$TMP/$r.err" | sed 's/^/    /'
            fi
        done
        # Same answer whatever the threads and memory.
        same=1
        for r in $runs; do
            [ "$r" = j1 ] && continue
            for f in pairs clusters; do
                if [ -f "$TMP/j1.$f" ] || [ -f "$TMP/$r.$f" ]; then
                    if ! cmp -s "$TMP/j1.$f" "$TMP/$r.$f"; then
                        same=0
                        echo "  DIFFERENT: $f of $r differs from -j1"
                    fi
                fi
            done
        done
        what="pairs"
        [ -n "$opt_clusters" ] && what="pairs and clusters"
        [ "$same" = 1 ] && echo "  outputs: $what byte-identical across the runs" \
            "($(wc -l < "$TMP/j1.pairs" 2> /dev/null | tr -d ' ') pairs)"
        read -r j1 j1_rss j1_rc j1_cpu < "$TMP/j1.t"
        mem_s=0 mem_rss=0 mem_rc=skipped
        [ -f "$TMP/mem.t" ] && read -r mem_s mem_rss mem_rc cpu < "$TMP/mem.t"
        echo
        if [ -f "$TMP/j1.pairs" ]; then
            score "reprint -j1" "$TMP/j1.pairs" > "$TMP/score.txt"
            grep -v '^score' "$TMP/score.txt"
            sc=$(grep '^score' "$TMP/score.txt" | cut -f3,4)
        else
            sc="- -"
        fi
        echo "  bars: precision and recall >= 0.99 at J >= $T"
        [ "$n" -ge 1000000 ] && echo "  bars at 1M: < 60 s with peak RSS < 1.5 GB;" \
            "completes with --mem-limit 256M"
        read -r def_s def_rss def_rc cpu < "$TMP/jdef.t"
        # shellcheck disable=SC2086
        set -- $sc
        awk -v n="$n" -v s="$j1" -v r="$j1_rss" -v c="$j1_rc" -v ds="$def_s" -v dr="$def_rss" \
            -v dc="$def_rc" -v ms="$mem_s" -v mr="$mem_rss" -v mc="$mem_rc" -v b="$bytes" \
            -v p="$1" -v q="$2" -v m="$MEM" 'BEGIN {
            printf "%-8d reprint -j1       %8s  %6.0f MB  %8.0f docs/s  %6.1f MB/s%s\n", n,
                   c == 0 ? sprintf("%.2f s", s) : "failed", r / 1024, n / s, b / 1e6 / s, ""
            printf "%-8s reprint default   %8s  %6.0f MB\n", "", dc == 0 ? sprintf("%.2f s", ds) : "failed", dr / 1024
            if (mc == "skipped")
                printf "%-8s reprint mem %-5s  skipped (no --mem-limit)\n", "", m
            else
                printf "%-8s reprint mem %-5s %8s  %6.0f MB\n", "", m, mc == 0 ? sprintf("%.2f s", ms) : "failed", mr / 1024
            printf "%-8s reprint scores    precision %s, recall %s\n", "", p, q }' >> "$TMP/summary"
    fi

    # datasketch.
    if [ "$have_ds" = 1 ] && [ "$n" -le "$DS_MAX" ]; then
        echo
        echo "datasketch on the same corpus (MinHash + MinHashLSH, 128 permutations, T=$T):"
        timed ds env DATASKETCH_DIR="$DATASKETCH_DIR" "$PY" "$HERE/dedup_datasketch.py" \
            --threshold "$T" --num-perm 128 --update "$DS_UPDATE" --pairs "$TMP/ds.pairs" "$corpus"
        header
        row "datasketch" ds "$n" "$bytes"
        read -r ds_s ds_rss ds_rc ds_cpu < "$TMP/ds.t"
        sed 's/^/  /' "$TMP/ds.err"
        if [ "$ds_rc" = 0 ]; then
            score "datasketch" "$TMP/ds.pairs" > "$TMP/ds-score.txt"
            grep -v '^score' "$TMP/ds-score.txt" | grep -v '^  \|pairs (up to'
            score "datasketch, estimate >= $T" "$TMP/ds.pairs" --min-sim "$T" \
                > "$TMP/ds-score2.txt"
            grep -e 'precision' -e 'recall' "$TMP/ds-score2.txt" | grep -v '^score'
            ds_rate=$(awk -v n="$n" -v s="$ds_s" 'BEGIN { printf "%.1f", n / s }')
            ds_rate_n=$n
            # shellcheck disable=SC2046
            set -- $(grep '^score' "$TMP/ds-score.txt" | cut -f3,4) \
                $(grep '^score' "$TMP/ds-score2.txt" | cut -f3,4)
            awk -v n="$n" -v s="$ds_s" -v r="$ds_rss" -v b="$bytes" -v p="$1" -v q="$2" \
                -v p2="$3" -v q2="$4" -v t="$T" 'BEGIN {
                printf "%-8d datasketch        %8s  %6.0f MB  %8.0f docs/s  %6.1f MB/s\n", n,
                       sprintf("%.2f s", s), r / 1024, n / s, b / 1e6 / s
                printf "%-8s datasketch scores precision %s, recall %s (pairs with estimate >= %s: %s, %s)\n",
                       "", p, q, t, p2, q2 }' >> "$TMP/summary"
            if [ -n "$j1" ] && [ "${j1_rc:-1}" = 0 ]; then
                awk -v d="$ds_s" -v r="$j1" -v n="$n" -v dc="$ds_cpu" -v rc="$j1_cpu" 'BEGIN {
                    printf "ratio: datasketch %.2f s / reprint -j1 %.2f s = %.1fx at %d documents (bar >= 50x)", d, r, d / r, n
                    if (dc > 0 && rc > 0) printf "; CPU time %.2f s / %.2f s = %.1fx", dc, rc, dc / rc
                    printf "\n" }' \
                    | tee -a "$TMP/ratios" | sed 's/^/  /'
            fi
        fi
    elif [ "$have_ds" = 1 ]; then
        if [ -z "$ds_rate" ]; then
            # No smaller corpus was run: time both on the first DS_MAX
            # documents of this one, for a ratio on equal input.
            echo
            echo "datasketch and reprint -j1 on the first $DS_MAX documents of this corpus" \
                "(a subsample: the ratio on equal input; not scored):"
            head -n "$DS_MAX" "$corpus" > "$TMP/sub.jsonl"
            sub_bytes=$(wc -c < "$TMP/sub.jsonl" | tr -d ' ')
            timed ds env DATASKETCH_DIR="$DATASKETCH_DIR" "$PY" "$HERE/dedup_datasketch.py" \
                --threshold "$T" --num-perm 128 --update "$DS_UPDATE" --pairs "$TMP/ds.pairs" \
                "$TMP/sub.jsonl"
            header
            row "datasketch" ds "$DS_MAX" "$sub_bytes"
            read -r ds_s ds_rss ds_rc ds_cpu < "$TMP/ds.t"
            if [ "$have_dedup" = 1 ]; then
                set -- -j1
                [ -n "$opt_quiet" ] && set -- "$@" "$opt_quiet"
                timed sub "$REPRINT" dedup "$TMP/sub.jsonl" --pairs "$TMP/sub.pairs" \
                    --threshold "$T" "$@"
                row "reprint -j1" sub "$DS_MAX" "$sub_bytes"
                read -r sub_s _ sub_rc sub_cpu < "$TMP/sub.t"
                if [ "$ds_rc" = 0 ] && [ "$sub_rc" = 0 ]; then
                    awk -v d="$ds_s" -v r="$sub_s" -v n="$DS_MAX" -v dc="$ds_cpu" -v rc="$sub_cpu" \
                        -v m="$n" 'BEGIN {
                        printf "ratio: datasketch %.2f s / reprint -j1 %.2f s = %.1fx on the first %d documents of the %d (bar >= 50x)", d, r, d / r, n, m
                        if (dc > 0 && rc > 0) printf "; CPU time %.2f s / %.2f s = %.1fx", dc, rc, dc / rc
                        printf "\n" }' | tee -a "$TMP/ratios" | sed 's/^/  /'
                fi
            fi
            [ "$ds_rc" = 0 ] && ds_rate=$(awk -v n="$DS_MAX" -v s="$ds_s" 'BEGIN { printf "%.1f", n / s }')
            ds_rate_n=$DS_MAX
        fi
        [ -n "$ds_rate" ] || continue
        echo
        awk -v n="$n" -v r="$ds_rate" -v m="$ds_rate_n" -v j="$j1" 'BEGIN {
            est = n / r
            printf "datasketch: not run at %d documents (DATASKETCH_MAX_DOCS); at its rate on %d documents (%.0f docs/s) it would take about %.0f s", n, m, r, est
            if (j != "") printf " (estimate: %.0fx reprint -j1)", est / j
            printf "\n" }' | tee -a "$TMP/ratios"
    fi
done

rule "dedup summary"
if [ ! -s "$TMP/summary" ]; then
    echo "(nothing was timed)"
    exit 0
fi
echo "docs     run                 wall    peak RSS   (throughput: JSONL in, pairs out)"
cat "$TMP/summary"
[ -s "$TMP/ratios" ] && cat "$TMP/ratios"
exit 0
