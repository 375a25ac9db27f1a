#!/usr/bin/env python3
"""Geocoding, side by side with a peer parser from PyPI: the labelled evaluation set
(tests/geocode/make_eval.py) through `gridgis geocode --input` and through jionlp's
`parse_location(…, town_village=True)`, on the same addresses in the same run. Prints the
element accuracy of each (township and village right, the two elements jionlp extracts), the
addresses per second of each on one core, and the ratios.

    benches/peers/geocode.py GRIDGIS_BIN DATA_DIR [--per-kind N] [--repeat R]

jionlp is a parser, not a geocoder: it has no gazetteer of this district's roads, compounds or
POIs and returns no coordinates, so only the elements both produce are compared. gridgis's
elements are read from the grid it answers (the first 9 digits of a grid code are the
township's code, the first 12 the village's), jionlp's from its `town` and `village` fields,
compared leniently (suffixes such as 镇/地区/乡/街道/村/社区/村委会 ignored).
"""

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "geocode"))
import make_eval  # noqa: E402

SUFFIX = re.compile(r"(满族乡|街道办事处|街道|地区|镇|乡|村民委员会|村委会|居民委员会|社区居委会|居委会|社区|村)$")


def stem(s):
    s = (s or "").strip()
    prev = None
    while prev != s:
        prev, s = s, SUFFIX.sub("", s)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("data")
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=20, help="passes over the set for gridgis's speed")
    a = ap.parse_args()

    rows, villages, pois = make_eval.load(a.bin, a.data)
    cases = [c for c in make_eval.Maker(rows, villages, pois, 2026).cases(a.per_kind) if c[0] != "poi"]
    townships = {}
    for v in villages:
        townships.setdefault(v["township"], v["code"][:9])

    with tempfile.TemporaryDirectory() as tmp:
        one = os.path.join(tmp, "one.csv")
        many = os.path.join(tmp, "many.csv")
        with open(one, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            for i, c in enumerate(cases):
                w.writerow([i, c[1]])
        with open(many, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            for r in range(a.repeat):
                for i, c in enumerate(cases):
                    w.writerow([f"{r}-{i}", c[1]])
        env = dict(os.environ, GRIDGIS_TIMINGS="1")
        out = subprocess.run([a.bin, "--data", a.data, "geocode", "--input", one], check=True, capture_output=True,
                             text=True, env=env)
        ours = {int(r["id"]): r for r in csv.DictReader(io.StringIO(out.stdout))}
        t = time.perf_counter()
        timed = subprocess.run([a.bin, "--data", a.data, "geocode", "--input", many], check=True, capture_output=True,
                               text=True, env=env)
        whole_s = time.perf_counter() - t
    m = re.search(r"geocode_s=([0-9.]+) write_s=[0-9.]+ addresses=(\d+)", timed.stderr)
    ours_s, ours_n = float(m.group(1)), int(m.group(2))
    load = re.search(r"load_s=([0-9.]+)", timed.stderr)

    import jionlp  # noqa: E402  (imported late: it prints a banner and takes a second)
    jionlp.parse_location(cases[0][1], town_village=True)  # warm up its dictionaries
    t = time.perf_counter()
    theirs = [jionlp.parse_location(c[1], town_village=True) for c in cases]
    jio_s = time.perf_counter() - t

    right = {"gridgis": [0, 0], "jionlp": [0, 0]}
    for i, (kind, query, level, address, name, grid, township, village) in enumerate(cases):
        r = ours[i]
        code = r["grid_code"]
        right["gridgis"][0] += code[:9] == grid[:9]
        right["gridgis"][1] += len(code) >= 12 and code[:12] == grid[:12]
        j = theirs[i]
        right["jionlp"][0] += stem(j.get("town")) == stem(township)
        right["jionlp"][1] += stem(j.get("village")) == stem(village)
    n = len(cases)
    ours_rate, jio_rate = ours_n / ours_s, n / jio_s
    print(f"geocode peers: {n} labelled addresses (every variation kind but POIs), same set for both")
    print("| | township right | village right | addresses/s, one core |")
    print("| --- | ---: | ---: | ---: |")
    for who, rate in (("gridgis", ours_rate), ("jionlp parse_location", jio_rate)):
        t_ok, v_ok = right["gridgis" if who == "gridgis" else "jionlp"]
        print(f"| {who} | {t_ok / n:.1%} | {v_ok / n:.1%} | {rate:,.0f} |")
    print(f"speed ratio gridgis / jionlp: {ours_rate / jio_rate:,.0f}x "
          f"(gridgis {ours_n} addresses in {ours_s:.3f} s of geocoding; whole process {whole_s:.2f} s "
          f"with {float(load.group(1)):.2f} s loading; jionlp {n} in {jio_s:.2f} s)")
    print(f"element accuracy gridgis - jionlp: township {(right['gridgis'][0] - right['jionlp'][0]) / n:+.1%}, "
          f"village {(right['gridgis'][1] - right['jionlp'][1]) / n:+.1%}")


if __name__ == "__main__":
    main()
