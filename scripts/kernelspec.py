"""The project's Jupyter kernelspec `java` (target/jupyter/kernels/java/kernel.json), in one place: how it is written
(by scripts/setup.sh, memory flags included) and how it is read (by the bench and the tests, which start Java the
way the kernel does).

    kernelspec.py OUT JAVA DISPLAY_NAME NATIVES [NAME=VALUE ...] -- LAUNCH ...

writes a kernel.json to OUT: JAVA with the course's JVM flags (headless, memory caps, NATIVES if not empty), then
LAUNCH (the kernel's -cp CLASSPATH MAIN or -jar JAR) and the connection file; NAME=VALUE pairs are its environment.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "target" / "jupyter" / "kernels" / "java" / "kernel.json"

# Memory (README, Performance): ND4J's arrays live outside the Java heap and are freed when the JVM collects their
# Java handles. A small heap (512 MB: the kernel, JShell and the notebooks' Java objects need less) makes collections
# frequent, so garbage buffers go in time; JavaCPP's caps (1 GB of array buffers, 2 GB for the whole process, what
# Binder gives) force a collection before more is taken. Without them a full chapter-3 run grew past 16 GB; with
# caps of 2 GB / 3 GB full-data runs peaked at 2.0 GB (chapter 4) and 3.2 GB (chapter 3); with these, training
# peaks at 1.7-2.1 GB and a whole notebook at 1.95-2.16 GB.
MEMORY = ["-Xmx512m", "-Dorg.bytedeco.javacpp.maxbytes=1g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=2g"]


def memory_flags() -> list[str]:
    """MEMORY, or the flags in AE_KERNEL_MEMORY (space-separated) where an environment sets other caps."""
    return os.environ.get("AE_KERNEL_MEMORY", "").split() or MEMORY


def build(java: str, display_name: str, natives: str, env: list[str], launch: list[str]) -> dict:
    """The kernelspec: JAVA, the course's JVM flags, NATIVES (e.g. the oneDNN extension) if given, then LAUNCH."""
    return {
        "argv": [java, "-Djava.awt.headless=true"] + memory_flags() + ([natives] if natives else []) + launch + ["{connection_file}"],
        "display_name": display_name,
        "language": "java",
        "interrupt_mode": "message",
        "env": dict(e.split("=", 1) for e in env),
    }


def write(path: Path, spec: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec, indent=1) + "\n")


def launch_index(argv: list[str]) -> int:
    """Where the JVM's options end in a kernel's argv: at -jar KERNEL.jar (IJava) or -cp CLASSPATH MAIN (rapaio)."""
    return min(argv.index(a) for a in ("-jar", "-cp") if a in argv)


def read(path: Path = SPEC) -> tuple[list[str], str, dict]:
    """java with the kernel's JVM flags, the kernel's classpath (the helper jar and DL4J) and its other environment
    variables, so that a plain `java` run (the bench, a data check) gets what a notebook gets."""
    if not path.is_file():
        raise SystemExit(f"no kernelspec at {path}: run `make setup` first")
    spec = json.loads(path.read_text())
    argv, env = spec["argv"], spec.get("env", {})
    jvm = argv[: launch_index(argv)]
    classpath = env.get("RJK_CLASSPATH", "").replace(";", os.pathsep) or env.get("IJAVA_CLASSPATH", "")
    return jvm, classpath, {k: v for k, v in env.items() if not k.endswith("CLASSPATH")}


def main(args: list[str]) -> int:
    if "--" not in args or args.index("--") < 4:
        raise SystemExit(__doc__)
    out, java, name, natives, *rest = args
    env, launch = rest[: rest.index("--")], rest[rest.index("--") + 1:]
    write(Path(out), build(java, name, natives, env, launch))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
