"""The install path outside Linux's comfortable defaults: a project folder with spaces in its path, the kernel choice
that must stick, and the shell scripts checked by a portable-shell linter (shellcheck)."""
from __future__ import annotations

import json
import os
import re
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
    # folders keep their dates too: setup rebuilds the helper jar when anything in lib/src/main is newer than it
    for name in {str(Path(n).parent) for n in filter(None, files)}:
        for folder in [Path(name), *Path(name).parents]:
            if str(folder) != "." and (ROOT / folder).is_dir():
                st = (ROOT / folder).stat()
                os.utime(dest / folder, ns=(st.st_atime_ns, st.st_mtime_ns))
    (dest / ".venv").symlink_to((ROOT / ".venv").resolve())
    # the build output hard-linked, but not the helper jar: a rebuild in the copy must not write into this one
    shutil.copytree(ROOT / "lib" / "target", dest / "lib" / "target", copy_function=os.link, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if n.startswith("ae-lib-") and n.endswith(".jar")])
    for jar in (ROOT / "lib" / "target").glob("ae-lib-*.jar"):
        shutil.copy2(jar, dest / "lib" / "target" / jar.name)
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


def test_kernel_settings_given_to_setup_stick_until_changed(spaced):
    """`OMP_NUM_THREADS=1 make setup` is remembered like KERNEL: the next `make setup` (every `make lab`, `make test`
    runs one) keeps it as the kernel's default, the environment a kernel starts in still overrides it, and an empty
    value forgets it. Setup says which OpenBLAS core type the kernel gets, in one line."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import kernelspec

    spec_path = spaced / "target" / "jupyter" / "kernels" / "java" / "kernel.json"
    settings = spaced / "target" / "kernel" / "settings"

    def setup(**extra) -> str:
        env = {k: v for k, v in env_without_kernel().items() if k not in ("OMP_NUM_THREADS", "AE_KERNEL_MEMORY")}
        env.pop("JUPYTER_PATH", None)
        run = subprocess.run(["make", "setup"], cwd=spaced, capture_output=True, text=True, env={**env, **extra}, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
        assert len([line for line in run.stdout.splitlines() if line.startswith("[setup] Numerics:")]) == 1, run.stdout
        return run.stdout

    def defaults() -> dict:
        return kernelspec.split(json.loads(spec_path.read_text())["argv"])[0]

    out = setup(OMP_NUM_THREADS="1", AE_KERNEL_MEMORY="-Xmx400m -Dorg.bytedeco.javacpp.maxbytes=800m")
    assert "Kernel settings: OMP_NUM_THREADS=1 (set now) AE_KERNEL_MEMORY=-Xmx400m" in out, out
    remembered = {"OMP_NUM_THREADS": "1", "AE_KERNEL_MEMORY": "-Xmx400m -Dorg.bytedeco.javacpp.maxbytes=800m"}
    assert defaults() == remembered
    out = setup()
    assert "OMP_NUM_THREADS=1 (remembered from an earlier make setup)" in out, out
    assert defaults() == remembered and settings.read_text().splitlines() == [f"{k}={v}" for k, v in remembered.items()]
    spec = json.loads(spec_path.read_text())
    plain = {k: v for k, v in os.environ.items() if k not in kernelspec.STARTUP_SETTINGS}
    launch = kernelspec.resolve(spec, plain)
    assert launch.env["OMP_NUM_THREADS"] == "1" and "-Xmx400m" in launch.argv and "-Xmx512m" not in launch.argv
    launch = kernelspec.resolve(spec, {**plain, "OMP_NUM_THREADS": "2"})
    assert launch.env["OMP_NUM_THREADS"] == "2"
    setup(OMP_NUM_THREADS="")
    assert defaults() == {"AE_KERNEL_MEMORY": remembered["AE_KERNEL_MEMORY"]}
    setup(AE_KERNEL_MEMORY="")
    assert defaults() == {} and settings.read_text() == "\n"
    assert kernelspec.resolve(json.loads(spec_path.read_text()), plain).env["OMP_NUM_THREADS"] == str(kernelspec.cores())


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


def test_a_partial_bench_leaves_the_published_table_alone(tmp_path):
    """`BENCH_MODELS=x make bench` measures x; only a run of every model rewrites docs/performance.md (through
    scripts/performance_doc.py). The Makefile's recipe, with setup and Python replaced by stand-ins that log."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "scripts" / "setup.sh").write_text("#!/bin/sh\n")
    log = tmp_path / "ran.log"
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n')
    for p in (python, tmp_path / "scripts" / "setup.sh"):
        p.chmod(0o755)

    def bench(**env) -> list[str]:
        log.write_text("")
        run = subprocess.run(["make", "-s", "bench", f"PYTHON={python}"], cwd=tmp_path, capture_output=True, text=True,
                             env={**env_without_kernel(), **env})
        assert run.returncode == 0, run.stdout + run.stderr
        return [Path(line.split()[0]).name for line in log.read_text().splitlines()]

    assert bench(BENCH_MODELS="kittens") == ["bench.py"]
    assert bench() == ["bench.py", "performance_doc.py"]


def test_shell_scripts_pass_shellcheck():
    """Portable-shell lint of every shell script (.ci/run installs shellcheck, Debian package `shellcheck`)."""
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is not installed: apt-get install shellcheck (or brew install shellcheck)"
    scripts = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh")) + [".ci/run"]
    out = subprocess.run([shellcheck, "--shell=bash", *scripts], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_github_workflow_runs_the_ci_script_itself():
    """One script, two places: every step of .github/workflows/ci.yml that runs a command runs `.ci/run` (not a copy
    of its commands, which drifted before: `make test` without the browser's dependencies), for both kernels."""
    text = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    runs = [line.split("run:", 1)[1].strip() for line in text.splitlines() if line.strip().startswith(("run:", "- run:"))]
    assert runs == [".ci/run"], runs
    assert "make test" not in "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    kernels = re.findall(r"^\s*- kernel: (\S+)$", text, re.M)
    assert sorted(kernels) == ["ijava", "rapaio"], kernels
    assert "KERNEL: ${{ matrix.kernel }}" in text
    mode = subprocess.run(["git", "ls-files", "-s", ".ci/run"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert mode and mode[0] == "100755", f".ci/run must be executable in git: {mode}"


def test_bench_reads_memory_and_cpu_on_macos_too():
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench
    assert bench.max_rss_mb(3 * 1024 * 1024 * 1024, "darwin") == 3072
    assert bench.max_rss_mb(3 * 1024 * 1024, "linux") == 3072
    assert bench.cpu_name()
