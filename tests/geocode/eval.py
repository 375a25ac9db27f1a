#!/usr/bin/env python3
"""Geocoding accuracy on the labelled evaluation set (make_eval.py), through the CLI batch
`gridgis geocode --input`, as other systems' batches run.

    eval.py GRIDGIS_BIN [--data DIR] [--per-kind N] [--report FILE.md] [--keep FILE.csv]

Top-1 at the exact level: the best answer is the labelled address at its own level (a flat at
level room, a village-only query at level village in that village, a POI by its name). Correct
grid: the best answer's grid is the labelled one (the leaf grid of the address, the level-1
grid of a village). Fails (exit 1) below 98% and 99% overall, or if any kind is below 90%.
"""

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_eval  # noqa: E402

TOP1_MIN, GRID_MIN, KIND_MIN = 0.98, 0.99, 0.90


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--data")
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("--report")
    ap.add_argument("--keep", help="also write the evaluation set here")
    ap.add_argument("--show", type=int, default=5, help="misses to print per kind")
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = a.data or os.path.join(tmp, "data")
        if not a.data:
            subprocess.run([a.bin, "demo", "--out", data], check=True, stderr=subprocess.DEVNULL)
        evalset = a.keep or os.path.join(tmp, "eval.csv")
        rows, villages, pois = make_eval.load(a.bin, data)
        cases = make_eval.Maker(rows, villages, pois, a.seed).cases(a.per_kind)
        make_eval.write_cases(evalset, cases)
        batch = os.path.join(tmp, "batch.csv")
        with open(batch, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            for i, c in enumerate(cases):
                w.writerow([f"e{i:05d}", c[1]])
        out = subprocess.run([a.bin, "--data", data, "geocode", "--input", batch], check=True,
                             capture_output=True, text=True).stdout
    answers = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(answers) == len(cases), f"{len(answers)} answers for {len(cases)} cases"

    per = defaultdict(lambda: [0, 0, 0])
    misses = defaultdict(list)
    for i, (kind, query, level, address, name, grid, _, _) in enumerate(cases):
        r = answers[f"e{i:05d}"]
        if level == "poi":
            same = r["level"] == "poi" and r["matched_name"] == name
        elif level == "village":
            same = r["level"] == "village" and r["grid_code"] == grid
        else:
            same = r["level"] == level and r["matched_address"] == address
        right_grid = r["grid_code"] == grid
        p = per[kind]
        p[0] += 1
        p[1] += same
        p[2] += right_grid
        if not same:
            misses[kind].append((query, f"{level} {name or address}", f"{r['level']} {r['score']} {r['matched_name'] or r['matched_address']}"))

    total = [sum(p[k] for p in per.values()) for k in range(3)]
    lines = ["| variation | cases | top-1 at the exact level | correct grid |", "| --- | ---: | ---: | ---: |"]
    for kind in make_eval.KINDS:
        n, same, grid = per[kind]
        lines.append(f"| {kind} | {n} | {same / n:.1%} | {grid / n:.1%} |")
    lines.append(f"| **all** | **{total[0]}** | **{total[1] / total[0]:.2%}** | **{total[2] / total[0]:.2%}** |")
    table = "\n".join(lines)
    print(table)
    for kind in make_eval.KINDS:
        for q, want, got in misses[kind][: a.show]:
            print(f"  miss [{kind}] {q!r}\n      want {want}\n      got  {got}")
    if a.report:
        with open(a.report, "w", encoding="utf-8") as f:
            f.write(table + "\n")
    failed = []
    if total[1] / total[0] < TOP1_MIN:
        failed.append(f"top-1 {total[1] / total[0]:.2%} < {TOP1_MIN:.0%}")
    if total[2] / total[0] < GRID_MIN:
        failed.append(f"correct grid {total[2] / total[0]:.2%} < {GRID_MIN:.0%}")
    for kind, (n, same, _) in per.items():
        if same / n < KIND_MIN:
            failed.append(f"{kind}: top-1 {same / n:.1%} < {KIND_MIN:.0%}")
    if failed:
        print("geocode eval FAILED: " + "; ".join(failed), file=sys.stderr)
        sys.exit(1)
    print(f"geocode eval: {total[0]} cases, top-1 {total[1] / total[0]:.2%}, grid {total[2] / total[0]:.2%}", file=sys.stderr)


if __name__ == "__main__":
    main()
