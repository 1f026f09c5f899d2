#!/bin/sh
# The standard workloads (docs/performance.md) in Kerosene and PyTorch, alternately
# (Kerosene, PyTorch, Kerosene, PyTorch, ...), so that both see the same machine state. Appends
# every JSON line to $OUT; `benches/peers/summarize.py $OUT` turns them into the table.
#
#   python3 -m venv /work/peers-venv && /work/peers-venv/bin/pip install torch numpy
#   benches/peers/side_by_side.sh                               # 2 threads, w1..w6, 2 rounds
#   THREADS=1 WORKLOADS="w1 w5" ROUNDS=3 benches/peers/side_by_side.sh
set -eu
cd "$(dirname "$0")/../.."
PY=${PY:-/work/peers-venv/bin/python}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-side_by_side.jsonl}
cargo build --release --example workloads
for w in ${WORKLOADS:-w1 w2 w3 w4 w5 w6}; do
    r=0
    while [ "$r" -lt "$ROUNDS" ]; do
        target/release/examples/workloads "$w" --threads "$THREADS" | grep '^{' >>"$OUT"
        "$PY" benches/peers/torch_workloads.py "$w" --threads "$THREADS" | grep '^{' >>"$OUT"
        r=$((r + 1))
    done
done
echo "appended to $OUT"
