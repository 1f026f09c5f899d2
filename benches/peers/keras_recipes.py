#!/usr/bin/env python3
"""The seed's Keras programs, run by Keras itself (Keras 3 on its PyTorch backend, since TensorFlow
is not installable here), to compare test accuracy (not speed) with `examples/mnist_mlp.rs` and
`examples/mnist_cnn.rs` over several seeds.

    pip install torch keras   # in the peers' venv
    KERAS_BACKEND=torch /work/peers-venv/bin/python benches/peers/keras_recipes.py mlp --seeds 0 1 2

- mlp: Dense 64 relu (input 784) -> Dense 64 relu -> Dense 10 softmax; compile("adam",
  "sparse_categorical_crossentropy", ["accuracy"]); fit(epochs=5) with Keras' defaults (batch 32,
  shuffled); evaluate on the 10,000 test images.
- cnn: Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool 2 -> Flatten ->
  Dropout 0.5 -> Dense 128 relu -> Dense 10 softmax; same compile; fit(epochs=5, batch_size=64).

Fashion-MNIST from /usr/share/datasets/fashion-mnist, scaled to [0, 1]. Prints one JSON line per
seed.
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import torch  # noqa: E402

from torch_workloads import load  # noqa: E402


def mlp():
    return keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def cnn():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("recipe", choices=["mlp", "cnn"])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    xtr, ytr = (t.numpy() for t in load("train"))
    xte, yte = (t.numpy() for t in load("t10k"))
    if a.recipe == "cnn":
        xtr, xte = xtr.reshape(-1, 28, 28, 1), xte.reshape(-1, 28, 28, 1)
    batch = 32 if a.recipe == "mlp" else 64
    for seed in a.seeds:
        keras.utils.set_random_seed(seed)
        m = mlp() if a.recipe == "mlp" else cnn()
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        t0 = time.perf_counter()
        m.fit(xtr, ytr, epochs=a.epochs, batch_size=batch, verbose=0)
        secs = time.perf_counter() - t0
        loss, acc = m.evaluate(xte, yte, verbose=0)
        print(json.dumps({"framework": f"keras-{keras.__version__}-torch", "recipe": f"mnist_{a.recipe}",
                          "seed": seed, "epochs": a.epochs, "test_accuracy": round(acc, 4),
                          "test_loss": round(loss, 4), "seconds_per_epoch": round(secs / a.epochs, 2)}),
              flush=True)


if __name__ == "__main__":
    main()
