#!/usr/bin/env python3
"""kill -9 of a loaded server taking uploads, KILLS times; see kill.sh.

  kill.py BIN WORK KILLS        WORK/data: a demo data dir (made by kill.sh)

Each life of the server: a background wrk of reads (kill_reads.lua), two uploader threads
(POST /layers/{id}, GeoJSON of 20,000-100,000 points, a distinct `tag` per upload), then
SIGKILL at a moment chosen to fall during an upload (in flight, 60% of kills) or between two,
and a restart on the same data dir. After each restart:
  - the server starts (within 120 s);
  - /layers lists every layer: the demo's, each with the version and count it had at the
    start, and every uploaded one;
  - every acknowledged upload (answered 200/201 before the kill) is there at a version >= the
    acknowledged one; the layer's current content is one whole upload: its features (read back
    in pages) number the catalog's feature_count and the uploaded file's, carry one upload's
    tag, and their `n` are 0..N-1 exactly once; a version above the acknowledged one must be
    an upload whose answer the kill cut off;
  - every file the catalog names (current and kept versions) exists and is a FlatGeobuf;
    every acknowledged version is in the audit log.
At the end, after one more upload to every uploaded layer: no temporary file, no layer file
the catalog does not name, no layer directory without a catalog entry. The background reads
must never have had an error answer (socket errors while the server is down are expected).

Acknowledgements: `Ack` is what the server confirmed (a layer at a version, with the tag and
count of the upload), whichever way it came. `SyncUploader` gets it as the answer of the POST;
`AsyncUploader` (POST ?async=true -> 202 + job id, then GET /jobs/{id} until done|failed) gets
it from the job. By default each upload goes one way or the other at random (UPLOAD_MODE=sync
or async for one way only).
"""

import dataclasses
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

BIN, WORK, KILLS = sys.argv[1], sys.argv[2], int(sys.argv[3])
DATA = os.path.join(WORK, "data")
SEED = int(os.environ.get("KILL_SEED", "8"))
MODE = os.environ.get("UPLOAD_MODE", "mixed")
SIZES = [20_000, 40_000, 60_000, 100_000]
THREAD_LAYERS = [["fault_a", "fault_b"], ["fault_c", "fault_d"]]
NEW_LAYER_SHARE = 0.2  # of thread 0's uploads: a layer id never seen (201)
FAULTS_DIR = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(SEED)
failures = []


def fail(msg, cat="other"):
    failures.append((cat, msg))
    print(f"FAIL  {msg}", flush=True)


def failed_in(cat):
    return [m for c, m in failures if c == cat]


def info(msg):
    print(f"INFO  {msg}", flush=True)


def check(name, ok, figures):
    print(f"{'OK' if ok else 'FAIL':<5} {name:<38} {figures}", flush=True)
    if not ok:
        failures.append(("check", name))


# --- the upload files ------------------------------------------------------------------------
def template(n, seed):
    r = random.Random(seed)
    feats = []
    for i in range(n):
        lon, lat = r.uniform(116.30, 116.85), r.uniform(40.25, 41.05)
        feats.append('{"type":"Feature","properties":{"n":%d,"tag":"@TAG@","name":"p%d"},'
                     '"geometry":{"type":"Point","coordinates":[%.6f,%.6f]}}' % (i, i, lon, lat))
    return ('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}").encode()


TEMPLATES = {n: template(n, n) for n in SIZES}


# --- HTTP ------------------------------------------------------------------------------------
PORT = None
KEY = None


def request(method, path, body=None, headers=None, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def get_json(path, timeout=60):
    status, body = request("GET", path, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:300]!r}")
    return json.loads(body)


@dataclasses.dataclass
class Upload:
    seq: int
    layer: str
    tag: str
    n: int
    life: int
    t0: float = 0.0
    outcome: str = "pending"  # acked | lost | error
    detail: str = ""


@dataclasses.dataclass
class Ack:
    """An upload the server confirmed: `layer` is at `version` with that upload's content."""
    layer: str
    version: int
    tag: str
    n: int
    kind: str  # sync (the POST's answer) | async (GET /jobs/{id} said done) | recovered
    created: bool = False
    job: str | None = None


class Lost(Exception):
    """The answer never came: the connection died with the server."""


class Refused(Exception):
    """The server answered, but not with an acknowledgement."""


def headers():
    return {"Authorization": f"Bearer {KEY}", "Content-Type": "application/geo+json"}


class SyncUploader:
    """POST /layers/{id}: the answer (200/201 with the import report) is the acknowledgement."""

    def upload(self, up, body):
        try:
            status, text = request("POST", f"/layers/{up.layer}", body, headers(), timeout=300)
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            if isinstance(e, TimeoutError):
                raise  # a hang is a failure, not a kill
            raise Lost(f"{type(e).__name__}: {e}") from e
        return self.ack(up, status, text)

    @staticmethod
    def ack(up, status, text, kind="sync", job=None):
        if status not in (200, 201):
            raise Refused(f"{status} {text[:300]!r}")
        report = json.loads(text)
        if report.get("published") != up.n or report.get("rejected") not in (0, None) or report.get("layer") != up.layer:
            raise Refused(f"{status} with a report that does not fit the file ({up.n} points): {text[:300]!r}")
        return Ack(up.layer, int(report["version"]), up.tag, up.n, kind, created=status == 201, job=job)


class AsyncUploader(SyncUploader):
    """Background imports: POST /layers/{id}?async=true answers
    202 `{"job", "status": "queued", "url"}`; GET /jobs/{id} shows `status` (queued, running,
    done, failed) and, at the end, `http_status` with the `report` or the `error` the
    synchronous upload would have answered. The upload is acknowledged once its job says
    `done` with 200/201. A job accepted (202) but not seen done before the kill is in flight,
    as a sync upload without its answer: a restart forgets jobs, and the catalog says what was
    published (so the checks after a restart are the same)."""

    def upload(self, up, body):
        auth = {"Authorization": f"Bearer {KEY}"}
        try:
            status, text = request("POST", f"/layers/{up.layer}?async=true", body, headers(), timeout=300)
            if status != 202:
                raise Refused(f"{status} {text[:300]!r} (202 expected)")
            accepted = json.loads(text)
            job = accepted["job"]
            up.detail = f"job {job}"
            url = accepted.get("url") or f"/jobs/{job}"
            while True:
                status, text = request("GET", url, headers=auth)
                if status != 200:
                    raise Refused(f"GET {url}: {status} {text[:300]!r}")
                j = json.loads(text)
                if j.get("status") == "done":
                    return self.ack(up, int(j.get("http_status", 200)), json.dumps(j.get("report")).encode(), "async", job)
                if j.get("status") == "failed":
                    raise Refused(f"job {job} failed: {text[:300]!r}")
                time.sleep(0.05)
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            if isinstance(e, TimeoutError):
                raise
            raise Lost(f"{type(e).__name__}: {e}") from e


class MixedUploader:
    """Each upload synchronous or in the background, at random (the default)."""

    def __init__(self):
        self.both = (SyncUploader(), AsyncUploader())
        self.pick = random.Random(SEED)

    def upload(self, up, body):
        return self.both[self.pick.random() < 0.5].upload(up, body)


UPLOADER = {"async": AsyncUploader, "sync": SyncUploader}.get(MODE, MixedUploader)()


# --- the server and the reads ------------------------------------------------------------------
def forget(pidfile):
    try:
        os.remove(os.path.join(WORK, pidfile))
    except FileNotFoundError:
        pass


class Server:
    def __init__(self):
        self.proc = None
        self.log = open(os.path.join(WORK, "server.log"), "ab")

    def start(self):
        t0 = time.monotonic()
        self.log.write(f"---- start {time.strftime('%H:%M:%S')}\n".encode())
        self.log.flush()
        self.proc = subprocess.Popen([BIN, "--data", DATA, "serve", "--listen", f"127.0.0.1:{PORT}"],
                                     stdout=self.log, stderr=self.log)
        with open(os.path.join(WORK, "server.pid"), "w") as f:
            f.write(str(self.proc.pid))
        while time.monotonic() - t0 < 120:
            if self.proc.poll() is not None:
                return None
            try:
                if request("GET", "/health", timeout=2)[0] == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.05)
        return None

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        forget("server.pid")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "timeout"
            finally:
                forget("server.pid")
        return None


class Reads:
    def __init__(self, layers):
        self.layers = layers
        self.proc = None
        self.answered = self.failed = 0
        self.first_error = ""

    def start(self, life):
        self.out = open(os.path.join(WORK, f"reads.{life}.txt"), "w")
        env = dict(os.environ, KILL_LAYERS=",".join(self.layers), KILL_SEED=str(SEED * 1000 + life))
        self.proc = subprocess.Popen(["wrk", "-t1", "-c16", "-d3600s", "--timeout", "10s", "-s",
                                      os.path.join(FAULTS_DIR, "kill_reads.lua"), f"http://127.0.0.1:{PORT}"],
                                     stdout=self.out, stderr=subprocess.STDOUT, env=env)
        with open(os.path.join(WORK, "wrk.pid"), "w") as f:
            f.write(str(self.proc.pid))

    def stop(self):
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        forget("wrk.pid")
        self.out.close()
        for line in open(self.out.name, encoding="utf-8", errors="replace"):
            if line.startswith("READS "):
                p = line.rstrip("\n").split(" ", 3)
                self.answered += int(p[1])
                self.failed += int(p[2])
                if int(p[2]) and not self.first_error:
                    self.first_error = p[3] if len(p) > 3 else ""
        self.proc = None


# --- the shared state of the uploaders --------------------------------------------------------
cond = threading.Condition()
running = False
finished = False
parked = 0
life = 0
seq = 0
inflight = {}  # thread index -> Upload
acks = {}  # layer -> Ack (the latest)
lost = {}  # layer -> [Upload] whose answer was lost since that ack
history = []
durations = {n: [] for n in SIZES}
next_tag = 0


def new_upload(layer, n):
    global seq
    seq += 1
    return Upload(seq, layer, f"u{seq:06d}", n, life)


def body_of(up):
    return TEMPLATES[up.n].replace(b"@TAG@", up.tag.encode())


def record(up, result, exc):
    """Books an upload's outcome (under `cond`)."""
    if result is not None:
        up.outcome = "acked"
        prev = acks.get(up.layer)
        if prev and result.version <= prev.version:
            fail(f"upload {up.tag} of {up.layer} acknowledged at version {result.version}, not above {prev.version} (a version reused)", "uploads")
        if prev and result.created and prev.kind != "recovered":
            fail(f"upload {up.tag} of {up.layer} answered 201 (created) though version {prev.version} was acknowledged", "uploads")
        acks[up.layer] = result
        lost.pop(up.layer, None)
        durations[up.n].append(time.monotonic() - up.t0)
    elif isinstance(exc, Lost) and killing:
        up.outcome, up.detail = "lost", str(exc)
        lost.setdefault(up.layer, []).append(up)
    else:
        up.outcome, up.detail = "error", f"{type(exc).__name__}: {exc}"
        fail(f"upload {up.tag} of {up.layer} ({up.n} points) while the server was up: {up.detail}", "uploads")
    history.append(up)


killing = False


def uploader(index):
    global parked
    r = random.Random(SEED * 100 + index)
    while True:
        with cond:
            while not running and not finished:
                parked += 1
                cond.notify_all()
                cond.wait()
                parked -= 1
            if finished:
                return
            if index == 0 and r.random() < NEW_LAYER_SHARE:
                layer = f"fault_new_{seq + 1:05d}"
            else:
                layer = r.choice(THREAD_LAYERS[index])
            up = new_upload(layer, r.choice(SIZES))
            up.t0 = time.monotonic()
            inflight[index] = up
        result = exc = None
        try:
            result = UPLOADER.upload(up, body_of(up))
        except (Lost, Refused, TimeoutError) as e:
            exc = e
        with cond:
            del inflight[index]
            record(up, result, exc)
        time.sleep(r.uniform(0.1, 1.0))


# --- the checks after a restart ----------------------------------------------------------------
def features_of(layer, expect):
    """Every feature of `layer`'s current version, in pages of 10,000: (count, tags, ns)."""
    tags, ns, offset = set(), [], 0
    while True:
        page = get_json(f"/layers/{layer}/features?limit=10000&offset={offset}", timeout=120)
        feats = page["features"]
        for f in feats:
            tags.add(f["properties"].get("tag"))
            ns.append(f["properties"].get("n"))
        offset += len(feats)
        if not feats or "next" not in page or offset > expect + 10_000:
            return page.get("numberMatched"), tags, ns


def disk_state():
    """Files of the data dir: (catalog entries, temporaries, layer files the catalog does not name,
    layer dirs without an entry, catalog files missing or not FlatGeobuf)."""
    cat = json.load(open(os.path.join(DATA, "catalog.json"), encoding="utf-8"))
    named, bad = set(), []
    for e in cat["layers"]:
        for f in [e["file"]] + [p["file"] for p in e.get("previous", [])]:
            named.add(f)
            path = os.path.join(DATA, f)
            try:
                with open(path, "rb") as fh:
                    if fh.read(4) != b"fgb\x03":
                        bad.append(f"{f} (not FlatGeobuf)")
            except OSError as err:
                bad.append(f"{f} ({err.strerror})")
    temps, orphans, dirs = [], [], []
    ids = {e["id"] for e in cat["layers"]}
    for root, _, files in os.walk(DATA):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), DATA)
            if ".tmp" in f or f.startswith(".") and f != ".lock":
                temps.append((rel, os.path.getsize(os.path.join(root, f))))
            elif rel.startswith("layers/") and rel not in named:
                orphans.append((rel, os.path.getsize(os.path.join(root, f))))
    for d in os.listdir(os.path.join(DATA, "layers")):
        if d not in ids:
            dirs.append(d)
    return cat, temps, orphans, dirs, bad


def audit_versions():
    seen, torn = set(), 0
    try:
        for line in open(os.path.join(DATA, "audit.ndjson"), encoding="utf-8", errors="replace"):
            try:
                a = json.loads(line)
            except ValueError:
                torn += 1
                continue
            if a.get("action") == "publish_layer":
                seen.add((a.get("target"), a.get("version")))
    except FileNotFoundError:
        pass
    return seen, torn


stats = {"published_unanswered": 0, "lost_not_published": 0, "content_checks": 0, "temps_after_restart": 0,
         "temp_bytes": 0, "orphans_after_restart": 0, "restarts_with_leftovers": 0, "torn_audit": 0}


def verify(where, demo):
    """The checks of one restart; returns a short text of what was found."""
    notes = []
    layers = {e["id"]: e for e in get_json("/layers", timeout=120)["layers"]}
    missing = [i for i in demo if i not in layers]
    changed = [i for i, (v, c) in demo.items() if i in layers and (layers[i]["version"], layers[i]["feature_count"]) != (v, c)]
    if missing or changed:
        fail(f"{where}: demo layers missing {missing[:5]} ({len(missing)}), changed {changed[:5]} ({len(changed)})", "demo")
    with cond:
        uploaded = set(acks) | set(lost)
        for layer in sorted(uploaded | {i for i in layers if i.startswith("fault_")}):
            e = layers.get(layer)
            ack = acks.get(layer)
            cands = lost.get(layer, [])
            if e is None:
                if ack:
                    fail(f"{where}: {layer} acknowledged at v{ack.version} is not in /layers", "content")
                else:
                    stats["lost_not_published"] += len(cands)
                lost.pop(layer, None)
                continue
            if ack and e["version"] < ack.version:
                fail(f"{where}: {layer} is at v{e['version']}, below its acknowledged v{ack.version}", "content")
                continue
            if ack and e["version"] == ack.version:
                want = [(ack.tag, ack.n)]
                stats["lost_not_published"] += len(cands)
            else:
                # Above the acknowledged version (or a layer never acknowledged): one of the
                # uploads whose answer the kill cut off.
                if not cands:
                    fail(f"{where}: {layer} is at v{e['version']} but {'v%d was acknowledged' % ack.version if ack else 'was never uploaded'} and no upload of it was in flight", "content")
                    continue
                want = [(u.tag, u.n) for u in cands]
            fresh = ack is None or e["version"] != getattr(ack, "checked", None)
            if fresh:
                count, tags, ns = features_of(layer, e["feature_count"])
                stats["content_checks"] += 1
                tag = next(iter(tags)) if len(tags) == 1 else None
                match = [(t, n) for t, n in want if t == tag]
                if len(tags) != 1 or not match:
                    fail(f"{where}: {layer} v{e['version']} holds tags {sorted(map(str, tags))[:4]}, expected one of {[t for t, _ in want]}", "content")
                    continue
                n = match[0][1]
                if not (len(ns) == count == e["feature_count"] == n and sorted(ns) == list(range(n))):
                    fail(f"{where}: {layer} v{e['version']} ({tag}) is not whole: {len(ns)} features read, numberMatched {count}, "
                         f"catalog {e['feature_count']}, file {n}, n 0..{n - 1} each once: {sorted(ns) == list(range(n))}", "content")
                    continue
            else:
                tag, n = ack.tag, ack.n
            if not ack or e["version"] > ack.version:
                stats["published_unanswered"] += 1
                stats["lost_not_published"] += len(cands) - 1
                notes.append(f"{layer} v{e['version']} published, its answer cut off")
                acks[layer] = Ack(layer, e["version"], tag, n, "recovered")
            acks[layer].checked = e["version"]
            lost.pop(layer, None)
        cat, temps, orphans, dirs, bad = disk_state()
        if bad:
            fail(f"{where}: catalog files missing or broken: {bad[:5]}", "files")
        seen, torn = audit_versions()
        stats["torn_audit"] = torn
        unaudited = [f"{a.layer} v{a.version}" for a in acks.values() if a.kind != "recovered" and (a.layer, a.version) not in seen]
        if unaudited:
            fail(f"{where}: acknowledged uploads missing from the audit log: {unaudited[:5]}", "files")
    if temps or orphans or dirs:
        stats["restarts_with_leftovers"] += 1
        stats["temps_after_restart"] = max(stats["temps_after_restart"], len(temps))
        stats["temp_bytes"] = max(stats["temp_bytes"], sum(s for _, s in temps) + sum(s for _, s in orphans))
        stats["orphans_after_restart"] = max(stats["orphans_after_restart"], len(orphans) + len(dirs))
        notes.append(f"left by the kill: {len(temps)} temporary, {len(orphans)} unnamed layer file(s), "
                     f"{len(dirs)} dir(s) without entry ({(sum(s for _, s in temps) + sum(s for _, s in orphans)) / 1e6:.1f} MB)")
    return notes, layers


# --- main ------------------------------------------------------------------------------------------
def main():
    global PORT, KEY, running, finished, killing, life
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    PORT = s.getsockname()[1]
    s.close()
    KEY = subprocess.run([BIN, "--data", DATA, "keys", "add", "--role", "gis_staff", "--name", "kill-test"],
                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    t_start = time.monotonic()
    server = Server()
    ready = server.start()
    if ready is None:
        check("kill: first start", False, "the server did not start; see server.log")
        return 1
    demo = {e["id"]: (e["version"], e["feature_count"]) for e in get_json("/layers")["layers"]}
    info(f"kill: {KILLS} kills, port {PORT}, demo catalog {len(demo)} layers; server ready in {ready:.1f} s; "
         f"uploads of {', '.join(f'{n // 1000}k' for n in SIZES)} points ({', '.join(f'{len(t) / 1e6:.1f}' for t in TEMPLATES.values())} MB), mode {MODE}")
    # The uploaded layers exist before the reads start (their tiles and features are read).
    for i, layer in enumerate(sum(THREAD_LAYERS, [])):
        up = new_upload(layer, SIZES[i % len(SIZES)])
        up.t0 = time.monotonic()
        try:
            res = UPLOADER.upload(up, body_of(up))
        except (Lost, Refused, TimeoutError) as e:
            check("kill: first uploads", False, f"{layer}: {e}")
            return 1
        record(up, res, None)
    reads = Reads(sum(THREAD_LAYERS, []))
    threads = [threading.Thread(target=uploader, args=(i,), daemon=True) for i in range(len(THREAD_LAYERS))]
    for t in threads:
        t.start()
    ready_times, kinds = [ready], {"during": 0, "writing": 0, "between": 0}
    for k in range(1, KILLS + 1):
        life = k
        reads.start(k)
        killing = False
        with cond:
            running = True
            cond.notify_all()
        t_life = time.monotonic()
        # The moment: during an upload (60%), some way into it, or between uploads.
        during = rng.random() < 0.6
        typical = max(0.2, sum(sum(d) for d in durations.values()) / max(1, sum(len(d) for d in durations.values())))
        into = rng.uniform(0.0, 1.1) * typical
        deadline = time.monotonic() + 1.0 + rng.uniform(0, 3.0)  # some uploads answered first
        while True:
            now = time.monotonic()
            with cond:
                flying = list(inflight.values())
            if now >= deadline:
                if during and flying and now - min(u.t0 for u in flying) >= into:
                    break
                if not during and not flying:
                    break
                if now > deadline + 15:
                    break
            time.sleep(0.002)
        with cond:
            running = False
            killing = True
            flying = list(inflight.values())
        # This server's own temporaries (named `….{pid}.tmp`), not those earlier kills left.
        temps = []
        for d in [DATA] + [os.path.join(DATA, "layers", u.layer) for u in flying]:
            try:
                temps += [f for f in os.listdir(d) if f.endswith(f".{server.proc.pid}.tmp")]
            except OSError:
                pass
        t_kill = time.monotonic()
        server.kill9()
        at = time.monotonic() - t_life
        reads.stop()
        kind = "during" if flying else "between"
        kinds[kind] += 1
        if temps:
            kinds["writing"] += 1
        with cond:
            while parked < len(threads):
                cond.wait(1)
        ready = server.start()
        if ready is None:
            check("kill: the server starts again", False, f"after kill {k}: it did not start; log: {WORK}/server.log")
            print(open(os.path.join(WORK, "server.log"), errors="replace").read()[-2000:])
            return 1
        ready_times.append(ready)
        try:
            notes, _ = verify(f"after kill {k}", demo)
        except Exception as e:  # noqa: BLE001 (an answer that cannot be read is a failure)
            fail(f"after kill {k}: checks could not run: {type(e).__name__}: {e}")
            notes = []
        what = ("during " + ", ".join(f"{u.layer} ({u.n // 1000}k, {t_kill - u.t0:.2f} s in)" for u in flying)
                + ("; a layer file was being written" if temps else "")) if flying else "between uploads"
        info(f"kill {k}/{KILLS} at {at:.2f} s, {what}; restart {ready:.1f} s" + ("; " + "; ".join(notes) if notes else ""))
    # The end: one more life, one upload to every uploaded layer, then no leftovers anywhere.
    life = KILLS + 1
    with cond:
        finished = True
        cond.notify_all()
    for t in threads:
        t.join(10)
    reads.start(life)
    cat_ids = [i for i in get_json("/layers")["layers"] if i["id"].startswith("fault_")]
    for e in cat_ids:
        up = new_upload(e["id"], SIZES[0])
        up.t0 = time.monotonic()
        try:
            res = UPLOADER.upload(up, body_of(up))
        except (Lost, Refused, TimeoutError) as ex:
            res = None
            fail(f"final upload to {e['id']}: {ex}")
        if res:
            record(up, res, None)
    try:
        verify("at the end", demo)
    except Exception as e:  # noqa: BLE001
        fail(f"at the end: checks could not run: {type(e).__name__}: {e}")
    reads.stop()
    _, temps, orphans, dirs, _ = disk_state()
    code = server.stop()
    elapsed = time.monotonic() - t_start

    acked = [u for u in history if u.outcome == "acked"]
    lostu = [u for u in history if u.outcome == "lost"]
    errors = [u for u in history if u.outcome == "error"]
    check("kill: kills", kinds["during"] + kinds["between"] == KILLS,
          f"{KILLS} kills in {elapsed:.0f} s: {kinds['during']} during an upload ({kinds['writing']} of them with a layer "
          f"file being written), {kinds['between']} between uploads")
    check("kill: the server starts every time", len(ready_times) == KILLS + 1,
          f"{len(ready_times)} starts, ready in {min(ready_times):.1f}-{max(ready_times):.1f} s (mean {sum(ready_times) / len(ready_times):.1f} s)")
    check("kill: uploads", not errors and not failed_in("uploads"),
          f"{len(history)} uploads: {len(acked)} acknowledged, {len(lostu)} cut off by a kill ({stats['published_unanswered']} of "
          f"which had been published, {stats['lost_not_published']} not), {len(errors)} failed while the server was up")
    check("kill: acknowledged uploads all there", not failed_in("content"),
          f"{stats['content_checks']} layer contents read back in full after restarts: each one whole upload, at a version >= the acknowledged")
    check("kill: demo layers unchanged", not failed_in("demo"),
          f"{len(demo)} layers at their versions and counts after every restart")
    check("kill: catalog files all readable", not failed_in("files"),
          f"every current and kept version named by catalog.json exists and is FlatGeobuf; audit log: every acknowledged "
          f"version recorded, {stats['torn_audit']} torn line(s)")
    # A layer dir without a catalog entry fails when it holds files (they are listed as
    # temporary or unnamed); an empty one is only noted.
    leftovers = [t for t, _ in temps] + [o for o, _ in orphans]
    check("kill: no leftovers after the end", not leftovers,
          f"after a last upload to each of {len(cat_ids)} layers: {len(temps)} temporary file(s), {len(orphans)} unnamed layer "
          f"file(s), {len(dirs)} dir(s) without entry" + (f" {dirs[:4]}" if dirs else "")
          + (f": {leftovers[:6]}" if leftovers else "")
          + f"; during the run {stats['restarts_with_leftovers']} of {KILLS} restarts found a kill's leftovers (at most "
            f"{stats['temps_after_restart']} temporary and {stats['orphans_after_restart']} unnamed files/dirs, "
            f"{stats['temp_bytes'] / 1e6:.0f} MB, at once)")
    check("kill: background reads", reads.failed == 0,
          f"{reads.answered} reads answered over {KILLS + 1} lives, {reads.failed} errors" + (f"; first: {reads.first_error}" if reads.failed else ""))
    check("kill: clean shutdown at the end", code == 0, f"SIGTERM -> exit {code}")
    other = failed_in("other")
    if other:
        check("kill: other failures", False, f"{len(other)}: {other[:3]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
