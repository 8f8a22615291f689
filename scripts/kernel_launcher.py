"""Starts the Java kernel (the kernelspec's command, scripts/kernelspec.py) with the settings read when it starts.

    python -S kernel_launcher.py [NAME=DEFAULT ...] -- JAVA [JVM flags] (-cp CLASSPATH MAIN | -jar JAR) CONNECTION_FILE

OMP_NUM_THREADS, AE_KERNEL_MEMORY and OPENBLAS_CORETYPE come from the environment the kernel is started in, else from
the DEFAULTs `make setup` remembered, else the course's defaults; the OpenBLAS core type is the one the self-test
passed on this CPU (checked here, once, on a CPU or with a core type that has no verdict yet). Then the launcher
becomes the JVM (exec): the kernel's process is Java itself. Notes (a core type overridden, a check being run) go to
standard error, which is the kernel's log, never a notebook.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernelspec  # noqa: E402


def main(args: list[str]) -> int:
    if "--" not in args:
        raise SystemExit(__doc__)
    spec = {"argv": [sys.executable, "-S", os.path.abspath(__file__), *args], "env": {}}
    try:
        launch = kernelspec.resolve(spec, announce=lambda m: print(f"[kernel] {m}", file=sys.stderr, flush=True))
    except SystemExit as e:
        print(f"[kernel] ERROR: {e}", file=sys.stderr, flush=True)
        return 1
    for note in launch.notes:
        print(f"[kernel] {note}", file=sys.stderr, flush=True)
    env = {**os.environ, **launch.env}
    if "OPENBLAS_CORETYPE" not in launch.env:
        env.pop("OPENBLAS_CORETYPE", None)
    os.execve(launch.argv[0], launch.argv, env)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
