#!/bin/sh
# Install the Debian packages reprint needs, only those missing.
# Build: gcc, make, pkg-config and the -dev libraries (libmicrohttpd for
# reprint serve); tests: clang and its sanitizer runtime, python3 (the
# serve tests); the Python module: Debian's python3 with its headers,
# setuptools and wheel (offline pip build), pytest and venv; the HTML
# screenshot and serve page tests: chromium (optional: skipped with a message
# when it cannot be installed); wrk and curl for bench/serve.sh (optional);
# reprint-mpi and its tests: Open MPI.
set -e
need="build-essential pkg-config libutf8proc-dev libxxhash-dev libcjson-dev zlib1g-dev \
libzstd-dev libsqlite3-dev sqlite3 libmicrohttpd-dev clang libclang-rt-14-dev python3 gzip zstd \
python3-dev python3-setuptools python3-wheel python3-pytest python3-venv libopenmpi-dev \
openmpi-bin"
optional="chromium wrk curl"
missing=""
for p in $need; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
opt_missing=""
for p in $optional; do
    dpkg -s "$p" >/dev/null 2>&1 || opt_missing="$opt_missing $p"
done
[ -z "$missing$opt_missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps: installing:$missing$opt_missing" >&2
$SUDO apt-get update -qq >&2 || true
if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
if [ -n "$opt_missing" ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        $opt_missing >&2 || echo "deps: optional packages not installed:$opt_missing" >&2
fi
