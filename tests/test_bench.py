"""`make bench` works end to end (speed itself is never asserted: it is a benchmark, not a test). Its models must be
the notebooks' models: the same parameter counts as the tutorials' Keras models, and the same whole configuration as
the network each notebook records with `metrics.model("<bench model>", net)` (ae.Metrics.fingerprint). The bench has
no model code of its own: it builds each network from bench/models/<model>.json, the configuration the notebook
recorded (written by `bench/Bench.java models` from the notebooks' metrics)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bench
import run_notebooks

ROOT = Path(__file__).resolve().parent.parent
# After changing a bench model in its notebook: run the notebook, then this, and commit bench/models/.
REGENERATE = 'java -cp "$(ls lib/target/ae-lib-*.jar | head -1):lib/target/kernel-lib/*" bench/Bench.java models'
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
        assert len(r["config"]) == 16 and f"{model:16s} config {r['config']}" in run.stdout, (model, r.get("config"))
        assert r["timed_steps"] >= 10 and r["seconds_per_epoch"] > 0 and r["peak_rss_mb"] > 100, r
        assert r["training_flops_per_sample"] > 0 and 0 < r["gflops"] < summary["sgemm_peak_gflops_all_cores"] * 1.5, r
    table = (out / "summary.md").read_text()
    assert all(f"| {m} (" in table for m in EXPECTED_PARAMS), table
    # every result names the native code it ran on: OpenBLAS's core type, the oneDNN builds and their instruction set
    native = summary["native"]
    assert native.get("openblas_core") and native.get("libnd4j_onednn_isa") and native.get("layers_onednn"), native
    assert "Native code: OpenBLAS core type " in table and native["libnd4j_onednn_isa"] in table, table
    kittens = json.loads((out / "kittens.json").read_text())["dl4j"]
    assert kittens["data_rows"] >= 256, kittens   # the photos it trained on, which the Keras side takes too


def test_both_sides_take_the_photos_the_dl4j_side_trained_on(tmp_path: Path) -> None:
    """keras_bench.py takes as many kitten photos as Bench.java reported (data_rows), each from the cache or else a
    local mirror folder, and says clearly when one is missing (it used to assume 2,000 and crash in TensorFlow)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import keras_bench
    cache, mirror = tmp_path / "data", tmp_path / "mirror"
    (cache / "kittens").mkdir(parents=True)
    (mirror / "kittens").mkdir(parents=True)
    for n in range(3):
        (cache / "kittens" / f"cat.{n}.jpg").write_bytes(b"x")
    (mirror / "kittens" / "cat.3.jpg").write_bytes(b"x")
    assert keras_bench.kitten_files(cache, 3) == [cache / "kittens" / f"cat.{n}.jpg" for n in range(3)]
    assert keras_bench.kitten_files(cache, 4, str(mirror))[-1] == mirror / "kittens" / "cat.3.jpg"
    with pytest.raises(SystemExit, match="cat.4.jpg is in neither.*trained on 5 photos"):
        keras_bench.kitten_files(cache, 5, str(mirror))


def test_the_native_libraries_say_what_they_run() -> None:
    text = ("Core: Haswell\nCore: Haswell\ndnnl_verbose,info,oneDNN v2.3.0 (commit aec51f9)\n"
            "dnnl_verbose,info,cpu,isa:Intel AVX2\nonednn_verbose,info,oneDNN v2.5.2 (commit eba2e73)\n"
            "ae.layers: oneDNN 2.5.2, isa avx2\n")
    n = bench.parse_native(text)
    assert n == {"openblas_core": "Haswell", "libnd4j_onednn": "oneDNN v2.3.0", "libnd4j_onednn_isa": "Intel AVX2",
                 "layers_onednn": "oneDNN 2.5.2, isa avx2"}
    sentence = bench.native_sentence({**n, "dnnl_max_cpu_isa": "AVX2"})
    assert sentence.startswith("Native code: OpenBLAS core type Haswell; libnd4j's oneDNN v2.3.0 kernels for Intel AVX2")
    assert "(set: DNNL_MAX_CPU_ISA=AVX2)" in sentence


def chapter_metrics(chapter: str) -> dict[Path, dict]:
    """Each notebook of a chapter (notebooks/<chapter>-*.ipynb) and its metrics, from this session or any run later
    than the notebook and the helper jar; runs the notebook (in AE_MODE, fast by default) when there are none, or
    they are older."""
    found = {}
    for notebook in sorted((ROOT / "notebooks").glob(f"{chapter}-*.ipynb")):
        run_notebooks.use_project_kernelspec()
        metrics = run_notebooks.metrics_path(notebook.stem)
        jars = list((ROOT / "lib" / "target").glob("ae-lib-*.jar"))
        newest_input = max(p.stat().st_mtime for p in [notebook, *jars])
        if not metrics.is_file() or metrics.stat().st_mtime < newest_input:
            os.environ.setdefault("AE_MODE", "fast")
            result = run_notebooks.run(notebook, timeout=int(os.environ.get("AE_CELL_TIMEOUT", "900")), quiet=True)
            assert result.metrics is not None, f"{notebook.name} did not run to its metrics: {result.error}"
        found[notebook] = json.loads(metrics.read_text())
    return found


@pytest.mark.after_notebooks
def test_bench_models_are_the_notebooks_models() -> None:
    """Each bench model's configuration fingerprint equals the one its notebook records. Runs after the notebook
    tests (tests/conftest.py), which leave fresh metrics; alone, it runs the notebooks whose metrics are missing."""
    fingerprints = bench.fingerprints()
    assert list(fingerprints) == list(EXPECTED_PARAMS)
    problems = []
    for model, f in fingerprints.items():
        assert f["params"] == EXPECTED_PARAMS[model], (model, f)
        chapter = chapter_metrics(f["chapter"])
        if not chapter:
            problems.append(f"{model}: no notebook notebooks/{f['chapter']}-*.ipynb, whose model bench/models/{model}.json says it is")
            continue
        records = {nb: m["model_configs"][model] for nb, m in chapter.items() if model in (m.get("model_configs") or {})}
        if not records:
            names = ", ".join(nb.name for nb in chapter)
            problems.append(f"{model}: no notebook of chapter {f['chapter']} ({names}) records a model {model!r}: the one "
                            f"the bench trains must call metrics.model(\"{model}\", net) before metrics.save()")
            continue
        notebook, recorded = next(iter(records.items()))
        if (recorded["params"], recorded["config"]) != (f["params"], f["config"]):
            problems.append(f"{model}: bench/models/{model}.json is not {notebook.name}'s model: params {f['params']} vs "
                            f"{recorded['params']}, config fingerprint {f['config']} vs {recorded['config']}; after running "
                            f"the notebook, write the file again: {REGENERATE}")
    assert not problems, "the bench must train the notebooks' models:\n  " + "\n  ".join(problems)


def test_each_bench_model_file_is_a_notebooks_recorded_configuration() -> None:
    """bench/models/<model>.json holds what a notebook recorded: its name, the fingerprint and parameter count, and the
    configuration itself, which the bench builds back into exactly that network (Bench.java checks the fingerprint of
    what it built, and `fingerprints` fails otherwise). No notebook run needed."""
    fingerprints = bench.fingerprints()
    assert list(fingerprints) == list(EXPECTED_PARAMS)
    for model, f in fingerprints.items():
        saved = json.loads((ROOT / "bench" / "models" / f"{model}.json").read_text())
        assert saved["model"] == model and saved["notebook"].startswith(f["chapter"] + "-"), saved["notebook"]
        assert (ROOT / "notebooks" / saved["notebook"]).is_file(), saved["notebook"]
        assert (saved["params"], saved["config"]) == (f["params"], f["config"]) and f["params"] == EXPECTED_PARAMS[model], (model, f)
        layers = [c["layer"]["@class"] for c in saved["configuration"]["confs"]]
        assert layers and all(name.startswith("org.deeplearning4j.") for name in layers), f"{model}: DL4J's own layers only: {layers}"
