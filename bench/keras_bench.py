"""The Keras side of `make bench`: the same models as bench/Bench.java (the tutorials' Keras code), trained on the
same data for about the same time. Prints one JSON line.

    keras_bench.py <model> <seconds> <data folder> [samples]   samples: how many the DL4J side trained on (the
                                                                kittens at hand; its JSON's data_rows), taken alike
    keras_bench.py --native                                     TensorFlow's oneDNN: version and instruction set
"""
from __future__ import annotations

import gzip
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

try:
    import numpy as np  # noqa: E402
except ModuleNotFoundError:  # only in .venv-bench; the tests import the pure helpers (kitten_files) without it
    np = None


def idx_images(path: Path) -> np.ndarray:
    """An IDX image file (gzip) as float32 rows in [0, 1]."""
    with gzip.open(path) as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 28 * 28).astype("float32") / 255.0


def cifar_horses(data: Path) -> np.ndarray:
    """CIFAR-10's training horses in grayscale (mean of R, G, B) on the 0-255 scale, as the tutorial feeds them, from
    the official archive or the course's subset."""
    archive = data / "cifar-10" / "cifar-10-binary.tar.gz"
    if archive.is_file():
        import tarfile
        with tarfile.open(archive) as tar:
            raw = b"".join(tar.extractfile(f"cifar-10-batches-bin/data_batch_{i}.bin").read() for i in range(1, 6))
    else:
        raw = (data / "cifar-10-subset" / "data_batch_1.first-4000.bin").read_bytes()
    records = np.frombuffer(raw, np.uint8).reshape(-1, 3073)
    horses = records[records[:, 0] == 7, 1:].reshape(-1, 3, 1024).astype("float32")
    return horses.mean(axis=1)


def kitten_files(data: Path, count: int, mirror: str | None = None) -> list[Path]:
    """cat.0.jpg ... cat.<count-1>.jpg, each from the download cache (data/kittens) or else a local mirror folder
    (AE_DATA_MIRROR), as the DL4J side finds them; count is the DL4J side's (ae.Kittens.atHand, reported as
    data_rows), so both train on the same photos. A missing photo is a clear error, not a crash inside TensorFlow."""
    folders = [data / "kittens"]
    if mirror and not mirror.lower().startswith(("http://", "https://")):
        folders.append(Path(mirror) / "kittens")
    files = []
    for n in range(count):
        found = next((f / f"cat.{n}.jpg" for f in folders if (f / f"cat.{n}.jpg").is_file()), None)
        if found is None:
            raise SystemExit(f"kittens: cat.{n}.jpg is in neither {' nor '.join(map(str, folders))}, but the DL4J side "
                             f"trained on {count} photos; run `make data` (or the kittens notebook) to fetch them")
        files.append(found)
    return files


def kitten_photos(data: Path, count: int, size: int = 48) -> np.ndarray:
    """cat.0.jpg ... as size x size RGB rows in [0, 1] (TensorFlow's JPEG decoder, bilinear resize)."""
    import tensorflow as tf
    rows = []
    for file in kitten_files(data, count, os.environ.get("AE_DATA_MIRROR")):
        image = tf.io.decode_jpeg(tf.io.read_file(str(file)), channels=3)
        rows.append(tf.image.resize(image, (size, size), method="bilinear").numpy().reshape(-1) / 255.0)
    return np.stack(rows).astype("float32")


def cifar_stacked(keras):
    """The tutorial's network as it ran (notebooks/02-cifar-horses.ipynb): ELU, Glorot-uniform weights (Keras's
    default), a linear output, MSE, Adam at 0.01 with TensorFlow 1's epsilon; no L2 (declared there, never used)."""
    L = keras.layers
    model = keras.Sequential([keras.Input((1024,)), L.Dense(300, activation="elu"), L.Dense(150, activation="elu"),
                              L.Dense(300, activation="elu"), L.Dense(1024)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-8), loss="mse")
    return model


def kittens(keras):
    """AutoEncatter's model (its input is 48x48x3 and flattened; here the rows come flat)."""
    L = keras.layers
    model = keras.Sequential([keras.Input((6912,)), L.BatchNormalization(), L.Dense(3456, activation="relu"),
                              L.Dense(1728, activation="relu"), L.BatchNormalization(), L.Dense(3456, activation="relu"),
                              L.Dense(6912, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    return model


def fashion_dense(keras):
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(784, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0), loss="binary_crossentropy")
    return model


def fashion_conv(keras):
    L = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(16, 3, activation="relu", padding="same"), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(8, 3, activation="relu", padding="same"), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(8, 3, activation="relu", padding="same"), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
        L.Conv2D(8, 3, activation="relu", padding="same"), L.UpSampling2D(2),
        L.Conv2D(16, 3, activation="relu"), L.UpSampling2D(2),
        L.Conv2D(1, 3, activation="sigmoid", padding="same"),
    ])
    model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0), loss="binary_crossentropy")
    return model


def mnist_denoising(keras):
    L = keras.layers
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(16, 3, activation="relu", padding="same"), L.BatchNormalization(), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(32, 3, activation="relu", padding="same"), L.BatchNormalization(), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(32, 3, activation="relu", padding="same"), L.Flatten(), L.Dense(128, activation="sigmoid"),
        L.Dense(7 * 7 * 32, activation="relu"), L.Reshape((7, 7, 32)),
        L.Conv2DTranspose(32, 3, activation="relu", padding="same"), L.BatchNormalization(), L.UpSampling2D(2),
        L.Conv2DTranspose(32, 3, activation="relu", padding="same"), L.BatchNormalization(), L.UpSampling2D(2),
        L.Conv2DTranspose(16, 3, activation="relu", padding="same"),
        L.Conv2D(1, 3, activation="sigmoid", padding="same"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def native() -> dict:
    """TensorFlow's oneDNN: its version and instruction set, from its own ONEDNN_VERBOSE lines (one small convolution
    in a child process, so that the verbose mode stays out of the timed runs)."""
    code = ("import os; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'; import tensorflow as tf; "
            "tf.nn.conv2d(tf.ones((1, 8, 8, 16)), tf.ones((3, 3, 16, 16)), 1, 'SAME')")
    import subprocess
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "ONEDNN_VERBOSE": "1"}, capture_output=True, text=True)
    info = {}
    for line in (out.stdout + out.stderr).splitlines():
        if ",info,oneDNN v" in line:
            info["onednn"] = line.split(",info,", 1)[1].split(" (")[0]
        elif ",info,cpu,isa:" in line:
            info["isa"] = line.split(",info,cpu,isa:", 1)[1].strip()
        elif ",info,cpu,runtime:" in line:
            info["runtime"] = line.split(",info,cpu,runtime:", 1)[1].strip()
    return info


def main() -> None:
    if sys.argv[1:] == ["--native"]:
        print(json.dumps(native()))
        return
    name, seconds, data = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    samples = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(42)
    rng = np.random.default_rng(42)
    if name.startswith("fashion"):
        x = idx_images(data / "fashion-mnist" / "train-images-idx3-ubyte.gz")
        y, batch, epoch_samples = x, 256, len(x)
    elif name == "mnist-denoising":
        y = idx_images(data / "mnist" / "train-images-idx3-ubyte.gz")
        x = np.clip(y + 0.5 * rng.standard_normal(y.shape, dtype="float32"), 0.0, 1.0)
        batch, epoch_samples = 64, 54_000
    elif name == "cifar-horses":
        x = cifar_horses(data)
        y, batch, epoch_samples = x, 150, 5_000
    elif name == "kittens":
        if samples is None:
            raise SystemExit("kittens: give the number of photos the DL4J side trained on (its data_rows)")
        x = kitten_photos(data, samples)
        y, batch, epoch_samples = x, 256, 7_373
    else:
        raise SystemExit(f"unknown model {name!r}")
    model = {"fashion-dense": fashion_dense, "fashion-conv": fashion_conv, "mnist-denoising": mnist_denoising,
             "cifar-horses": cifar_stacked, "kittens": kittens}[name](keras)
    if name in ("fashion-conv", "mnist-denoising"):
        x, y = x.reshape(-1, 28, 28, 1), y.reshape(-1, 28, 28, 1)

    in_order = name == "cifar-horses"   # the tutorial's repeat().batch(150): consecutive batches, never shuffled
    stream_at = [0]   # where the in-order stream of rows has got to

    def fit(steps: int) -> float:
        if in_order:
            rows = (stream_at[0] + np.arange(steps * batch)) % len(x)
            stream_at[0] = (stream_at[0] + steps * batch) % len(x)
        else:
            rows = rng.permutation(np.resize(np.arange(len(x)), steps * batch))
        xs, ys = x[rows], y[rows]
        t = time.perf_counter()
        history = model.fit(xs, ys, batch_size=batch, epochs=1, verbose=0, shuffle=not in_order)
        fit.loss = history.history["loss"][-1]
        return time.perf_counter() - t

    fit(5)                                    # builds and traces the training step
    estimate = fit(10) / 10
    steps = max(10, int(seconds / estimate))
    elapsed = fit(steps)
    samples_per_second = steps * batch / elapsed
    print(json.dumps({
        "model": name, "framework": f"Keras {keras.__version__} / TensorFlow {tf.__version__}", "batch": batch,
        "params": int(model.count_params()), "epoch_samples": epoch_samples, "timed_steps": steps,
        "timed_seconds": elapsed, "seconds_per_step": elapsed / steps, "samples_per_second": samples_per_second,
        "seconds_per_epoch": epoch_samples / samples_per_second,
        "threads": f"TensorFlow default (intra-op {tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()})",
        "last_loss": float(fit.loss),
    }))


if __name__ == "__main__":
    main()
