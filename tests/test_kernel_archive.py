"""The kernel's start-up archive (scripts/kernel_archive.py): made by setup, used by the kernel's JVM, optional."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import kernel_archive
import kernelspec

ROOT = Path(__file__).resolve().parent.parent
SPEC = kernelspec.SPEC


def jvm_flags(argv: list[str]) -> tuple[list[str], list[str]]:
    """The JVM's options, and how it is told what to run (-jar JAR, or -cp CLASSPATH MAIN) without the main's args."""
    argv = kernelspec.java_argv(argv)   # after the kernel launcher
    cut = kernelspec.launch_index(argv)
    return argv[1:cut], argv[cut:cut + 2]


def test_setup_gave_the_kernel_an_archive_that_its_jvm_maps() -> None:
    spec = json.loads(SPEC.read_text())
    flags, launch = jvm_flags(spec["argv"])
    archive = [f for f in flags if f.startswith(kernel_archive.FLAG)]
    assert len(archive) == 1, f"no {kernel_archive.FLAG} in {SPEC}: run `make setup` and read its warning"
    path = Path(archive[0][len(kernel_archive.FLAG):])
    assert path.is_file()
    # The archive is up to date for this kernelspec (the stamp is taken without the archive flag).
    base = {**spec, "argv": [a for a in spec["argv"] if not a.startswith(kernel_archive.FLAG)]}
    assert path.with_name(path.name + ".stamp").read_text() == kernel_archive.stamp(base)
    # -Xshare:on makes the JVM fail if it cannot use the archive; the log shows the archive's classes mapped.
    out = subprocess.run([kernelspec.java_argv(spec["argv"])[0], *flags, "-Xshare:on", "-Xlog:cds=info", "-cp", launch[1], "-version"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Mapped dynamic region" in out.stdout + out.stderr


def test_a_kernel_that_cannot_start_gets_no_archive_and_setup_goes_on(tmp_path: Path) -> None:
    spec = json.loads(SPEC.read_text())
    java = kernelspec.java_argv(spec["argv"])
    launcher = spec["argv"][: len(spec["argv"]) - len(java)]
    broken = {**spec, "argv": [*launcher, java[0], "-XX:+NoSuchOption", *java[kernelspec.launch_index(java):]]}
    base, out, archive = tmp_path / "base.json", tmp_path / "kernel.json", tmp_path / "k.jsa"
    base.write_text(json.dumps(broken))
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "kernel_archive.py"), str(base), str(out), str(archive)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "WARNING: no start-up archive" in run.stderr
    assert json.loads(out.read_text()) == broken  # the kernelspec as it was, without the archive flag
    assert not archive.exists() and not (tmp_path / "k.jsa.part").exists()
