#!/usr/bin/env python3
"""Builds the request pools of the soak's wrk script (soak.lua) from a demo data dir and the
running server, and writes them as a Lua table.

  soak_prep.py BIN DATA PORT OUTDIR [SEED]      (one text file per pool, an item a line)

- geocode: standard addresses of the gazetteer (`BIN export addresses --format csv`), a third
  of them without `北京市`, and addresses as the intake system typed them (cases/intake.ndjson);
- cases: POST /cases/route bodies from cases/intake.ndjson (the demo's year of cases as the
  intake system sends them), each tried once with ?record=false and kept when answered 200;
- tiles: the sources (`grids` and three thematic layers, checked against /catalog, with their
  TileJSON minzoom/maxzoom) and 20,000 view centres at gazetteer addresses (where people look);
  soak.lua makes the map views from them.
"""

import csv
import json
import os
import random
import subprocess
import sys
import urllib.parse
import urllib.request

BIN, DATA, PORT, OUT = sys.argv[1:5]
SEED = int(sys.argv[5]) if len(sys.argv) > 5 else 2026
BASE = f"http://127.0.0.1:{PORT}"
THEMATIC = ["hr_building", "hr_poi_food", "hr_comp_0114_ludeng"]
rng = random.Random(SEED)


def get_json(path):
    with urllib.request.urlopen(BASE + path, timeout=30) as r:
        return json.load(r)


def post(path, body):
    req = urllib.request.Request(BASE + path, data=body, method="POST",
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


# --- geocode queries ---------------------------------------------------------------------
work = os.path.dirname(os.path.abspath(OUT.rstrip("/")))
addr_csv = os.path.join(work, "addresses.csv")
subprocess.run([BIN, "--data", DATA, "export", "addresses", "--format", "csv", "--out", addr_csv],
               check=True, stderr=subprocess.DEVNULL)
with open(addr_csv, newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
points = []
for r in rows:
    w = r["wkt"]
    lon, lat = w[w.index("(") + 1:w.index(")")].split()
    points.append((float(lon), float(lat)))
queries = []
for r in rng.sample(rows, 1500):
    a = r["address"]
    if rng.random() < 1 / 3 and a.startswith("北京市"):
        a = a[len("北京市"):]
    queries.append(a)
intake = os.path.join(DATA, "cases", "intake.ndjson")
typed, bodies = [], []
with open(intake, encoding="utf-8") as f:
    lines = f.readlines()
for line in lines:
    try:
        c = json.loads(line)
    except ValueError:
        continue
    if isinstance(c, dict) and isinstance(c.get("address"), str) and c["address"].strip():
        typed.append(c["address"])
queries += rng.sample(typed, min(500, len(typed)))
geocode = ["/geocode?q=" + urllib.parse.quote(q) for q in queries]

# --- case bodies -------------------------------------------------------------------------
candidates = rng.sample(lines, 1200)
dropped = 0
for line in candidates:
    body = line.strip()
    if not body:
        continue
    if post("/cases/route?record=false", body.encode()) == 200:
        bodies.append(body)
    else:
        dropped += 1  # the intake stream's deliberately malformed lines
    if len(bodies) >= 1000:
        break

# --- tiles -------------------------------------------------------------------------------
catalog = get_json("/catalog")["tiles"]
sources = {}
for s in ["grids"] + THEMATIC:
    if s not in catalog:
        sys.exit(f"soak_prep: source {s} is not in /catalog")
    tj = get_json("/tiles/" + s)
    sources[s] = (max(tj["minzoom"], 10), min(tj["maxzoom"], 16), tj["bounds"])
gminz, gmaxz, (w, s_, e, n) = sources["grids"]


# The views themselves are made by soak.lua as it goes (centres from this list, 70% of them,
# the rest anywhere in the bounds), so the whole run asks for new tiles as maps would.
centres = rng.sample(points, 20000)


def write_lines(name, items):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for it in items:
            assert "\n" not in it
            f.write(it + "\n")


os.makedirs(OUT, exist_ok=True)
write_lines("geocode.txt", geocode)
write_lines("cases.txt", bodies)
write_lines("centres.txt", [f"{lon} {lat}" for lon, lat in centres])
write_lines("sources.txt", [f"{s} {a} {b}" for s, (a, b, _) in sources.items()])
write_lines("bbox.txt", [f"{w} {s_} {e} {n}"])
print(f"pools: {len(geocode)} geocode queries ({len(queries) - min(500, len(typed))} gazetteer, "
      f"{min(500, len(typed))} as typed), {len(bodies)} case bodies ({dropped} answered other than 200 and "
      f"left out), {len(centres)} view centres; tiles of grids (z{gminz}-{gmaxz}) and, a view each, of "
      + ", ".join(f"{s} (z{sources[s][0]}-{sources[s][1]})" for s in THEMATIC))
