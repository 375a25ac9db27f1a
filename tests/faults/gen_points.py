#!/usr/bin/env python3
"""A GeoJSON FeatureCollection of N points in the district, properties n (0..N-1), tag, name.
  gen_points.py N TAG OUT [SEED]"""
import random
import sys

n, tag, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
r = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else n)
with open(out, "w", encoding="utf-8") as f:
    f.write('{"type":"FeatureCollection","features":[')
    for i in range(n):
        if i:
            f.write(",")
        f.write('{"type":"Feature","properties":{"n":%d,"tag":"%s","name":"p%d"},"geometry":{"type":"Point",'
                '"coordinates":[%.6f,%.6f]}}' % (i, tag, i, r.uniform(116.30, 116.85), r.uniform(40.25, 41.05)))
    f.write("]}")
