"""environment.yml (conda) gives what `make lab` needs, with requirements.txt as the one source of the Python pins,
and make / scripts/setup.sh then use the active conda environment instead of .venv/. conda-forge is not reachable
here, so this checks the file itself and how the Makefile and setup.sh choose the Python environment."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def conda_env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_environment_yml_has_what_make_lab_needs() -> None:
    env = conda_env()
    assert env["name"] == "autoencoders-java" and env["channels"] == ["conda-forge"]
    deps = env["dependencies"]
    names = {re.split(r"[=<>! ]", d)[0]: d for d in deps if isinstance(d, str)}
    assert {"python", "pip", "openjdk", "maven", "make"} <= set(names), names
    # The Python packages come from requirements.txt only: no second list of pins that could drift.
    pip = [d["pip"] for d in deps if isinstance(d, dict)]
    assert pip == [["-r requirements.txt"]], pip
    pinned = {re.split(r"[=<>!]", line)[0].lower().replace("_", "-")
              for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")}
    assert not pinned & {n.lower().replace("_", "-") for n in names if n != "pip"}, "a conda package repeats a requirements.txt pin"


def test_python_and_java_versions_are_the_projects() -> None:
    names = {re.split(r"[=<>! ]", d)[0]: d for d in conda_env()["dependencies"] if isinstance(d, str)}
    # requirements.txt was frozen with this Python ("pip freeze (Python 3.11)").
    frozen_with = re.search(r"Python (\d+\.\d+)", (ROOT / "requirements.txt").read_text().splitlines()[0]).group(1)
    assert names["python"] == f"python={frozen_with}"
    release = re.search(r"<maven.compiler.release>(\d+)</maven.compiler.release>", (ROOT / "pom.xml").read_text()).group(1)
    assert names["openjdk"] == f"openjdk={release}"


def make_python(**env: str) -> str:
    """The Python the Makefile runs, in an environment with these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CONDA_")}
    out = subprocess.run(["make", "-s", "--no-print-directory", "--eval", "ae-show-python: ; @echo $(PYTHON)", "ae-show-python"],
                         cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_make_uses_an_active_conda_environment_but_not_base() -> None:
    assert make_python() == str(ROOT / ".venv" / "bin" / "python")
    assert make_python(CONDA_PREFIX="/opt/conda/envs/ae", CONDA_DEFAULT_ENV="autoencoders-java") == "/opt/conda/envs/ae/bin/python"
    assert make_python(CONDA_PREFIX="/opt/conda", CONDA_DEFAULT_ENV="base") == str(ROOT / ".venv" / "bin" / "python")


def test_setup_uses_the_conda_environment_and_says_when_it_has_no_python(tmp_path: Path) -> None:
    # An active conda environment without Python: setup must stop with a clear message, not create a venv in it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDA_")}
    env.update(CONDA_PREFIX=str(tmp_path / "env"), CONDA_DEFAULT_ENV="autoencoders-java")
    run = subprocess.run([str(ROOT / "scripts" / "setup.sh")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "conda environment (autoencoders-java) has no Python" in run.stderr and "conda env create -f environment.yml" in run.stderr, run.stderr
    assert not (tmp_path / "env").exists(), "setup created something in the conda environment"
