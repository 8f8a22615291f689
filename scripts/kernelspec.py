"""The project's Jupyter kernelspec `java` (target/jupyter/kernels/java/kernel.json), in one place: how it is written
(by scripts/setup.sh), how the kernel's command and environment are settled when it starts (scripts/kernel_launcher.py),
and how they are read by the bench and the tests, which start Java the way the kernel does.

The kernelspec starts the kernel through the launcher:

    PYTHON -S scripts/kernel_launcher.py [NAME=DEFAULT ...] -- JAVA -Djava.awt.headless=true [NATIVES] ... {connection_file}

The launcher reads OMP_NUM_THREADS, AE_KERNEL_MEMORY and OPENBLAS_CORETYPE from the environment the kernel is started
in (a Jupyter server's, `docker run -e ...`'s). Where the first two are not set, the DEFAULT remembered by `make setup`
serves, else the course's default: every core the kernel may use, the course's memory caps. The OpenBLAS core type it
sets is the one the self-test passed on this CPU for the requested one (OPENBLAS_CORETYPE, else OpenBLAS's own choice;
scripts/numerics.py); it is not remembered: the verdict is per CPU. A kernelspec's `env` overrides the server's
environment, so these three are never in it.

Command line (scripts/setup.sh):

    kernelspec.py write OUT PYTHON JAVA DISPLAY_NAME NATIVES [NAME=VALUE ...] [--default NAME=VALUE ...] -- LAUNCH ...
        a kernel.json at OUT: NAME=VALUE pairs are its fixed environment, --default the remembered settings, LAUNCH
        the kernel's -cp CLASSPATH MAIN or -jar JAR
    kernelspec.py check [SPEC]      the OpenBLAS verdict for a kernel started now from SPEC: one line; exit 1 if none
    kernelspec.py env-args [SPEC]   that setting as arguments of env(1), for commands that start Java themselves
"""
from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "target" / "jupyter" / "kernels" / "java" / "kernel.json"
LAUNCHER = ROOT / "scripts" / "kernel_launcher.py"
# Read when the kernel starts (README, Settings); the first two with a value remembered by `make setup` as default.
STARTUP_SETTINGS = ("OMP_NUM_THREADS", "AE_KERNEL_MEMORY", "OPENBLAS_CORETYPE")
REMEMBERED = ("OMP_NUM_THREADS", "AE_KERNEL_MEMORY")

# Memory (README, Performance): ND4J's arrays live outside the Java heap and are freed when the JVM collects their
# Java handles. A small heap (512 MB: the kernel, JShell and the notebooks' Java objects need less) makes collections
# frequent, so garbage buffers go in time; JavaCPP's caps (1 GB of array buffers, 1.8 GB for the whole process) force
# a collection before more is taken; JavaCPP checks them only when it allocates, and oneDNN's own buffers and the JVM
# come on top. Without them a full chapter-3 run grew past 16 GB; with caps of 2 GB / 3 GB full-data runs peaked at
# 2.0 GB (chapter 4) and 3.2 GB (chapter 3); with 1 GB / 2 GB a whole notebook at 1.95-2.18 GB (dead arrays wait for
# a collection until JavaCPP's 1 GB of buffers is reached). With the process cap at 1.8 GB, chapter 3's fast mode
# peaked at 1.69 GB instead of 1.76 GB (2026-12-03; the records give each full run's peak). The serial collector:
# G1's own structures and its eager heap growth cost ~50-90 MB of resident memory; chapter 5 in full mode (one epoch
# per model) peaked at 1.85 GB with it against 1.89 GB with G1, training its first model at 1.65 GB against 1.74 GB;
# with a 512 MB heap its pauses are short.
MEMORY = ["-Xmx512m", "-XX:+UseSerialGC", "-Dorg.bytedeco.javacpp.maxbytes=1g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=1800m"]


def memory_flags(value: str | None = None) -> list[str]:
    """The flags in `value` (else AE_KERNEL_MEMORY, space-separated) where set, else MEMORY."""
    value = os.environ.get("AE_KERNEL_MEMORY", "") if value is None else value
    return value.split() or MEMORY


def build(python: str, java: str, display_name: str, natives: str, env: list[str], launch: list[str],
          defaults: dict[str, str] | None = None) -> dict:
    """The kernelspec: the launcher with the remembered DEFAULTS, then JAVA, NATIVES (e.g. the oneDNN extension) if
    given, and LAUNCH. The memory flags are the launcher's to add."""
    defaults = {k: v for k, v in (defaults or {}).items() if v}
    if set(defaults) - set(REMEMBERED):
        raise ValueError(f"only {REMEMBERED} are remembered, not {sorted(set(defaults) - set(REMEMBERED))}")
    fixed = dict(e.split("=", 1) for e in env)
    clash = set(fixed) & set(STARTUP_SETTINGS)
    if clash:
        raise ValueError(f"{sorted(clash)} are read when the kernel starts: pass them as defaults, not as fixed environment")
    return {
        "argv": [python, "-S", str(LAUNCHER), *(f"{k}={v}" for k, v in defaults.items()), "--",
                 java, "-Djava.awt.headless=true", *([natives] if natives else []), *launch, "{connection_file}"],
        "display_name": display_name,
        "language": "java",
        "interrupt_mode": "message",
        "env": fixed,
    }


def write(path: Path, spec: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec, indent=1) + "\n")


def split(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """A kernelspec's argv as (the launcher's remembered defaults, the java command after them)."""
    at = next((i for i, a in enumerate(argv[:3]) if a.endswith("kernel_launcher.py")), None)
    if at is None:
        return {}, list(argv)
    cut = argv.index("--", at)
    return dict(a.split("=", 1) for a in argv[at + 1:cut]), argv[cut + 1:]


def java_argv(argv: list[str]) -> list[str]:
    """The java command in a kernelspec's argv (without the launcher in front)."""
    return split(argv)[1]


def launch_index(argv: list[str]) -> int:
    """Where the JVM's options end in a kernel's argv: at -jar KERNEL.jar (IJava) or -cp CLASSPATH MAIN (rapaio)."""
    return min(argv.index(a) for a in ("-jar", "-cp") if a in argv)


def classpath_of(env: dict) -> list[str]:
    """The kernel's classpath (the helper jar, DL4J) from its environment: RJK_CLASSPATH (';') or IJAVA_CLASSPATH."""
    if env.get("RJK_CLASSPATH"):
        return env["RJK_CLASSPATH"].split(";")
    return [p for p in env.get("IJAVA_CLASSPATH", "").split(os.pathsep) if p]


def cores(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup CPU quota (docker run --cpus 1)."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:
        n = os.cpu_count() or 1
    for quota_file, period_file in (("cpu.max", None), ("cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us"),
                                    ("cpu,cpuacct/cpu.cfs_quota_us", "cpu,cpuacct/cpu.cfs_period_us")):
        try:
            parts = (cgroup / quota_file).read_text().split()
            quota, period = parts[0], (parts[1] if period_file is None else (cgroup / period_file).read_text().strip())
        except (OSError, IndexError):
            continue
        if quota not in ("max", "-1") and period.isdigit() and int(period) > 0:
            n = min(n, max(1, math.ceil(int(quota) / int(period))))
        break
    return n


@dataclass
class Launch:
    """The kernel's java command (memory flags in), the environment variables to set, notes for its log, and the
    OpenBLAS verdict (numerics.Verdict)."""
    argv: list[str]
    env: dict[str, str]
    notes: list[str] = field(default_factory=list)
    verdict: object = None


def resolve(spec: dict, environ: dict | None = None, announce=None) -> Launch:
    """The kernel as it starts now from SPEC in the environment ENVIRON (default: this process's): its command and its
    environment, with the settings read at start (STARTUP_SETTINGS) settled. Raises SystemExit if no OpenBLAS core
    type passes the self-test on this CPU."""
    import numerics  # noqa: PLC0415 - scripts/ is this file's folder

    environ = dict(os.environ if environ is None else environ)
    defaults, java = split(spec["argv"])

    def setting(name: str) -> str | None:
        return environ.get(name) or defaults.get(name) or None   # empty = not set

    at = java.index("-Djava.awt.headless=true") + 1 if "-Djava.awt.headless=true" in java else 1
    argv = java[:at] + memory_flags(setting("AE_KERNEL_MEMORY") or "") + java[at:]
    env = {**spec.get("env", {}), "OMP_NUM_THREADS": setting("OMP_NUM_THREADS") or str(cores())}
    check_java = [a for a in argv[: launch_index(argv)] if not a.startswith(("-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit="))]
    classpath = classpath_of({**environ, **env})
    # OPENBLAS_CORETYPE is not remembered: the self-test's verdict is per CPU, and a request is the environment's.
    verdict = numerics.verdict(environ.get("OPENBLAS_CORETYPE") or None, check_java + ["-cp", os.pathsep.join(classpath)],
                               {**environ, **env}, classpath, announce)
    if not verdict.ok:
        raise SystemExit(verdict.line)
    if verdict.coretype:   # else OpenBLAS named no core (a build for one CPU only): nothing to pin
        env["OPENBLAS_CORETYPE"] = verdict.coretype
    notes = [verdict.line] if verdict.requested is not None and verdict.coretype != verdict.requested else []
    if "not a core type" in verdict.line and verdict.line not in notes:
        notes.append(verdict.line)
    return Launch(argv, env, notes, verdict)


def read(path: Path = SPEC) -> tuple[list[str], str, dict]:
    """java with the kernel's JVM flags, the kernel's classpath (the helper jar and DL4J) and its other environment
    variables (the OpenBLAS core type and threads included), as the kernel would start now: so that a plain `java`
    run (the bench, a data check) gets what a notebook gets."""
    if not path.is_file():
        raise SystemExit(f"no kernelspec at {path}: run `make setup` first")
    spec = json.loads(path.read_text())
    launch = resolve(spec)
    jvm = launch.argv[: launch_index(launch.argv)]
    return jvm, os.pathsep.join(classpath_of(launch.env)), {k: v for k, v in launch.env.items() if not k.endswith("CLASSPATH")}


def main(args: list[str]) -> int:
    command = args[0] if args else ""
    if command in ("check", "env-args"):
        spec = json.loads((Path(args[1]) if len(args) > 1 else SPEC).read_text())
        started = []

        def announce(message: str) -> None:   # a self-test about to run and its verdict make one line of output
            if command == "check":
                print(f"[setup] Numerics: {message}: ", end="", flush=True)
                started.append(message)

        try:
            launch = resolve(spec, announce=announce)
        except SystemExit as e:
            if started:
                print("no core type passes.", flush=True)
            print(f"[setup] ERROR: Numerics: {e}", file=sys.stderr)
            return 1
        if command == "check":
            v = launch.verdict
            print(v.line if started else f"[setup] Numerics: {v.line} (checked earlier on this CPU)")
        else:
            coretype = launch.env.get("OPENBLAS_CORETYPE")
            print(f"OPENBLAS_CORETYPE={coretype}" if coretype else "-u OPENBLAS_CORETYPE")
        return 0
    if command != "write" or "--" not in args or args.index("--") < 6:
        raise SystemExit(__doc__)
    out, python, java, name, natives, *rest = args[1:]
    cut = rest.index("--")
    head, launch = rest[:cut], rest[cut + 1:]
    env = [a for i, a in enumerate(head) if a != "--default" and (i == 0 or head[i - 1] != "--default")]
    defaults = dict(head[i + 1].split("=", 1) for i, a in enumerate(head) if a == "--default")
    write(Path(out), build(python, java, name, natives, env, launch, defaults))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
