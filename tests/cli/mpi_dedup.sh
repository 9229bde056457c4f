# reprint-mpi dedup: on 1, 2, 3 and 4 ranks (loopback only) the pairs,
# clusters and deduplicated output are byte for byte those of one process:
# on one large JSONL cut at line boundaries (near-duplicates planted across
# the halves, so they cross every rank boundary; some lines without ids,
# so path:line ids test the line numbering of each piece), on a directory
# of many files, and with --mem-limit 1M so partitions and signatures
# spill. A rank meeting an unreadable file ends the job at once, names its
# rank and host, and leaves no output; a rank killed outright ends the job.
MPI="${REPRINT}-mpi"
# Open MPI does not free its own allocations at exit, which LeakSanitizer
# would report in the sanitizer pass; the ranks' code is leak-checked by
# the unit test dedup_one_rank (tests/test_dist.c) instead.
export ASAN_OPTIONS=detect_leaks=0
run() { # run N ARGS...: reprint-mpi on N ranks, bounded in time
    n=$1
    shift
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 60 mpirun --oversubscribe \
        --mca btl self,vader --mca oob_tcp_if_include lo --mca btl_tcp_if_include lo -n "$n" \
        "$MPI" "$@"
}
d=$(mktemp -d)
python3 - "$d" <<'PY'
import json, os, random, sys
d = sys.argv[1]
random.seed(11)
words = (open("examples/wire.txt").read() + open("examples/article.txt").read()).split()
def text(n):
    return [random.choice(words) for _ in range(n)]
def edit(t, k):
    t = list(t)
    for _ in range(k):
        t[random.randrange(len(t))] = random.choice(words)
    return " ".join(t)
base = [text(random.randint(40, 160)) for _ in range(150)]
with open(os.path.join(d, "big.jsonl"), "w") as f:
    for i in range(1600):
        if i % 3 == 0:   # a near duplicate of a text planted in the other half too
            b = base[(i // 3) % 150]
            t = edit(b, random.randint(0, 4))
        else:
            t = " ".join(text(random.randint(20, 160)))
        rec = {"text": t, "n": i}
        if i % 5:
            rec["id"] = "doc-%d" % i
        f.write(json.dumps(rec) + "\n")
os.makedirs(os.path.join(d, "dir", "sub"))
for i in range(60):
    b = base[i % 40]
    sub = "sub/" if i % 4 == 0 else ""
    with open(os.path.join(d, "dir", "%sf%02d.txt" % (sub, i)), "w") as f:
        f.write(edit(b, i % 3) if i % 2 else " ".join(text(80)))
with open(os.path.join(d, "dir", "m.jsonl"), "w") as f:
    for i in range(40):
        f.write(json.dumps({"id": "m%d" % i, "text": edit(base[i], 2)}) + "\n")
# 14,000 short documents: enough for every sorter to spill at --mem-limit 1M
short = [text(random.randint(25, 40)) for _ in range(500)]
with open(os.path.join(d, "many.jsonl"), "w") as f:
    for i in range(14000):
        t = edit(short[(i // 4) % 500], 1) if i % 4 == 0 else " ".join(text(random.randint(20, 40)))
        f.write(json.dumps({"id": "s%d" % i, "text": t}) + "\n")
PY
sed 's/"id": "m/"id": "g/' "$d/dir/m.jsonl" | gzip -c > "$d/dir/sub/m.jsonl.gz" # ids are unique
same() { # same NAME N OUTDIR: compare the rank run's outputs with one process's
    for f in pairs clusters out; do
        cmp -s "$d/$1.1p.$f" "$d/$3/$f" || { echo "$1 on $2 ranks: $f differs"; return 1; }
    done
    echo "$1 on $2 ranks: pairs, clusters, output identical"
}
echo "== one large JSONL"
$REPRINT dedup -q "$d/big.jsonl" --pairs "$d/big.1p.pairs" --clusters "$d/big.1p.clusters" -o "$d/big.1p.out"
echo "one process: $(wc -l < "$d/big.1p.pairs") pairs, $(wc -l < "$d/big.1p.clusters") documents in clusters"
grep -c "big.jsonl:" "$d/big.1p.pairs" | sed 's/^/pairs naming a path:line id: /'
for n in 1 2 3 4; do
    mkdir "$d/r$n"
    run $n dedup -q "$d/big.jsonl" --pairs "$d/r$n/pairs" --clusters "$d/r$n/clusters" -o "$d/r$n/out"
    same big $n r$n
done
echo "== a directory of many files"
$REPRINT dedup -q "$d/dir" --pairs "$d/dir.1p.pairs" --clusters "$d/dir.1p.clusters" -o "$d/dir.1p.out"
echo "one process: $(wc -l < "$d/dir.1p.pairs") pairs"
for n in 2 4; do
    mkdir "$d/dir$n"
    run $n dedup -q "$d/dir" --pairs "$d/dir$n/pairs" --clusters "$d/dir$n/clusters" -o "$d/dir$n/out"
    same dir $n dir$n
done
echo "== more ranks than files (ranks without documents)"
cp examples/wire.txt "$d/wire-copy.txt"
$REPRINT dedup -q examples/wire.txt examples/article.txt "$d/wire-copy.txt" --pairs "$d/few.1p"
run 4 dedup -q examples/wire.txt examples/article.txt "$d/wire-copy.txt" --pairs "$d/few.4"
cmp -s "$d/few.1p" "$d/few.4" && echo "few on 4 ranks: pairs identical ($(wc -l < "$d/few.4") pair)"
echo "== --mem-limit 1M (spilled), several inputs"
$REPRINT dedup -q --mem-limit 1M "$d/dir" "$d/many.jsonl" "$d/big.jsonl" \
    --pairs "$d/mem.1p.pairs" --clusters "$d/mem.1p.clusters" -o "$d/mem.1p.out"
echo "one process: $(wc -l < "$d/mem.1p.pairs") pairs"
mkdir "$d/mem3"
run 3 dedup --mem-limit 1M "$d/dir" "$d/many.jsonl" "$d/big.jsonl" --pairs "$d/mem3/pairs" \
    --clusters "$d/mem3/clusters" -o "$d/mem3/out" 2> "$d/mem3/err"
same mem 3 mem3
grep -q "sorted runs spilled" "$d/mem3/err" && echo "runs spilled to temporary files"
sed -n 's/^reprint dedup: \(on 3 ranks\): .* exchanged .*slowest rank per stage: read+sketch .*/\1: bytes exchanged and slowest ranks reported/p' "$d/mem3/err"
echo "== a rank meets an unreadable file"
ln -s /proc/self/mem "$d/zz-unreadable.txt" # read(2) fails with EIO, even for root
start=$(date +%s)
run 3 dedup "$d/big.jsonl" "$d/zz-unreadable.txt" --pairs "$d/fail.pairs" --clusters "$d/fail.clusters" \
    -o "$d/fail.out" 2> "$d/fail.err"
echo "status $?"
[ $(($(date +%s) - start)) -lt 20 ] && echo "ended within 20 s"
grep '^reprint' "$d/fail.err" | sed -e "s|$d|DIR|g" -e 's/ on [^:]*:/ on HOST:/'
ls "$d"/fail.* | grep -v fail.err || echo "no output left"
echo "== a rank killed outright"
# The rank given a fifo blocks opening it, so the job is still running
# when one of its ranks (not rank 0) is sent SIGKILL: mpirun must end the
# others (no rank left waiting in an exchange) and fail.
mkfifo "$d/zz-fifo.jsonl"
start=$(date +%s)
run 3 dedup -q "$d/big.jsonl" "$d/zz-fifo.jsonl" --pairs "$d/kill.pairs" > /dev/null 2>&1 &
job=$!
ranks=""
for i in $(seq 50); do # wait for the ranks: timeout -> mpirun -> 3 ranks
    t=$(pgrep -P $job -x timeout); m=${t:+$(pgrep -P "$t" -x mpirun)}
    ranks=${m:+$(pgrep -P "$m")}
    [ "$(echo $ranks | wc -w)" -eq 3 ] && break
    sleep 0.2
done
sleep 1
set -- $ranks
[ $# -eq 3 ] && kill -9 "$2"
wait $job
echo "status $? (non-zero)" | sed 's/status 0 (non-zero)/status 0/; s/status [1-9][0-9]* (non-zero)/status non-zero/'
[ $(($(date +%s) - start)) -lt 20 ] && echo "ended within 20 s"
left=$(pgrep -f "$d/zz-fifo.jsonl")
[ -z "$left" ] && echo "no rank left running" || { echo "ranks left: $left"; kill $left; }
[ -e "$d/kill.pairs" ] || echo "no output left"
echo "== refused on ranks"
run 2 dedup -q - --pairs - < "$d/big.jsonl" 2>&1 | grep '^reprint'
run 2 dedup -q --against "$d/none.db" "$d/big.jsonl" --pairs - 2>&1 | grep '^reprint'
run 2 dedup -q --strict "$d/big.jsonl" --pairs - 2>&1 | grep '^reprint' 
run 2 compare a b 2>&1 | grep '^reprint'
rm -rf "$d"
