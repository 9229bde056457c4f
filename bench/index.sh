#!/bin/sh
# bench/index.sh - the reuse index at scale: add throughput, size on disk,
# query latency, and the seed pair found among 100k documents.
#
#   sh bench/index.sh                 1M documents (about 10 minutes here)
#   N=100000 Q=200 sh bench/index.sh  a quicker run
#
# Documents are synthetic but made of real prose: bench/news_pool.py takes
# the sentences of Reuters-21578 and BBC News from ../shared/data, and
# bench/gen_news.c walks their word bigrams into news-sized documents
# (about 3 KB). Nothing is copied into the repository; generated files go
# to BENCH_DIR (default /tmp/reprint-bench) and are reused by later runs.
#
# Reports:
#   - add: `reprint index add` of N documents from one JSONL file, in
#     batches of 10000 (the default): documents per second, wall clock;
#   - size: bytes on disk per document (`reprint index stats`);
#   - query latency, in process (bench_index: rp_doc_new + rp_index_query
#     per query, p50/p99) for Q rewrites of indexed documents ("with a
#     match": the rewritten document must come first) and Q documents never
#     indexed ("without");
#   - the same through the CLI, one `reprint query` process per query;
#   - seeds: ../shared/data/seeds/000 indexed among 100k documents (N if
#     fewer), 001 queried: 000 must come first with the passages `reprint
#     compare` gives.
# Figures depend on the machine and on what else runs on it.
set -e
cd "$(dirname "$0")/.."
N=${N:-1000000}
Q=${Q:-500}
DATA=${DATA:-../shared/data}
BENCH_DIR=${BENCH_DIR:-/tmp/reprint-bench}
BUILD=${BUILD:-build}
R=$BUILD/reprint
mkdir -p "$BENCH_DIR"
if [ ! -d "$DATA/reuters21578" ] || [ ! -d "$DATA/bbc-news" ]; then
    echo "bench/index.sh: $DATA (reuters21578, bbc-news) not found; nothing measured" >&2
    exit 0
fi
make --no-print-directory -s all "$BUILD/bench/gen_news" "$BUILD/bench/bench_index" >&2
ms() { echo $(($(date +%s%N) / 1000000)); }

. bench/news_data.sh
queries=$BENCH_DIR/queries-$N-$Q.jsonl
[ -s "$queries" ] || "$BUILD/bench/gen_news" "$pool" queries "$Q" "$N" > "$queries"

db=$BENCH_DIR/index-$N.db
rm -f "$db" "$db-wal" "$db-shm"
echo "== add: $N documents ($(($(stat -c %s "$docs") / N)) bytes of JSONL each)"
t0=$(ms)
"$R" index add -q "$db" "$docs"
t=$(($(ms) - t0))
echo "added in $((t / 1000)).$((t % 1000 / 100)) s: $((N * 1000 / (t > 0 ? t : 1))) documents/s"
"$R" index stats "$db"

echo "== query latency, in process (rp_doc_new + rp_index_query): first pass after the build"
"$BUILD/bench/bench_index" "$db" "$queries"
echo "== the same, second pass (pages in the OS cache)"
"$BUILD/bench/bench_index" "$db" "$queries"

echo "== query latency through the CLI (one process per query, second pass)"
split_dir=$BENCH_DIR/q-$N
rm -rf "$split_dir"
mkdir -p "$split_dir"
head -n 200 "$queries" | awk -v d="$split_dir" '{ f = d "/" NR ".jsonl"; print > f; close(f) }'
nq=$(ls "$split_dir" | wc -l)
for i in $(seq 1 "$nq"); do # a first pass maps the pages the queries need
    "$R" query -f json "$db" "$split_dir/$i.jsonl" > /dev/null
done
for kind in with without; do
    : > "$split_dir/times"
    i=$([ $kind = with ] && echo 1 || echo 2)
    while [ $i -le "$nq" ]; do
        t0=$(date +%s%N)
        "$R" query -f json "$db" "$split_dir/$i.jsonl" > /dev/null
        echo $((($(date +%s%N) - t0) / 1000)) >> "$split_dir/times"
        i=$((i + 2))
    done
    sort -n "$split_dir/times" | awk -v k=$kind '{ v[NR] = $1 } END {
        printf "%-8s %d processes  p50 %.2f ms  p99 %.2f ms\n", k, NR, v[int((NR + 1) / 2)] / 1000,
            v[int((NR * 99 + 99) / 100)] / 1000 }'
done
rm -rf "$split_dir"

S=$((N < 100000 ? N : 100000))
echo "== seeds: 000 among $S documents, query 001"
seed_a=$(ls "$DATA"/seeds/000_*.txt 2> /dev/null | head -n 1)
seed_b=$(ls "$DATA"/seeds/001_*.txt 2> /dev/null | head -n 1)
if [ -z "$seed_a" ] || [ -z "$seed_b" ]; then
    echo "seeds not found in $DATA/seeds; skipped"
    exit 0
fi
sdb=$BENCH_DIR/seeds.db
rm -f "$sdb" "$sdb-wal" "$sdb-shm"
head -n $((S / 2)) "$docs" > "$BENCH_DIR/first.jsonl"
sed -n "$((S / 2 + 1)),${S}p" "$docs" > "$BENCH_DIR/second.jsonl"
"$R" index add -q "$sdb" "$BENCH_DIR/first.jsonl" "$seed_a" "$BENCH_DIR/second.jsonl"
"$R" index stats -f json "$sdb" | sed 's/,"parameters".*//; s/^/index: /; s/$/}/'
t0=$(ms)
"$R" query -f json "$sdb" "$seed_b" > "$BENCH_DIR/seeds.out"
t=$(($(ms) - t0))
"$R" compare -f json "$seed_a" "$seed_b" > "$BENCH_DIR/compare.out"
field() { python3 -c 'import json, sys; r = json.loads(sys.stdin.readline()); print(json.dumps(eval(sys.argv[1])) if not isinstance(eval(sys.argv[1]), str) else eval(sys.argv[1]))' "$1"; }
first=$(head -n 1 "$BENCH_DIR/seeds.out" | field 'r["a"]["id"]')
echo "query 001: $(wc -l < "$BENCH_DIR/seeds.out") matches in $t ms; first: $first"
if [ "$first" = "$seed_a" ] &&
    [ "$(head -n 1 "$BENCH_DIR/seeds.out" | field 'r["passages"]')" = "$(field 'r["passages"]' < "$BENCH_DIR/compare.out")" ]; then
    echo "seeds: ok - 000 first, passages equal to reprint compare ($(field 'len(r["passages"])' < "$BENCH_DIR/compare.out") passages)"
else
    echo "seeds: FAILED"
    exit 1
fi
rm -f "$BENCH_DIR/first.jsonl" "$BENCH_DIR/second.jsonl"
