"""OpenBLAS's numerics on this CPU (scripts/numerics.py, ae.NumericsCheck): which core type the kernel, the bench and
the tests run with; setup's pinning, a user's bad OPENBLAS_CORETYPE overridden, the verdict kept per CPU; and both
doors a setting comes through: `make setup`, and a kernel started with a changed environment."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kernelspec
import numerics

ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
ZEN5 = {"arch": "x86_64", "model": "AMD EPYC", "flags": ["avx", "avx2", "avx512f", "fma", "sse3", "sse4_2", "ssse3"]}
OLD = {"arch": "x86_64", "model": "Old CPU", "flags": ["avx", "sse3", "sse4_2", "ssse3"]}


def checker(results: dict):
    """A fake self-test: results maps a requested core type (None: OpenBLAS's own choice) to (core, passed)."""
    calls = []

    def check(coretype):
        calls.append(coretype)
        core, passed = results[coretype]
        return numerics.Trial(coretype, core, passed, "" if passed else "eigenvectors, double, n = 340: error 8.3e+00")
    return check, calls


def test_openblas_own_choice_is_kept_when_it_passes_and_uses_avx2():
    check, calls = checker({None: ("Zen", True)})
    v = numerics.decide(None, ZEN5, check)
    assert (v.ok, v.coretype, calls) == (True, "Zen", [None])
    assert v.line == "OpenBLAS's own choice here (Zen) passes the self-test (eigen decomposition, GEMM, GEMV); pinned OPENBLAS_CORETYPE=Zen."


def test_a_generic_choice_on_an_avx2_cpu_gives_way_to_haswell_if_haswell_passes():
    check, calls = checker({None: ("Barcelona", True), "Haswell": ("Haswell", True)})
    v = numerics.decide(None, ZEN5, check)
    assert (v.coretype, calls) == ("Haswell", [None, "Haswell"])
    assert "(Barcelona) passes but leaves AVX2 unused; pinned OPENBLAS_CORETYPE=Haswell" in v.line
    check, calls = checker({None: ("Barcelona", True), "Haswell": ("Haswell", False)})
    assert numerics.decide(None, ZEN5, check).coretype == "Barcelona"
    # without AVX2 there is nothing faster to try
    check, calls = checker({None: ("Nehalem", True)})
    assert (numerics.decide(None, OLD, check).coretype, calls) == ("Nehalem", [None])


def test_a_failing_choice_is_replaced_by_the_first_fallback_that_passes():
    check, calls = checker({None: ("SkylakeX", False), "Haswell": ("Haswell", True)})
    v = numerics.decide(None, ZEN5, check)
    assert (v.ok, v.coretype, calls) == (True, "Haswell", [None, "Haswell"])
    assert v.line == ("OpenBLAS's own choice here (SkylakeX) fails the self-test (eigenvectors, double, n = 340: error "
                      "8.3e+00); pinned OPENBLAS_CORETYPE=Haswell, which passes.")
    # Haswell crashes (or is wrong) too: Zen, then the older ones; only those the CPU can run
    check, calls = checker({None: ("SkylakeX", False), "Haswell": ("Haswell", False), "Zen": ("Zen", True)})
    assert numerics.decide(None, ZEN5, check).coretype == "Zen"
    check, calls = checker({None: ("Sandybridge", False), "Sandybridge": ("Sandybridge", False), "Nehalem": ("Nehalem", True)})
    assert (numerics.decide(None, OLD, check).coretype, calls) == ("Nehalem", [None, "Nehalem"])


def test_a_users_bad_core_type_is_overridden_with_a_note_and_a_good_one_kept():
    check, calls = checker({"SKYLAKEX": ("SkylakeX", False), "Haswell": ("Haswell", True)})
    v = numerics.decide("SKYLAKEX", ZEN5, check)
    assert (v.coretype, calls) == ("Haswell", ["SKYLAKEX", "Haswell"])
    assert v.line.startswith("your OPENBLAS_CORETYPE=SKYLAKEX fails the self-test (") and v.line.endswith(
        "the kernel uses OPENBLAS_CORETYPE=Haswell, which passes.")
    check, calls = checker({"Zen": ("Zen", True)})
    v = numerics.decide("Zen", ZEN5, check)
    assert (v.coretype, calls, v.line.endswith("kept.")) == ("Zen", ["Zen"], True)
    # a requested generic one is the user's choice: no upgrade
    check, calls = checker({"Barcelona": ("Barcelona", True)})
    assert (numerics.decide("Barcelona", ZEN5, check).coretype, calls) == ("Barcelona", ["Barcelona"])


def test_a_misspelt_core_type_is_ignored_with_a_note():
    """OpenBLAS takes an unknown name (or an empty one) as its last table entry, Cooperlake: wrong here, a crash on a
    CPU without AVX-512. The name is not even tried."""
    check, calls = checker({None: ("Zen", True)})
    v = numerics.decide("Haswel", ZEN5, check)
    assert (v.coretype, calls) == ("Zen", [None])
    assert v.line.startswith("OPENBLAS_CORETYPE=Haswel is not a core type of OpenBLAS 0.3.19")
    assert numerics.known("haswell", "x86_64") and numerics.known("SKYLAKEX", "x86_64") and not numerics.known("", "x86_64")


def test_no_core_type_that_passes_is_an_error_naming_every_try():
    check, calls = checker({None: ("SkylakeX", False), **{c: (c, False) for c, _ in numerics.X86_FALLBACKS}})
    v = numerics.decide(None, ZEN5, check)
    assert not v.ok and v.coretype is None
    assert calls == [None, "Haswell", "Zen", "Sandybridge", "Nehalem", "Core2", "Prescott"]
    assert v.line.startswith("no OpenBLAS core type passes the self-test on this CPU (AMD EPYC; tried own choice SkylakeX: ")
    assert "Prescott: eigenvectors" in v.line and "TROUBLESHOOTING.md" in v.line


def test_the_verdict_is_kept_per_cpu_and_request_and_where_it_can_be_written(tmp_path, monkeypatch):
    """A second start asks no JVM; another CPU, another requested core type or another self-test asks again; a failed
    verdict is not kept; an unwritable folder gives way to the next."""
    locked = tmp_path / "locked"
    locked.write_text("a file, not a folder")   # mkdir under it fails like a read-only project would
    dirs = [locked / "numerics", tmp_path / "cache"]
    monkeypatch.setattr(numerics, "cache_dirs", lambda: dirs)
    cpu = dict(ZEN5)
    monkeypatch.setattr(numerics, "cpu", lambda: cpu)
    runs = []

    def run_check(java, env, coretype):
        runs.append(coretype)
        passed = coretype != "SKYLAKEX" and not cpu.get("broken")
        return numerics.Trial(coretype, coretype or "Zen", passed, "" if passed else "crashed")
    monkeypatch.setattr(numerics, "run_check", run_check)
    jar = ["/x/openblas-0.3.19-1.5.7-linux-x86_64.jar", "/x/nd4j-native-1.0.0-M2.1.jar"]

    first = numerics.verdict(None, ["java"], {}, jar)
    again = numerics.verdict(None, ["java"], {}, jar)
    assert (first.coretype, first.cached, again.coretype, again.cached, runs) == ("Zen", False, "Zen", True, [None])
    assert [p.parent for p in tmp_path.glob("cache/*.json")] == [tmp_path / "cache"]
    assert numerics.verdict("SKYLAKEX", ["java"], {}, jar).coretype == "Haswell" and runs[1:] == ["SKYLAKEX", "Haswell"]
    numerics.verdict(None, ["java"], {}, jar + ["/x/javacpp-1.5.8.jar"])   # other natives
    cpu["flags"] = ZEN5["flags"] + ["amx_tile"]                               # another CPU
    numerics.verdict(None, ["java"], {}, jar)
    assert runs[3:] == [None, None]
    cpu["broken"] = True
    cpu["model"] = "Broken CPU"
    bad = numerics.verdict(None, ["java"], {}, jar)
    assert not bad.ok and not numerics.verdict(None, ["java"], {}, jar).cached   # asked again next time
    assert len(list((tmp_path / "cache").glob("*.json"))) == 4


def check_line(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """`kernelspec.py check` (what setup runs) with an empty verdict cache in tmp_path."""
    code = ("import sys, pathlib; sys.path.insert(0, 'scripts'); import numerics, kernelspec\n"
            f"numerics.cache_dirs = lambda: [pathlib.Path({str(tmp_path)!r})]\n"
            "sys.exit(kernelspec.main(['check']))\n")
    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    return subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, env={**environ, **env}, capture_output=True, text=True, timeout=600)


def has_avx2() -> bool:
    return {"avx2", "fma"} <= set(numerics.cpu()["flags"])


@pytest.mark.skipif(not has_avx2(), reason="the fallback Haswell needs AVX2 and FMA")
def test_setup_overrides_skylakex_on_this_cpu_in_one_line(tmp_path):
    """The real self-test: OpenBLAS's SkylakeX kernels give wrong eigenvectors on an AVX-512 CPU (Intel Xeon, AMD Zen 5)
    and crash on one without; either way the kernel gets Haswell, and setup says so in one line."""
    run = check_line(tmp_path, OPENBLAS_CORETYPE="SKYLAKEX")
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("[setup] Numerics: self-test of OpenBLAS on this CPU"), run.stdout
    assert "your OPENBLAS_CORETYPE=SKYLAKEX fails the self-test (" in lines[0], lines[0]
    assert lines[0].endswith("the kernel uses OPENBLAS_CORETYPE=Haswell, which passes."), lines[0]
    if "avx512f" in numerics.cpu()["flags"]:
        assert "(eigenvectors, double, n = 340: error" in lines[0], lines[0]
    saved = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert [t["requested"] for t in saved["trials"]] == ["SKYLAKEX", "Haswell"] and saved["trials"][1]["passed"]
    again = check_line(tmp_path, OPENBLAS_CORETYPE="SKYLAKEX")
    assert again.stdout.endswith("(checked earlier on this CPU)\n") and "self-test of" not in again.stdout


@pytest.mark.skipif(not has_avx2(), reason="Haswell's kernels need AVX2 and FMA")
def test_the_default_choice_passes_or_is_replaced(tmp_path):
    """With OPENBLAS_CORETYPE unset (users and CI): a core type that passes, said in one line."""
    run = check_line(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("\n") == 1 and "OpenBLAS's own choice here (" in run.stdout, run.stdout
    saved = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert saved["ok"] and saved["coretype"] and any(t["passed"] and t["core"].lower() == saved["coretype"].lower()
                                                     for t in saved["trials"]), saved


async def kernel_says(env: dict) -> str:
    """Starts the project's kernel as `make lab` does, in the environment `env`, and returns what a cell printed: the
    kernel's threads, OpenBLAS core type and JVM flags."""
    from patient_kernel import PatientKernelManager
    from run_notebooks import use_project_kernelspec
    use_project_kernelspec()
    cell = ('System.out.println("OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + "\\nOPENBLAS_CORETYPE="'
            ' + System.getenv("OPENBLAS_CORETYPE") + "\\nJVM " + java.lang.management.ManagementFactory'
            '.getRuntimeMXBean().getInputArguments());')
    km = PatientKernelManager(kernel_name="java")
    await km.start_kernel(env=env)
    client = km.client()
    client.start_channels()
    out = []
    try:
        await client.wait_for_ready(timeout=180)
        reply = await client.execute_interactive(cell, timeout=120, output_hook=lambda m: out.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)
    return "".join(out)


def test_a_kernel_takes_the_environment_it_starts_in():
    """The launcher's door: what the Jupyter server (or `docker run -e`) has when the kernel starts is what the kernel
    gets, over what setup remembered; a bad core type is replaced by the one the self-test passed."""
    base = {k: v for k, v in os.environ.items() if k not in kernelspec.STARTUP_SETTINGS}
    expected = kernelspec.resolve(json.loads(kernelspec.SPEC.read_text()), {**base, "OPENBLAS_CORETYPE": "SKYLAKEX"})
    said = asyncio.run(kernel_says({**base, "OMP_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "SKYLAKEX",
                                    "AE_KERNEL_MEMORY": "-Xmx300m -Dorg.bytedeco.javacpp.maxbytes=700m"}))
    assert "OMP_NUM_THREADS=1\n" in said, said
    assert f"OPENBLAS_CORETYPE={expected.env['OPENBLAS_CORETYPE']}\n" in said and "SKYLAKEX" not in said, said
    assert "-Xmx300m, -Dorg.bytedeco.javacpp.maxbytes=700m" in said and "-Xmx512m" not in said, said
    # nothing set: what setup remembered, else every core and the course's caps
    defaults = kernelspec.split(json.loads(kernelspec.SPEC.read_text())["argv"])[0]
    plain = kernelspec.resolve(json.loads(kernelspec.SPEC.read_text()), base)
    said = asyncio.run(kernel_says(base))
    assert f"OMP_NUM_THREADS={defaults.get('OMP_NUM_THREADS', kernelspec.cores())}\n" in said, said
    assert f"OPENBLAS_CORETYPE={plain.env['OPENBLAS_CORETYPE']}\n" in said, said
    assert ", ".join(kernelspec.memory_flags(defaults.get("AE_KERNEL_MEMORY", ""))) in said, said
