#!/bin/sh
# bench/serve.sh - `reprint serve` under load, with wrk (Debian's wrk):
# POST /api/query throughput and latency at 1, 8 and 32 connections, the
# same at 8 connections while documents are being added, a soak of mixed
# queries and adds watching the server's memory and errors, and the seed
# pair found among 10k documents through the API. Not part of make test.
#
#   sh bench/serve.sh                          1M documents, 20 s per run, 10-minute soak
#   N=100000 D=10 SOAK=90 sh bench/serve.sh    a quicker run
#
# Documents are bench/index.sh's (bench/gen_news.c over the prose of
# Reuters-21578 and BBC News in ../shared/data), generated into BENCH_DIR
# (default /tmp/reprint-bench) and reused; the index is built once per N.
# The server listens on 127.0.0.1 only. Figures depend on the machine and
# on what else runs on it.
set -e
cd "$(dirname "$0")/.."
N=${N:-1000000}
D=${D:-20}
SOAK=${SOAK:-600}
THREADS=${THREADS:-$(nproc)}
DATA=${DATA:-../shared/data}
BENCH_DIR=${BENCH_DIR:-/tmp/reprint-bench}
BUILD=${BUILD:-build}
R=$(pwd)/$BUILD/reprint
if ! command -v wrk > /dev/null; then
    echo "bench/serve.sh: wrk not installed (apt-get install wrk); nothing measured" >&2
    exit 0
fi
if [ ! -d "$DATA/reuters21578" ] || [ ! -d "$DATA/bbc-news" ]; then
    echo "bench/serve.sh: $DATA (reuters21578, bbc-news) not found; nothing measured" >&2
    exit 0
fi
make --no-print-directory -s all "$BUILD/bench/gen_news" >&2
mkdir -p "$BENCH_DIR"
. bench/news_data.sh
queries=$BENCH_DIR/queries-$N-500.jsonl
[ -s "$queries" ] || "$BUILD/bench/gen_news" "$pool" queries 500 "$N" > "$queries"
db=$BENCH_DIR/serve-index-$N.db
if [ ! -s "$db" ]; then
    echo "building $db" >&2
    "$R" index add -q "$db.tmp" "$docs" && mv "$db.tmp" "$db"
    rm -f "$db.tmp-wal" "$db.tmp-shm"
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/reprint-serve-bench.XXXXXX")
pid=
adder=
cleanup() {
    [ -n "$adder" ] && kill "$adder" 2> /dev/null
    [ -n "$pid" ] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Query bodies, one JSON object per line, for the wrk script.
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    print(json.dumps({"text": json.loads(line)["text"]}))' "$queries" > "$tmp/bodies.jsonl"
cat > "$tmp/query.lua" << EOF
bodies = {}
for line in io.lines("$tmp/bodies.jsonl") do bodies[#bodies + 1] = line end
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("POST", "/api/query", {["Content-Type"] = "application/json"},
                      bodies[counter % #bodies + 1])
end
EOF

start_server() { # $1: index
    "$R" serve --quiet -j "$THREADS" --listen 127.0.0.1:0 "$1" 2> "$tmp/serve.log" &
    pid=$!
    for _ in $(seq 1 100); do
        url=$(sed -n '1s/^listening on //p' "$tmp/serve.log")
        [ -n "$url" ] && return 0
        sleep 0.1
    done
    echo "the server did not start:" >&2
    cat "$tmp/serve.log" >&2
    exit 1
}
stop_server() {
    kill -TERM "$pid"
    wait "$pid" || { echo "the server exited $?" >&2; exit 1; }
    pid=
}
# wrk's summary as one line: requests/s, p50, p99, errors.
run_wrk() { # $1 connections, $2 seconds
    t=$(($1 < 2 ? 1 : 2))
    wrk -t "$t" -c "$1" -d "$2s" --latency -s "$tmp/query.lua" "${url}api/query" > "$tmp/wrk.out" 2>&1
    awk -v c="$1" '
        /Requests\/sec/ { rps = $2 }
        /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
        /Non-2xx/ { non2xx = $NF } /Socket errors/ { sock = $0 }
        END { printf "%3d connections: %8.1f queries/s  p50 %-8s p99 %-8s non-2xx %d%s\n",
              c, rps, p50, p99, non2xx + 0, sock != "" ? "  " sock : "" }' "$tmp/wrk.out"
}
# Documents added in batches of 20 through the API, as fast as they commit.
add_stream() { # $1: seconds, $2: first line of $docs to use
    python3 - "$url" "$docs" "$1" "$2" "$tmp/adds" << 'EOF'
import http.client, json, sys, time, urllib.parse
url, docs, secs, first, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlparse(url)
end = time.time() + secs
added = errors = 0
slowest = 0.0
with open(docs) as f:
    for _ in range(first):
        f.readline()
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    while time.time() < end:
        batch = []
        for _ in range(20):
            d = json.loads(f.readline() or '{"id": "x", "text": ""}')
            d["id"] = "added-%d-%s" % (first, d["id"])
            batch.append(json.dumps(d))
        t0 = time.time()
        try:
            c.request("POST", "/api/documents?replace=1", "\n".join(batch) + "\n",
                      {"Content-Type": "application/x-ndjson"})
            r = c.getresponse()
            r.read()
            ok = r.status == 200
        except OSError:
            ok = False
            c.close()
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        slowest = max(slowest, time.time() - t0)
        if ok:
            added += 20
        else:
            errors += 1
open(out, "w").write("%d %d %.1f\n" % (added, errors, slowest))
EOF
}

echo "== reprint serve over $N documents ($THREADS threads; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg))"
cp "$db" "$tmp/work.db" # adds go to a copy; the index stays as built
start_server "$tmp/work.db"
run_wrk 1 3 > /dev/null # warm the pages the queries touch
for c in 1 8 32; do
    run_wrk "$c" "$D"
done
echo "== 8 connections while documents are added"
add_stream "$D" 0 &
adder=$!
run_wrk 8 "$D"
wait "$adder"
adder=
read -r added errors slowest < "$tmp/adds"
echo "    added meanwhile: $added documents ($((added / D))/s), $errors failed batches, slowest batch ${slowest} s"

echo "== soak: $SOAK s of queries (8 connections) and adds; server memory every $((SOAK / 10)) s"
add_stream "$SOAK" $((N / 2)) &
adder=$!
wrk -t 2 -c 8 -d "${SOAK}s" --latency -s "$tmp/query.lua" "${url}api/query" > "$tmp/soak.out" 2>&1 &
wrkpid=$!
rss=""
for _ in $(seq 1 10); do
    sleep $((SOAK / 10))
    # heap (RssAnon); the mapped index pages (RssFile) come and go with the page cache
    rss="$rss $(awk '/RssAnon/ { a = $2 } /RssFile/ { f = $2 } END { printf "%d+%d", a / 1024, f / 1024 }' "/proc/$pid/status")"
done
wait "$wrkpid"
wait "$adder"
adder=
read -r added errors slowest < "$tmp/adds"
echo "    memory MB (heap+mapped):$rss"
awk '/Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
     /Non-2xx/ { non2xx = $NF } /Socket errors/ { sub(/^ +/, ""); sock = $0 }
     END { printf "    queries: %s/s, p50 %s, p99 %s, non-2xx %d%s\n", rps, p50, p99, non2xx + 0,
           sock != "" ? ", " sock : ", no socket errors" }' "$tmp/soak.out"
echo "    added: $added documents, $errors failed batches, slowest batch ${slowest} s (a commit that merges segments)"
stop_server

echo "== seeds: 000 among 10k documents, 001 POSTed to /api/query"
seed_a=$(ls "$DATA"/seeds/000_*.txt 2> /dev/null | head -n 1)
seed_b=$(ls "$DATA"/seeds/001_*.txt 2> /dev/null | head -n 1)
if [ -z "$seed_a" ] || [ -z "$seed_b" ]; then
    echo "seeds not found in $DATA/seeds; skipped"
    exit 0
fi
head -n 5000 "$docs" > "$tmp/first.jsonl"
sed -n '5001,9999p' "$docs" > "$tmp/second.jsonl"
"$R" index add -q "$tmp/seeds.db" "$tmp/first.jsonl" "$seed_a" "$tmp/second.jsonl"
start_server "$tmp/seeds.db"
python3 -c 'import json, sys; print(json.dumps({"text": open(sys.argv[1]).read()}))' "$seed_b" > "$tmp/q.json"
curl -s -H 'Content-Type: application/json' --data-binary @"$tmp/q.json" "${url}api/query" > "$tmp/seeds.out"
stop_server
"$R" compare -f json "$seed_a" "$seed_b" > "$tmp/compare.out"
python3 - "$tmp/seeds.out" "$tmp/compare.out" "$seed_a" << 'EOF'
import json, sys
got = json.load(open(sys.argv[1]))
want = json.load(open(sys.argv[2]))
first = got["matches"][0] if got["matches"] else {}
ok = first.get("a", {}).get("id") == sys.argv[3] and first.get("passages") == want["passages"]
print("%d matches; first %s; passages %s reprint compare's" % (
    len(got["matches"]), first.get("a", {}).get("id"), "equal to" if ok else "DIFFERENT from"))
print("seeds: " + ("ok" if ok else "FAILED"))
sys.exit(0 if ok else 1)
EOF
