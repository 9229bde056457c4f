"""build_backend.py - the PEP 517 backend of pyproject.toml: setuptools', plus a way to
build the wheel when the `wheel` package is absent.

setuptools before 70.1 (Debian 12 has 66) builds wheels with the `wheel` package's
bdist_wheel, and a fresh virtual environment has setuptools but not wheel, so
`pip install --no-build-isolation .` would fail there with "invalid command
'bdist_wheel'". When wheel is importable every hook is setuptools' own. Without it,
build_wheel compiles the extension with `setup.py build_ext` and writes the wheel
itself: the package files, and a .dist-info with METADATA, WHEEL and RECORD as the
wheel format (PEP 427, PEP 491) specifies.
"""
import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

from setuptools import build_meta as _setuptools

build_sdist = _setuptools.build_sdist
get_requires_for_build_sdist = _setuptools.get_requires_for_build_sdist

try:
    import wheel  # noqa: F401
    HAVE_WHEEL = True
except ImportError:
    HAVE_WHEEL = False

NAME = "reprint"


def get_requires_for_build_wheel(config_settings=None):
    if HAVE_WHEEL:
        return _setuptools.get_requires_for_build_wheel(config_settings)
    return []


if HAVE_WHEEL:
    prepare_metadata_for_build_wheel = _setuptools.prepare_metadata_for_build_wheel


def _tag():
    """The wheel's python-abi-platform tag for this interpreter."""
    impl = "cp%d%d" % sys.version_info[:2]
    abi = impl + getattr(sys, "abiflags", "")
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return impl, abi, plat


def _record_line(arcname, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (arcname, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if HAVE_WHEEL:
        return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    version = subprocess.run([sys.executable, "setup.py", "-q", "--version"], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
    impl, abi, plat = _tag()
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "lib")
        subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "-b", lib, "-t",
                        os.path.join(tmp, "obj")], check=True)
        files = {}
        for root, _, names in os.walk(os.path.join(lib, NAME)):
            for n in names:
                path = os.path.join(root, n)
                files[os.path.relpath(path, lib)] = path
        pkg = os.path.join("python", NAME)
        for n in sorted(os.listdir(pkg)):
            if n.endswith((".py", ".pyi")) or n == "py.typed":
                files[os.path.join(NAME, n)] = os.path.join(pkg, n)
        dist_info = "%s-%s.dist-info" % (NAME, version)
        meta = {
            dist_info + "/METADATA": ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n"
                                      "Summary: Find reused text\nRequires-Python: >=3.8\n"
                                      % (NAME, version)).encode(),
            dist_info + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: reprint build_backend\n"
                                   "Root-Is-Purelib: false\nTag: %s-%s-%s\n"
                                   % (impl, abi, plat)).encode(),
            dist_info + "/top_level.txt": (NAME + "\n").encode(),
        }
        name = "%s-%s-%s-%s-%s.whl" % (NAME, version, impl, abi, plat)
        record = []
        with zipfile.ZipFile(os.path.join(wheel_directory, name), "w",
                             zipfile.ZIP_DEFLATED) as z:
            for arcname in sorted(files):
                with open(files[arcname], "rb") as f:
                    data = f.read()
                z.writestr(arcname, data)
                record.append(_record_line(arcname, data))
            for arcname, data in meta.items():
                z.writestr(arcname, data)
                record.append(_record_line(arcname, data))
            record.append(dist_info + "/RECORD,,")
            z.writestr(dist_info + "/RECORD", "\n".join(record) + "\n")
    return name
