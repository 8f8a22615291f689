"""The fix for rapaio-jupyter-kernel 3.0.1's loop threads (scripts/rapaio-fix/): in the kernelspec, and working."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import kernelspec

ROOT = Path(__file__).resolve().parent.parent
SPEC = kernelspec.SPEC


def kernel_java_and_classpath() -> tuple[str, str]:
    argv = kernelspec.java_argv(json.loads(SPEC.read_text())["argv"])   # after the kernel launcher
    if not any("rapaio-jupyter-kernel" in a for a in argv):
        pytest.skip("the installed kernel is not rapaio (KERNEL=ijava): the fix is for rapaio only")
    launch = argv[kernelspec.launch_index(argv):]
    assert launch[0] == "-cp", f"the rapaio kernel is started with {launch[:2]}, not with the fix on its classpath"
    return argv[0], launch[1]


def test_the_kernel_loads_the_fixed_loop_thread_and_every_loop_runs() -> None:
    java, classpath = kernel_java_and_classpath()
    run = subprocess.run([java, "-cp", classpath, str(ROOT / "tests" / "java" / "LoopThreadCheck.java")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "loaded from " in out and "rapaio-fix.jar" in out.split("loaded from ", 1)[1].splitlines()[0], out
    # rapaio 3.0.1's own class: 91 of 500 threads never ran their loop here; the fixed class: none.
    assert "threads that never ran their loop: 0 of 500" in out, out
    # a pass that throws no longer ends the loop (3.0.1's thread dies, and its socket goes unread)
    passes = int(out.split("passes after a failing one: ", 1)[1].split()[0])
    assert passes >= 2, out
