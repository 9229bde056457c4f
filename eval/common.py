"""Helpers shared by the reprint evaluation scripts (standard library only).

- where the project root, the data and the reprint binary are;
- running `reprint compare --format json` and checking its output;
- converting reprint's byte offsets into code-point offsets;
- a small parallel map over a thread pool.
"""

import bisect
import concurrent.futures
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPRINT = PROJECT_ROOT / "build" / "reprint"


def data_dir():
    """The data folder: $REPRINT_DATA, else ../shared/data relative to the project root."""
    env = os.environ.get("REPRINT_DATA")
    return Path(env) if env else PROJECT_ROOT / ".." / "shared" / "data"


def data_set(name):
    """Path of one data set, or None (after printing the skip notice) when it is absent."""
    path = data_dir() / name
    if not path.is_dir():
        print(f"skipping {name}: {path} not found")
        return None
    return path


def reprint_binary(arg):
    """Resolve --reprint (relative paths are taken from the project root); exit 2 if unusable."""
    path = Path(arg) if arg else DEFAULT_REPRINT
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        sys.exit(f"error: reprint binary {path} not found or not executable (run `make` first)")
    return path


class ReprintError(RuntimeError):
    pass


def compare(reprint, a, b, lossy=False, check=True):
    """Run `reprint compare --format json [--lossy] A B`.

    Returns (exit_code, parsed_json_or_None, stderr). With check=True any exit code other than 0,
    or output that is not a well-formed result, raises ReprintError.
    """
    cmd = [str(reprint), "compare", "--format", "json"]
    if lossy:
        cmd.append("--lossy")
    cmd += [str(a), str(b)]
    try:
        proc = subprocess.run(cmd, capture_output=True)
    except OSError as exc:
        raise ReprintError(f"cannot run {cmd[0]}: {exc}") from None
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if check:
            raise ReprintError(f"{' '.join(cmd)} exited {proc.returncode}: {stderr}")
        return proc.returncode, None, stderr
    try:
        result = json.loads(proc.stdout)
    except ValueError as exc:
        raise ReprintError(f"{' '.join(cmd)}: output is not JSON ({exc})") from None
    _validate(result, Path(a).stat().st_size, Path(b).stat().st_size, cmd)
    return proc.returncode, result, stderr


def _validate(result, a_size, b_size, cmd):
    """Check the fields the scripts rely on; offsets must lie inside the files."""
    where = " ".join(cmd)
    for key in ("jaccard", "containment_a", "containment_b", "verdict", "passages"):
        if key not in result:
            raise ReprintError(f"{where}: JSON lacks '{key}'")
    if result["verdict"] not in ("wholly-derived", "partially-derived", "non-derived"):
        raise ReprintError(f"{where}: unknown verdict {result['verdict']!r}")
    for p in result["passages"]:
        for side, size in (("a", a_size), ("b", b_size)):
            start, end = p[f"{side}_start"], p[f"{side}_end"]
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= size):
                raise ReprintError(f"{where}: bad {side} range [{start}, {end}) for a {size}-byte file")


class CharIndex:
    """Maps byte offsets of a UTF-8 file to code-point offsets.

    A byte offset inside a multi-byte character maps to the next character boundary.
    """

    def __init__(self, data):
        self.starts = [i for i, byte in enumerate(data) if byte & 0xC0 != 0x80]

    def __call__(self, byte_offset):
        return bisect.bisect_left(self.starts, byte_offset)


def parallel_map(func, items, workers=None):
    """list(map(func, items)) on a thread pool of os.cpu_count() workers (order kept)."""
    workers = workers or os.cpu_count() or 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items))


def prf(tp, fp, fn):
    """Precision, recall and F1 from counts (0 where undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def print_matrix(title, rows, cols, counts):
    """Print a confusion matrix; counts[(row, col)] -> int. Rows are truth, columns predictions."""
    print(title)
    width = max(8, *(len(c) for c in cols)) + 1
    head = max(len(r) for r in rows) + 2
    print(" " * head + "".join(c.rjust(width) for c in cols))
    for r in rows:
        print(r.ljust(head) + "".join(str(counts.get((r, c), 0)).rjust(width) for c in cols))


def similarity_distribution(label, sims):
    """Print the distribution of passage similarities: count, quantiles and a histogram by 0.1."""
    sims = sorted(sims)
    n = len(sims)
    if n == 0:
        print(f"passage similarity ({label}): no passages")
        return
    q = lambda f: sims[min(n - 1, int(f * (n - 1) + 0.5))]
    print(f"passage similarity ({label}): {n} passages, min {sims[0]:.3f}  p10 {q(0.1):.3f}  "
          f"p25 {q(0.25):.3f}  median {q(0.5):.3f}  p75 {q(0.75):.3f}  max {sims[-1]:.3f}")
    bins = [0] * 10
    for s in sims:
        bins[min(9, int(s * 10))] += 1
    print("  " + "  ".join(f"[{k / 10:.1f},{(k + 1) / 10:.1f}){'' if k < 9 else ']'} {c}"
                           for k, c in enumerate(bins) if c))
