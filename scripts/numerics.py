"""Which OpenBLAS core type the Java kernel runs with on this CPU, decided by the helper jar's self-test
(ae.NumericsCheck) and remembered per CPU. Used through scripts/kernelspec.py: by setup (one line of its output), by
the kernel launcher when a kernel starts on a CPU (or with a requested core type) that has no verdict yet, and by the
bench and the tests, so that all of them run with the same setting.

ND4J 1.0.0-M2.1 bundles OpenBLAS 0.3.19 built for every x86 CPU; it picks kernels for the CPU it finds, or those named
by OPENBLAS_CORETYPE. Some choices give wrong answers without any error: SkylakeX (what an Intel Xeon with AVX-512
gets) and Cooperlake return eigenvectors that are not orthonormal (measured |VtV-I| 0.07-0.18), and so does an
OPENBLAS_CORETYPE that is empty or misspelt (OpenBLAS then takes the last entry of its table, Cooperlake). So:

1. the self-test runs with the requested core type: OPENBLAS_CORETYPE if set (else the one given to `make setup`),
   else OpenBLAS's own choice;
2. if that fails, with the fallbacks below that the CPU can run, Haswell first; the first that passes is used;
3. if OpenBLAS's own choice passes but is one of its pre-AVX2 kernels on a CPU with AVX2 and FMA (on an AMD Zen 5,
   OpenBLAS 0.3.19 does not know the CPU and takes Barcelona), Haswell is tried and used if it passes: its double
   matrix products are 2.5-3x faster (docs/performance.md, "OpenBLAS core types");
4. if nothing passes there is no verdict: setup stops, and the kernel does not start, with an error saying so.

The kernel always gets an explicit OPENBLAS_CORETYPE: the core type that passed. A verdict is kept in
target/numerics/ (or, where that is not writable, the user's cache folder, else the temporary folder), named by a
hash of what it depends on: the CPU (model name and flags), the requested core type, the natives' jars (ND4J,
OpenBLAS, JavaCPP versions) and the self-test's own class.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1  # of the verdict files; a change makes every earlier verdict void
CHECK_CLASS = "ae.NumericsCheck"
CHECK_SECONDS = 300  # one self-test; ~3-5 s normally (a busy machine: up to ~10 s)

# OpenBLAS 0.3.19's core types on x86_64 (DYNAMIC_ARCH), as OPENBLAS_CORETYPE accepts them (any letter case).
X86_CORETYPES = ["Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington",
                 "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Nano", "Sandybridge", "Bulldozer",
                 "Piledriver", "Haswell", "Steamroller", "Excavator", "Zen", "SkylakeX", "Cooperlake"]
# What to try when a core type fails, in order, with the CPU flags each one's kernels need.
X86_FALLBACKS = [("Haswell", {"avx2", "fma"}), ("Zen", {"avx2", "fma"}), ("Sandybridge", {"avx"}),
                 ("Nehalem", {"sse4_2"}), ("Core2", {"ssse3"}), ("Prescott", {"sse3"})]
ARM_FALLBACKS = [("ARMV8", set())]
# OpenBLAS's kernels that use AVX2 (and FMA): on a CPU that has both, any other choice leaves them unused.
AVX2_KERNELS = {"haswell", "zen", "skylakex", "cooperlake"}


def cpu() -> dict:
    """This CPU: architecture, model name and feature flags (Linux: /proc/cpuinfo; macOS: sysctl)."""
    arch = platform.machine().lower()
    model, flags = platform.processor() or "", []
    try:
        block = Path("/proc/cpuinfo").read_text(errors="replace").split("\n\n")[0]
        fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in block.splitlines())}
        model = fields.get("model name") or fields.get("Model") or fields.get("CPU part", model)
        flags = (fields.get("flags") or fields.get("Features") or "").split()
    except OSError:
        try:
            query = ["machdep.cpu.brand_string", "machdep.cpu.features", "machdep.cpu.leaf7_features"]
            out = subprocess.run(["sysctl", "-n", *query], capture_output=True, text=True).stdout.splitlines()
            model, flags = (out[0] if out else model), " ".join(out[1:]).lower().split()
            flags = [f.replace(".", "_") for f in flags]
        except OSError:
            pass
    return {"arch": arch, "model": model, "flags": sorted(set(flags))}


def known(coretype: str, arch: str) -> bool:
    """Whether OpenBLAS 0.3.19 has a core type of this name (x86_64; elsewhere any name is taken as given)."""
    if arch not in ("x86_64", "amd64"):
        return True
    return coretype.lower() in (c.lower() for c in X86_CORETYPES)


def fallbacks(info: dict) -> list[str]:
    """The core types to try on this CPU when the requested one fails, in order."""
    table = X86_FALLBACKS if info["arch"] in ("x86_64", "amd64") else ARM_FALLBACKS
    flags = set(info["flags"])
    return [name for name, needs in table if needs <= flags or not flags]


@dataclass
class Trial:
    """One run of the self-test: the OPENBLAS_CORETYPE given (None: OpenBLAS's own choice), the core OpenBLAS
    reported using, whether every check passed, the first failure, the time taken, the check lines."""
    requested: str | None
    core: str | None
    passed: bool
    failure: str = ""
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """What the kernel runs with: `coretype` (None when no core type passes: then `ok` is False), and the one line
    that says why."""
    requested: str | None
    coretype: str | None
    line: str
    trials: list[Trial]
    ok: bool = True
    cached: bool = False

    def to_json(self) -> dict:
        return {"requested": self.requested, "coretype": self.coretype, "line": self.line, "ok": self.ok,
                "trials": [t.__dict__ for t in self.trials]}

    @staticmethod
    def from_json(data: dict) -> "Verdict":
        return Verdict(data["requested"], data["coretype"], data["line"], [Trial(**t) for t in data["trials"]],
                       data["ok"], cached=True)


def run_check(java: list[str], env: dict, coretype: str | None) -> Trial:
    """The self-test in a fresh JVM (`java` ends with -cp CLASSPATH) with OPENBLAS_CORETYPE=coretype (None: unset)."""
    env = {**env, "OPENBLAS_VERBOSE": "2"}   # OpenBLAS then prints the core it uses ("Core: Haswell")
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype is not None:
        env["OPENBLAS_CORETYPE"] = coretype
    start = time.monotonic()
    # in a folder of its own: a core type whose instructions the CPU lacks crashes the JVM, which leaves a report
    with tempfile.TemporaryDirectory(prefix="ae-numerics-") as tmp:
        command = [java[0], f"-XX:ErrorFile={tmp}/hs_err_%p.log", *java[1:], CHECK_CLASS]
        try:
            run = subprocess.run(command, env=env, cwd=tmp, capture_output=True, text=True, timeout=CHECK_SECONDS)
        except subprocess.TimeoutExpired:
            return Trial(coretype, None, False, f"no answer in {CHECK_SECONDS} s", CHECK_SECONDS)
    seconds = round(time.monotonic() - start, 2)
    cores = re.findall(r"^Core: (\S+)", run.stderr, re.M)
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    core = cores[-1] if cores else None
    if run.returncode == 0 and lines and lines[-1].startswith("verdict: pass"):
        return Trial(coretype, core, True, "", seconds, lines)
    wrong = [line for line in lines if " WRONG " in f"{line} "]
    if run.returncode == 1 and wrong:
        name, _, rest = wrong[0].partition(" error ")
        failure = f"{name.strip()}: error {rest.split()[0]}"
    elif run.returncode < 0 or run.returncode > 128:
        signal = -run.returncode if run.returncode < 0 else run.returncode - 128
        failure = f"crashed (signal {signal}: instructions this CPU lacks?)"
    else:
        last = (lines or run.stderr.strip().splitlines() or ["no output"])[-1]
        failure = f"did not run (exit {run.returncode}: {last})"
    return Trial(coretype, core, False, failure, seconds, lines)


def decide(requested: str | None, info: dict, check: Callable[[str | None], Trial]) -> Verdict:
    """The verdict for this CPU (`info`, from cpu()) and the requested core type (None: OpenBLAS's choice), with
    `check(coretype)` running the self-test."""
    trials: list[Trial] = []
    note = ""
    if requested is not None and not known(requested, info["arch"]):
        note = (f"OPENBLAS_CORETYPE={requested} is not a core type of OpenBLAS 0.3.19 (it would quietly take "
                f"Cooperlake's kernels); ignored. ")
        requested = None

    def attempt(coretype: str | None) -> Trial:
        trial = check(coretype)
        trials.append(trial)
        return trial

    first = attempt(requested)
    own = f"OpenBLAS's own choice here ({first.core or 'unknown'})"
    label = f"your OPENBLAS_CORETYPE={requested}" if requested is not None else own
    if first.passed:
        generic = (requested is None and first.core and first.core.lower() not in AVX2_KERNELS
                   and {"avx2", "fma"} <= set(info["flags"]))
        if generic:
            faster = attempt("Haswell")
            if faster.passed:
                return Verdict(requested, "Haswell", note + f"{own} passes but leaves AVX2 unused; pinned "
                               f"OPENBLAS_CORETYPE=Haswell, which passes and is faster.", trials)
            return Verdict(requested, first.core, note + f"{own} passes the self-test (Haswell, faster, fails: "
                           f"{faster.failure}); pinned OPENBLAS_CORETYPE={first.core}.", trials)
        coretype = requested if requested is not None else first.core
        return Verdict(requested, coretype, note + f"{label} passes the self-test (eigen decomposition, GEMM, GEMV); "
                       f"{'kept' if requested is not None else f'pinned OPENBLAS_CORETYPE={coretype}'}.", trials)
    tried = {(requested or "").lower(), (first.core or "").lower()}
    for coretype in fallbacks(info):
        if coretype.lower() in tried:
            continue
        tried.add(coretype.lower())
        trial = attempt(coretype)
        if trial.passed:
            instead = "the kernel uses" if requested is not None else "pinned"
            return Verdict(requested, coretype, note + f"{label} fails the self-test ({first.failure}); {instead} "
                           f"OPENBLAS_CORETYPE={coretype}, which passes.", trials)
    summary = "; ".join(f"{t.requested or 'own choice ' + str(t.core)}: {t.failure}" for t in trials)
    return Verdict(requested, None, note + f"no OpenBLAS core type passes the self-test on this CPU ({info['model']}; "
                   f"tried {summary}). The notebooks' linear algebra would be wrong here: see TROUBLESHOOTING.md, "
                   f"'Numerics'.", trials, ok=False)


def natives(classpath: list[str]) -> list[str]:
    """The jars whose natives the self-test exercises (their names carry the versions), sorted."""
    pattern = re.compile(r"^(nd4j-native|openblas|javacpp|mkl)-\d")
    return sorted({Path(p).name for p in classpath if pattern.match(Path(p).name)})


def check_id(classpath: list[str]) -> str:
    """The self-test's own identity: the CRC of ae/NumericsCheck.class in the helper jar (or '?')."""
    for entry in classpath:
        if entry.endswith(".jar") and Path(entry).name.startswith("ae-lib"):
            try:
                with zipfile.ZipFile(entry) as jar:
                    return f"{jar.getinfo('ae/NumericsCheck.class').CRC:08x}"
            except (OSError, KeyError, zipfile.BadZipFile):
                return "?"
    return "?"


def key(requested: str | None, info: dict, classpath: list[str]) -> tuple[str, dict]:
    """The verdict's file name and what it depends on."""
    basis = {"format": FORMAT, "cpu": info, "requested": requested.lower() if requested is not None else None,
             "natives": natives(classpath), "check": check_id(classpath)}
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()[:20] + ".json", basis


def cache_dirs() -> list[Path]:
    """Where verdicts are kept, in order of preference: the project's target/numerics, the user's cache folder, the
    temporary folder (each used only where it can be written)."""
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autoencoders-java" / "numerics"
    temp = Path(tempfile.gettempdir()) / f"autoencoders-java-numerics-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    return [ROOT / "target" / "numerics", user, temp]


def load(name: str, dirs: list[Path]) -> Verdict | None:
    for d in dirs:
        try:
            return Verdict.from_json(json.loads((d / name).read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def save(name: str, basis: dict, verdict: Verdict, dirs: list[Path]) -> Path | None:
    """Writes the verdict into the first folder that takes it (whole or not at all); None if none does."""
    data = json.dumps({**verdict.to_json(), "basis": basis, "date": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1)
    for d in dirs:
        try:
            d.mkdir(parents=True, exist_ok=True)
            part = d / f"{name}.{os.getpid()}.part"
            part.write_text(data + "\n")
            part.replace(d / name)
            return d / name
        except OSError:
            continue
    return None


def verdict(requested: str | None, java: list[str], env: dict, classpath: list[str],
            announce: Callable[[str], None] | None = None) -> Verdict:
    """The verdict for this CPU and `requested`, from the cache or by running the self-test with `java` (the kernel's
    JVM and flags, ending with -cp CLASSPATH) and `env` (the kernel's environment). A failed verdict is not kept:
    the next run checks again. `announce` is told when the self-test is about to run."""
    info = cpu()
    name, basis = key(requested, info, classpath)
    dirs = cache_dirs()
    found = load(name, dirs)
    if found is not None:
        return found
    if announce:
        announce(f"self-test of OpenBLAS on this CPU ({info['model'] or info['arch']}; once per CPU, a few seconds)")
    result = decide(requested, info, lambda coretype: run_check(java, env, coretype))
    if result.ok:
        save(name, basis, result, dirs)
    return result


if __name__ == "__main__":
    json.dump(cpu(), sys.stdout, indent=1)
    print()
