#!/bin/sh
# mpi.sh - `reprint-mpi dedup` on 1, 2 and 4 ranks against one process:
# wall time, peak memory of every rank, bytes exchanged per document and
# the slowest rank's time per stage, and whether the outputs are identical.
#
#   bench/mpi.sh [DOCS]        DOCS: number of documents (default 100000)
#
# Run from the project root after `make all build/bench/dedup_gen`. The
# corpus is bench/dedup_gen's (real news prose from ../shared/data with 10%
# injected near-duplicates, about 3.3 KB per document), cached in
# bench/out. Each run is `dedup CORPUS --pairs P --clusters C -o O -j1`
# (one thread per rank, so rank counts compare like for like), under GNU
# time for peak RSS; the ranks run with mpirun on loopback only. This
# machine has 2 cores shared with other jobs: wall times at 4 ranks are
# oversubscribed and say little; memory and traffic are the scaling
# evidence. Not part of `make test`; the exit status is 0 whatever the
# figures (1 when a program is missing).
#
# Environment: BUILD (build), REPRINT_DATA (../shared/data),
# DEDUP_BENCH_DIR (bench/out), MPI_RANKS ("1 2 4").
set -u
BUILD=${BUILD:-build}
DATA=${REPRINT_DATA:-../shared/data}
OUT=${DEDUP_BENCH_DIR:-bench/out}
N=${1:-100000}
RANKS=${MPI_RANKS:-"1 2 4"}
GEN=$BUILD/bench/dedup_gen
for p in "$BUILD/reprint" "$BUILD/reprint-mpi" "$GEN" /usr/bin/time; do
    [ -x "$p" ] || { echo "mpi bench: $p is missing (make all build/bench/dedup_gen; apt-get install time)" >&2; exit 1; }
done
[ -d "$DATA/reuters21578" ] || { echo "mpi bench: $DATA/reuters21578 not found; skipped" >&2; exit 0; }
mkdir -p "$OUT" || exit 1
corpus="$OUT/dedup-$N-s1-r0.10-v$($GEN --version).jsonl"
if [ ! -s "$corpus" ]; then
    echo "mpi bench: generating $corpus" >&2
    $GEN --docs "$N" --seed 1 --dup-rate 0.10 --data "$DATA" --out "${corpus%.jsonl}" >&2 || exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/reprint-mpi.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
MB=$(du -m "$corpus" | cut -f1)
printf '== reprint-mpi dedup: %s documents (%s MB JSONL), -j1 per rank ==\n' "$N" "$MB"
now() { date +%s.%N; }
# one process
s=$(now)
/usr/bin/time -f "peak_kb %M" "$BUILD/reprint" dedup -j1 "$corpus" --pairs "$TMP/p0" \
    --clusters "$TMP/c0" -o "$TMP/o0" 2> "$TMP/e0"
e=$(now)
one_kb=$(sed -n 's/^peak_kb //p' "$TMP/e0")
printf '%-12s %8s s   peak %7.1f MB\n' "1 process" "$(echo "$e - $s" | bc)" "$(echo "$one_kb / 1024" | bc -l)"
for n in $RANKS; do
    s=$(now)
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe \
        --mca btl self,vader --mca oob_tcp_if_include lo --mca btl_tcp_if_include lo -n "$n" \
        /usr/bin/time -f "peak_kb %M" "$BUILD/reprint-mpi" dedup -j1 "$corpus" \
        --pairs "$TMP/p$n" --clusters "$TMP/c$n" -o "$TMP/o$n" 2> "$TMP/e$n"
    e=$(now)
    same=identical
    for f in p c o; do cmp -s "$TMP/${f}0" "$TMP/$f$n" || same="DIFFERENT ($f)"; done
    peaks=$(sed -n 's/^peak_kb //p' "$TMP/e$n" | sort -n | awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $1 / 1024 }')
    max=$(sed -n 's/^peak_kb //p' "$TMP/e$n" | sort -n | tail -n 1)
    printf '%-12s %8s s   peak per rank (MB): %s; largest %.0f%% of one process; outputs %s\n' \
        "$n ranks" "$(echo "$e - $s" | bc)" "$peaks" "$(echo "100 * $max / $one_kb" | bc -l)" "$same"
    sed -n 's/^reprint dedup: on [0-9]* ranks\{0,1\}: /    /p' "$TMP/e$n"
done
