"""make bench: how fast the course's models train here, in DL4J and (optionally) in Keras, side by side.

For each model of bench/Bench.java (the notebooks' models, their batch sizes, real data) it runs one JVM with the
Jupyter kernel's own flags, classpath and thread settings, then the same model in Keras (bench/keras_bench.py, in
.venv-bench, installed on first use from bench/requirements.txt), each for about BENCH_SECONDS (default 20) after a
warm-up. It measures this machine's single-precision matrix-multiply peak in the same run, the peak resident memory
of every process, and how long the Java kernel takes to start and answer its first DL4J cell.

Writes target/bench/<model>.json, target/bench/summary.json and target/bench/summary.md (docs/performance.md shows it:
scripts/performance_doc.py); each model's configuration fingerprint (Bench.java, ae.Metrics.fingerprint) is printed
and saved with it. `bench.py fingerprints` prints only those (model -> chapter, params, config), without data or training.
Settings: BENCH_SECONDS, BENCH_MODELS (comma-separated), BENCH_KERAS=0 (DL4J only), BENCH_OUT (another folder).
A benchmark, not a test: it asserts nothing about speed.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import kernelspec  # scripts/ is on sys.path: this script's own folder

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "target" / "bench"))
MODELS = ["cifar-horses", "fashion-dense", "fashion-conv", "mnist-denoising", "kittens"]
KERAS_VENV = ROOT / ".venv-bench"


def measured(cmd: list[str], env: dict, cwd: Path = ROOT) -> tuple[dict, float]:
    """Runs cmd; returns the JSON of its last output line and the process's peak resident memory in MB."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(cmd[:3])} ... failed (exit {proc.returncode}):\n{(out + err)[-3000:]}")
    return json.loads(lines[-1]), max_rss_mb(usage.ru_maxrss)


def max_rss_mb(ru_maxrss: int, system: str = sys.platform) -> float:
    """getrusage's ru_maxrss in MB: Linux reports kilobytes, macOS bytes."""
    return ru_maxrss / (1024 * 1024 if system == "darwin" else 1024)


def java_command() -> tuple[list[str], dict]:
    """`java ... bench/Bench.java` with the Jupyter kernel's flags, classpath and environment."""
    jvm, classpath, kernel_env = kernelspec.read()
    return jvm + ["-cp", classpath, str(ROOT / "bench" / "Bench.java")], {**os.environ, **kernel_env}


def fingerprints() -> dict:
    """Every bench model's chapter, parameter count and configuration fingerprint (built, not trained)."""
    java, env = java_command()
    return measured(java + ["fingerprints"], env)[0]


def native_info(java: list[str], env: dict, python: Path | None) -> dict:
    """Which native code runs here: OpenBLAS's core type, libnd4j's oneDNN (its version and the instruction set its
    kernels use), the helper jar's oneDNN (ae.layers), TensorFlow's oneDNN; DNNL_MAX_CPU_ISA if set. Each library says
    it itself (verbose modes, in separate short processes: bench/NativeInfo.java, keras_bench.py --native)."""
    verbose = {**env, "DNNL_VERBOSE": "1", "ONEDNN_VERBOSE": "1", "OPENBLAS_VERBOSE": "2"}
    run = subprocess.run(java[:-1] + [str(ROOT / "bench" / "NativeInfo.java")], env=verbose, cwd=ROOT, capture_output=True, text=True)
    info = parse_native(run.stdout + run.stderr)
    if python:
        keras = subprocess.run([str(python), str(ROOT / "bench" / "keras_bench.py"), "--native"], capture_output=True, text=True)
        lines = [line for line in keras.stdout.splitlines() if line.startswith("{")]
        if lines:
            tf = json.loads(lines[-1])
            info["tensorflow_onednn"] = f"{tf.get('onednn', '?')}, {tf.get('isa', '?')}"
    for name in ("DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA", "OPENBLAS_CORETYPE"):
        if env.get(name):
            info[name.lower()] = env[name]
    return info


def parse_native(text: str) -> dict:
    """The facts bench/NativeInfo.java's libraries print: 'Core: X' (OpenBLAS), 'dnnl_verbose,info,...' (libnd4j's
    oneDNN 2.3), 'onednn_verbose,info,...' (oneDNN 2.5 of ae.layers), 'ae.layers: ...'."""
    info: dict = {}
    for line in text.splitlines():
        if line.startswith("Core: "):
            info["openblas_core"] = line[len("Core: "):].strip()
        elif line.startswith("dnnl_verbose,info,oneDNN v"):
            info["libnd4j_onednn"] = line.split(",info,", 1)[1].split(" (")[0]
        elif line.startswith("dnnl_verbose,info,cpu,isa:"):
            info["libnd4j_onednn_isa"] = line.split("isa:", 1)[1].strip()
        elif line.startswith("ae.layers: "):
            info["layers_onednn"] = line[len("ae.layers: "):].strip()
    return info


def native_sentence(n: dict) -> str:
    """One line for the summary: what ran, as the libraries said it (or that they did not say)."""
    parts = [f"OpenBLAS core type {n.get('openblas_core', 'not reported')}",
             f"libnd4j's {n.get('libnd4j_onednn', 'oneDNN (not reported)')} kernels for {n.get('libnd4j_onednn_isa', '?')}"]
    if n.get("layers_onednn"):
        parts.append(f"the helper jar's {n['layers_onednn']}")
    if n.get("tensorflow_onednn"):
        parts.append(f"TensorFlow's {n['tensorflow_onednn']}")
    limits = [f"{k.upper()}={v}" for k, v in n.items() if k in ("dnnl_max_cpu_isa", "onednn_max_cpu_isa", "openblas_coretype")]
    return "Native code: " + "; ".join(parts) + (f" (set: {', '.join(limits)})" if limits else "") + "."


def keras_python() -> Path | None:
    if os.environ.get("BENCH_KERAS", "1") == "0":
        return None
    python = KERAS_VENV / "bin" / "python"
    requirements = ROOT / "bench" / "requirements.txt"
    stamp = KERAS_VENV / ".requirements.sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if not python.exists() or not stamp.is_file() or stamp.read_text() != digest:
        print(f"installing Keras/TensorFlow for the comparison into {KERAS_VENV.name} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(KERAS_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--retries", "0", "-r", str(requirements)], check=True)
        stamp.write_text(digest)
    return python


def cpu_name() -> str:
    """The processor's name: /proc/cpuinfo on Linux, sysctl on macOS, else what Python knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    if sys.platform == "darwin":
        out = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return platform.processor() or platform.machine()


def machine() -> dict:
    cpu = cpu_name()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)  # Linux and macOS
    except (ValueError, OSError, AttributeError):
        mem = 0
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_mb": mem, "os": platform.platform(), "java": java}


def kernel_start_seconds(starts: int = 4) -> list[float]:
    """Seconds from starting the Java kernel to the answer of a first DL4J cell, for a few starts in a row (the
    first one reads everything from disk; the later ones are what a reader sees after the first run). The kernel is
    started as `make lab` starts it: by the patient kernel manager, with the kernelspec's start-up archive."""
    from run_notebooks import use_project_kernelspec
    from patient_kernel import run_one_cell

    use_project_kernelspec()
    cell = "System.out.println(org.nd4j.linalg.factory.Nd4j.ones(2, 2).sumNumber());"

    times: list[float] = []
    for attempt in range(2 * starts):
        if len(times) == starts:
            break
        try:
            times.append(round(asyncio.run(run_one_cell("java", cell)), 2))
        except (RuntimeError, TimeoutError) as e:
            print(f"  kernel start attempt {attempt + 1} failed ({e}); again", flush=True)
    return times or [float("nan")]


def main() -> int:
    seconds = float(os.environ.get("BENCH_SECONDS", "20"))
    models = [m for m in os.environ.get("BENCH_MODELS", ",".join(MODELS)).split(",") if m]
    OUT.mkdir(parents=True, exist_ok=True)
    java, env = java_command()
    jvm = java[: java.index("-cp")]

    peak, _ = measured(java + ["peak"], env)
    # the BLAS library on every core too, without the kernel's one-thread BLAS setting
    every_core = {k: v for k, v in env.items() if k not in ("ND4J_SKIP_BLAS_THREADS", "OPENBLAS_NUM_THREADS")}
    peak_all, _ = measured(java + ["peak"], {**every_core, "OMP_NUM_THREADS": str(os.cpu_count())})
    blas_threads = env.get("OPENBLAS_NUM_THREADS", env.get("OMP_NUM_THREADS"))
    print(f"matrix-multiply peak: oneDNN {peak['onednn_matmul_gflops']:.1f} GFLOP/s on {env.get('OMP_NUM_THREADS')} thread(s) "
          f"(the dense layers'); BLAS {peak['sgemm_gflops']:.1f} on {blas_threads} (the kernel's setting), "
          f"{peak_all['sgemm_gflops']:.1f} on {os.cpu_count()}", flush=True)
    python = keras_python()
    native = native_info(java, env, python)
    print(native_sentence(native), flush=True)
    info = {"machine": machine(), "native": native, "onednn_peak_gflops": peak["onednn_matmul_gflops"], "sgemm_peak_gflops": peak["sgemm_gflops"],
            "sgemm_peak_gflops_all_cores": peak_all["sgemm_gflops"], "dl4j_threads": env.get("OMP_NUM_THREADS"),
            "blas_threads": blas_threads, "jvm_flags": jvm[1:], "bench_seconds": seconds}
    rows = []
    for model in models:
        dl4j, rss = measured(java + [model, str(seconds)], env)
        dl4j["peak_rss_mb"] = round(rss, 1)
        # measured against the best matrix multiply the kernel has: oneDNN's, which the dense layers use
        dl4j["percent_of_sgemm_peak"] = 100 * dl4j["gflops"] / peak["onednn_matmul_gflops"]
        result = {"model": model, "dl4j": dl4j, **info}
        line = (f"{model:16s} config {dl4j['config']}  DL4J {dl4j['seconds_per_epoch']:7.1f} s/epoch  "
                f"{dl4j['gflops']:5.1f} GFLOP/s  {rss:6.0f} MB")
        if python:
            # the same data: the DL4J side's folder and, for the kittens, as many photos as it trained on
            keras, krss = measured([str(python), str(ROOT / "bench" / "keras_bench.py"), model, str(seconds), dl4j["data_dir"],
                                    str(dl4j.get("data_rows", ""))], os.environ)
            keras["peak_rss_mb"] = round(krss, 1)
            keras["gflops"] = dl4j["training_flops_per_sample"] * keras["samples_per_second"] / 1e9
            result["keras"] = keras
            result["ratio_dl4j_over_keras"] = dl4j["seconds_per_epoch"] / keras["seconds_per_epoch"]
            line += f" | Keras {keras['seconds_per_epoch']:7.1f} s/epoch  {krss:6.0f} MB | ratio {result['ratio_dl4j_over_keras']:.2f}"
        print(line, flush=True)
        (OUT / f"{model}.json").write_text(json.dumps(result, indent=2) + "\n")
        rows.append(result)

    starts = kernel_start_seconds()
    warm = statistics.median(starts[1:]) if len(starts) > 1 else float("nan")
    print(f"kernel start to first DL4J answer: {starts[0]:.1f} s the first time, then {warm:.1f} s (median)", flush=True)
    summary = {**info, "kernel_start_seconds": starts, "kernel_start_warm_median_seconds": warm, "models": rows}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (OUT / "summary.md").write_text(markdown(summary))
    print("\n" + (OUT / "summary.md").read_text())
    return 0


def markdown(s: dict) -> str:
    m = s["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb'] // 1024} GB; {m['java']}.",
        f"Matrix-multiply peak measured in the same run (2048 × 2048, single precision): oneDNN "
        f"{s.get('onednn_peak_gflops', float('nan')):.0f} GFLOP/s on {s['dl4j_threads']} thread(s) (the dense layers' "
        f"products; \"% of peak\" is against it); the BLAS library {s['sgemm_peak_gflops']:.0f} on "
        f"{s.get('blas_threads', s['dl4j_threads'])} thread(s), {s['sgemm_peak_gflops_all_cores']:.0f} on {m['cores']}. "
        f"DL4J runs with the kernel's settings "
        f"(OMP_NUM_THREADS={s['dl4j_threads']}, BLAS threads {s.get('blas_threads', s['dl4j_threads'])}, "
        f"{' '.join(s['jvm_flags']).replace(str(ROOT) + os.sep, '')}); "
        "Keras with TensorFlow's defaults.",
        native_sentence(s.get("native", {})),
        "Seconds per epoch are extrapolated from about "
        f"{s['bench_seconds']:.0f} s of timed training steps after a warm-up; GFLOP/s count 3 × the forward "
        "multiply-adds of the convolution and dense layers.",
        f"Kernel start to the first DL4J cell's answer: {s['kernel_start_seconds'][0]:.1f} s the first time, then "
        f"{s['kernel_start_warm_median_seconds']:.1f} s (median of {len(s['kernel_start_seconds']) - 1} more starts).",
        "",
        "| model (chapter) | batch | DL4J s/epoch | Keras s/epoch | DL4J / Keras | DL4J GFLOP/s (% of peak) | Keras GFLOP/s | peak RSS DL4J / Keras |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in s["models"]:
        d, k = r["dl4j"], r.get("keras")
        lines.append(
            f"| {r['model']} ({d['chapter']}) | {d['batch']} | {d['seconds_per_epoch']:.1f} | "
            + (f"{k['seconds_per_epoch']:.1f} | {r['ratio_dl4j_over_keras']:.2f} | " if k else "– | – | ")
            + f"{d['gflops']:.1f} ({d['percent_of_sgemm_peak']:.0f}%) | " + (f"{k['gflops']:.1f} | " if k else "– | ")
            + f"{d['peak_rss_mb'] / 1024:.2f} GB / " + (f"{k['peak_rss_mb'] / 1024:.2f} GB |" if k else "– |"))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["fingerprints"]:
        print(json.dumps(fingerprints(), indent=1))
        sys.exit(0)
    sys.exit(main())
