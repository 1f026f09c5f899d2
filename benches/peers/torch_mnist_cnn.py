#!/usr/bin/env python3
"""The recipe of `examples/mnist_cnn.rs` in PyTorch, set up as Keras would run it, to compare
test accuracy (not speed) with the same recipe.

Conv2D 32 3x3 relu -> MaxPool 2 -> Conv2D 64 3x3 relu -> MaxPool 2 -> Flatten -> Dropout 0.5 ->
Dense 128 relu -> Dense 10 softmax; Keras initialization (glorot-uniform kernels, zero biases),
Adam(lr 1e-3, eps 1e-7 as in Keras), batch 64, shuffled every epoch, 5 epochs over the 60,000
Fashion-MNIST training images scaled to [0, 1]; test accuracy on the 10,000 test images.

    /work/peers-venv/bin/python benches/peers/torch_mnist_cnn.py --seeds 0 1 2 --threads 2

Prints one JSON line per seed.
"""

import argparse
import json
import time

import torch
from torch import nn

from torch_workloads import load


def model():
    m = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(64 * 5 * 5, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )
    for layer in m:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)  # Keras' fans: kh*kw*cin, kh*kw*cout
            nn.init.zeros_(layer.bias)
    return m


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    xtr, xte = xtr.view(-1, 1, 28, 28), xte.view(-1, 1, 28, 28)
    for seed in a.seeds:
        torch.manual_seed(seed)
        m = model()
        opt = torch.optim.Adam(m.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = nn.CrossEntropyLoss()
        t0 = time.perf_counter()
        for _ in range(a.epochs):
            m.train()
            perm = torch.randperm(len(xtr))
            for i in range(0, len(xtr), 64):
                idx = perm[i:i + 64]
                opt.zero_grad()
                loss = loss_fn(m(xtr[idx]), ytr[idx])
                loss.backward()
                opt.step()
        secs = time.perf_counter() - t0
        m.eval()
        with torch.no_grad():
            acc = (m(xte).argmax(1) == yte).float().mean().item()
        print(json.dumps({"framework": "pytorch", "recipe": "mnist_cnn", "seed": seed, "epochs": a.epochs,
                          "test_accuracy": round(acc, 4), "seconds_per_epoch": round(secs / a.epochs, 2)}),
              flush=True)


if __name__ == "__main__":
    main()
