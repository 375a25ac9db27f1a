// The command-centre page (`GET /`) in a headless browser: Playwright driving Debian's chromium
// against a real `gridgis serve` on the demo data.
//
//   node tests/web/check.mjs GRIDGIS_BIN [--data DIR] [--url http://HOST:PORT]
//
// Without --data the server creates the demo dataset in a temporary folder; with --url no
// server is started and the page at that address is checked instead.
//
// Checks:
// - the built-in assets: content types, ETag and 304 on If-None-Match, `Cache-Control`, and the
//   API's JSON 404 for an unknown /web/ file;
// - at 1920×1080: the map loads, grid polygons and their names are rendered
//   (`queryRenderedFeatures`), and so are the level-1 choropleth and the latest cases;
// - a click on a grid (a pixel where the finest drawn level has a polygon and no case point)
//   fills the side panel with that grid's code and name, its chain, staff and case counts;
// - an address from the gazetteer typed into the search box: the map flies to within 100 m of
//   the point `GET /geocode` gives for it;
// - the choropleth after choosing 近7天 and then 二级网格: a new `/grids/stats` answer with the
//   window, drawn (grids of the chosen level rendered with their case counts as feature state);
// - one thematic layer ticked in the layer switcher: its tiles answer 200 and its features are
//   rendered;
// - a click on a latest-case point shows that case in the panel;
// - at 1366×768: the search box, both side panels and the map fit in the window, nothing
//   overflows it;
// - no console error and no uncaught page error in all of it, and no failed request.
// Screenshots: target/web/command-centre-1920.png and target/web/command-centre-1366.png.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "target", "web");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TIMEOUT = 90_000;

function usage(msg) {
  console.error(`web check: ${msg}\nusage: node tests/web/check.mjs GRIDGIS_BIN [--data DIR] [--url URL]`);
  process.exit(2);
}

const args = process.argv.slice(2);
let bin = null, dataDir = null, baseUrl = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--data") dataDir = args[++i];
  else if (args[i] === "--url") baseUrl = args[++i];
  else if (!bin) bin = args[i];
  else usage(`unexpected argument ${args[i]}`);
}
if (!bin && !baseUrl) usage("give the gridgis binary");

class CheckError extends Error {}
function check(ok, what) {
  if (!ok) throw new CheckError(what);
}

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function getJson(path) {
  const r = await fetch(new URL(path, baseUrl));
  check(r.ok, `GET ${path}: HTTP ${r.status}`);
  return r.json();
}

function metres([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180, R = 6_371_008.8;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(a));
}

// ---------------------------------------------------------------- the server

let server = null, tmp = null;
function stopServer() {
  if (server && server.exitCode === null) server.kill("SIGTERM");
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { stopServer(); process.exit(130); });
process.on("exit", stopServer);

async function startServer() {
  if (!dataDir) {
    tmp = mkdtempSync(join(tmpdir(), "gridgis-web-"));
    dataDir = join(tmp, "data"); // missing: `serve` creates the demo dataset there
  }
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  let stderr = "";
  server = spawn(bin, ["--data", dataDir, "serve", "--listen", `127.0.0.1:${port}`], {
    env: { ...process.env, RUST_LOG: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  server.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const spawned = new Promise((_, rej) => server.once("error", (e) => rej(new CheckError(`cannot start ${bin}: ${e.message}`))));
  const deadline = Date.now() + 180_000;
  const up = (async () => {
    while (Date.now() < deadline) {
      if (server.exitCode !== null) throw new CheckError(`gridgis serve exited with ${server.exitCode}:\n${stderr}`);
      try {
        if ((await fetch(`${baseUrl}/health`)).ok) return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new CheckError(`gridgis serve did not answer /health within 180 s:\n${stderr}`);
  })();
  await Promise.race([up, spawned]);
}

// ---------------------------------------------------------------- the assets

async function checkAssets() {
  const want = {
    "/": "text/html; charset=utf-8",
    "/web/app.js": "text/javascript; charset=utf-8",
    "/web/style.css": "text/css; charset=utf-8",
    "/web/maplibre-gl.js": "text/javascript; charset=utf-8",
    "/web/maplibre-gl.css": "text/css; charset=utf-8",
  };
  const tags = new Set();
  for (const [path, type] of Object.entries(want)) {
    const r = await fetch(new URL(path, baseUrl));
    check(r.status === 200, `GET ${path}: HTTP ${r.status}`);
    check(r.headers.get("content-type") === type, `GET ${path}: Content-Type ${r.headers.get("content-type")}, want ${type}`);
    check(r.headers.get("cache-control") === "public, no-cache", `GET ${path}: Cache-Control ${r.headers.get("cache-control")}`);
    const tag = r.headers.get("etag");
    check(tag && /^"[^"]+"$/.test(tag), `GET ${path}: ETag ${tag}`);
    check((await r.arrayBuffer()).byteLength > 0, `GET ${path}: empty body`);
    tags.add(tag);
    const again = await fetch(new URL(path, baseUrl), { headers: { "If-None-Match": tag } });
    check(again.status === 304, `GET ${path} with If-None-Match: HTTP ${again.status}, want 304`);
  }
  check(tags.size === Object.keys(want).length, "two assets share an ETag");
  const missing = await fetch(new URL("/web/nope.js", baseUrl));
  const body = await missing.json().catch(() => null);
  check(missing.status === 404 && body && body.error && body.error.code === "not_found",
    `GET /web/nope.js: HTTP ${missing.status} ${JSON.stringify(body)}, want 404 {"error":{"code":"not_found"}}`);
}

// ---------------------------------------------------------------- the page

/** Console errors, page errors and failed requests, collected over every page. */
const problems = [];

async function openPage(browser, width, height) {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  page.setDefaultTimeout(TIMEOUT);
  const where = `${width}×${height}`;
  page.on("console", (m) => { if (m.type() === "error") problems.push(`${where} console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${where} page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A tile request MapLibre cancels because the view moved on is not a failure.
    if (!/ERR_ABORTED/.test(r.failure()?.errorText || "")) problems.push(`${where} request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${where} HTTP ${r.status()}: ${r.url()}`); });
  // Whether a click at canvas pixel (x, y) reaches the map, not a legend or control over it.
  await page.addInitScript(() => {
    window.onCanvas = (map, x, y) => {
      const r = map.getCanvas().getBoundingClientRect();
      return document.elementFromPoint(r.left + x, r.top + y) === map.getCanvas();
    };
  });
  await page.goto(new URL("/", baseUrl).href);
  await page.waitForFunction(() => window.gridgisReady && window.gridgis && window.gridgis.map, null, { timeout: TIMEOUT });
  await page.evaluate(() => window.gridgisReady);
  await idle(page);
  return page;
}

/** Waits until the map has stopped moving, drawn every tile it asked for and placed and faded
 * in its labels: the next `idle` after a forced repaint. */
async function idle(page) {
  await page.evaluate(() => new Promise((resolve) => {
    const map = window.gridgis.map;
    map.once("idle", resolve);
    map.triggerRepaint();
  }));
}

async function rendered(page, layers) {
  return page.evaluate((ls) => window.gridgis.map.queryRenderedFeatures({ layers: ls.filter((l) => window.gridgis.map.getLayer(l)) }).length, layers);
}

async function jumpTo(page, center, zoom) {
  await page.evaluate(([c, z]) => new Promise((resolve) => {
    const map = window.gridgis.map;
    map.once("idle", resolve);
    map.jumpTo({ center: c, zoom: z });
  }), [center, zoom]);
  await idle(page);
}

async function mapBox(page) {
  const box = await page.locator("#map canvas").boundingBox();
  check(box && box.width > 200 && box.height > 200, `map canvas is ${JSON.stringify(box)}`);
  return box;
}

/** A pixel inside the map where the finest drawn grid has a polygon and there is no case point. */
async function gridPixel(page) {
  return page.evaluate(() => {
    const map = window.gridgis.map;
    const { clientWidth: w, clientHeight: h } = map.getCanvas();
    const hit = ["grid-hit-l4", "grid-hit-l3", "grid-hit-l2", "grid-hit-l1"].filter((l) => map.getLayer(l));
    // From the centre outwards, so that the panel and controls are far.
    const cands = [];
    for (let y = 0.2; y <= 0.8; y += 0.05) for (let x = 0.2; x <= 0.8; x += 0.05) cands.push([x * w, y * h]);
    cands.sort((a, b) => Math.hypot(a[0] - w / 2, a[1] - h / 2) - Math.hypot(b[0] - w / 2, b[1] - h / 2));
    for (const [x, y] of cands) {
      if (!onCanvas(map, x, y)) continue;
      const near = map.queryRenderedFeatures([[x - 10, y - 10], [x + 10, y + 10]], { layers: ["cases-points"] });
      if (near.length) continue;
      const fs = map.queryRenderedFeatures([x, y], { layers: hit }).sort((a, b) => b.properties.level - a.properties.level);
      if (fs.length) return { x, y, code: fs[0].properties.code, name: fs[0].properties.name, level: fs[0].properties.level };
    }
    return null;
  });
}

async function main() {
  if (!baseUrl) await startServer();
  await checkAssets();
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // SwiftShader draws WebGL where there is no GPU (CI, servers).
    // The machine's network is closed: no background connections, no component updates.
    args: ["--no-sandbox", "--enable-unsafe-swiftshader", "--use-angle=swiftshader", "--ignore-gpu-blocklist",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
  });
  const summary = {};
  try {
    // ---- 1920×1080: the big screen
    const page = await openPage(browser, 1920, 1080);
    const box = await mapBox(page);
    summary.gridFeatures = await rendered(page, ["grid-hit-l1"]);
    check(summary.gridFeatures > 0, "no level-1 grid rendered at the district view");
    const labels = await rendered(page, ["grid-label-l1", "township-label"]);
    check(labels > 0, "no grid or township name rendered at the district view");
    check(await rendered(page, ["choro-l1"]) > 0, "the level-1 choropleth is not rendered at the district view");
    summary.cases = await page.evaluate(() => (window.gridgis.cases ? window.gridgis.cases.features.length : 0));
    check(summary.cases > 0, "no latest case loaded");
    check(await rendered(page, ["cases-points"]) > 0, "no latest case rendered at the district view");

    // Click a grid in town, where all four levels are drawn.
    const town = await getJson("/geocode?q=" + encodeURIComponent("怀柔区泉河街道") + "&limit=1");
    check(town.results.length > 0, "geocode 怀柔区泉河街道: no result");
    await jumpTo(page, [town.results[0].lon, town.results[0].lat], 14.5);
    check(await rendered(page, ["grid-hit-l4", "grid-hit-l3", "grid-hit-l2"]) > 0, "no level 2-4 grid rendered at z14.5");
    check(await rendered(page, ["grid-label-l2", "grid-label-l1"]) > 0, "no grid name rendered at z14.5");
    const px = await gridPixel(page);
    check(px, "no pixel with a grid and without a case point at z14.5");
    await page.mouse.click(box.x + px.x, box.y + px.y);
    await page.waitForFunction((code) => document.getElementById("detail-code")?.textContent === code && document.getElementById("detail-staff"), px.code, { timeout: 20_000 })
      .catch(async () => {
        const shown = await page.locator("#detail").textContent();
        throw new CheckError(`clicked grid ${px.code} (${px.name}): the panel shows ${JSON.stringify(shown.slice(0, 200))}`);
      });
    const panel = await page.evaluate(() => ({
      name: document.getElementById("detail-name")?.textContent,
      chain: document.getElementById("detail-chain")?.textContent || "",
      cases: document.getElementById("detail-cases")?.textContent || "",
    }));
    check(panel.name === px.name, `clicked grid ${px.code}: the panel's name is ${panel.name}, want ${px.name}`);
    check(panel.chain.includes("怀柔区"), `clicked grid ${px.code}: the chain ${panel.chain} does not start at the district`);
    check(/\d/.test(panel.cases), `clicked grid ${px.code}: no case count in the panel`);
    summary.clicked = `${px.code} ${px.name}`;

    // Search for a gazetteer address.
    const addr = (await getJson("/layers/addresses/features?limit=1")).features[0].properties.address;
    const geo = await getJson("/geocode?q=" + encodeURIComponent(addr) + "&limit=5");
    check(geo.results.length > 0, `geocode ${addr}: no result`);
    const target = [geo.results[0].lon, geo.results[0].lat];
    await page.fill("#search-input", addr);
    await page.press("#search-input", "Enter");
    await page.waitForFunction(() => window.gridgis.lastSearch, null, { timeout: 20_000 });
    await page.waitForTimeout(300);
    await idle(page);
    const centre = await page.evaluate(() => window.gridgis.map.getCenter().toArray());
    summary.searchMetres = metres(centre, target);
    check(summary.searchMetres <= 100, `search ${addr}: the map centre is ${summary.searchMetres.toFixed(0)} m from the geocoded point`);
    const listed = await page.locator("#search-results li").first().textContent();
    check(listed.includes(geo.results[0].address), `search ${addr}: the first result listed is ${listed}`);
    summary.search = addr;

    // The choropleth: 近7天, then level 2.
    const log = await page.evaluate(() => window.gridgis.log);
    const weekStats = page.waitForResponse((r) => r.url().includes("/grids/stats") && r.url().includes("from=") && r.url().includes("level=1"));
    await page.selectOption("#choro-window", "7");
    const week = await (await weekStats).json();
    await idle(page);
    const spanDays = (Date.parse(week.to) - Date.parse(week.from)) / 86_400_000;
    // The window is whole Beijing days ending with the log's last day.
    const lastDay = (iso) => new Date(Date.parse(iso) + 8 * 3_600_000 - 1).toISOString().slice(0, 10);
    check(lastDay(week.to) === lastDay(log.to), `近7天: the window ends ${week.to}, the log ${log.to}`);
    check(Math.abs(spanDays - 7) < 0.01, `近7天: the window is ${spanDays} days`);
    check(week.total > 0, `近7天: no case in ${week.from} … ${week.to}`);
    await page.evaluate(() => window.gridgis.map.fitBounds(window.gridgis.map.getStyle().metadata.gridgis.bounds, { duration: 0 }));
    await idle(page);
    const drawn1 = await page.evaluate(() => {
      const map = window.gridgis.map;
      const fs = map.queryRenderedFeatures({ layers: ["choro-l1"] });
      return { n: fs.length, counted: fs.filter((f) => (f.state.count || 0) > 0).length, vis: map.getLayoutProperty("choro-l1", "visibility") };
    });
    check(drawn1.vis === "visible" && drawn1.n > 0 && drawn1.counted > 0, `近7天: the level-1 choropleth is not drawn (${JSON.stringify(drawn1)})`);
    const l2Stats = page.waitForResponse((r) => r.url().includes("/grids/stats") && r.url().includes("level=2"));
    await page.selectOption("#choro-level", "2");
    const l2 = await (await l2Stats).json();
    check(l2.level === 2 && l2.grids.length > 0, `二级网格: stats answer ${JSON.stringify(l2).slice(0, 200)}`);
    await jumpTo(page, [town.results[0].lon, town.results[0].lat], 12);
    const drawn2 = await page.evaluate(() => {
      const map = window.gridgis.map;
      const fs = map.queryRenderedFeatures({ layers: ["choro-l2"] });
      return { n: fs.length, counted: fs.filter((f) => (f.state.count || 0) > 0).length, l1: map.getLayoutProperty("choro-l1", "visibility") };
    });
    check(drawn2.n > 0 && drawn2.counted > 0 && drawn2.l1 === "none", `二级网格: the level-2 choropleth is not drawn alone (${JSON.stringify(drawn2)})`);
    // A category: the first subclass the select offers.
    const sub = await page.evaluate(() => document.querySelector("#choro-category optgroup option:nth-child(2)")?.value || null);
    check(sub, "the category select offers no subclass");
    const catStats = page.waitForResponse((r) => r.url().includes("/grids/stats") && r.url().includes("category="));
    await page.selectOption("#choro-category", sub);
    const cat = await (await catStats).json();
    check(cat.category === sub && cat.total <= l2.total, `category ${sub}: stats answer category ${cat.category}, total ${cat.total} of ${l2.total}`);
    await idle(page);
    const legendCat = await page.locator("#choro-legend").textContent();
    check(legendCat.includes(sub), `category ${sub}: the legend does not name it: ${legendCat}`);
    const allStats = page.waitForResponse((r) => r.url().includes("/grids/stats") && !r.url().includes("category="));
    await page.selectOption("#choro-category", "");
    await allStats;
    const legend = await page.locator("#choro-legend").textContent();
    check(legend.includes(week.from.slice(0, 10)) || legend.includes("至"), `the legend does not say the window: ${legend}`);
    summary.choropleth = `choropleth of the last 7 days: ${drawn1.counted} level-1 and ${drawn2.counted} level-2 grids with cases, ${cat.total} cases of ${sub}`;

    // A thematic layer from the switcher: the point layer with most features.
    const layers = (await getJson("/layers")).layers;
    const layer = layers.filter((l) => l.kind === "thematic" && /Point/.test(l.geometry_type)).sort((a, b) => b.feature_count - a.feature_count)[0];
    check(layer, "no thematic point layer in the catalog");
    const first = (await getJson(`/layers/${encodeURIComponent(layer.id)}/features?limit=1`)).features[0];
    await jumpTo(page, first.geometry.coordinates, 14);
    await page.fill("#layer-filter", layer.id);
    const tileRe = new RegExp(`/tiles/${layer.id}/\\d+/\\d+/\\d+`);
    const tile = page.waitForResponse((r) => tileRe.test(r.url()) && r.status() === 200, { timeout: 30_000 });
    await page.locator(`input[data-layer="${layer.id}"]`).check();
    await tile.catch(() => { throw new CheckError(`layer ${layer.id}: no tile answered 200 after ticking it`); });
    await idle(page);
    const drawnLayer = await rendered(page, [`lyr-${layer.id}-point`]);
    check(drawnLayer > 0, `layer ${layer.id}: ticked, but none of its features is rendered`);
    summary.layer = `${layer.id} (${layer.name}, ${drawnLayer} features rendered)`;
    await page.fill("#layer-filter", "");

    // A latest case: click its point.
    await page.evaluate(() => window.gridgis.map.fitBounds(window.gridgis.map.getStyle().metadata.gridgis.bounds, { duration: 0 }));
    await idle(page);
    const casePx = await page.evaluate(() => {
      const map = window.gridgis.map;
      const { clientWidth: w, clientHeight: h } = map.getCanvas();
      for (const f of window.gridgis.cases.features) {
        const q = map.project(f.geometry.coordinates), p = { x: Math.round(q.x), y: Math.round(q.y) };
        if (p.x < 40 || p.y < 40 || p.x > w - 40 || p.y > h - 40 || !onCanvas(map, p.x, p.y)) continue;
        // The page shows the topmost case within 4 px of the click.
        const hits = map.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], { layers: ["cases-points"] });
        if (hits.length) return { x: p.x, y: p.y, id: hits[0].properties.id };
      }
      return null;
    });
    check(casePx, "no latest-case point to click at the district view");
    await page.mouse.click(box.x + casePx.x, box.y + casePx.y);
    await page.waitForFunction((id) => document.getElementById("detail")?.dataset.case === id, casePx.id, { timeout: 10_000 })
      .catch(async () => {
        const shown = await page.locator("#detail").textContent();
        throw new CheckError(`clicked case ${casePx.id} at ${casePx.x.toFixed(0)},${casePx.y.toFixed(0)}: the panel shows ${JSON.stringify(shown.slice(0, 200))}`);
      });
    check((await page.locator("#case-detail").textContent()).includes(casePx.id), `clicked case ${casePx.id}: its id is not in the panel`);

    // The big-screen picture: the district, the choropleth, the cases, a grid in the panel.
    await page.selectOption("#choro-level", "1");
    await page.waitForResponse((r) => r.url().includes("/grids/stats") && r.url().includes("level=1"));
    await page.click("#layers-clear");
    check(await page.evaluate((id) => !window.gridgis.map.getLayer(`lyr-${id}-point`), layer.id), `layer ${layer.id}: still drawn after 全部关闭`);
    await page.evaluate((code) => window.gridgis.selectGrid(code), px.code.slice(0, 12));
    await page.waitForFunction((code) => document.getElementById("detail-code")?.textContent === code && document.getElementById("detail-staff"), px.code.slice(0, 12));
    await idle(page);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, "command-centre-1920.png") });
    await page.close();

    // ---- 1366×768: a laptop
    const laptop = await openPage(browser, 1366, 768);
    const fits = await laptop.evaluate(() => {
      const W = window.innerWidth, H = window.innerHeight;
      const r = (id) => document.getElementById(id).getBoundingClientRect();
      const inside = (b) => b.width > 0 && b.height > 0 && b.left >= 0 && b.top >= 0 && b.right <= W + 0.5 && b.bottom <= H + 0.5;
      const out = {};
      for (const id of ["search-input", "search-button", "left-panel", "right-panel", "detail-card", "choropleth-card", "layers-card", "map"]) {
        const b = r(id);
        out[id] = { ok: inside(b), box: [b.left, b.top, b.right, b.bottom].map(Math.round) };
      }
      const s = r("search"), stats = document.querySelector(".topstats").getBoundingClientRect(), brand = document.querySelector(".brand").getBoundingClientRect();
      out.topbar = { ok: brand.right <= s.left && s.right <= stats.left, box: [brand.right, s.left, s.right, stats.left].map(Math.round) };
      out.page = { ok: document.documentElement.scrollWidth <= W && document.documentElement.scrollHeight <= H, box: [document.documentElement.scrollWidth, document.documentElement.scrollHeight] };
      return out;
    });
    const bad = Object.entries(fits).filter(([, v]) => !v.ok).map(([k, v]) => `${k} ${JSON.stringify(v.box)}`);
    check(bad.length === 0, `at 1366×768, outside the window or overlapping: ${bad.join("; ")}`);
    check(await rendered(laptop, ["grid-hit-l1"]) > 0, "at 1366×768: no grid rendered");
    await laptop.screenshot({ path: join(OUT, "command-centre-1366.png") });
    await laptop.close();
  } finally {
    await browser.close();
  }
  check(problems.length === 0, `${problems.length} console errors, page errors or failed requests:\n  ${problems.slice(0, 30).join("\n  ")}`);
  console.log(`web check: the command-centre page at 1920×1080 and 1366×768, ${summary.gridFeatures} level-1 grid polygons rendered, `
    + `grid ${summary.clicked} clicked → panel, search "${summary.search}" → ${summary.searchMetres.toFixed(1)} m from the geocoded point, `
    + `${summary.choropleth}, layer ${summary.layer}, ${summary.cases} latest cases, 0 console errors; screenshots in target/web/`);
}

main().then(
  () => { stopServer(); process.exit(0); },
  (e) => {
    stopServer();
    if (problems.length && !(e instanceof CheckError && e.message.includes("console errors"))) {
      console.error(`web check: also ${problems.length} console errors, page errors or failed requests:\n  ${problems.slice(0, 30).join("\n  ")}`);
    }
    console.error(`web check FAILED: ${e instanceof CheckError ? e.message : e.stack || e}`);
    process.exit(1);
  },
);
