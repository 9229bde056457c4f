# bench/news_data.sh - sourced by bench/index.sh and bench/serve.sh: the
# sentence pool of Reuters-21578 and BBC News (bench/news_pool.py) and N
# synthetic news documents made from it (bench/gen_news.c), generated into
# BENCH_DIR once and reused. Sets pool and docs; needs N, DATA, BENCH_DIR
# and BUILD.
pool=$BENCH_DIR/pool.txt
[ -s "$pool" ] || python3 bench/news_pool.py "$DATA" "$pool"
docs=$BENCH_DIR/docs-$N.jsonl
if [ ! -s "$docs" ]; then
    echo "generating $N documents into $docs" >&2
    "$BUILD/bench/gen_news" "$pool" docs "$N" > "$docs.tmp" && mv "$docs.tmp" "$docs"
fi
