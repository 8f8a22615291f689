"""Chapter 5's final model in Keras, on exactly the notebook's photos and split, for the comparison in the notebook's
closing paragraph and docs/results.md (not part of `make bench`, which times training only).

    .venv-bench/bin/python bench/keras_kittens_split.py <data folder> [photos] [epochs] [seed] [--java-pixels FILE]

The split is the notebook's: Java's Collections.shuffle(order, new Random(42)) of cat.0 ... cat.<photos-1>, reproduced
here bit for bit, the last 10% for validation. The pixels are TensorFlow's (keras_bench.kitten_photos: decode_jpeg,
bilinear resize), or with --java-pixels the helper jar's pixel cache (data/kittens/pixels-48-<photos>.u8), and the
script first prints how far the two are apart when both are at hand. Prints one JSON line per epoch (validation MSE in
inference mode, as Keras's val_loss) and a summary line.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import keras_bench  # noqa: E402

MASK = (1 << 48) - 1


class JavaRandom:
    """java.util.Random: the same numbers for the same seed."""

    def __init__(self, seed: int) -> None:
        self.seed = (seed ^ 0x5DEECE66D) & MASK

    def next(self, bits: int) -> int:
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & MASK
        r = self.seed >> (48 - bits)
        return r - (1 << 32) if r >= 1 << 31 else r

    def next_int(self, bound: int) -> int:
        if bound & -bound == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):
                return val


def java_shuffle(n: int, seed: int) -> list[int]:
    """Collections.shuffle(0 … n-1, new Random(seed))."""
    order, rnd = list(range(n)), JavaRandom(seed)
    for i in range(n, 1, -1):
        j = rnd.next_int(i)
        order[i - 1], order[j] = order[j], order[i - 1]
    return order


def java_pixels(cache: Path, n: int) -> np.ndarray:
    """The helper jar's pixel cache (PixelCache: a 48-byte header, then planar RGB bytes) as rows like TensorFlow's (HWC)."""
    raw = cache.read_bytes()
    return (np.frombuffer(raw, np.uint8, count=n * 6912, offset=48).reshape(n, 3, 48, 48).transpose(0, 2, 3, 1)
            .reshape(n, -1).astype(np.float32) / 255)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = Path(args[0])
    photos, epochs, seed = (int(args[1]) if len(args) > 1 else 8192), (int(args[2]) if len(args) > 2 else 25), (int(args[3]) if len(args) > 3 else 42)
    java = Path(sys.argv[sys.argv.index("--java-pixels") + 1]) if "--java-pixels" in sys.argv else None
    tf_x = keras_bench.kitten_photos(data, photos)
    x = tf_x
    if java is not None:
        x = java_pixels(java, photos)
        d = x - tf_x
        print(json.dumps({"pixels": "java", "max_abs_difference_to_tf": float(np.abs(d).max()),
                          "mse_to_tf": float((d ** 2).mean()), "mean_java": float(x.mean()), "mean_tf": float(tf_x.mean())}), flush=True)
    order = java_shuffle(photos, 42)
    n_train = photos - photos // 10
    train, val = x[order[:n_train]], x[order[n_train:]]
    print(json.dumps({"train": len(train), "validation": len(val), "first_validation_photos": order[n_train:n_train + 5],
                      "mean_photo_mse": float(((val - train.mean(0)) ** 2).mean())}), flush=True)
    import keras
    keras.utils.set_random_seed(seed)
    model = keras_bench.kittens(keras)
    history = []
    for epoch in range(1, epochs + 1):
        t = time.time()
        h = model.fit(train, train, batch_size=256, epochs=1, shuffle=True, verbose=0, validation_data=(val, val))
        history.append(h.history["val_loss"][0])
        print(json.dumps({"epoch": epoch, "loss": h.history["loss"][0], "val_loss": history[-1], "seconds": round(time.time() - t, 1)}), flush=True)
    print(json.dumps({"final_val_mse": history[-1], "best_val_mse": min(history), "best_epoch": int(np.argmin(history)) + 1,
                      "train_mse_inference": float(model.evaluate(train, train, batch_size=256, verbose=0)),
                      "keras": keras.__version__, "seed": seed}), flush=True)


if __name__ == "__main__":
    main()
