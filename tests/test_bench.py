"""`make bench` works end to end (speed itself is never asserted: it is a benchmark, not a test). Its models must be
the notebooks' models: the same parameter counts as the tutorials' Keras models."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Keras's model.count_params() for the same models (batch norm: 4 numbers per feature in both frameworks)
EXPECTED_PARAMS = {"cifar-horses": 706_174, "fashion-dense": 50_992, "fashion-conv": 4_385, "mnist-denoising": 440_865,
                   "kittens": 59_769_792}


def test_bench_measures_every_model_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    env = {**os.environ, "BENCH_SECONDS": "1", "BENCH_KERAS": "0", "BENCH_OUT": str(out)}
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py")], env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sgemm_peak_gflops"] > 0
    assert [m["model"] for m in summary["models"]] == list(EXPECTED_PARAMS)
    for model, params in EXPECTED_PARAMS.items():
        r = json.loads((out / f"{model}.json").read_text())["dl4j"]
        assert r["params"] == params, (model, r["params"])
        assert r["timed_steps"] >= 10 and r["seconds_per_epoch"] > 0 and r["peak_rss_mb"] > 100, r
        assert r["training_flops_per_sample"] > 0 and 0 < r["gflops"] < summary["sgemm_peak_gflops_all_cores"] * 1.5, r
    table = (out / "summary.md").read_text()
    assert all(f"| {m} (" in table for m in EXPECTED_PARAMS), table
