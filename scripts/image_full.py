#!/usr/bin/env python3
"""Full mode in the container image at Binder's limits, measured: each chapter's whole full-mode run, one CPU, 2 GB.

    python3 scripts/image_full.py [STEM ...]      after `make image-test` (it uses the image that test built)

Runs each chapter (default: all) in the image built by `make image-test` (AE_IMAGE, default
localhost/autoencoders-java:test) exactly as the image test runs fast mode — tests/test_notebooks.py's test of the
chapter, as UID 1000, `--memory 2g --cpus 1`, the data mirror AE_DATA_MIRROR mounted read-only and no network — but
with AE_MODE=full and a cell time-out of 3 hours. Two chapters run at a time, each on a core of its own
(--cpuset-cpus), longest first; on a machine with one core, one at a time. For each: passed or why not, wall time,
the container's CPU time, the kernel's and the container's peak memory. Writes runs/image-full-mode.json and the
block of docs/container.md that shows it (scripts/image_doc.py; tests/test_docs.py checks that they agree). Takes about
an hour on the course's 2-core machine; podman only (the engine image_test.sh uses here).
"""
from __future__ import annotations

import concurrent.futures
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import image_doc  # noqa: E402

IMAGE = os.environ.get("AE_IMAGE", "localhost/autoencoders-java:test")
FILE = ROOT / "runs" / "image-full-mode.json"
# the container's peak memory and CPU time from its cgroup (v1 or v2), printed after the test, as image_test.sh does
PEAK = ('for f in /sys/fs/cgroup/memory.peak /sys/fs/cgroup/memory/memory.max_usage_in_bytes; do [ -r $f ] && '
        '{ echo "container-peak-bytes $(cat $f)"; break; }; done')
CPU = ('for f in /sys/fs/cgroup/cpuacct/cpuacct.usage /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage; do [ -r $f ] && '
       '{ echo "container-cpu-ns $(cat $f)"; break; }; done; [ -r /sys/fs/cgroup/cpu.stat ] && '
       'awk "/^usage_usec/ {print \\"container-cpu-ns\\", \\$2 * 1000}" /sys/fs/cgroup/cpu.stat')
# the order to start them in (longest first, from the recorded full runs), so that two lanes end close together
ORDER = ["05-kittens", "04-mnist-denoising", "03-fashion-mnist", "02-cifar-horses", "01-iris"]


def engine() -> list[str]:
    nofile = subprocess.run(["sh", "-c", "ulimit -Hn"], capture_output=True, text=True).stdout.strip()
    nofile = "1048576" if nofile in ("", "unlimited") else nofile
    nproc = subprocess.run(["sh", "-c", "ulimit -Hu"], capture_output=True, text=True).stdout.strip()
    nproc = "32768" if nproc in ("", "unlimited") or int(nproc) > 32768 else nproc
    return ["podman", "--runtime", "runc", "run", "--rm", "--ulimit", f"nofile={nofile}:{nofile}",
            "--ulimit", f"nproc={nproc}:{nproc}"]


def run_one(stem: str, cpu: int, out: Path) -> dict:
    mirror = Path(os.environ["AE_DATA_MIRROR"]).resolve()
    metrics = out / stem / "metrics"
    notebooks = out / stem / "notebooks"
    for d in (metrics, notebooks):
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o777)
    test = f"tests/test_notebooks.py::test_notebook_runs_and_meets_its_thresholds[{stem}]"
    cmd = engine() + ["--user", "1000", "--memory", "2g", "--memory-swap", "2g", "--cpus", "1", "--cpuset-cpus", str(cpu),
                      "--network", "none", "-v", f"{mirror}:/mnt/ae-mirror:ro", "-e", "AE_DATA_MIRROR=/mnt/ae-mirror",
                      "-e", "AE_MODE=full", "-e", "AE_CELL_TIMEOUT=10800",
                      "-v", f"{metrics}:/home/jovyan/target/metrics", "-v", f"{notebooks}:/home/jovyan/target/notebooks",
                      IMAGE, "bash", "-c", f"python -m pytest -q -p no:cacheprovider '{test}'; rc=$?; {PEAK}; {CPU}; exit $rc"]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - started
    log = proc.stdout + proc.stderr
    (out / f"{stem}.log").write_text(log)
    values = dict(line.split(" ", 1) for line in log.splitlines() if line.startswith(("container-peak-bytes ", "container-cpu-ns ")))
    kernel = None
    if (metrics / f"{stem}.json").is_file():
        kernel = json.loads((metrics / f"{stem}.json").read_text()).get("kernel_peak_rss_mb")
    failure = ""
    if proc.returncode != 0:
        errors = [line for line in log.splitlines() if line.startswith("E ")]
        failure = (" ".join(e[2:].strip() for e in errors[:3]) or log.strip().splitlines()[-1] if log.strip() else "no output")[:300]
    return {"notebook": stem, "result": "passed" if proc.returncode == 0 else "failed", "why": failure,
            "wall_s": round(wall), "cpu_s": round(float(values["container-cpu-ns"]) / 1e9) if "container-cpu-ns" in values else None,
            "kernel_peak_mb": round(kernel) if kernel else None,
            "container_peak_mb": round(float(values["container-peak-bytes"]) / 1048576) if "container-peak-bytes" in values else None}


def main(argv: list[str]) -> int:
    if not os.environ.get("AE_DATA_MIRROR"):
        raise SystemExit("image_full.py needs AE_DATA_MIRROR (the folder of the published files): the image runs without network")
    if not shutil.which("podman"):
        raise SystemExit("image_full.py needs podman and the image `make image-test` built")
    stems = [s for s in ORDER if not argv or any(a in s for a in argv)]
    lanes = max(1, min(2, os.cpu_count() or 1))
    out = Path(tempfile.mkdtemp(prefix="image-full-", dir=ROOT / "target"))
    started = datetime.datetime.now(datetime.timezone.utc)
    free = list(range(lanes))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(lanes) as pool:
        pending = {}
        queue = list(stems)
        while queue or pending:
            while queue and free:
                stem, cpu = queue.pop(0), free.pop(0)
                print(f"[image-full] {stem}: full mode, --cpus 1 (core {cpu}) --memory 2g", flush=True)
                pending[pool.submit(run_one, stem, cpu, out)] = cpu
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for f in done:
                free.append(pending.pop(f))
                r = f.result()
                results[r["notebook"]] = r
                print(f"[image-full] {r['notebook']}: {r['result']} in {r['wall_s'] / 60:.1f} min, kernel peak "
                      f"{r['kernel_peak_mb']} MB {r['why']}", flush=True)
    old = json.loads(FILE.read_text()) if FILE.is_file() else {}
    chapters = {**old.get("chapters", {}), **{s: {**r, "date": started.date().isoformat()} for s, r in results.items()}}
    record = {"about": "Each chapter's full-mode run in the course's image at Binder's limits (--cpus 1 --memory 2g, a "
                       "core of its own, no network, the data mirror): written by scripts/image_full.py.",
              "cpu": image_doc.cpu_name(), "cores": os.cpu_count(), "image": IMAGE,
              "chapters": dict(sorted(chapters.items()))}
    FILE.write_text(json.dumps(record, indent=1) + "\n")
    doc = image_doc.DOC.read_text()
    image_doc.DOC.write_text(image_doc.render_full(doc, record))
    print(f"[image-full] wrote {FILE.relative_to(ROOT)} and its block in {image_doc.DOC.relative_to(ROOT)} (logs: {out.relative_to(ROOT)})")
    return 0 if all(r["result"] == "passed" for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
