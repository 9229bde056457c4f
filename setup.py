"""Build of the `reprint` Python package (see pyproject.toml and python/).

The extension compiles the library's own sources (src/*/*.c, found by glob so
that files added to or split in src/ are picked up) and the two renderers of
cli/ that give Result.to_dict() and Result.html() the CLI's exact output.
Compiling them here, with the compiler flags of a shared object, means `pip
install .` needs no prior `make` and no -fPIC build of libreprint.a, and the
extension has no runtime dependency on a libreprint installation. The Debian
libraries (utf8proc, xxHash, cJSON, zlib, zstd, SQLite) are linked as shared
libraries, found with pkg-config.
"""
import glob
import os
import shlex
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
PKGS = ["libutf8proc", "libxxhash", "libcjson", "zlib", "libzstd", "sqlite3"]


def pkg_config(flag):
    try:
        out = subprocess.run(["pkg-config", flag] + PKGS, check=True, capture_output=True,
                             text=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit("reprint: pkg-config failed for %s (install the -dev packages of "
                         "scripts/deps.sh): %s" % (" ".join(PKGS), e))
    return shlex.split(out)


def rel(pattern):
    return sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, pattern)))


# src/mpi/ is the Open MPI transport of reprint-mpi, not part of the library.
sources = (["python/reprint/_reprint.c"] +
           [p for p in rel("src/*/*.c") if not p.startswith("src/mpi/")] +
           ["cli/render_json.c", "cli/render_html.c"])
cflags = pkg_config("--cflags")
# REPRINT_PY_CFLAGS: extra flags, e.g. -Werror or sanitizers (make test uses it).
extra = shlex.split(os.environ.get("REPRINT_PY_CFLAGS", ""))
ext = Extension(
    "reprint._reprint",
    sources=sources,
    include_dirs=["include", "src", "cli"],
    depends=rel("include/*.h") + rel("src/*.h") + rel("src/*/*.h") + ["cli/cli.h"],
    extra_compile_args=["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-fvisibility=hidden",
                        "-Wall", "-Wextra"] + [f for f in cflags if not f.startswith("-I")] + extra,
    extra_link_args=pkg_config("--libs") + ["-lpthread", "-lm"] +
    shlex.split(os.environ.get("REPRINT_PY_LDFLAGS", "")),
)
for f in cflags:
    if f.startswith("-I"):
        ext.include_dirs.append(f[2:])

def version():
    """RP_VERSION_STRING of include/reprint.h: the package's version is the library's."""
    with open(os.path.join(HERE, "include", "reprint.h"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#define RP_VERSION_STRING"):
                return line.split('"')[1]
    raise SystemExit("reprint: RP_VERSION_STRING not found in include/reprint.h")


setup(version=version(), ext_modules=[ext])
