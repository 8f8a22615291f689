"""Every notebook runs top to bottom headless (fast mode unless AE_MODE says otherwise) and its metrics meet the
thresholds below, which prove the model learned something. Run with `make test`, or `make notebook-test`."""
from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks as runner  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
os.environ.setdefault("AE_MODE", "fast")


# --- thresholds, one function per notebook --------------------------------------------------------------------------

def check_01_iris(m: dict) -> None:
    assert m["samples"] == 150 and m["epochs"] >= 1
    # The yardsticks are computed right: for Iris, predicting the mean flower gives 1.0657 cm and the best
    # one-component linear code (PCA) 0.2926 cm.
    assert m["baseline_rmse"] == pytest.approx(1.0657, abs=5e-4)
    assert m["pca1_rmse"] == pytest.approx(0.2926, abs=5e-4)
    # Saving and restoring gives the same network.
    assert m["restored_rmse"] == pytest.approx(m["rmse"], abs=1e-6)
    # It learned: far better than a code that carries no information. Fast mode (100 epochs) measured 0.454 cm,
    # 0.43 of the baseline; an untrained network sits at the baseline (25 epochs measured 1.07).
    assert m["rmse"] < 0.55 * m["baseline_rmse"], m
    # The book's test flower [8, 4, 6, 2] comes back as a large flower: long petals, wider than tall sepals.
    x, y = m["test_input"], m["test_output"]
    assert x == [8.0, 4.0, 6.0, 2.0] and len(y) == 4 and all(math.isfinite(v) for v in y)
    assert y[2] > 4.5 and y[0] > y[1], y
    if m["mode"] == "full":
        # The goal: within 10% of the PCA bound.
        assert m["rmse"] <= 1.10 * m["pca1_rmse"], m


def check_02_cifar_horses(m: dict) -> None:
    n, epochs = m["train_horses"], m["epochs"]
    assert 150 <= n <= m["train_horses_available"] and epochs >= 1 and m["test_horses"] >= 100
    assert m["updates"] == epochs * (n // 150)
    # The tutorial's network: 1024-300-150-300-1024. Its parameter count follows from the layer sizes (each layer
    # has inputs x outputs weights plus one bias per output) and is what Keras counts for the tutorial: 706,174.
    sizes = m["layer_sizes"]
    assert sizes == [1024, 300, 150, 300, 1024], sizes
    assert m["params"] == sum(a * b + b for a, b in zip(sizes, sizes[1:])) == 706_174
    assert m["model_configs"]["cifar-horses"]["params"] == m["params"]
    # The tutorial's printout: one batch's MSE every 10 epochs, from epoch 0.
    assert m["printed_epochs"] == list(range(0, epochs, 10)) and len(m["last_batch_mse"]) == len(m["printed_epochs"])
    assert m["image13_class"] == "horse"
    # Yardsticks on the course's 102 test horses. Predicting the average training horse: MSE 3,528 (full mode, 385
    # horses, as in Keras), 3,534 (fast, 340). PCA with 150 components: 331 (full, as in Keras), 345 (fast).
    base = m["baseline_test_mse"]
    assert 2_500 < base < 5_000, base
    assert m["pca150_test_mse"] < 0.15 * base, m["pca150_test_mse"]
    # It learned: the tutorial's run, the same network from another start, with L2, trained 3x longer and on [0, 1]
    # inputs with Adam 0.001 all beat the average horse clearly. Fast mode (340 horses, 40 epochs = 80 updates), four
    # seeds (42-45), as fractions of the baseline: test 0.64-0.74, other start 0.64-0.74, training horses 0.61-0.71,
    # L2 0.67-0.76, 4x longer 0.50-0.61 (3x: 0.52), [0, 1] with Adam 0.001 0.52.
    for key in ("test_mse", "train_mse", "other_seed_test_mse", "l2_test_mse", "longer_test_mse", "scaled01_lr0001_test_mse"):
        assert m[key] < 0.85 * base, (key, m[key], base)
    # On [0, 1] inputs with Adam 0.01 (as jumpy as the tutorial's run early on): 0.79-0.81 of the baseline in fast mode.
    assert m["scaled01_test_mse"] < base, m["scaled01_test_mse"]
    assert m["test_psnr_db"] == pytest.approx(10 * math.log10(255 ** 2 / m["test_mse"]), abs=1e-6)
    # Every class of the test set rebuilt; the horses' entry is the test-horse MSE itself (same images, same network).
    per_class = m["per_class_test_mse"]
    assert len(per_class) == 10 and all(math.isfinite(v) and v > 0 for v in per_class), per_class
    assert per_class[7] == pytest.approx(m["test_mse"], rel=1e-4)
    # The book's colour autoencoder (3072 -> 100) beats the average colour horse (fast mode, 30-50 epochs, four seeds:
    # 0.85-0.91 of its RMSE). Its decoder is linear, so on its training horses it cannot beat PCA-100 (a theorem: this
    # checks the PCA code); on the test horses PCA-100 is far ahead too (24 against 52).
    assert m["colour_rmse_test"] < 0.95 * m["colour_baseline_rmse_test"], m
    assert m["pca100_rmse_train"] <= m["colour_rmse_train"] and m["pca100_rmse_test"] < m["colour_rmse_test"], m
    if m["mode"] == "full":
        assert epochs == 100 and n == m["train_horses_available"]
        # Keras ran the tutorial's model on the course's subset (385 horses, 100 epochs, one seed): test horses 1,981.
        # Measured here: 2,039 (seed 42), 2,015 (seed 43, the notebook's second start), 2,021 with L2; the goal allows
        # the run-to-run spread (a few %): within 5% of Keras. With the whole data set (5,000 horses) the tutorial's
        # 3,300 updates must do at least as well.
        assert m["test_mse"] <= 1.05 * 1_981, m["test_mse"]
        assert m["test_mse"] < 0.65 * base and m["train_mse"] < 0.6 * base, m
        # Pixels scaled to [0, 1] with Adam 0.001 beat the tutorial's setting (1,175; Keras 1,209).
        assert m["scaled01_lr0001_test_mse"] < m["test_mse"], m
        # The colour version after 250 epochs (32.9 / 48.6 RMSE): clearly better than the average horse.
        assert m["colour_rmse_test"] < 0.85 * m["colour_baseline_rmse_test"], m


def check_03_fashion_mnist(m: dict) -> None:
    assert m["epochs"] >= 1 and m["samples"] >= 1000
    # The mean-image baseline (fast mode measured MSE 0.0867, BCE 0.490).
    assert 0.07 < m["baseline_mse"] < 0.10, m["baseline_mse"]
    models = m["models"]
    assert set(models) == {"samediff", "dense", "conv", "conv_adam"}
    # Parameter counts of the tutorial's architectures.
    assert models["samediff"]["params"] == models["dense"]["params"] == 50_992
    assert models["conv"]["params"] == models["conv_adam"]["params"] == 4_385
    for name, r in models.items():
        # Each model learned: fast mode measured val MSE 0.42-0.49 of the baseline's, BCE 0.71-0.76 of it.
        assert r["val_mse"] < 0.6 * m["baseline_mse"], (name, r)
        assert r["val_bce"] < 0.85 * m["baseline_bce"], (name, r)
        assert r["psnr_db"] > 10 * math.log10(1 / m["baseline_mse"]) + 2, (name, r)
    # JPEG: more quality costs more bytes and gives a higher PSNR.
    j = m["jpeg"]
    assert j["bytes"] == sorted(j["bytes"]) and j["psnr_db"] == sorted(j["psnr_db"]), j
    # 8-bit codes lose almost nothing against float32 codes (fast mode: < 0.01 dB).
    for name, p in m["code_points"].items():
        assert p["int8_psnr_db"] > p["float32_psnr_db"] - 0.5, (name, p)
    if m["mode"] == "full":
        # The goal: match or beat Keras (dense val MSE 0.0165, conv 0.0163): dense <= 0.0160, conv <= 0.0150.
        assert models["dense"]["val_mse"] <= 0.0160, models["dense"]
        # The tutorial's conv model with Adadelta matches Keras within the 10-20% its validation error jumps from epoch
        # to epoch (full run: 0.0168); the same model trained with Adam meets the goal.
        assert models["conv"]["val_mse"] <= 0.0180, models["conv"]
        assert models["conv_adam"]["val_mse"] <= 0.0150, models["conv_adam"]


def check_04_mnist_denoising(m: dict) -> None:
    assert m["epochs"] >= 1 and m["samples"] >= 1000
    # The tutorial's architecture: Keras counts 440,865 parameters (its total includes the 224 running statistics).
    assert m["params"] == 440_865
    # Noise 0.5 on MNIST costs about 9.4 dB of PSNR (fast mode measured 9.38 dB; full mode's 10,000 images the same).
    assert 8.5 < m["psnr_noisy_db"] < 10.5, m["psnr_noisy_db"]
    # Denoising works: fast mode (5,400 images, 3 epochs) measured +5.1 dB and val BCE 0.177; an untrained net
    # outputs ~0.5 everywhere (BCE 0.69 per pixel) and would lose PSNR.
    assert m["psnr_denoised_db"] > m["psnr_noisy_db"] + 3.0, m
    assert m["val_bce"] < 0.25 and m["test_bce"] < 0.25, m
    assert m["test_mse"] < 0.5 * m["test_mse_noisy"], m
    # The noise-level experiment: light noise gains least (the model blurs nearly clean digits), and from 0.3 up the
    # model helps (fast mode: -7.8 dB at 0.1, +1.3 at 0.3, +4.9 at 0.5, +7.0 at 0.9; full mode: -0.1, +8.5, +10.8, +8.6).
    levels, gain = m["noise_levels"], m["psnr_gain_by_level_db"]
    assert len(levels) == len(gain) == 9
    assert gain[0] == min(gain) and all(g > 0 for g in gain[2:]), gain
    if m["mode"] == "full":
        # The goal: validation BCE per pixel <= 0.095 after 35 epochs (the tutorial: 0.0981 final).
        assert m["epochs"] == 35 and m["val_bce"] <= 0.095, m
        assert m["psnr_denoised_db"] > m["psnr_noisy_db"] + 8, m


CHECKS = {
    "01-iris": check_01_iris,
    "02-cifar-horses": check_02_cifar_horses,
    "03-fashion-mnist": check_03_fashion_mnist,
    "04-mnist-denoising": check_04_mnist_denoising,
}


# --- the tests ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_meets_its_thresholds(notebook: Path) -> None:
    check = CHECKS.get(notebook.stem)
    assert check is not None, f"{notebook.name} has no thresholds: add a check_... function to {__file__}"
    result = runner.run(notebook, timeout=int(os.environ.get("AE_CELL_TIMEOUT", "900")))
    assert result.ok, result.error
    print(json.dumps(result.metrics, indent=1))
    assert result.metrics["mode"] == os.environ["AE_MODE"]
    check(result.metrics)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_kernel_neutral(notebook: Path) -> None:
    nb = json.loads(notebook.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "java"
    for cell in nb["cells"]:
        assert not cell.get("outputs") and not cell.get("execution_count"), f"{notebook.name}: clear outputs before committing"
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        # Runs unchanged on rapaio and IJava: no magics, no kernel classes in the cells.
        assert not re.search(r"^\s*%", src, re.M), f"{notebook.name}: kernel magic in\n{src}"
        assert "rapaio" not in src and "spencerpark" not in src, f"{notebook.name}: kernel-specific code in\n{src}"


def test_every_notebook_has_checks() -> None:
    assert NOTEBOOKS, "no notebooks found"
    assert set(CHECKS) <= {p.stem for p in NOTEBOOKS}, "a check names a notebook that does not exist"
