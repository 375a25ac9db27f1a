#!/usr/bin/env python3
"""The peer: 1M points CSV → CSV of finest grids with shapely 2 (GEOS), vectorized.

Usage: locate_shapely.py GRIDS.geojson POINTS.csv OUT.csv
Reads the grids, keeps the finest level at each point (a grid without children), builds an
STRtree, queries all points with predicate "within" at once, writes id,code. Prints the time
of the lookup alone (tree query) on stderr as `lookup_s=…`.
"""
import csv
import json
import sys
import time

import numpy as np
import shapely
from shapely.geometry import shape


def main():
    grids_path, points_path, out_path = sys.argv[1:4]
    with open(grids_path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    parents = {f["properties"]["parent_code"] for f in features}
    leaves = [f for f in features if f["properties"]["code"] not in parents]
    geoms = np.array([shape(f["geometry"]) for f in leaves], dtype=object)
    codes = np.array([f["properties"]["code"] for f in leaves], dtype=object)
    data = np.loadtxt(points_path, delimiter=",", skiprows=1, dtype=str)
    ids = data[:, 0]
    xs = data[:, 1].astype(float)
    ys = data[:, 2].astype(float)
    tree = shapely.STRtree(geoms)
    points = shapely.points(xs, ys)
    started = time.perf_counter()
    pi, gi = tree.query(points, predicate="within")
    lookup = time.perf_counter() - started
    out = np.full(len(xs), "", dtype=object)
    out[pi] = codes[gi]
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "code"])
        w.writerows(zip(ids, out))
    print(f"lookup_s={lookup:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
