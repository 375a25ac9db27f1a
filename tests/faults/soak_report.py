#!/usr/bin/env python3
"""The soak's figures and checks, from its work dir: wrk.txt (wrk's --latency output and the
`SOAK …` lines of soak.lua's done()), rss.csv (t_s, rss_kb, tile_cache_bytes every 5 s) and
metrics.txt (the server's /metrics at the end).

  soak_report.py WORK SECONDS RSS_IDLE_KB WRK_RC      exit status: the number of failed checks

Memory, "flat": the tile cache is the one structure meant to grow under this load (it is
filled by every tile not seen before, up to its cap of 512 MiB, tiles/src/cache.rs; the server
reports its bytes in /metrics). So after the warm-up (the first 20% of the run):
  - RSS growth not explained by the cache's growth is below 5% of the RSS at the end of the
    warm-up (a leak elsewhere, or cache bytes that cost far more heap than they weigh, fail);
  - and the RSS at the end is below the RSS at the end of the warm-up plus what the cache may
    still add before its cap, plus the same 5% (the cache being capped at all).
The growth over the last half of the run is printed beside them.
"""

import csv
import re
import sys

work, secs, rss_idle, wrk_rc = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
CACHE_CAP = 512 * 1024 * 1024
failed = 0


def check(name, ok, figures):
    global failed
    verdict = "OK" if ok is True else ("WARN" if ok is None else "FAIL")
    if ok is False:
        failed += 1
    print(f"{verdict:<5} {name:<38} {figures}")


wrk = open(f"{work}/wrk.txt", encoding="utf-8", errors="replace").read()
kinds, statuses, total, lat, views = {}, {}, None, None, 0
for line in wrk.splitlines():
    p = line.split(" ", 5)
    if line.startswith("SOAK kind "):
        kinds[p[2]] = (int(p[3]), int(p[4]), p[5] if len(p) > 5 else "")
    elif line.startswith("SOAK status "):
        statuses[int(p[2])] = int(p[3])
    elif line.startswith("SOAK total "):
        q = line.split()
        total = dict(zip(["requests", "duration", "connect", "read", "write", "status", "timeout"],
                         [int(q[2]), float(q[3])] + [int(x) for x in q[4:9]]))
    elif line.startswith("SOAK views "):
        views = int(line.split()[2])
    elif line.startswith("SOAK latency "):
        lat = [float(x) / 1000 for x in line.split()[2:7]]  # us -> ms
if total is None or lat is None:
    check("soak: wrk ran", False, f"wrk exit {wrk_rc}, no summary; its output: {wrk[-600:]!r}")
    sys.exit(1)
dur = total["duration"]

# --- server-side latency per route, from the /metrics histograms --------------------------
buckets, metric = {}, {}
try:
    for line in open(f"{work}/metrics.txt", encoding="utf-8"):
        if line.startswith("gridgis_tile_cache_"):
            k, v = line.split()
            metric[k] = float(v)
        m = re.match(r'gridgis_http_request_duration_seconds_bucket\{le="([^"]+)",route="([^"]+)"\} (\d+)', line)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            buckets.setdefault(m.group(2), []).append((le, int(m.group(3))))
except OSError:
    pass


def quantile(bs, q):
    bs = sorted(bs)
    n = bs[-1][1]
    if n == 0:
        return float("nan")
    want, lo, below = q * n, 0.0, 0
    for le, c in bs:
        if c >= want:
            if le == float("inf"):
                return lo * 1000
            return (lo + (le - lo) * (want - below) / max(c - below, 1)) * 1000
        lo, below = le, c
    return float("nan")


route_of = {"locate": "/grids/locate", "geocode": "/geocode", "tile_grids": "/tiles/{sources}/{z}/{x}/{y}",
            "tile_layer": "/tiles/{sources}/{z}/{x}/{y}", "case": "/cases/route"}
answered = sum(c for c, _, _ in kinds.values())
for k in ["locate", "geocode", "tile_grids", "tile_layer", "case"]:
    c, e, first = kinds.get(k, (0, 0, ""))
    bs = buckets.get(route_of[k])
    srv = f"; server p50 {quantile(bs, .5):.2f} ms, p99 {quantile(bs, .99):.2f} ms ({route_of[k]})" if bs else ""
    check(f"soak: {k}", c > 0 and e == 0,
          f"{c} answers, {c / dur:.0f} req/s, {e} errors{srv}" + (f"; first error: {first}" if e else ""))
if kinds.get("unknown", (0, 0, ""))[0]:
    c, e, first = kinds["unknown"]
    check("soak: answers without a request id", False, f"{c} ({e} errors) {first}")
non_ok = {s: n for s, n in statuses.items() if s >= 400}
sock = total["connect"] + total["read"] + total["write"] + total["timeout"]
check("soak: no errors", not non_ok and sock == 0 and total["status"] == 0 and wrk_rc == 0,
      f"{total['requests']} requests in {dur:.0f} s = {total['requests'] / dur:.0f} req/s; statuses "
      + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
      + f"; socket errors connect {total['connect']}, read {total['read']}, write {total['write']}, "
        f"timeout {total['timeout']}")
check("soak: tiles", None if not metric else True,
      f"{views} map views; tile cache {metric.get('gridgis_tile_cache_misses_total', 0):.0f} rendered, "
      f"{metric.get('gridgis_tile_cache_hits_total', 0):.0f} hits (ratio "
      f"{metric.get('gridgis_tile_cache_hit_ratio', 0):.3f}), "
      f"{metric.get('gridgis_tile_cache_bytes', 0) / 2**20:.0f} MB held at the end")
check("soak: latency (wrk, all kinds)", True,
      f"p50 {lat[0]:.2f} ms, p90 {lat[1]:.2f} ms, p99 {lat[2]:.2f} ms, p99.9 {lat[3]:.2f} ms, max {lat[4]:.0f} ms")

# --- memory -------------------------------------------------------------------------------
rows = []
with open(f"{work}/rss.csv") as f:
    for r in csv.DictReader(f):
        if r["rss_kb"] and r["rss_kb"] != "0":
            rows.append((float(r["t_s"]), int(r["rss_kb"]) * 1024,
                         int(float(r["tile_cache_bytes"])) if r["tile_cache_bytes"] else None))
if len(rows) < 3:
    check("soak: memory flat", False, f"only {len(rows)} RSS samples")
    sys.exit(failed)
MB = 1024 * 1024
warm = next((r for r in rows if r[0] >= 0.2 * secs), rows[-1])
half = next((r for r in rows if r[0] >= 0.5 * secs), rows[-1])
end = rows[-1]
peak = max(r[1] for r in rows)
cache_w = warm[2] or 0
cache_e = end[2] if end[2] is not None else cache_w
grow = end[1] - warm[1]
unexplained = grow - (cache_e - cache_w)
allow = 0.05 * warm[1]
ceiling = warm[1] + (CACHE_CAP - cache_w) + allow
check("soak: memory flat after warm-up", unexplained <= allow and end[1] <= ceiling,
      f"RSS idle {rss_idle * 1024 / MB:.0f} MB, at {warm[0]:.0f} s (end of warm-up) {warm[1] / MB:.0f} MB, "
      f"at {half[0]:.0f} s {half[1] / MB:.0f} MB, end {end[1] / MB:.0f} MB, peak {peak / MB:.0f} MB; "
      f"tile cache {cache_w / MB:.0f} -> {cache_e / MB:.0f} MB (cap 512); growth after warm-up "
      f"{grow / MB:+.0f} MB, not the cache's {unexplained / MB:+.1f} MB (limit {allow / MB:.0f} MB = 5%); "
      f"last half {100 * (end[1] - half[1]) / half[1]:+.1f}%; end <= {ceiling / MB:.0f} MB")
sys.exit(failed)
