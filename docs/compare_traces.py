"""Compare two traces in neuron-explorer's CSV format (e.g. `neuron-explorer run`
against the exported ANNarchy script's output): same columns and rows, spike rows,
and the largest absolute difference per column.

Usage: python3 docs/compare_traces.py ours.csv annarchy.csv
Exit code 1 if the columns, row count or spike rows differ.
"""
import csv
import sys


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], [[float(x) for x in r] for r in rows[1:]]


def main():
    (ha, a), (hb, b) = read(sys.argv[1]), read(sys.argv[2])
    if ha != hb or len(a) != len(b):
        print(f"columns or rows differ: {ha} ({len(a)} rows) vs {hb} ({len(b)} rows)")
        sys.exit(1)
    spike = ha.index("spike")
    spikes_a = [i for i, r in enumerate(a) if r[spike] == 1]
    spikes_b = [i for i, r in enumerate(b) if r[spike] == 1]
    worst = 0.0
    for c, name in enumerate(ha):
        if name == "spike":
            continue
        diff, row = max((abs(x[c] - y[c]), i) for i, (x, y) in enumerate(zip(a, b)))
        worst = max(worst, diff) if name != "t" else worst
        print(f"{name:>16}: max |difference| {diff:.3e} (row {row}, t = {a[row][0]})")
    print(f"rows {len(a)}, spikes {len(spikes_a)} vs {len(spikes_b)}, "
          f"identical spike rows: {spikes_a == spikes_b}; max |difference| over all variables {worst:.3e}")
    sys.exit(0 if spikes_a == spikes_b else 1)


if __name__ == "__main__":
    main()
