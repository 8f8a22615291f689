"""The install path outside Linux's comfortable defaults: a project folder with spaces in its path, the kernel choice
that must stick, and the shell scripts checked by a portable-shell linter (shellcheck)."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def env_without_kernel(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("KERNEL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    env.update(extra)
    return env


def copy_project(dest: Path) -> Path:
    """The project's tracked and new files (what a clone holds), with the build output hard-linked, not rebuilt."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)  # keeps the dates, so the helper jar stays newer than its sources
    (dest / ".venv").symlink_to((ROOT / ".venv").resolve())
    shutil.copytree(ROOT / "lib" / "target", dest / "lib" / "target", copy_function=os.link, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def spaced(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("paths") / "my course" / "auto encoders")


def test_every_make_recipe_quotes_the_project_path(spaced):
    """`make -n` prints each recipe with the project path filled in; split as the shell would, no word may be a
    piece of a path cut at its space."""
    targets = ["setup", "kernel", "lab", "test", "unit-test", "notebook-test", "notebooks", "record", "record-markdown", "site",
               "check", "bench", "bundle", "clean"]
    for target in targets:
        out = subprocess.run(["make", "-n", target], cwd=spaced, capture_output=True, text=True, env=env_without_kernel())
        assert out.returncode == 0, f"make -n {target}: {out.stderr}"
        for line in out.stdout.replace("\\\n", " ").splitlines():  # continued lines joined
            words = shlex.split(line.replace("$(", "(").replace("`", ""))
            cut = [w for w in words if w.endswith("/my") or w.startswith("course/") or w.endswith("/auto") or w.startswith("encoders/")]
            assert not cut, f"make {target}: the project path is split at a space in: {line}"


def test_setup_and_a_kernel_cell_in_a_folder_with_spaces(spaced):
    """The real thing: setup (venv and helper jar already there) writes a kernelspec whose paths work, and the kernel
    started from it runs a DL4J cell that finds the project folder."""
    env = env_without_kernel()
    env.pop("JUPYTER_PATH", None)
    setup = subprocess.run(["make", "setup"], cwd=spaced, capture_output=True, text=True, env=env, timeout=600)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "Kernel 'java' is rapaio" in setup.stdout, setup.stdout
    assert (spaced / "target" / "kernel" / "choice").read_text().strip() == "rapaio"
    spec = json.loads((spaced / "target" / "jupyter" / "kernels" / "java" / "kernel.json").read_text())
    assert spec["env"]["AE_HOME"] == str(spaced)
    cell = ('if (!ae.Settings.home().toString().endsWith("my course/auto encoders")) throw new RuntimeException('
            '"home: " + ae.Settings.home()); System.out.println(org.nd4j.linalg.factory.Nd4j.ones(2, 2).sumNumber());')
    code = ("import asyncio, sys; sys.path.insert(0, 'scripts')\n"
            "from run_notebooks import use_project_kernelspec; use_project_kernelspec()\n"
            "from patient_kernel import run_one_cell\n"
            f"print(asyncio.run(run_one_cell('java', {cell!r})))\n")
    run = subprocess.run([str(PYTHON), "-c", code], cwd=spaced, capture_output=True, text=True, timeout=300,
                         env={**env, "AE_KERNEL_LOGS": str(spaced / "target" / "kernel-logs")})
    logs = "".join(p.read_text(errors="replace")[-2000:] for p in (spaced / "target" / "kernel-logs").glob("*.log"))
    assert run.returncode == 0, run.stdout + run.stderr + "\nkernel log:\n" + logs


def kernel_choice(project: Path, env_kernel: str | None = None, make_var: str | None = None) -> subprocess.CompletedProcess:
    """`make kernel` (what setup would install, and why), with KERNEL in the environment or on make's command line."""
    env = env_without_kernel(**({"KERNEL": env_kernel} if env_kernel else {}))
    return subprocess.run(["make", "-s", "kernel"] + ([f"KERNEL={make_var}"] if make_var else []), cwd=project,
                          capture_output=True, text=True, env=env)


def test_the_kernel_choice_sticks_until_changed(tmp_path):
    """After `KERNEL=ijava make setup`, plain make targets keep IJava (the Makefile no longer forces rapaio)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy2(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    assert kernel_choice(tmp_path).stdout.startswith("rapaio (the default")
    (tmp_path / "target" / "kernel").mkdir(parents=True)
    (tmp_path / "target" / "kernel" / "choice").write_text("ijava\n")
    assert kernel_choice(tmp_path).stdout.startswith("ijava (chosen earlier")
    assert kernel_choice(tmp_path, env_kernel="rapaio").stdout.startswith("rapaio (KERNEL=rapaio)")
    assert kernel_choice(tmp_path, make_var="rapaio").stdout.startswith("rapaio (KERNEL=rapaio)")
    bad = kernel_choice(tmp_path, env_kernel="jupyter")
    assert bad.returncode != 0 and "KERNEL='jupyter': use rapaio (default) or ijava" in bad.stderr
    # setup.sh ends by remembering the kernel it installed and saying which one it is
    text = (ROOT / "scripts" / "setup.sh").read_text()
    assert text.rstrip().splitlines()[-2:] == ['echo "$KERNEL" > "$CHOICE"',
                                               '''say "Kernel 'java' is $KERNEL ($KERNEL_WHY)."''']


def test_shell_scripts_pass_shellcheck():
    """Portable-shell lint of every shell script (.ci/run installs shellcheck, Debian package `shellcheck`)."""
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is not installed: apt-get install shellcheck (or brew install shellcheck)"
    scripts = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh")) + [".ci/run"]
    out = subprocess.run([shellcheck, "--shell=bash", *scripts], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_bench_reads_memory_and_cpu_on_macos_too():
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench
    assert bench.max_rss_mb(3 * 1024 * 1024 * 1024, "darwin") == 3072
    assert bench.max_rss_mb(3 * 1024 * 1024, "linux") == 3072
    assert bench.cpu_name()
