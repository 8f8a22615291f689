"""scripts/kernelspec.py: the one place that writes the kernelspec (for setup.sh) and reads it (for the bench and
the tests)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import kernelspec


def test_written_by_the_command_line_read_back_the_same(tmp_path: Path) -> None:
    out = tmp_path / "kernel.json"
    env = {k: v for k, v in os.environ.items() if k != "AE_KERNEL_MEMORY"}
    run = subprocess.run([sys.executable, str(kernelspec.ROOT / "scripts" / "kernelspec.py"), str(out), "/opt/java", "Java (test)", "",
                          "AE_HOME=/p", "OMP_NUM_THREADS=1", "RJK_CLASSPATH=/a.jar;/b.jar", "--", "-cp", "fix.jar:k.jar", "Main"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    spec = json.loads(out.read_text())
    assert spec["argv"] == ["/opt/java", "-Djava.awt.headless=true", *kernelspec.MEMORY, "-cp", "fix.jar:k.jar", "Main", "{connection_file}"]
    assert spec["env"] == {"AE_HOME": "/p", "OMP_NUM_THREADS": "1", "RJK_CLASSPATH": "/a.jar;/b.jar"}
    jvm, classpath, kernel_env = kernelspec.read(out)
    assert jvm == ["/opt/java", "-Djava.awt.headless=true", *kernelspec.MEMORY]
    assert classpath == os.pathsep.join(["/a.jar", "/b.jar"])
    assert kernel_env == {"AE_HOME": "/p", "OMP_NUM_THREADS": "1"}


def test_ijava_natives_and_other_memory_caps(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AE_KERNEL_MEMORY", "-Xmx256m -Dorg.bytedeco.javacpp.maxbytes=512m")
    spec = kernelspec.build("java", "IJava", "-Dorg.bytedeco.javacpp.platform.extension=-onednn", ["IJAVA_CLASSPATH=/a.jar:/b.jar"],
                            ["-jar", "ijava.jar"])
    kernelspec.write(tmp_path / "k" / "kernel.json", spec)
    jvm, classpath, _ = kernelspec.read(tmp_path / "k" / "kernel.json")
    assert jvm == ["java", "-Djava.awt.headless=true", "-Xmx256m", "-Dorg.bytedeco.javacpp.maxbytes=512m",
                   "-Dorg.bytedeco.javacpp.platform.extension=-onednn"]
    assert classpath == "/a.jar:/b.jar"


def test_the_installed_kernelspec_is_the_modules() -> None:
    """setup.sh wrote target/.../kernel.json through kernelspec.py: its memory flags are the module's."""
    argv = json.loads(kernelspec.SPEC.read_text())["argv"]
    jvm = argv[: kernelspec.launch_index(argv)]
    assert jvm[1] == "-Djava.awt.headless=true" and jvm[2:2 + len(kernelspec.memory_flags())] == kernelspec.memory_flags(), jvm
