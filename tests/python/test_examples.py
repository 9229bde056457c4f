"""The example scripts run and print what they promise."""
import os
import subprocess
import sys

from conftest import BUILD, ROOT


def run_example(name):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, BUILD, "python"))
    return subprocess.run([sys.executable, os.path.join(ROOT, "examples", name)], env=env,
                          capture_output=True, text=True, check=True).stdout


def test_python_compare():
    out = run_example("python_compare.py")
    assert out.startswith("verdict partially-derived") and out.count("passage A[") == 2


def test_python_dedup():
    out = run_example("python_dedup.py")
    assert "pairs: [('a', 'c', 1.0)]" in out
    assert "clusters: [['a', 'c']] keep: ['a', 'b']" in out
    assert "drop-in: c ~ a" in out
