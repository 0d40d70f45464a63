#!/usr/bin/env python3
"""bench-spread.py DIR: what concordia-bench -samples DIR wrote, per system.

For every delta of every run, its first and last delivery among the participants and the
time between them (the spread: how long the host took to reach everyone), as p50 and p99
in µs, beside p50 and p99 over all deliveries. A host that writes to its participants one
after another has a wide spread and a quick first delivery; one whose writers share the
cores, a narrow spread. Usage:

    concordia-bench ... -samples /tmp/s && scripts/bench-spread.py /tmp/s
"""
import collections
import glob
import os
import sys


def q(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p))]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    runs = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.tsv"))):
        name = os.path.basename(path)
        runs[name[: name.rindex("-rep")]].append(path)
    if not runs:
        sys.exit(f"no samples in {sys.argv[1]}")
    print("run | first p50 / p99 | last p50 / p99 | spread p50 / p99 | all p50 / p99 (µs)")
    for key, paths in sorted(runs.items()):
        first, last, spread, every = [], [], [], []
        for path in paths:
            deltas = collections.defaultdict(list)
            with open(path) as f:
                next(f)
                for line in f:
                    _, delta, ns = line.split()
                    deltas[delta].append(int(ns) / 1000)
            for lat in deltas.values():
                lo, hi = min(lat), max(lat)
                first.append(lo)
                last.append(hi)
                spread.append(hi - lo)
                every.extend(lat)
        if not every:
            print(f"{key} ({len(paths)} runs) | no deliveries")
            continue
        print(f"{key} ({len(paths)} runs) | {q(first, .5):.0f} / {q(first, .99):.0f} | "
              f"{q(last, .5):.0f} / {q(last, .99):.0f} | {q(spread, .5):.0f} / {q(spread, .99):.0f} | "
              f"{q(every, .5):.0f} / {q(every, .99):.0f}")


if __name__ == "__main__":
    main()
