"""Every notebook runs top to bottom headless (fast mode unless AE_MODE says otherwise) and its metrics meet the
thresholds below, which prove the model learned something. Run with `make test`, or `make notebook-test`."""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pytest

import records_doc
import run_notebooks as runner

ROOT = Path(__file__).resolve().parent.parent

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
os.environ.setdefault("AE_MODE", "fast")


# --- thresholds, one function per notebook --------------------------------------------------------------------------

# A time or a memory figure typed into a banner: they come from the record (runs/<stem>.json), never by hand.
TYPED_TIME = re.compile(r"\b\d[\d,.]*\s*(?:min(?:utes?)?|h(?:ours?)?|s(?:ec(?:onds?)?)?|GB|MB)\b")
RECORDED = "Recorded full run: "


def check_banner(m: dict) -> None:
    """The notebook's first output (Settings.banner) says which mode ran, how many epochs it trained and what the full
    run trains, with no time or memory typed by hand; in fast mode one line gives the recorded full run's wall time,
    peak memory, CPU and date, the numbers of the README's table (scripts/records_doc.py), or "not recorded yet"."""
    banner, stem, fast = m["banner"], m["notebook"], m["mode"] == "fast"
    lines = banner.split("\n")
    assert lines[0].startswith("FAST mode" if fast else "FULL mode"), banner
    # The lines after "Start it with ..." / "For a quick look ..." (and "Settings changed ...") are ae.Limits' judgement
    # of this machine's limits, computed from the records: they may name times and memory. The lines before are typed.
    end = next(i for i, line in enumerate(lines) if line.startswith(("Start it with", "For a quick look")))
    if end + 1 < len(lines) and lines[end + 1].startswith("Settings changed"):
        end += 1
    lines = lines[:end + 1]
    assert f"{m['epochs']} epochs" in banner, banner
    assert "full run" in banner.lower() or "tutorial" in banner.lower(), banner
    recorded = [line for line in lines if line.startswith(RECORDED)]
    typed = "\n".join(line for line in lines if not line.startswith(RECORDED))
    assert not TYPED_TIME.search(typed), f"a time or memory typed into the banner (they come from runs/{stem}.json): {banner}"
    if not fast:
        assert not recorded, f"a full run's banner gives no other run's numbers: {banner}"
        return
    assert len(recorded) == 1, banner
    record = ROOT / "runs" / f"{stem}.json"
    if not record.is_file():
        assert recorded[0] == f"{RECORDED}not recorded yet (make record NB={stem}).", recorded
        return
    run = json.loads(record.read_text())
    expected = (f"{RECORDED}{records_doc.minutes(run['wall_seconds'])}, kernel peak memory "
                f"{records_doc.gigabytes(run['kernel_peak_rss_mb'])} ({run['machine']['cpu']}, {run['machine']['cores']} cores, "
                f"{run['recorded'][:10]}")
    assert recorded[0].startswith(expected), (recorded[0], expected)


def check_01_iris(m: dict) -> None:
    assert m["samples"] == 150 and m["epochs"] >= 1
    check_banner(m)
    # What the reader sees: the activation functions, three live loss charts, the three runs with the two yardsticks,
    # and the flowers' codes (interactive, with its PNG): six pictures, none blank (the runner checks their pixels).
    assert m["pictures"] == 6, m["pictures"]
    # The yardsticks are computed right: for Iris, predicting the mean flower gives 1.0657 cm and the best
    # one-component linear code (PCA) 0.2926 cm (numpy on data/iris.csv).
    assert m["baseline_rmse"] == pytest.approx(1.0657, abs=5e-4)
    assert m["pca1_rmse"] == pytest.approx(0.2926, abs=5e-4)
    # Saving and restoring gives the same network.
    assert m["restored_rmse"] == pytest.approx(m["rmse"], abs=1e-6)
    # It learned: far better than a code that carries no information (the average flower). Fast mode (100 epochs)
    # measured 0.455 cm, 0.43 of the baseline (seeds 42, 43, 44: see the commit); an untrained network sits at the
    # baseline or above (epoch 1: 3.85 cm). Its decoder is linear, so PCA is a floor it cannot go below (a theorem:
    # this checks the PCA and the RMSE code).
    assert m["pca1_rmse"] <= m["rmse"] < 0.55 * m["baseline_rmse"], m
    assert m["loss_curve"][0] > m["baseline_rmse"], "the untrained network starts above the average flower's error"
    # The mini-batch run with the ten times larger learning rate beats the one at the same rate (fast: 0.33 vs 1.90).
    assert m["batch_lr01_rmse"] < 0.5 * m["batch_rmse"], m
    # The book's test flower [8, 4, 6, 2] comes back as a large flower: long petals, wider than tall sepals.
    x, y = m["test_input"], m["test_output"]
    assert x == [8.0, 4.0, 6.0, 2.0] and len(y) == 4, y
    assert y[2] > 4.5 and y[0] > y[1], y
    if m["mode"] == "full":
        # The goal: within 10% of the PCA bound.
        assert m["rmse"] <= 1.10 * m["pca1_rmse"], m


def check_code_representation(m: dict) -> dict:
    """The 2-D map and the nearest-neighbour test on codes (chapters 3 and 4); returns the accuracies, which the
    chapter's check compares with those of the same encoders before training."""
    knn = m["knn"]
    assert knn["reference"] >= 1000 and knn["queries"] >= 500, knn
    acc = knn["accuracy"]
    # Raw-pixel nearest neighbour is a known quantity (chance is 10%): fast mode measured 0.80 (Fashion, 10,000
    # references) and 0.90 (MNIST, 5,400); a wrong reference set or labels would fall far below.
    assert 0.75 < acc["pixels"] < 0.98, acc
    explained = m["code_map"]["explained"]
    assert len(explained) == 2 and 0 < explained[1] <= explained[0] < 1, explained
    assert m["code_map"]["images"] >= 500
    return acc


def check_02_cifar_horses(m: dict) -> None:
    n, epochs = m["train_horses"], m["epochs"]
    assert 150 <= n <= m["train_horses_available"] and epochs >= 1 and m["test_horses"] >= 100
    assert m["updates"] == epochs * (n // 150)
    check_banner(m)
    # What the reader sees: 16 pictures (row-major order, the grays, the horses, five live loss charts and the scaling
    # chart, test image 13, three grids, the per-class bars, the colour grid and its loss chart), none blank.
    assert m["pictures"] == 16, m["pictures"]
    # The tutorial's network: 1024-300-150-300-1024. Its parameter count follows from the layer sizes (each layer
    # has inputs x outputs weights plus one bias per output) and is what Keras counts for the tutorial: 706,174.
    sizes = m["layer_sizes"]
    assert sizes == [1024, 300, 150, 300, 1024], sizes
    assert m["params"] == sum(a * b + b for a, b in zip(sizes, sizes[1:])) == 706_174
    assert m["model_configs"]["cifar-horses"]["params"] == m["params"]
    # The tutorial's printout: one batch's MSE every 10 epochs, from epoch 0.
    assert m["printed_epochs"] == list(range(0, epochs, 10)) and len(m["last_batch_mse"]) == len(m["printed_epochs"])
    assert m["image13_class"] == "horse"
    # Yardsticks on the course's 102 test horses, computed by the notebook and measured with numpy on the same data:
    # the average training horse 3,534 (fast, 340 horses; full, 385: 3,528, as in Keras), the average horse at each
    # photo's brightness 0.806 of it, PCA with 1, 2, 3 numbers 0.766, 0.652, 0.571, with 150 numbers 345 (full: 331,
    # as in Keras). PCA with k numbers by Pythagoras agrees with PCA-150's own reconstruction (directions orthonormal).
    base, pca = m["baseline_test_mse"], m["pca_test_mse_by_k"]
    assert 2_500 < base < 5_000, base
    assert len(pca) == 151 and pca[150] == pytest.approx(m["pca150_test_mse"], rel=1e-3), (pca[150], m["pca150_test_mse"])
    assert m["pca150_test_mse"] < 0.15 * base and 0.75 * base < m["shifted_mean_test_mse"] < 0.85 * base, m
    strongest = {"shifted": m["shifted_mean_test_mse"], "pca1": pca[1], "pca2": pca[2]}
    if m["mode"] == "fast":
        # It learned, against baselines that learn nothing of the lesson, at equal effort (PCA's fit is exact, the
        # network's training is short: 340 horses, 40 epochs = 80 updates). Measured in fast mode, seeds 42 and 44, as
        # fractions of the average horse's MSE: the tutorial's network 0.648 / 0.679, another start 0.695 / 0.678, with
        # the declared L2 0.659 / 0.760, trained 3x longer 0.532 / 0.540, on [0, 1] with Adam 0.001 0.517 / 0.518.
        # The tutorial's network beats PCA with one number (0.766), not two (0.652: seed 42 just, 44 not): a code worth
        # about one or two of PCA's numbers after 80 updates. Its variants: L2 and another start beat the average horse
        # at each photo's brightness (0.806) but not always PCA-1 (L2 0.760 at seed 44); 3x longer and [0, 1] with Adam
        # 0.001 beat PCA with two numbers.
        assert m["test_mse"] < 0.95 * strongest["pca1"] and m["pca_numbers_worth"] >= 1, (m["test_mse"], strongest)
        for key in ("other_seed_test_mse", "l2_test_mse"):
            assert m[key] < 0.97 * strongest["shifted"], (key, m[key], strongest)
        for key in ("longer_test_mse", "scaled01_lr0001_test_mse"):
            assert m[key] < 0.9 * strongest["pca2"], (key, m[key], strongest)
        # On [0, 1] inputs with Adam 0.01 (as jumpy as the tutorial's run early on) it learns the brightness and little
        # else in 80 updates: 0.800-0.814 of the average horse, level with the brightness baseline (0.806).
        assert m["scaled01_test_mse"] < 0.9 * base, m["scaled01_test_mse"]
        # The training horses (their own baseline is not computed): 0.62-0.66 of the average horse's test MSE.
        assert m["train_mse"] < 0.8 * base, m["train_mse"]
    # Where the error sits and what explains it, against codes that keep nothing (numpy, the same data): on the
    # strongest edges the error is 0.88 (the average horse) and 1.00 (at each photo's brightness) times the rest's, 1.15
    # for PCA-2, 1.65 for PCA-150; fine detail vs error, Pearson's r over the 1,000 test images: 0.19 for the average
    # horse, 0.55 for PCA-2, 0.89 for PCA-150. The network (fast): 1.14-1.15 and 0.58.
    assert m["edge_error_ratio"] > 1.05 * m["edge_error_ratio_shifted_mean"], m
    assert m["detail_error_r"] > m["detail_error_r_mean_horse"] + 0.2, m
    # Every class of the test set rebuilt; the horses' entry is the test-horse MSE itself (same images, same network).
    per_class = m["per_class_test_mse"]
    assert len(per_class) == 10 and all(math.isfinite(v) and v > 0 for v in per_class), per_class
    assert per_class[7] == pytest.approx(m["test_mse"], rel=1e-4)
    assert m["horse_rank"] == 1 + sum(v < per_class[7] for v in per_class), m["horse_rank"]
    # The book's colour autoencoder (3072 -> 100) beats the average colour horse (fast mode, 50 epochs, seeds 42-45:
    # 0.84-0.91 of its RMSE). Its decoder is linear, so on its training horses it cannot beat PCA-100 (a theorem: this
    # checks the PCA code); on the test horses PCA-100 is far ahead too (24 against 52).
    assert m["colour_rmse_test"] < 0.95 * m["colour_baseline_rmse_test"], m
    assert m["pca100_rmse_train"] <= m["colour_rmse_train"] and m["pca100_rmse_test"] < m["colour_rmse_test"], m
    if m["mode"] == "full":
        assert epochs == 100 and n == m["train_horses_available"]
        # Keras ran the tutorial's model on the course's subset (385 horses, 100 epochs, one seed): test horses 1,981.
        # Measured here: 2,039 (seed 42), 2,015 (seed 43, the notebook's second start), 2,021 with L2; the record
        # (two threads) 2,006; the same seed in the image on one thread 2,083 (scripts/image_full.py, 2026-12-03: the
        # thread count changes the order of the sums, and 200 updates of Adam 0.01 carry that a few % apart). The goal
        # allows that spread: within 10% of Keras. With the whole data set (5,000 horses) the tutorial's 3,300 updates
        # must do at least as well.
        assert m["test_mse"] <= 1.10 * 1_981, m["test_mse"]
        assert m["test_mse"] < 0.65 * base and m["train_mse"] < 0.6 * base, m
        # After 200 updates its code is worth more than two of PCA's numbers (2,039 against PCA-2's 2,297).
        assert m["test_mse"] < 0.95 * strongest["pca2"], (m["test_mse"], strongest)
        # Pixels scaled to [0, 1] with Adam 0.001 beat the tutorial's setting (1,175; Keras 1,209).
        assert m["scaled01_lr0001_test_mse"] < m["test_mse"], m
        # The colour version after 250 epochs (32.9 / 48.6 RMSE): clearly better than the average horse.
        assert m["colour_rmse_test"] < 0.85 * m["colour_baseline_rmse_test"], m


def check_03_fashion_mnist(m: dict) -> None:
    assert m["epochs"] >= 1 and m["samples"] >= 1000
    check_banner(m)
    # The mean image rebuilds the test images with MSE 0.0867 (fast mode): the data are Fashion-MNIST in [0, 1].
    assert 0.07 < m["baseline_mse"] < 0.10, m["baseline_mse"]
    models = m["models"]
    assert set(models) == {"samediff", "dense", "conv", "conv_adam"}
    # Model 1 (SameDiff): every declared parameter is a trained VARIABLE (a CONSTANT slipping in, e.g. a bias made
    # with sd.zero, would never learn), and their sizes are what 784-32-784 implies.
    n_in, n_code = 784, 32
    expected = {"w1": n_in * n_code, "b1": n_code, "w2": n_code * n_in, "b2": n_in}
    params = m["samediff_parameters"]
    assert set(params) == set(expected), params
    for name, p in params.items():
        assert p["type"] == "VARIABLE", (name, p)
        assert p["size"] == expected[name] == math.prod(p["shape"]), (name, p)
    assert m["samediff_trainable"] == sum(expected.values()) == models["samediff"]["params"], m["samediff_trainable"]
    # Model 2 has the same shape: its dense layers hold the same numbers of weights and biases.
    assert models["dense"]["params"] == sum(expected.values())
    # Model 3: nine 3x3 convolutions, channels 1-16-8-8-8-8-16-1 (weights 3*3*in*out plus one bias per filter).
    channels = [1, 16, 8, 8, 8, 8, 16, 1]
    conv_params = sum(9 * a * b + b for a, b in zip(channels, channels[1:]))
    assert models["conv"]["params"] == models["conv_adam"]["params"] == conv_params
    decoder_channels = channels[3:]
    assert m["decoder_params"] == {"samediff": n_code * n_in + n_in, "dense": n_code * n_in + n_in,
                                   "conv": sum(9 * a * b + b for a, b in zip(decoder_channels, decoder_channels[1:]))}
    # The benchmark trains the same networks (make bench compares these fingerprints).
    assert {"fashion-dense", "fashion-conv"} <= set(m["model_configs"]), m.get("model_configs")
    assert m["model_configs"]["fashion-dense"]["params"] == models["dense"]["params"]
    assert m["model_configs"]["fashion-conv"]["params"] == models["conv"]["params"]
    # The yardsticks, computed by the notebook on the same test images: the mean image (fast mode: MSE 0.0867, BCE
    # 0.490) and PCA fit on 5,000 training images, its error for every number of components k (one fit, Pythagoras)
    # agreeing with its reconstructions at 32 and 128 components (fast mode: 0.0151 and 0.0064).
    pca_k, y = m["pca_mse_by_k"], m["yardsticks"]
    assert len(pca_k) == 129 and all(a > b for a, b in zip(pca_k, pca_k[1:])), pca_k
    # With sums in float over the whole test set they were 3-9% apart (ND4J's reduction lost what it added, more on one
    # thread than on two: the record of 2026-12-03 has 0.00624 against 0.00652); Quality sums image by image now: full
    # mode in the image, one thread, 10,000 test images: 0.0152720 against 0.0152720 and 0.0065674 against 0.0065674.
    # The 5% stays until chapter 3 is recorded again (the records are checked with these functions); then 1e-3.
    assert pca_k[32] == pytest.approx(y["pca32"]["val_mse"], rel=0.05) and pca_k[128] == pytest.approx(y["pca128"]["val_mse"], rel=0.05), y
    for name, r in models.items():
        # Each model learned more than a PCA with two components (fast mode, 10,000 images, 5 epochs: val MSE 0.0347
        # SameDiff, 0.0352 dense, 0.0370 conv, 0.0285 conv with Adam, against PCA-2's 0.0459: 0.62-0.81 of it; as good
        # as PCA with 4-7 components) and far more than the mean image in BCE, the loss three of them minimise (fast
        # mode: 0.33-0.35 against 0.490, 0.67-0.72 of it; PCA-2 measured 0.80 of it with numpy).
        assert r["val_mse"] < 0.9 * pca_k[2], (name, r, pca_k[2])
        assert r["val_bce"] < 0.78 * m["baseline_bce"], (name, r)
    # Adam beats Adadelta on the same convolutional model (fast mode: 0.0285 against 0.0370) and beats PCA with 4
    # components (0.0367).
    assert models["conv_adam"]["val_mse"] < 0.9 * models["conv"]["val_mse"], models
    assert models["conv_adam"]["val_mse"] < pca_k[4], (models["conv_adam"], pca_k[4])
    # Model 1's biases, which start at zero, were trained (fast mode: largest change 2.0 in b1, 0.25 in b2); a bias
    # declared as a constant stays 0. Its codes, read from SameDiff's node h, are sigmoid(x W1 + b1) (1.3e-6).
    moved = m["samediff_bias_moved"]
    assert moved["b1"] > 0.05 and moved["b2"] > 0.05, moved
    assert m["samediff_code_check"] < 1e-4, m["samediff_code_check"]
    # What a code is worth, against the same encoder before training (fast mode: pixels 0.808; model 2's code 0.788
    # against 0.707 untrained; model 3's 0.772 against 0.755 and model 1's 0.693 against 0.759: after brief training
    # those two are no better than the random projection an untrained encoder is, which the notebook says).
    acc = check_code_representation(m)
    assert acc["dense_code"] > acc["dense_code_untrained"] + 0.04, acc
    for key in ("samediff_code", "dense_code", "conv_code"):
        assert 0.5 < acc[key + "_untrained"] < acc["pixels"], (key, acc)
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
        # The record of 2026-12-03 (oneDNN layers) ended the Adadelta run at 0.0189, an earlier run with libnd4j's layers at
        # 0.0168 (Keras 0.0163): AdaDelta's trajectory turns on float rounding; the Adam run below meets the goal.
        assert models["conv"]["val_mse"] <= 0.0200, models["conv"]
        assert models["conv_adam"]["val_mse"] <= 0.0150, models["conv_adam"]
        # What the notebook says of the recorded full run: Adam takes the convolutional model below both the Adadelta
        # run and the dense model, and the dense model comes within 10% of PCA with 32 components (an earlier full
        # run: 0.0131 < 0.0159 < 0.0173; 0.0159 against PCA-32's 0.0151).
        assert models["conv_adam"]["val_mse"] < min(models["conv"]["val_mse"], models["dense"]["val_mse"]), models
        assert models["dense"]["val_mse"] <= 1.1 * pca_k[32], (models["dense"], pca_k[32])


def check_04_mnist_denoising(m: dict) -> None:
    assert m["epochs"] >= 1 and m["samples"] >= 1000
    check_banner(m)
    # The tutorial's architecture: Keras counts 440,865 parameters (its total includes the 224 running statistics,
    # two per channel of the four batch-norm layers of 16, 32, 32 and 32 channels).
    assert m["running_stats"] == 2 * (16 + 32 + 32 + 32)
    assert m["params"] == 440_865
    assert m["model_configs"]["mnist-denoising"]["params"] == m["params"]
    # Noise 0.5 on MNIST costs about 9.4 dB of PSNR (fast mode measured 9.38 dB; full mode's 10,000 images the same).
    assert 8.5 < m["psnr_noisy_db"] < 10.5, m["psnr_noisy_db"]
    # Denoising beats the denoisers that know nothing about digits, computed by the notebook on the same test images:
    # the mean digit (fast mode: MSE 0.0650, BCE 0.256) and a 3x3 blur mixed with the mean digit, its one weight fit on
    # the training images (fast mode: MSE 0.0485 = 0.42 of the noisy input's, +3.8 dB, BCE 0.259). The autoencoder,
    # fast mode (5,400 images, 3 epochs): MSE 0.0384, +4.8 dB, BCE 0.186 (val 0.189).
    y = m["yardsticks"]
    mean_digit, blur = y["mean_digit"], y["blur_mix"]
    assert 0 < blur["weight"] < 1 and blur["mse"] < mean_digit["mse"] < m["test_mse_noisy"], y
    assert m["psnr_denoised_db"] > blur["psnr_db"] + 0.5, (m["psnr_denoised_db"], blur)
    assert m["test_mse"] < 0.9 * blur["mse"], (m["test_mse"], blur)
    best_bce = min(mean_digit["bce"], blur["bce"])
    assert m["test_bce"] < 0.85 * best_bce and m["val_bce"] < 0.85 * best_bce, (m["test_bce"], m["val_bce"], y)
    # Training images measured the way validation is (inference mode, after training) score close to the validation
    # images: the chart's gap is measurement, not memorisation (fast mode: within 1%).
    assert abs(m["train_bce_as_validation"] - m["val_bce"]) < 0.15 * m["val_bce"], m
    # The noise-level experiment: light noise gains least (the model blurs nearly clean digits), and from 0.3 up the
    # model helps (fast mode: -7.9 dB at 0.1, +1.2 at 0.3, +4.8 at 0.5, +6.9 at 0.9).
    levels, gain = m["noise_levels"], m["psnr_gain_by_level_db"]
    assert len(levels) == len(gain) == 9
    assert gain[0] == min(gain) and all(g > 0 for g in gain[2:]), gain
    # What the codes keep, against the same encoder before training (the same seed: the same starting weights). Fast
    # mode: clean digits 92.5% (untrained 90.6%, pixels 90.4%); noisy digits 85.8% against the untrained encoder's
    # 36.7% (pixels 88.8%): a random projection keeps a clean digit's identity already, but only the trained encoder
    # sees through the noise.
    acc = check_code_representation(m)
    assert acc["noisy_codes"] > acc["noisy_codes_untrained"] + 0.25, acc
    assert acc["codes"] > acc["codes_untrained"] - 0.01, acc
    if m["mode"] == "full":
        # The goal: validation BCE per pixel <= 0.095 after 35 epochs (the tutorial: 0.0981 final).
        assert m["epochs"] == 35 and m["val_bce"] <= 0.095, m
        assert m["psnr_denoised_db"] > blur["psnr_db"] + 5, m


def check_05_kittens(m: dict) -> None:
    check_banner(m)
    n_train, n_val = m["photos_train"], m["photos_val"]
    # the tutorial's split: shuffled, 10% for validation (7,373 / 819 of 8,192; 1,800 / 200 of 2,000)
    assert n_val == (n_train + n_val) // 10 and n_train >= 1000, m
    assert m["batch_size"] == (64 if m["mode"] == "fast" else 256), m
    # the final model is the tutorial's (Keras counts 59,769,792 with the running statistics) and the bench's
    assert m["model_configs"]["kittens"]["params"] == 59_769_792, m["model_configs"]
    curves, c = m["val_mse_by_epoch"], m["epochs_compare"] - 1
    assert [len(curves[k]) for k in ("relu_output", "sigmoid_output", "code_768")] == [m["epochs_compare"]] * 3, curves
    assert len(curves["batchnorm_final"]) == m["epochs_final"] == len(m["final_val_mse_batch_stats"]) >= m["epochs_compare"], m
    # the yardstick: predicting the mean photo (fast 0.0703, full 0.0682) is far below an all-black output (~0.27)
    baseline = m["mean_photo_mse"]
    assert 0.05 < baseline < 0.09 and baseline < m["gray_mse"] and m["black_mse"] > 3 * baseline, m
    # The lesson, in inference mode (what a user of the model gets): the final model beats the mean photo by a wide
    # margin. Fast mode measured 0.0334 = 0.47 of the mean photo after 6 epochs (174 steps of 64 photos); an untrained
    # network or one that outputs the mean photo scores 1.0 or more of it.
    assert m["final_val_mse"] < 0.6 * baseline, m
    # Models 1, 2 and 4 learned something of the individual photo (an all-black output scores ~4x the mean photo's).
    # Fast: ReLU 0.76, sigmoid 0.73 of the mean photo after 2 epochs; the 768 code 0.92 in inference mode (its running
    # averages hold 44% of the data's statistics) and 0.41 with batch statistics.
    assert curves["relu_output"][-1] < 0.85 * baseline and curves["sigmoid_output"][-1] < 0.85 * baseline, curves
    assert m["code768_val_mse"] < baseline and m["code768_val_mse_batch_stats"][-1] < 0.6 * baseline, m
    # Batch normalization helps, compared at equal epochs with the better model without it. Fast mode measured, after
    # 2 epochs: 0.0302 with batch statistics against 0.0515 (0.59); in inference mode batch norm is still behind there
    # (0.0706, running averages 44% caught up), which the notebook says.
    without = min(curves["relu_output"][c], curves["sigmoid_output"][c])
    assert m["final_val_mse_batch_stats"][c] < 0.75 * without, m
    # A sigmoid output stays inside (0, 1); a ReLU output answers values above 1 (fast: 0.33%, up to 1.43) and has output
    # units switched off for good, the article's dead pixels (fast: 228 of 6,912)
    assert 0 < m["sigmoid_min_output"] and m["sigmoid_max_output"] < 1, m
    assert m["relu_share_above_1"] > 0 and m["relu_max_output"] > 1 and m["relu_dead_units"] > 0, m
    # the article's "good with black or white cats": the error grows with contrast (fast r = 0.72)
    assert m["contrast_correlation"] > 0.4, m
    if m["mode"] == "full":
        assert m["epochs_final"] == 25 and m["epochs_compare"] == 10, m
        # batch norm ahead in inference mode too after 10 epochs (290 steps; issue 22's run: 0.0178 vs. 0.0269)
        assert curves["batchnorm_final"][c] < 0.85 * without, m
        assert m["final_train_mse"] < m["final_val_mse"] < 0.3 * baseline, m
        assert 0.3 < m["auc_kittens_vs_non_cats"] < 0.7, m   # the notebook's finding: no kitten detector
        if n_train + n_val == 8192:
            assert m["final_val_mse"] <= 0.0140, m   # the goal for the tutorial's run (Keras: 0.0145)


# --- memory: one check for every chapter (tests/test_records.py applies it to the records as well) --------------------

# Every notebook's whole run, in any mode: the kernel's peak resident memory (MB = MiB, Linux VmHWM, measured by the
# runner) within 1.9 GB, what Binder's 2 GB leaves beside the Jupyter server (the image's JavaCPP cap, Dockerfile).
MEMORY_MB = 1900
# What each chapter's fast mode needs, measured (scripts/fast_needs.py); the banner judges fast mode by it.
FAST_NEEDS = ROOT / "runs" / "fast-mode.json"


def fast_needs() -> dict:
    return json.loads(FAST_NEEDS.read_text())["chapters"]


def check_memory(stem: str, m: dict, overridden: bool = False) -> None:
    """The kernel's peak within MEMORY_MB in any mode; in fast mode with its own sizes, within what runs/fast-mode.json
    says the chapter needs (the banner's figure), so that a chapter that came to need more is noticed."""
    peak = m["kernel_peak_rss_mb"]
    assert 0 < peak <= MEMORY_MB, (f"{stem}: the kernel's peak resident memory was {peak:,.0f} MB in {m['mode']} mode, above the course's "
                                   f"{MEMORY_MB:,} MB for any run: find the cell that grew (make notebooks prints the peak per cell)")
    if m["mode"] == "fast" and not overridden:
        need = fast_needs()[stem]["kernel_peak_rss_mb"]
        assert peak <= need, (f"{stem}: fast mode peaked at {peak:,.0f} MB, above the {need:,} MB that runs/fast-mode.json says it needs "
                              "(the banner's figure). If the chapter needs more now, run `python scripts/fast_needs.py` after this "
                              "test run and commit runs/fast-mode.json")


CHECKS = {
    "01-iris": check_01_iris,
    "02-cifar-horses": check_02_cifar_horses,
    "03-fashion-mnist": check_03_fashion_mnist,
    "04-mnist-denoising": check_04_mnist_denoising,
    "05-kittens": check_05_kittens,
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
    check_memory(notebook.stem, result.metrics, overridden=bool(os.environ.get("AE_EPOCHS") or os.environ.get("AE_LIMIT")))


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


def test_every_chapter_has_a_measured_fast_mode_need() -> None:
    """runs/fast-mode.json names every chapter, with what its kinds of run measured and a need above each of them."""
    needs = fast_needs()
    assert set(needs) == {p.stem for p in NOTEBOOKS}, (f"runs/fast-mode.json has {sorted(needs)}; the notebooks are "
                                                       f"{[p.stem for p in NOTEBOOKS]}: run make test, then python scripts/fast_needs.py")
    for stem, entry in needs.items():
        peaks = [v["kernel_peak_rss_mb"] for v in entry["measured"].values()]
        assert peaks and max(peaks) <= MEMORY_MB and max(peaks) < entry["kernel_peak_rss_mb"], (stem, entry)


def test_every_notebook_has_checks() -> None:
    assert NOTEBOOKS, "no notebooks found"
    assert set(CHECKS) <= {p.stem for p in NOTEBOOKS}, "a check names a notebook that does not exist"
