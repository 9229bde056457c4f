#!/usr/bin/env python3
"""check_layout.py - the layout rules of docs/DESIGN.md, checked.

  python3 scripts/check_layout.py [BUILD]

1. Includes: a file in src/<layer>/ includes only its own folder's header
   and the headers of the layers below it, in the order
       base <- io <- text <- sketch <- align <- engines (dedup, scan, index);
   an engine's *_int.h is included only inside that engine's folder. cli/,
   examples/, python/ and tests/cli use include/reprint.h only; bench/ may
   reach src/ through bench/bench_int.h alone; tests/ and fuzz/ may include
   the private header of what they test.
2. Calls (with BUILD, the objects in BUILD/src/*/*.o, read with nm): the
   functions a layer's objects call are defined in that layer or one below
   (an engine may call another engine's public rp_ functions, as dedup
   --against uses the index), and no two files call each other's functions.

Prints one line per violation, naming the file and the rule, and exits 1
when there is any; prints "layout: ok (...)" and exits 0 otherwise.
"""
import collections
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = ["base", "io", "text", "sketch", "align"]
# mpi/ (the Open MPI transport, built only into libreprint_mpi.a) ranks with
# the engines: it implements base/'s rp__comm_ops and nothing below the
# programs may depend on it, so no layer may include or call it; the
# engines reach it only through the interface in base/.
ENGINES = ["dedup", "scan", "index", "mpi"]
RANK = {name: i for i, name in enumerate(LAYERS)}
for e in ENGINES:
    RANK[e] = len(LAYERS)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

errors = []


def rel(path):
    return os.path.relpath(path, ROOT)


def header_folder(inc):
    """The src/ folder a quoted include names ("sketch/sketch.h" -> sketch)."""
    parts = inc.split("/")
    if len(parts) == 2 and (parts[0] in RANK):
        return parts[0]
    return None


def check_src_file(path, folder):
    text = open(path, encoding="utf-8", errors="replace").read()
    for inc in INCLUDE.findall(text):
        if inc == "reprint.h":
            continue
        target = header_folder(inc)
        if target is None:
            errors.append(f"{rel(path)}: includes \"{inc}\": inside src/, include a layer's "
                          f"header by folder (\"base/base.h\") or reprint.h")
            continue
        if target == folder:
            continue
        if target in ENGINES:
            errors.append(f"{rel(path)}: includes \"{inc}\": an engine's private header is "
                          f"for its own folder only (src/{target}/); use the public API")
        elif RANK[target] > RANK[folder]:
            errors.append(f"{rel(path)}: includes \"{inc}\": {folder}/ may not depend on "
                          f"{target}/ (the order is {' <- '.join(LAYERS)} <- engines)")


def check_outside(path, allowed):
    text = open(path, encoding="utf-8", errors="replace").read()
    for inc in INCLUDE.findall(text):
        if header_folder(inc) is not None and inc not in allowed:
            errors.append(f"{rel(path)}: includes \"{inc}\": {allowed_why(path)}")
        if "internal.h" in inc or inc.startswith("../src"):
            errors.append(f"{rel(path)}: includes \"{inc}\": reach src/ by layer header")


def allowed_why(path):
    r = rel(path)
    if r.startswith("bench/"):
        return "bench/ reaches src/ only through bench/bench_int.h"
    return "this folder uses include/reprint.h only"


def walk(folder, exts=(".c", ".h")):
    base = os.path.join(ROOT, folder)
    for dirpath, dirnames, files in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in ("corpus", "node_modules", "build")]
        for f in sorted(files):
            if f.endswith(exts):
                yield os.path.join(dirpath, f)


def check_includes():
    n = 0
    for path in walk("src"):
        parts = rel(path).split(os.sep)
        if len(parts) != 3:
            errors.append(f"{rel(path)}: sources live in src/<layer or engine>/, not "
                          f"{os.path.dirname(rel(path)) or '.'}")
            continue
        folder = parts[1]
        if folder not in RANK:
            errors.append(f"{rel(path)}: src/{folder}/ is not a layer or engine of the layout")
            continue
        check_src_file(path, folder)
        n += 1
    for d in ("cli", "examples", "python"):
        for path in walk(d):
            check_outside(path, set())
            n += 1
    for path in walk("bench"):
        if os.path.basename(path) == "bench_int.h":
            continue
        check_outside(path, set())
        n += 1
    return n


def check_calls(build):
    objs = []
    for layer in sorted(RANK):
        d = os.path.join(build, "src", layer)
        if os.path.isdir(d):
            objs += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".o")]
    if not objs:
        errors.append(f"{build}: no objects under {build}/src/ (build the library first)")
        return 0
    defined, used = {}, collections.defaultdict(set)
    for o in objs:
        out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDBRC":
                defined[f[2]] = o
            elif len(f) == 2 and f[0] == "U":
                used[o].add(f[1])

    def name(o):
        return os.path.relpath(o, os.path.join(build, "src"))[:-2]

    calls = collections.defaultdict(set)
    for o, syms in used.items():
        for s in syms:
            d = defined.get(s)
            if d is not None and d != o:
                calls[o].add((d, s))
                lo, ld = name(o).split("/")[0], name(d).split("/")[0]
                public = s.startswith("rp_") and not s.startswith("rp__")
                if lo in ENGINES and ld in ENGINES and public:
                    continue  # one engine uses another through the public API
                if lo != ld and (ld in ENGINES or RANK[ld] > RANK[lo]):
                    errors.append(f"src/{name(o)}.c: calls {s} (src/{name(d)}.c): {lo}/ may "
                                  f"not depend on {ld}/")
    for o in calls:
        for d, s in sorted(calls[o]):
            if o < d and any(x == o for x, _ in calls.get(d, ())):
                back = sorted(t for x, t in calls[d] if x == o)
                errors.append(f"src/{name(o)}.c and src/{name(d)}.c call each other ({s}; "
                              f"{back[0]}): move what both need into one of them or a third "
                              f"file")
                break
    return len(objs)


def main():
    n_files = check_includes()
    n_objs = check_calls(sys.argv[1]) if len(sys.argv) > 1 else 0
    for e in errors:
        print(f"layout: {e}")
    if errors:
        print(f"layout: {len(errors)} violation(s)")
        return 1
    what = f"{n_files} files' includes"
    if n_objs:
        what += f", calls between {n_objs} objects"
    print(f"layout: ok ({what})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
