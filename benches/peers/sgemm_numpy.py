#!/usr/bin/env python3
"""OpenBLAS sgemm through NumPy, on the shapes of `cargo bench --bench tensor_ops -- matmul`.

Reference numbers for Kerosene's GEMM (see docs/performance.md, section "GEMM"). Setup:

    python3 -m venv /work/blas-venv && /work/blas-venv/bin/pip install numpy
    /work/blas-venv/bin/python benches/peers/sgemm_numpy.py            # 1 and 2 threads
    /work/blas-venv/bin/python benches/peers/sgemm_numpy.py --threads 2 --shapes 1024x1024x1024

NumPy's wheels bundle OpenBLAS. Leave OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so that it
picks its own kernel (SkylakeX, i.e. AVX-512, on an AVX-512 Xeon); the script prints which one it
runs when threadpoolctl is installed. OPENBLAS_NUM_THREADS is set per run by re-executing this
script, since OpenBLAS reads it once at load time.

A shape is `MxKxN`, with `Ta` when the left operand is a transposed view (`x.T`, strides (1, M))
and `Tb` when the right one is (`w.T`), exactly as Kerosene's bench builds them. Each product is
`np.matmul(a, b, out=c)` into a preallocated C, so allocation is not timed (the `gemm_backend`
group of the Rust bench does the same); `--alloc` times `a @ b` instead, like `Tensor::matmul`.

Timing: `--rounds` rounds of at least `--min-time` seconds each; the best round is reported (the
machine may be shared, and interference only ever slows a round down) with the median beside it.
`--clock cpu` measures single-threaded runs in thread CPU time (`time.thread_time`), which does
not count the time slices other processes take on a busy machine; multi-threaded runs always use
wall time.
"""

import argparse
import json
import os
import subprocess
import sys
import time

# (m, k, n, a transposed, b transposed): square sizes, then the training workloads.
SHAPES = [
    (64, 64, 64, False, False),
    (256, 256, 256, False, False),
    (512, 512, 512, False, False),
    (1024, 1024, 1024, False, False),
    (2048, 2048, 2048, False, False),
    # MLP 784-64-10, batch 32: forward, dW = x^T dz, dx = dz W^T, output layer
    (32, 784, 64, False, False),
    (784, 32, 64, True, False),
    (32, 64, 784, False, True),
    (32, 64, 64, False, True),
    (32, 64, 10, False, False),
    # batch 128
    (128, 784, 64, False, False),
    (784, 128, 64, True, False),
    (128, 64, 64, False, True),
    (128, 64, 10, False, False),
    # LSTM (batch 64, 28 steps, hidden 128): input projection, recurrent step, their backward
    (1792, 28, 512, False, False),
    (64, 128, 512, False, False),
    (128, 64, 512, True, False),
    (64, 512, 128, False, True),
    # CNN im2col: conv1 3x3x1 -> 32 on 26x26, conv2 3x3x32 -> 64 on 11x11, and their backward
    (43264, 9, 32, False, False),
    (7744, 288, 64, False, False),
    (9, 43264, 32, True, False),
    (288, 7744, 64, True, False),
    (43264, 32, 9, False, True),
    (7744, 64, 288, False, True),
]


def name(s):
    m, k, n, ta, tb = s
    return f"{m}x{k}x{n}" + ("Ta" if ta else "") + ("Tb" if tb else "")


def run_inner(args):
    import numpy as np

    kernel = "unknown"
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
        if info:
            kernel = f"{info[0].get('architecture')} ({info[0].get('version')}, {info[0].get('num_threads')} threads)"
    except ImportError:
        pass
    cpu = args.clock == "cpu" and os.environ.get("OPENBLAS_NUM_THREADS") == "1"
    clock = time.thread_time if cpu else time.perf_counter
    rng = np.random.default_rng(0)
    wanted = set(args.shapes.split(",")) if args.shapes else None
    results = []
    for s in SHAPES:
        if wanted and name(s) not in wanted:
            continue
        m, k, n, ta, tb = s
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        a = a.T if ta else a
        b = b.T if tb else b
        c = np.empty((m, n), dtype=np.float32)
        if args.alloc:
            def f():
                return a @ b
        else:
            def f():
                return np.matmul(a, b, out=c)
        f()
        # Calibrate the number of calls per round.
        calls, t0 = 0, clock()
        while clock() - t0 < args.min_time / 4:
            f()
            calls += 1
        per_round = max(1, int(calls * 4))
        times = []
        for _ in range(args.rounds):
            t0 = clock()
            for _ in range(per_round):
                f()
            times.append((clock() - t0) / per_round)
        times.sort()
        flops = 2.0 * m * k * n
        results.append({
            "shape": name(s),
            "best_gflops": flops / times[0] / 1e9,
            "median_gflops": flops / times[len(times) // 2] / 1e9,
            "best_us": times[0] * 1e6,
        })
    return kernel, results


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", default="1,2", help="comma-separated OPENBLAS_NUM_THREADS values")
    p.add_argument("--shapes", default="", help="comma-separated shape names (default: all)")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--min-time", type=float, default=0.1, help="seconds per round")
    p.add_argument("--alloc", action="store_true", help="time `a @ b` (allocates C) instead of out=")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="cpu: thread CPU time for 1 thread")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.inner:
        kernel, results = run_inner(args)
        print(json.dumps({"kernel": kernel, "results": results}))
        return

    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var} is set; unset it to let OpenBLAS pick its own kernel", file=sys.stderr)
    runs = {}
    for t in args.threads.split(","):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=t)
        cmd = [sys.executable, __file__, "--inner", "--shapes", args.shapes, "--rounds", str(args.rounds),
               "--min-time", str(args.min_time), "--clock", args.clock] + (["--alloc"] if args.alloc else [])
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        runs[t] = json.loads(out)
    if args.json:
        print(json.dumps(runs, indent=1))
        return
    for t, r in runs.items():
        print(f"# OpenBLAS {r['kernel']}, OPENBLAS_NUM_THREADS={t}")
    header = f"{'shape':>16}" + "".join(f" {f'{t}t best':>9} {f'{t}t med':>8}" for t in runs)
    print(header + "   (GFLOP/s)")
    shapes = [x["shape"] for x in next(iter(runs.values()))["results"]]
    for i, s in enumerate(shapes):
        row = f"{s:>16}"
        for r in runs.values():
            x = r["results"][i]
            row += f" {x['best_gflops']:9.1f} {x['median_gflops']:8.1f}"
        print(row)


if __name__ == "__main__":
    main()
