"""The CIFAR-10 and kitten loaders of the helper jar on the real published files (from the cache, mirror or web)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import kernelspec

ROOT = Path(__file__).resolve().parent.parent


def run_check() -> str:
    jvm, classpath, kernel_env = kernelspec.read()   # java, flags, classpath and environment of the Jupyter kernel
    # the kernel's memory caps and natives; not its start-up archive, which belongs to the kernel's own classpath
    flags = [a for a in jvm[1:] if not a.startswith("-XX:SharedArchiveFile")]
    run = subprocess.run([jvm[0], *flags, "-cp", classpath, str(ROOT / "tests" / "java" / "DataCheck.java")],
                         capture_output=True, text=True, timeout=900, env={**os.environ, **kernel_env}, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_cifar10_and_kittens_load_with_the_publishers_counts() -> None:
    out = run_check()
    train = int(re.search(r"cifar train: (\d+) images", out).group(1))
    horses = re.search(r"cifar horses: train (\d+), test (\d+), gray shape \[(\d+), (\d+)\]", out)
    if train == 50_000:   # the whole official set: 5,000 of each class, 1,000 horses in the test set
        assert "per class [5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000]" in out, out
        assert horses.groups() == ("5000", "1000", "5000", "1024"), out
    else:                 # the subset: SOURCES.md of the data folder counts 385 and 102 horses
        assert train == 4000 and "cifar test: 1000 images" in out, out
        assert horses.groups() == ("385", "102", "385", "1024"), out
    mean, low, high = map(float, re.search(r"cifar pixel mean ([\d.]+), min ([\d.]+), max ([\d.]+)", out).groups())
    assert 0.35 < mean < 0.6 and low == 0.0 and high == 1.0, out   # photos: the full 0-255 range, mid-grey on average

    assert "kittens shape: [2000, 6912]" in out, out
    k_mean, k_std = map(float, re.search(r"kittens pixel mean ([\d.]+), std ([\d.]+)", out).groups())
    assert 0.3 < k_mean < 0.6 and 0.15 < k_std < 0.35, out
    assert float(re.search(r"kittens closest neighbours: ([\d.]+)", out).group(1)) > 1.0, out
