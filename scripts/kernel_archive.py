"""The Java kernel's start-up archive: class-data sharing (CDS) for the kernel, DL4J and the helper jar.

A fresh JVM spends much of its start reading, verifying and linking classes: the kernel's, JShell's and javac's, then
ND4J's and DL4J's on the first cell. Java 13+ can save those classes, already parsed, into an archive when a JVM
exits (-XX:ArchiveClassesAtExit); later JVMs map the archive instead (-XX:SharedArchiveFile). Measured here: kernel
start to the first DL4J answer ~0.7 s faster on an idle machine, 1-1.5 s on a busy one (docs/performance.md).

    kernel_archive.py BASE_SPEC OUT_SPEC ARCHIVE

BASE_SPEC is a kernel.json without the archive. If ARCHIVE is missing or was made for another kernel, Java or
classpath, this starts the kernel once with -XX:ArchiveClassesAtExit, runs a first cell like the notebooks' (imports,
an ND4J array, a small DL4J network), and ends the JVM in order (SIGTERM): it writes the archive as it exits. Up to
three tries, each given 45 s to answer.
Then OUT_SPEC is BASE_SPEC plus -XX:SharedArchiveFile=ARCHIVE. If the archive cannot be made, OUT_SPEC is BASE_SPEC
unchanged and a warning says why: the kernel works the same, only its start is slower. Called by scripts/setup.sh.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernelspec import java_argv, launch_index  # noqa: E402,F401  (also kernel_archive.launch_index, as before)
from patient_kernel import run_one_cell  # noqa: E402

WARM_UP = """
import ae.*;
import org.deeplearning4j.nn.conf.*;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

Nd4j.getRandom().setSeed(1);
INDArray x = Nd4j.rand(8, 4);
MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).list()
        .layer(new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(4).activation(Activation.IDENTITY).build())
        .build());
net.init();
net.fit(x, x);
System.out.println(String.format("%s | score %.4f", Settings.describe(), net.score()));
"""
FLAG = "-XX:SharedArchiveFile="
ATTEMPTS = 3
READY_SECONDS = 45  # a kernel that answers answers within ~5 s, even on a busy machine



def stamp(spec: dict) -> str:
    """What the archive depends on: the kernel's command and environment, the Java build, every jar's size and date."""
    command = java_argv(spec["argv"])   # the launcher's remembered settings (threads, memory) do not matter here
    java = subprocess.run([command[0], "-version"], capture_output=True, text=True).stderr
    env = spec.get("env", {})
    paths = command + [env.get(key, "").replace(";", os.pathsep) for key in ("RJK_CLASSPATH", "IJAVA_CLASSPATH")]
    jars = [p for entry in paths for p in entry.split(os.pathsep) if p.endswith(".jar")]
    files = [f"{j} {os.stat(j).st_size} {os.stat(j).st_mtime_ns}" for j in jars if os.path.exists(j)]
    return hashlib.sha256(json.dumps([{**spec, "argv": command}, java, files]).encode()).hexdigest()


async def dump(spec: dict, archive: Path, attempts: int = ATTEMPTS) -> None:
    """Runs the kernel with -XX:ArchiveClassesAtExit=ARCHIVE.part and the warm-up cell, up to `attempts` times (before
    our LoopThread fix, 1 rapaio 3.0.1 start in 8 never answered, docs/kernels.md; the retries stay as a safety net).
    Raises with every attempt's reason and the last kernel log's end if none wrote the archive."""
    part = archive.with_name(archive.name + ".part")
    argv = list(spec["argv"])
    argv.insert(launch_index(argv), f"-XX:ArchiveClassesAtExit={part}")
    reasons, tail = [], ""
    with tempfile.TemporaryDirectory() as tmp:
        kernel_dir = Path(tmp) / "kernels" / "java-archive"
        kernel_dir.mkdir(parents=True)
        (kernel_dir / "kernel.json").write_text(json.dumps({**spec, "argv": argv}))
        os.environ["JUPYTER_PATH"] = tmp
        for attempt in range(1, attempts + 1):
            part.unlink(missing_ok=True)
            log_path = Path(tmp) / f"kernel-{attempt}.log"
            try:
                with open(log_path, "wb") as log:
                    # the JVM writes the archive as it exits: clean_exit ends it in order instead of killing it
                    await run_one_cell("java-archive", WARM_UP, clean_exit=True, ready_timeout=READY_SECONDS,
                                       stdout=log, stderr=log)
                if part.is_file() and part.stat().st_size > 0:
                    part.replace(archive)
                    return
                reasons.append(f"attempt {attempt}: the kernel exited without writing {part.name}")
            except Exception as e:  # noqa: BLE001 - reported below with the kernel's log
                reasons.append(f"attempt {attempt}: {type(e).__name__}: {e}")
            tail = log_path.read_text(errors="replace")[-1500:] if log_path.exists() else ""
            if attempt < attempts:
                print(f"[setup] Kernel: {reasons[-1]}; trying again", file=sys.stderr, flush=True)
    part.unlink(missing_ok=True)
    raise RuntimeError("; ".join(reasons) + f". The kernel's log ends:\n{tail}")


def main() -> int:
    base_spec, out_spec, archive = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]).resolve()
    spec = json.loads(base_spec.read_text())
    want = stamp(spec)
    stamp_file = archive.with_name(archive.name + ".stamp")

    def up_to_date() -> bool:
        return archive.is_file() and stamp_file.is_file() and stamp_file.read_text() == want

    if not up_to_date():
        print("[setup] Kernel: making its start-up archive (class-data sharing; one kernel start, ~10 s)", flush=True)
        try:
            archive.unlink(missing_ok=True)
            asyncio.run(dump(spec, archive))
            stamp_file.write_text(want)
        except Exception as e:  # noqa: BLE001 - any failure: the kernel works without the archive, only slower
            print(f"[setup] WARNING: no start-up archive for the kernel ({e}). The kernel works "
                  "without it; it only starts about a second slower. `make setup` tries again.", file=sys.stderr, flush=True)
    if up_to_date():
        spec["argv"].insert(launch_index(spec["argv"]), FLAG + str(archive))
    out_spec.write_text(json.dumps(spec, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
