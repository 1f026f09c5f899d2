#!/usr/bin/env python3
"""Summarizes the JSON lines of `side_by_side.sh` (and `workloads` / `torch_workloads.py` runs)
as the Markdown table of docs/performance.md: per workload and thread count, the best run of
each framework (interference on a shared machine only ever slows a run down) with every run's
value beside it, and the ratio Kerosene / PyTorch of the best runs.

    python3 benches/peers/summarize.py side_by_side.jsonl
"""

import json
import sys
from collections import defaultdict

# (key, label, unit, lower is better)
METRICS = {
    "w1": [("median_epoch_s", "W1 MLP, batch 32, s/epoch", True)],
    "w2": [("median_epoch_s", "W2 MLP, batch 128, s/epoch", True)],
    "w3": [("median_epoch_s", "W3 CNN, 10k images, s/epoch", True)],
    "w4": [("median_epoch_s", "W4 LSTM, 10k sequences, s/epoch", True)],
    "w5": [("batch1000_img_per_s_median", "W5 inference batch 1000, images/s", False),
           ("batch1_median_us", "W5 inference batch 1, us/image", True)],
}


def main():
    runs = defaultdict(list)  # (workload, n, metric, threads) -> framework -> values
    table = defaultdict(lambda: defaultdict(list))
    rss = defaultdict(lambda: defaultdict(list))
    for line in open(sys.argv[1]):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        fw, w, t = r["framework"], r["workload"], r["threads"]
        if w == "w6":
            key = r.get("gflops_best") or r.get("gflops")
            table[(f"W6 sgemm n={r['n']}, GFLOP/s", t, False)][fw].append(key)
            continue
        for k, label, lower in METRICS[w]:
            if k in r:
                table[(label, t, lower)][fw].append(r[k])
        if w == "w1" and r.get("max_rss_mib"):
            rss[t][fw].append(r["max_rss_mib"])
    print("| workload | threads | Kerosene (best; all runs) | PyTorch (best; all runs) | Kerosene / PyTorch |")
    print("|---|---:|---:|---:|---:|")
    for (label, t, lower), fws in table.items():
        def cell(fw):
            v = fws.get(fw, [])
            if not v:
                return None, "–"
            best = min(v) if lower else max(v)
            return best, f"**{best:g}**; " + ", ".join(f"{x:g}" for x in v)
        (k, kc), (p, pc) = cell("kerosene"), cell("pytorch")
        ratio = f"{k / p:.2f}x" if k and p else "–"
        print(f"| {label} | {t} | {kc} | {pc} | {ratio} |")
    for t, fws in rss.items():
        print(f"\nW1 peak memory (max RSS, MiB), {t} threads: "
              + "; ".join(f"{fw} {min(v):g}" for fw, v in fws.items()))


if __name__ == "__main__":
    main()
