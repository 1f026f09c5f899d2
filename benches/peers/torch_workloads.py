"""PyTorch reference for Kerosene's standard workloads (docs/performance.md).

Same definitions as `cargo run --release --example workloads`: Fashion-MNIST from the Debian
package (pixels / 255), Adam lr 1e-3, seeded, reshuffled each epoch, training time only.
One JSON line per workload.

Setup:  python3 -m venv .venv && .venv/bin/pip install torch numpy
Run:    .venv/bin/python benches/peers/torch_workloads.py w1 --threads 2
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    n = int.from_bytes(data[4:8], "big")
    if magic == 2051:
        r, c = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, r * c)
    return np.frombuffer(data, np.uint8, offset=8)[:n]


def load(split):
    x = idx(f"{DIR}/{split}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    y = idx(f"{DIR}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(784, 64), nn.Linear(64, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.f1, self.f2 = nn.Linear(1600, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.f2(F.relu(self.f1(x.flatten(1))))


class Rnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm, self.fc = nn.LSTM(28, 128, batch_first=True), nn.Linear(128, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x.view(-1, 28, 28))
        return self.fc(h[-1])


def max_rss_mib():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["w1", "w2", "w3", "w4", "w5", "w6"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(42)
    head = {"framework": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads()}
    w = a.workload
    if w in ("w1", "w2", "w3", "w4"):
        xtr, ytr = load("train")
        xte, yte = load("t10k")
        bs, n, ep = {"w1": (32, 60000, 5), "w2": (128, 60000, 3), "w3": (64, 10000, 3), "w4": (64, 10000, 3)}[w]
        ep = a.epochs or ep
        model = {"w3": Cnn, "w4": Rnn}.get(w, Mlp)()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        X, Y = xtr[:n], ytr[:n]
        g = torch.Generator().manual_seed(42)
        times = []
        for _ in range(ep):
            t0 = time.perf_counter()
            perm = torch.randperm(n, generator=g)
            model.train()
            for i in range(0, n, bs):
                idx_ = perm[i:i + bs]
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(X[idx_]), Y[idx_])
                loss.backward()
                opt.step()
            times.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(xte), 1000)])
        med = statistics.median(times)
        print(json.dumps({**head, "workload": w, "batch": bs, "n_train": n, "epochs": ep,
                          "epoch_s": [round(t, 4) for t in times], "median_epoch_s": round(med, 4),
                          "samples_per_s": round(n / med, 1), "last_loss": round(loss.item(), 4),
                          "test_acc": round((pred == yte).float().mean().item(), 4), "max_rss_mib": max_rss_mib()}),
              flush=True)
    elif w == "w5":
        xte, _ = load("t10k")
        model = Mlp().eval()
        runs, meds = [], []
        with torch.inference_mode():
            for rep in range(6):
                t0 = time.perf_counter()
                for _ in range(10):
                    for i in range(0, 10000, 1000):
                        model(xte[i:i + 1000])
                if rep > 0:
                    runs.append(100000 / (time.perf_counter() - t0))
            singles = [xte[i:i + 1] for i in range(1000)]
            for rep in range(4):
                lat = []
                for s in singles:
                    t0 = time.perf_counter()
                    model(s)
                    lat.append((time.perf_counter() - t0) * 1e6)
                if rep > 0:
                    meds.append(statistics.median(lat))
        print(json.dumps({**head, "workload": "w5", "mode": "eager inference_mode",
                          "batch1000_img_per_s_median": round(statistics.median(runs)),
                          "batch1_median_us": round(statistics.median(meds), 2)}), flush=True)
    else:
        for n in (256, 512, 1024, 2048):
            A, B, C = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
            flop = 2.0 * n ** 3
            reps = max(1, min(1000, int(0.2e9 * 50 / flop)))
            res = []
            for trial in range(6):
                t0 = time.perf_counter()
                for _ in range(reps):
                    torch.mm(A, B, out=C)
                if trial > 0:
                    res.append(flop / ((time.perf_counter() - t0) / reps) / 1e9)
            print(json.dumps({**head, "workload": "w6", "op": "torch.mm f32", "n": n, "reps": reps,
                              "gflops_best": round(max(res), 2), "gflops_median": round(statistics.median(res), 2)}),
                  flush=True)


if __name__ == "__main__":
    main()
