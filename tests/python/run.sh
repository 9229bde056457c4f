#!/bin/sh
# Run the Python module's tests with Debian's interpreter against $BUILD/python
# and the CLI of the same build; the last line is "python: N passed, N failed".
# In a sanitizer build ($BUILD/python/preload names the ASan runtime) the
# interpreter runs with that runtime preloaded, as an uninstrumented python3
# must; leak checking is off (the interpreter keeps its memory at exit).
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
if ! "$PYTHON" -c 'import pytest' 2>/dev/null; then
    echo "FAIL python: pytest is not installed for $PYTHON (apt-get install python3-pytest)"
    echo "python: 0 passed, 1 failed"
    exit 1
fi
preload=""
[ -f "$BUILD/python/preload" ] && preload=$(cat "$BUILD/python/preload")
out=$(env ${preload:+LD_PRELOAD=$preload} ${preload:+ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=16} \
    ${preload:+REPRINT_PY_SANITIZER=1} \
    BUILD="$BUILD" PYTHONPATH="$BUILD/python" REPRINT="$BUILD/reprint" \
    "$PYTHON" -m pytest -q -rs -p no:cacheprovider tests/python 2>&1)
status=$?
summary=$(printf '%s\n' "$out" | tail -n 1)
if [ "$status" -ne 0 ]; then
    printf '%s\n' "$out"
else
    printf '%s\n' "$out" | grep '^SKIPPED' | sed 's/^/python: /'
fi
p=$(printf '%s' "$summary" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p;s/^\([0-9][0-9]*\) passed.*/\1/p' | head -n 1)
f=$(printf '%s' "$summary" | sed -n 's/^\([0-9][0-9]*\) failed.*/\1/p;s/.* \([0-9][0-9]*\) failed.*/\1/p' | head -n 1)
e=$(printf '%s' "$summary" | sed -n 's/.* \([0-9][0-9]*\) error.*/\1/p;s/^\([0-9][0-9]*\) error.*/\1/p' | head -n 1)
p=${p:-0}
f=$((${f:-0} + ${e:-0}))
[ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
echo "python: $p passed, $f failed ($summary)"
[ "$f" -eq 0 ]
