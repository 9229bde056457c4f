#!/usr/bin/env bash
# Runs the whole evaluation (what `make eval` calls): the scorer unit tests, then the PAN,
# Clough & Stevenson, seeds and moved-paragraph (BBC) evaluations of build/reprint, each with the
# distribution of its passage similarities.
# Usage, from the project root: bash eval/run.sh [--reprint PATH]
# Absent data sets are skipped with a notice; the exit status is non-zero only if a test or an
# evaluation failed.

set -u
cd "$(dirname "$0")/.." || exit 2
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3

failed=()
step() {
    echo
    echo "=== $*"
    "$PYTHON" "$@" 2>&1 || failed+=("$1")
}

step eval/test_pan_scorer.py
step eval/test_threshold_fit.py
step eval/pan.py "$@"
step eval/short_answers.py "$@"
step eval/motivating_pair.py "$@"
step eval/moved_paragraph.py "$@"

echo
if [ ${#failed[@]} -gt 0 ]; then
    echo "eval: FAILED: ${failed[*]}"
    exit 1
fi
echo "eval: all steps passed"
