#!/bin/sh
# pairs.sh - per-pair speed of rp_compare() against a baseline build, in one run.
#
# Builds the baseline commit (BASELINE, default e3059eb: the main before the
# aligner rework) in a detached git worktree under $BUILD/baseline, links
# bench/bench_pairs.c against its libreprint.a and against this tree's, and
# runs the two side by side ROUNDS times (default 3) on the same BBC pairs,
# alternating, keeping each one's best. Prints pairs/s of both and the ratio.
# With CALLGRIND=1 it also prints the instructions of rp_compare for each
# under callgrind (repeatable on a busy machine). Exits 0 whatever it
# measures; 1 when it cannot build or run.
#
# Environment: BUILD (default build), BASELINE, ROUNDS, ARTICLES (default
# 400, so 800 pairs), REPRINT_DATA (default ../shared/data).
set -u
BUILD=${BUILD:-build}
BASELINE=${BASELINE:-e3059eb}
ROUNDS=${ROUNDS:-3}
ARTICLES=${ARTICLES:-400}
DATA=${REPRINT_DATA:-../shared/data}
BASE_DIR=$BUILD/baseline
PKGS="libutf8proc libxxhash libcjson zlib libzstd sqlite3"
LIBS="$(pkg-config --libs $PKGS) -lpthread -lm"
CFLAGS="-std=c11 -O2 -g -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"

if [ ! -d "$DATA/bbc-news" ]; then
    echo "bench pairs: $DATA/bbc-news not found, skipped"
    exit 0
fi
if [ ! -e "$BASE_DIR/.git" ]; then
    git worktree add --detach "$BASE_DIR" "$BASELINE" >/dev/null 2>&1 ||
        { echo "bench pairs: cannot check out $BASELINE into $BASE_DIR" >&2; exit 1; }
fi
(cd "$BASE_DIR" && git checkout -q --detach "$BASELINE" && make -s all >/dev/null 2>&1) ||
    { echo "bench pairs: cannot build $BASELINE" >&2; exit 1; }
make -s all >/dev/null 2>&1 || { echo "bench pairs: cannot build this tree" >&2; exit 1; }
mkdir -p "$BUILD/bench"
cc $CFLAGS -I"$BASE_DIR/include" bench/bench_pairs.c "$BASE_DIR/build/libreprint.a" $LIBS \
    -o "$BUILD/bench/bench_pairs_base" 2>/dev/null &&
    cc $CFLAGS -Iinclude bench/bench_pairs.c "$BUILD/libreprint.a" $LIBS \
        -o "$BUILD/bench/bench_pairs" ||
    { echo "bench pairs: cannot build bench_pairs" >&2; exit 1; }

best_base=0 best_new=0
i=0
while [ $i -lt "$ROUNDS" ]; do
    b=$("$BUILD/bench/bench_pairs_base" --articles "$ARTICLES" --repeat 1 --data "$DATA" |
        awk '$1 == "pairs_per_s" {print $2}')
    n=$("$BUILD/bench/bench_pairs" --articles "$ARTICLES" --repeat 1 --data "$DATA" |
        awk '$1 == "pairs_per_s" {print $2}')
    [ "${b:-0}" -gt "$best_base" ] && best_base=$b
    [ "${n:-0}" -gt "$best_new" ] && best_new=$n
    i=$((i + 1))
done
pairs=$("$BUILD/bench/bench_pairs" --articles "$ARTICLES" --repeat 1 --data "$DATA" |
    awk '$1 == "pairs" {print $2}')
echo "bench pairs: $pairs BBC pairs (~4 KB each), one thread, best of $ROUNDS, side by side"
echo "  baseline $BASELINE: $best_base pairs/s"
echo "  this tree:        $best_new pairs/s"
awk -v a="$best_new" -v b="$best_base" 'BEGIN { if (b > 0) printf "  ratio: %.2fx\n", a / b }'
if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
    for v in bench_pairs_base bench_pairs; do
        valgrind --tool=callgrind --callgrind-out-file="$BUILD/bench/$v.cg" "$BUILD/bench/$v" \
            --articles 60 --repeat 1 --data "$DATA" >/dev/null 2>&1
        ir=$(callgrind_annotate --inclusive=yes "$BUILD/bench/$v.cg" 2>/dev/null |
            awk '/compare.c:rp_compare / {print $1; exit}')
        echo "  $v: rp_compare $ir instructions on 120 pairs (callgrind)"
    done
fi
exit 0
