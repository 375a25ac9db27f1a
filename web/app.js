// The command-centre page: the grids by level with their names, the layer catalog, grid
// details (chain, staff, cases), address search, the case-density choropleth and the latest
// cases. Plain JS over the gridgis HTTP API; MapLibre GL JS is served by the same binary.
//
// For tests and operators' consoles, `window.gridgis` holds the map (`.map`) and the page's
// state, and `.selectGrid(code)` selects a grid; `window.gridgisReady` is a promise that
// resolves once the map, the catalog, the label points, the first choropleth and the latest
// cases are loaded.

const maplibregl = window.maplibregl;
const ORIGIN = window.location.origin;

/** Zoom from which each grid level is drawn (the `grids` TileJSON's vector_layers say). */
const LEVEL_MINZOOM = { 1: 8, 2: 11, 3: 13, 4: 14 };
/** Zoom from which each level's names are drawn: a label needs ~60 px of grid to be read. */
const LABEL_MINZOOM = { 1: 9.5, 2: 13, 3: 15.5, 4: 16.5 };
const LEVEL_NAME = { 0: "区", 1: "一级网格", 2: "二级网格", 3: "三级网格", 4: "四级网格" };
const KIND_NAME = {
  district: "区", community: "社区", village: "行政村", city_street: "城市街区", dev_zone: "开发区",
  compound: "小区", street_block: "街区", park_block: "园区", village_group: "村民小组",
  building: "楼栋", street_segment: "街段", enterprise: "企业", party_member_household: "党员中心户",
  building_unit: "单元", shop_front: "沿街商户", household_group: "十户联防", workshop: "车间",
};
const TEXT_FONT = ["Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"];
/** The case density on the dark base: few cases stay dark, hot spots are bright (CARTO
 * "SunsetDark", made for dark base maps; 6 of its 7 steps). */
const RAMP = ["#4b2991", "#872ca2", "#c0369d", "#ea4f88", "#fa7876", "#edd9a3"];
/** `n` colours of the ramp, spread from its first to its last. */
const rampColors = (n) => (n <= 1 ? [RAMP[RAMP.length - 1]] : Array.from({ length: n }, (_, i) => RAMP[Math.round((i * (RAMP.length - 1)) / (n - 1))]));
/** Distinct colours for thematic layers (Tableau 10). */
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
/** Case classes, one colour each in the order `/cases/categories` gives them (ColorBrewer Set3,
 * bright on the dark base). */
const CASE_COLORS = ["#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bc80bd", "#ccebc5", "#ffed6f", "#8dd3c7", "#ffffb3", "#bebada", "#d9d9d9"];
const caseColor = (cls) => {
  const i = state.caseClasses.indexOf(cls);
  return i >= 0 ? CASE_COLORS[i % CASE_COLORS.length] : "#94a3b8";
};
const CASES_REFRESH_MS = 30_000;
const CASES_LIMIT = 200;
const DAY_MS = 86_400_000;

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
};
const fmt = (n) => Number(n).toLocaleString("zh-CN");

/** An HTTP error with the API's `{"error":{"code","message"}}` body when there is one. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, params) {
  const url = new URL(path, ORIGIN);
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  const res = await fetch(url);
  if (!res.ok) {
    let code = "http_" + res.status, message = res.statusText;
    try {
      const body = await res.json();
      if (body && body.error) ({ code, message } = body.error);
    } catch { /* not JSON */ }
    throw new ApiError(res.status, code, message);
  }
  return res.json();
}

function colorFor(key) {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

// ---------------------------------------------------------------- Beijing time

/** A date's YYYY-MM-DD in Beijing time (UTC+8, no daylight saving). */
function beijingDate(ms) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}
function beijingTime(ms) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(11, 19);
}
/** Midnight starting a Beijing day, as RFC 3339. */
function dayStart(date) {
  return `${date}T00:00:00+08:00`;
}
function addDays(date, n) {
  return beijingDate(Date.parse(dayStart(date)) + n * DAY_MS);
}
function fmtDateTime(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${beijingDate(ms)} ${beijingTime(ms).slice(0, 5)}`;
}

// ---------------------------------------------------------------- state

const state = {
  map: null,
  layers: [], // the catalog
  active: new Map(), // id → catalog entry, the ticked layers
  log: null, // {from, to}: the whole case log, from the first stats answer
  window: null, // {from, to} RFC 3339, to exclusive
  stats: null, // the last /grids/stats answer
  statsLevel: null, // the level whose feature states are set
  breaks: [],
  selected: null, // {code, level}
  cases: null, // the last /cases/latest answer
  caseClasses: [], // class names for the case colours
  searchMarker: null,
  health: null, // the /health answer
  lastSearch: null, // {query, result}
  casesAvailable: true,
  ready: false,
};
window.gridgis = state;
// Operators' consoles and the browser test select grids by code.
state.selectGrid = (code) => selectGrid(code);

// ---------------------------------------------------------------- the map

function baseStyle(gridsTileJson) {
  const layers = [
    { id: "background", type: "background", paint: { "background-color": "#0a1626" } },
    {
      id: "district-fill", type: "fill", source: "grids", "source-layer": "grid_l1",
      paint: { "fill-color": "#10243c" },
    },
  ];
  // The choropleth, one fill per level; only the chosen level is visible.
  for (const l of [1, 2, 3, 4]) {
    layers.push({
      id: `choro-l${l}`, type: "fill", source: "grids", "source-layer": `grid_l${l}`, minzoom: LEVEL_MINZOOM[l],
      layout: { visibility: "none" },
      paint: { "fill-color": "rgba(0,0,0,0)", "fill-opacity": 0.72 },
    });
  }
  // Invisible fills that the click queries: the grids themselves, where each level is drawn.
  for (const l of [1, 2, 3, 4]) {
    layers.push({
      id: `grid-hit-l${l}`, type: "fill", source: "grids", "source-layer": `grid_l${l}`, minzoom: LEVEL_MINZOOM[l],
      paint: { "fill-color": "#000000", "fill-opacity": 0 },
    });
  }
  const lines = {
    4: { color: "#8b9bb4", width: ["interpolate", ["linear"], ["zoom"], 14, 0.4, 17, 1], dash: [3, 2], opacity: 0.7 },
    3: { color: "#7c93b8", width: ["interpolate", ["linear"], ["zoom"], 13, 0.5, 17, 1.2], opacity: 0.8 },
    2: { color: "#60a5fa", width: ["interpolate", ["linear"], ["zoom"], 11, 0.6, 16, 1.8], opacity: 0.9 },
    1: { color: "#38bdf8", width: ["interpolate", ["linear"], ["zoom"], 8, 0.6, 12, 1.6, 16, 3] },
  };
  for (const l of [4, 3, 2, 1]) {
    const s = lines[l];
    const paint = { "line-color": s.color, "line-width": s.width, "line-opacity": s.opacity ?? 1 };
    if (s.dash) paint["line-dasharray"] = s.dash;
    layers.push({
      id: `grid-line-l${l}`, type: "line", source: "grids", "source-layer": `grid_l${l}`, minzoom: LEVEL_MINZOOM[l],
      layout: { "line-join": "round" }, paint,
    });
  }
  layers.push({
    id: "township-line", type: "line", source: "townships", "source-layer": "townships",
    layout: { "line-join": "round" },
    paint: { "line-color": "#f8d57e", "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1.2, 14, 3.5], "line-opacity": 0.85 },
  });
  // The selected grid: filled faintly and outlined (a filter on its code, one layer per level).
  for (const l of [1, 2, 3, 4]) {
    layers.push({
      id: `selected-fill-l${l}`, type: "fill", source: "grids", "source-layer": `grid_l${l}`,
      filter: ["==", ["get", "code"], ""], paint: { "fill-color": "#22d3ee", "fill-opacity": 0.18 },
    });
    layers.push({
      id: `selected-line-l${l}`, type: "line", source: "grids", "source-layer": `grid_l${l}`,
      filter: ["==", ["get", "code"], ""], layout: { "line-join": "round" },
      paint: { "line-color": "#22d3ee", "line-width": 3.5 },
    });
  }
  // Thematic point layers go below this one, areas and lines below `grid-line-l4`.
  layers.push({
    id: "cases-points", type: "circle", source: "cases",
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 3, 12, 5, 16, 8],
      "circle-color": "#f43f5e",
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 8, 0.6, 14, 1.5],
    },
  });
  const label = (id, source, minzoom, maxzoom, size, color, extra = {}) => ({
    id, type: "symbol", minzoom, maxzoom, ...source,
    layout: { "text-field": ["get", "name"], "text-font": TEXT_FONT, "text-size": size, "text-max-width": 8, "text-padding": 4 },
    paint: { "text-color": color, "text-halo-color": "#0a1626", "text-halo-width": 1.4 },
    ...extra,
  });
  const tileLabel = (l) => ({ source: "grids", "source-layer": `grid_l${l}` });
  // Higher in the style is placed first: the coarser names win a collision. Townships and
  // level 1 are labelled from one point per unit (see `loadLabelPoints`); a tile's polygon
  // would be labelled once in every tile it crosses.
  layers.push(label("grid-label-l4", tileLabel(4), LABEL_MINZOOM[4], 24, 11, "#cbd5e1"));
  layers.push(label("grid-label-l3", tileLabel(3), LABEL_MINZOOM[3], 24, 11, "#dbe4ef"));
  layers.push(label("grid-label-l2", tileLabel(2), LABEL_MINZOOM[2], 24, 12, "#bfdbfe"));
  layers.push(label("grid-label-l1", { source: "labels" }, LABEL_MINZOOM[1], LABEL_MINZOOM[3],
    ["interpolate", ["linear"], ["zoom"], 9.5, 11, 13, 14], "#e0f2fe", { filter: ["==", ["get", "level"], 1] }));
  layers.push(label("township-label", { source: "labels" }, 7, LABEL_MINZOOM[1],
    ["interpolate", ["linear"], ["zoom"], 7, 12, 9.5, 15], "#fde68a", { filter: ["==", ["get", "level"], 0] }));
  return {
    version: 8,
    // No `glyphs`: MapLibre draws every label locally with the system's CJK font (TinySDF),
    // so the page needs no font server.
    sources: {
      grids: { type: "vector", url: new URL("/tiles/grids", ORIGIN).href, promoteId: "code" },
      townships: { type: "vector", url: new URL("/tiles/townships", ORIGIN).href },
      cases: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
      labels: { type: "geojson", data: { type: "FeatureCollection", features: [] } },
    },
    layers,
    metadata: { gridgis: { bounds: gridsTileJson.bounds } },
  };
}

async function initMap() {
  const tj = await api("/tiles/grids");
  const [w, s, e, n] = tj.bounds;
  const padX = (e - w) * 0.6, padY = (n - s) * 0.6;
  const map = new maplibregl.Map({
    container: "map",
    style: baseStyle(tj),
    bounds: [w, s, e, n],
    fitBoundsOptions: { padding: 24 },
    maxBounds: [w - padX, s - padY, e + padX, n + padY],
    minZoom: 7,
    maxZoom: 18,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    localIdeographFontFamily: TEXT_FONT.join(","),
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
  state.map = map;
  // MapLibre's own report of a failed tile or source, as it would print it with no listener.
  map.on("error", (ev) => console.error("地图错误：", ev.error ? ev.error.message : ev));
  await new Promise((resolve) => map.once("load", resolve));
  map.on("zoomend", updateMapInfo);
  map.on("moveend", updateMapInfo);
  updateMapInfo();
  map.on("click", onMapClick);
  for (const id of ["cases-points"]) {
    map.on("mouseenter", id, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", id, () => (map.getCanvas().style.cursor = ""));
  }
  return map;
}

// ---------------------------------------------------------------- label points

/** The point inside a polygon farthest from its edges (the "pole of inaccessibility", after
 * mapbox/polylabel), in a frame where a degree of longitude is cos(lat) of a degree of
 * latitude; `precision` in degrees of latitude. */
function polylabel(rings, precision = 1e-4) {
  const k = Math.cos((rings[0][0][1] * Math.PI) / 180);
  const pts = rings.map((r) => r.map(([x, y]) => [x * k, y]));
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of pts[0]) {
    minX = Math.min(minX, x); minY = Math.min(minY, y); maxX = Math.max(maxX, x); maxY = Math.max(maxY, y);
  }
  const dist = (x, y) => {
    let inside = false, d2 = Infinity;
    for (const ring of pts) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [ax, ay] = ring[i], [bx, by] = ring[j];
        if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
        let dx = bx - ax, dy = by - ay, px = ax, py = ay;
        if (dx || dy) {
          const t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
          if (t > 1) { px = bx; py = by; } else if (t > 0) { px += dx * t; py += dy * t; }
        }
        d2 = Math.min(d2, (x - px) ** 2 + (y - py) ** 2);
      }
    }
    return (inside ? 1 : -1) * Math.sqrt(d2);
  };
  const cell = (x, y, h) => { const d = dist(x, y); return { x, y, h, d, max: d + h * Math.SQRT2 }; };
  const size = Math.min(maxX - minX, maxY - minY);
  if (!(size > 0)) return [minX / k, minY];
  // A max-heap on `max`, the best distance a cell could still hold.
  const heap = [];
  const push = (c) => {
    heap.push(c);
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (heap[p].max >= heap[i].max) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0], last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].max > heap[m].max) m = l;
        if (r < heap.length && heap[r].max > heap[m].max) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  const h0 = size / 2;
  for (let x = minX; x < maxX; x += size) for (let y = minY; y < maxY; y += size) push(cell(x + h0, y + h0, h0));
  let best = cell((minX + maxX) / 2, (minY + maxY) / 2, 0);
  for (let n = 0; heap.length && n < 20000; n++) {
    const c = pop();
    if (c.d > best.d) best = c;
    if (c.max - best.d <= precision) continue;
    const h = c.h / 2;
    push(cell(c.x - h, c.y - h, h)); push(cell(c.x + h, c.y - h, h));
    push(cell(c.x - h, c.y + h, h)); push(cell(c.x + h, c.y + h, h));
  }
  return [best.x / k, best.y];
}

function largestPolygon(geometry) {
  if (geometry.type === "Polygon") return geometry.coordinates;
  const area = (ring) => Math.abs(ring.reduce((a, [x, y], i) => {
    const [x2, y2] = ring[(i + 1) % ring.length];
    return a + x * y2 - x2 * y;
  }, 0));
  return geometry.coordinates.reduce((best, p) => (area(p[0]) > area(best[0]) ? p : best));
}

/** One label point per township and per level-1 grid. */
async function loadLabelPoints() {
  const [towns, l1] = await Promise.all([
    api("/layers/townships/features", { limit: 100 }),
    api("/layers/grids/features", { level: 1, limit: 1000 }),
  ]);
  const features = [];
  for (const [level, fc] of [[0, towns], [1, l1]]) {
    for (const f of fc.features) {
      if (!f.geometry) continue;
      features.push({
        type: "Feature",
        properties: { name: f.properties.name, code: f.properties.code, level },
        geometry: { type: "Point", coordinates: polylabel(largestPolygon(f.geometry)) },
      });
    }
  }
  state.map.getSource("labels").setData({ type: "FeatureCollection", features });
}

function updateMapInfo() {
  const z = state.map.getZoom();
  const shown = [1, 2, 3, 4].filter((l) => z >= LEVEL_MINZOOM[l]).map((l) => LEVEL_NAME[l].slice(0, 2));
  const c = state.map.getCenter();
  $("map-info").textContent = `缩放 ${z.toFixed(1)} · 显示：${shown.length ? shown.join("、") + "网格" : "—"} · ${c.lng.toFixed(5)}, ${c.lat.toFixed(5)}`;
}

// ---------------------------------------------------------------- clicks and the detail panel

const HIT_LAYERS = ["grid-hit-l4", "grid-hit-l3", "grid-hit-l2", "grid-hit-l1"];

function onMapClick(ev) {
  const map = state.map;
  const box = [[ev.point.x - 4, ev.point.y - 4], [ev.point.x + 4, ev.point.y + 4]];
  const caseHit = map.queryRenderedFeatures(box, { layers: ["cases-points"] })[0];
  if (caseHit) {
    showCase(caseHit.properties, caseHit.geometry.coordinates);
    return;
  }
  const thematic = [...state.active.keys()].flatMap((id) => layerIds(id)).filter((id) => map.getLayer(id));
  const featureHit = thematic.length ? map.queryRenderedFeatures(box, { layers: thematic })[0] : null;
  const grids = map.queryRenderedFeatures(ev.point, { layers: HIT_LAYERS.filter((id) => map.getLayer(id)) });
  // The finest grid drawn at this zoom.
  const grid = grids.sort((a, b) => b.properties.level - a.properties.level)[0];
  if (grid) selectGrid(grid.properties.code, { feature: featureHit });
  else if (featureHit) showFeatureOnly(featureHit);
}

function highlight(code, level) {
  const map = state.map;
  for (const l of [1, 2, 3, 4]) {
    const f = ["==", ["get", "code"], l === level ? code : ""];
    map.setFilter(`selected-fill-l${l}`, f);
    map.setFilter(`selected-line-l${l}`, f);
  }
}

function featureSection(feature) {
  if (!feature) return null;
  const entry = state.layers.find((l) => l.id === feature.layer.metadata?.layer) || null;
  const props = Object.entries(feature.properties).filter(([, v]) => v !== null && v !== "");
  return el("div", { class: "section feature-props" },
    el("h3", {}, entry ? entry.name : feature.sourceLayer, el("span", { class: "muted", text: entry ? entry.category : "" })),
    el("dl", { class: "kv" }, props.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: String(v) })])));
}

function showFeatureOnly(feature) {
  setDetailTitle("要素详情");
  $("detail").replaceChildren(featureSection(feature));
}

let detailSeq = 0;

function setDetailTitle(title) {
  $("detail-title").textContent = title;
  $("detail-back").hidden = false;
  delete $("detail").dataset.code;
  delete $("detail").dataset.case;
}

/** The panel with nothing selected: the district's grids and the grids with most cases. */
function showOverview() {
  detailSeq++;
  state.selected = null;
  if (state.map) highlight("", 0);
  $("detail-title").textContent = "辖区概况";
  $("detail-back").hidden = true;
  const detail = $("detail");
  delete detail.dataset.code;
  delete detail.dataset.case;
  const out = [];
  const h = state.health;
  if (h) {
    const per = h.grids_per_level || [];
    out.push(el("div", { class: "section", id: "overview-levels" },
      el("h3", {}, "网格体系", el("span", { class: "muted", text: `${fmt(h.townships)} 个街乡镇` })),
      el("div", { class: "levels" }, [1, 2, 3, 4].map((l) => el("div", {}, el("b", { text: fmt(per[l] ?? 0) }), el("span", { text: LEVEL_NAME[l] }))))));
  }
  const s = state.stats;
  if (s) {
    const top = [...s.grids].filter((g) => g.count > 0).sort((a, b) => b.count - a.count).slice(0, 12);
    out.push(el("div", { class: "section", id: "overview-top" },
      el("h3", {}, `案件高发${LEVEL_NAME[s.level]}`, el("span", { class: "muted", text: windowLabel(s.from, s.to) })),
      top.length
        ? el("ol", { class: "top-list" }, top.map((g) => el("li", { onclick: () => selectGrid(g.code, { fly: true }) },
          el("span", { class: "tname", title: g.code, text: g.name }), el("span", { class: "tcount", text: `${fmt(g.count)} 件` }))))
        : el("div", { class: "muted small", text: "该时间范围内没有案件" })));
  }
  out.push(el("div", { class: "placeholder small", text: "点击地图上的网格，查看网格编码、名称、所属层级、网格人员和案件统计。" }));
  detail.replaceChildren(...out);
}

/** Selects a grid: highlights it and fills the panel from `/grids/{code}/overview`. */
async function selectGrid(code, { feature = null, fly = false } = {}) {
  const seq = ++detailSeq;
  const level = code.length >= 12 ? (code.length - 9) / 3 : 0;
  state.selected = { code, level };
  highlight(code, level);
  setDetailTitle("网格详情");
  const detail = $("detail");
  detail.replaceChildren(...[featureSection(feature), el("div", { class: "placeholder", text: "加载中…" })].filter(Boolean));
  detail.dataset.code = code;
  const w = state.window || {};
  const path = `/grids/${encodeURIComponent(code)}`;
  // The overview says everything the panel shows; the grid itself (its outline) is needed to
  // fly there, and stands in for the overview while case data is unavailable.
  const [o, g] = await Promise.allSettled([
    state.casesAvailable ? api(`${path}/overview`, { from: w.from, to: w.to }) : Promise.resolve(null),
    fly || !state.casesAvailable ? api(path) : Promise.resolve(null),
  ]);
  if (seq !== detailSeq) return; // a later click won
  const overview = o.status === "fulfilled" ? o.value : null;
  const grid = g.status === "fulfilled" ? g.value : null;
  if (!overview && !grid) {
    const e = o.status === "rejected" ? o.reason : g.reason;
    detail.replaceChildren(el("div", { class: "error", text: `网格 ${code} 加载失败：${e ? e.message : "无数据"}` }));
    return;
  }
  if (fly && grid && grid.geometry) flyToGeometry(grid.geometry);
  detail.replaceChildren(...renderGrid(code, level, overview, grid, feature).filter(Boolean));
}

const STATUS_NAME = { routed: "已派遣", township: "街乡镇派遣", outside_jurisdiction: "辖区外", unlocated: "待人工定位" };
const STATUS_CLASS = { routed: "ok", township: "warn", outside_jurisdiction: "danger", unlocated: "danger" };
const UNIT_NAME = { 6: "区", 9: "街乡镇", 12: "一级网格", 15: "二级网格", 18: "三级网格", 21: "四级网格" };

function statusTag(status) {
  return el("span", { class: `status-tag ${STATUS_CLASS[status] || ""}`, text: STATUS_NAME[status] || status || "—" });
}

function renderGrid(code, level, overview, grid, feature) {
  const props = grid ? grid.properties : {};
  const info = overview ? overview.grid : { code, name: props.name, level, kind: props.kind };
  const chain = overview ? overview.chain : null;
  const township = overview ? overview.township : (props.township_code ? { code: props.township_code, name: props.township_name } : null);
  const children = overview ? overview.children : (props.children || []).length;
  const out = [];
  out.push(el("div", { class: "grid-head" },
    el("div", { class: "gname", id: "detail-name", text: info.name }),
    el("div", { class: "gcode mono", id: "detail-code", text: info.code }),
    el("div", { class: "tags" },
      el("span", { class: "tag level", text: LEVEL_NAME[info.level] || `${info.level}级` }),
      info.kind ? el("span", { class: "tag", text: KIND_NAME[info.kind] || info.kind }) : null,
      township ? el("span", { class: "tag", text: township.name }) : null,
      children ? el("span", { class: "tag", text: `下级网格 ${fmt(children)} 个` }) : null)));
  out.push(featureSection(feature));
  if (chain && chain.length) {
    const parts = [];
    chain.forEach((c, i) => {
      if (i) parts.push(el("span", { class: "sep", text: "›" }));
      parts.push(c.code === info.code
        ? el("span", { class: "current", text: c.name })
        : el("a", { title: c.code, onclick: () => (c.level > 0 ? selectGrid(c.code, { fly: true }) : fitDistrict()), text: c.name }));
    });
    out.push(el("div", { class: "section" }, el("h3", { text: "所属层级" }), el("div", { class: "chain", id: "detail-chain" }, parts)));
  }
  if (overview) {
    const c = overview.cases || { total: 0, by_class: [] };
    const max = Math.max(1, ...c.by_class.map((b) => b.count));
    out.push(el("div", { class: "section", id: "detail-cases" },
      el("h3", {}, "案件统计", el("span", { class: "muted", text: windowLabel(c.from, c.to) })),
      el("div", { class: "bignum", text: `${fmt(c.total)}` }, el("span", { class: "muted small", text: " 件" })),
      el("div", { class: "bars" }, c.by_class.map((b) => el("div", { class: "bar" },
        el("span", { text: b.class }),
        el("span", { class: "track" }, el("span", { class: "fill", style: `width:${(100 * b.count / max).toFixed(1)}%;display:block` })),
        el("span", { class: "n", text: fmt(b.count) }))))));
    if (c.latest && c.latest.length) {
      out.push(el("div", { class: "section" }, el("h3", { text: "最近案件" }),
        el("ol", { class: "latest-list compact" }, c.latest.map((k) => el("li", { title: k.id },
          el("span", { class: "time", text: fmtDateTime(k.reported_at).slice(5) }),
          el("span", { class: "cat", text: `${k.class} · ${k.category}` }),
          statusTag(k.status))))));
    }
    // The grid's own people first, then those of the units above it who also answer for it.
    const staff = [...(overview.staff || [])].sort((a, b) => (b.unit_code || "").length - (a.unit_code || "").length);
    const rows = staff.map((s) => {
      const unit = s.unit_code && s.unit_code !== info.code ? `${UNIT_NAME[s.unit_code.length] || "上级"}` : null;
      return el("tr", {},
        el("td", { class: "name", text: s.name }),
        el("td", {}, el("div", { text: s.position_name || s.position }),
          el("div", { class: "muted small", text: [s.force || s.role_name || s.role, unit].filter(Boolean).join(" · ") })),
        el("td", { class: "phone" }, s.phone ? el("a", { href: `tel:${s.phone}`, text: s.phone }) : "—"));
    });
    const below = overview.staff_below ? ` · 下级 ${fmt(overview.staff_below)} 人` : "";
    out.push(el("div", { class: "section", id: "detail-staff" },
      el("h3", {}, "网格人员", el("span", { class: "muted", text: `${staff.length} 人${below}` })),
      staff.length
        ? el("table", { class: "staff" }, el("thead", {}, el("tr", {}, ["姓名", "岗位 / 力量", "电话"].map((t) => el("th", { text: t })))), el("tbody", {}, rows))
        : el("div", { class: "muted small", text: "本网格未配备人员" })));
  } else if (!state.casesAvailable) {
    out.push(el("div", { class: "section muted small", text: "人员与案件统计暂不可用" }));
  }
  return out;
}

function windowLabel(from, to) {
  if (!from || !to) return "全部";
  const f = beijingDate(Date.parse(from));
  const t = beijingDate(Date.parse(to) - 1);
  return `${f} 至 ${t}`;
}

const MATCHED_NAME = { location: "坐标定位", address: "地址匹配" };

function showCase(p, coords) {
  setDetailTitle("案件详情");
  const kv = [
    ["案件编号", p.id], ["上报时间", fmtDateTime(p.reported_at)], ["大类", p.class], ["小类", p.category],
    ["状态", STATUS_NAME[p.status] || p.status], ["所属网格", `${p.grid_name || ""}（${p.grid_code || "—"}）`], ["街乡镇", p.township],
    ["定位方式", MATCHED_NAME[p.matched_by] || p.matched_by],
    ["坐标", coords ? `${coords[0].toFixed(6)}, ${coords[1].toFixed(6)}` : null],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  const body = [el("dl", { class: "kv", id: "case-detail" }, kv.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: String(v) })]))];
  if (p.grid_code) {
    body.push(el("div", { class: "section" }, el("a", { class: "link", onclick: () => selectGrid(p.grid_code, { fly: true }), text: "查看所属网格 ›" })));
  }
  $("detail").replaceChildren(...body);
  $("detail").dataset.case = p.id;
}

function flyToGeometry(geometry) {
  const b = new maplibregl.LngLatBounds();
  const walk = (c) => (typeof c[0] === "number" ? b.extend(c) : c.forEach(walk));
  walk(geometry.coordinates);
  if (!b.isEmpty()) state.map.fitBounds(b, { padding: 60, maxZoom: 17, duration: 800 });
}

function fitDistrict() {
  const b = state.map.getStyle().metadata.gridgis.bounds;
  state.map.fitBounds(b, { padding: 24, duration: 800 });
}

// ---------------------------------------------------------------- search

const LEVEL_ZOOM = { room: 17.5, building: 17, house: 16.5, poi: 16.5, road: 15, village: 14, township: 12, district: 10 };
const ADDR_LEVEL = { room: "房间", building: "楼栋", house: "门牌", poi: "兴趣点", road: "道路", village: "村/社区", township: "街乡镇", district: "区" };

function initSearch() {
  const form = $("search"), input = $("search-input"), list = $("search-results");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    list.hidden = false;
    list.replaceChildren(el("li", { class: "empty", text: "搜索中…" }));
    try {
      const answer = await api("/geocode", { q, limit: 5 });
      const results = answer.results || [];
      if (!results.length) {
        list.replaceChildren(el("li", { class: "empty", text: `未找到“${q}”` }));
        return;
      }
      list.replaceChildren(...results.map((r, i) => el("li", { class: i === 0 ? "active" : "", onclick: () => goTo(r, q) },
        el("span", { class: "addr", text: r.address }),
        el("span", { class: "meta", text: `${ADDR_LEVEL[r.level] || r.level} · ${Math.round(r.score * 100)}%` }))));
      goTo(results[0], q);
    } catch (e) {
      list.replaceChildren(el("li", { class: "empty", text: `搜索失败：${e.message}` }));
    }
  });
  input.addEventListener("focus", () => { if (list.children.length) list.hidden = false; });
  document.addEventListener("click", (ev) => { if (!form.contains(ev.target)) list.hidden = true; });
  input.addEventListener("keydown", (ev) => { if (ev.key === "Escape") list.hidden = true; });
}

function goTo(result, query) {
  const map = state.map;
  state.lastSearch = { query, result };
  if (!state.searchMarker) {
    state.searchMarker = new maplibregl.Marker({ element: el("div", { class: "search-marker" }) });
  }
  state.searchMarker.setLngLat([result.lon, result.lat]).setPopup(
    new maplibregl.Popup({ offset: 14, closeButton: false }).setDOMContent(
      el("div", {}, el("div", { text: result.address }), el("div", { class: "muted small", text: result.grid ? `${result.grid.name} ${result.grid.code}` : "" })))).addTo(map);
  map.flyTo({ center: [result.lon, result.lat], zoom: LEVEL_ZOOM[result.level] ?? 15, speed: 1.6, essential: true });
  if (result.grid && result.grid.level > 0) selectGrid(result.grid.code);
}

// ---------------------------------------------------------------- the layer switcher

const layerIds = (id) => [`lyr-${id}-fill`, `lyr-${id}-line`, `lyr-${id}-point`];

async function initLayers() {
  const answer = await api("/layers");
  // The grids are the base map already.
  state.layers = answer.layers.filter((l) => l.id !== "grids");
  renderLayerGroups("");
  $("layer-filter").addEventListener("input", (ev) => renderLayerGroups(ev.target.value.trim()));
  $("layers-toggle").addEventListener("click", () => {
    const card = $("layers-card");
    const collapsed = card.classList.toggle("collapsed");
    $("layers-toggle").setAttribute("aria-expanded", String(!collapsed));
  });
  $("layers-clear").addEventListener("click", () => {
    for (const id of [...state.active.keys()]) setLayer(id, false);
    renderLayerGroups($("layer-filter").value.trim());
  });
}

function renderLayerGroups(filter) {
  const f = filter.toLowerCase();
  const groups = new Map();
  for (const l of state.layers) {
    if (f && ![l.name, l.id, l.category || ""].some((t) => t.toLowerCase().includes(f))) continue;
    const key = l.category || "其他";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(l);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0], "zh-CN"));
  const total = sorted.reduce((n, [, ls]) => n + ls.length, 0);
  $("layers-count").textContent = f ? `匹配 ${total} / ${state.layers.length}` : `${state.layers.length} 个 · ${sorted.length} 类`;
  $("layers-clear").hidden = state.active.size === 0;
  const open = f && total <= 60;
  const container = $("layer-groups");
  if (!sorted.length) {
    container.replaceChildren(el("div", { class: "muted small", text: "没有匹配的图层" }));
    return;
  }
  container.replaceChildren(...sorted.map(([cat, ls]) => {
    const on = ls.filter((l) => state.active.has(l.id)).length;
    const details = el("details", { class: "layer-group", open: open || undefined, "data-category": cat },
      el("summary", {}, el("span", { class: "gname", text: cat }), on ? el("span", { class: "gon", text: `${on}` }) : null, el("span", { class: "gcount", text: `${ls.length}` })));
    // Items are built when the group is first opened: 1,150 rows is more DOM than the page needs.
    const fill = () => {
      if (details.dataset.filled) return;
      details.dataset.filled = "1";
      details.append(...ls.map(layerItem));
    };
    if (details.open) fill();
    details.addEventListener("toggle", () => details.open && fill());
    return details;
  }));
}

function geometryKind(t) {
  if (/Point/.test(t)) return "point";
  if (/Line/.test(t)) return "line";
  return "polygon";
}

function layerItem(l) {
  const kind = geometryKind(l.geometry_type);
  const color = colorFor(l.id);
  const box = el("input", { type: "checkbox", "data-layer": l.id, checked: state.active.has(l.id) || undefined });
  box.addEventListener("change", () => {
    setLayer(l.id, box.checked);
    const details = box.closest("details");
    const on = state.layers.filter((x) => (x.category || "其他") === details.dataset.category && state.active.has(x.id)).length;
    const badge = details.querySelector("summary .gon");
    if (on && badge) badge.textContent = `${on}`;
    else if (on) details.querySelector("summary .gcount").before(el("span", { class: "gon", text: `${on}` }));
    else if (badge) badge.remove();
    $("layers-clear").hidden = state.active.size === 0;
  });
  return el("label", { class: "layer-item", title: `${l.name}\n${l.id} · ${l.geometry_type} · ${fmt(l.feature_count)} 个要素 · 第 ${l.version} 版` },
    box,
    el("span", { class: `swatch ${kind}`, style: `background:${color}` }),
    el("span", { class: "lname", text: l.name }),
    el("span", { class: "lmeta", text: fmt(l.feature_count) }));
}

function setLayer(id, on) {
  const map = state.map;
  const entry = state.layers.find((l) => l.id === id);
  if (!entry) return;
  const src = `lyr-${id}`;
  if (!on) {
    for (const lid of layerIds(id)) if (map.getLayer(lid)) map.removeLayer(lid);
    if (map.getSource(src)) map.removeSource(src);
    state.active.delete(id);
    return;
  }
  if (state.active.has(id)) return;
  state.active.set(id, entry);
  map.addSource(src, { type: "vector", url: new URL(`/tiles/${encodeURIComponent(id)}`, ORIGIN).href });
  const color = colorFor(id);
  const kind = geometryKind(entry.geometry_type);
  const base = { source: src, "source-layer": id, metadata: { layer: id } };
  if (kind === "point") {
    map.addLayer({
      ...base, id: `lyr-${id}-point`, type: "circle",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 8, 2, 13, 4, 17, 6],
        "circle-color": color, "circle-stroke-color": "#0a1626", "circle-stroke-width": 1,
      },
    }, "cases-points");
  } else if (kind === "line") {
    map.addLayer({
      ...base, id: `lyr-${id}-line`, type: "line", layout: { "line-join": "round", "line-cap": "round" },
      paint: { "line-color": color, "line-width": ["interpolate", ["linear"], ["zoom"], 8, 1, 16, 3] },
    }, "grid-line-l4");
  } else {
    map.addLayer({ ...base, id: `lyr-${id}-fill`, type: "fill", paint: { "fill-color": color, "fill-opacity": 0.35 } }, "grid-line-l4");
    map.addLayer({ ...base, id: `lyr-${id}-line`, type: "line", paint: { "line-color": color, "line-width": 1 } }, "grid-line-l4");
  }
}

// ---------------------------------------------------------------- the choropleth

async function initChoropleth() {
  // The whole log first: its end is where "the last N days" end.
  try {
    const all = await api("/grids/stats", { level: 1 });
    state.log = { from: all.from, to: all.to };
  } catch (e) {
    state.casesAvailable = false;
    $("choro-legend").replaceChildren(el("div", { class: "hint", text: `案件统计暂不可用（${e.message}）` }));
    return;
  }
  const lastDay = beijingDate(Date.parse(state.log.to) - 1);
  $("choro-to").value = lastDay;
  $("choro-from").value = addDays(lastDay, -29);
  $("choro-from").min = $("choro-to").min = beijingDate(Date.parse(state.log.from));
  $("choro-from").max = $("choro-to").max = lastDay;
  try {
    const cats = await api("/cases/categories");
    const sel = $("choro-category");
    const kinds = { event: "事件", component: "部件" };
    for (const c of cats.classes) {
      const group = el("optgroup", { label: `${kinds[c.kind] || c.kind} · ${c.class}` },
        el("option", { value: c.class, text: `${c.class}（全部）` }),
        c.subclasses.map((s) => el("option", { value: s, text: s })));
      sel.append(group);
      if (!state.caseClasses.includes(c.class)) state.caseClasses.push(c.class);
    }
  } catch (e) {
    console.warn("categories:", e.message);
  }
  for (const id of ["choro-level", "choro-window", "choro-category", "choro-from", "choro-to"]) {
    $(id).addEventListener("change", () => {
      $("choro-dates").hidden = $("choro-window").value !== "custom";
      updateChoropleth();
    });
  }
  $("choro-on").addEventListener("change", () => applyChoroplethVisibility());
  await updateChoropleth();
}

function currentWindow() {
  const v = $("choro-window").value;
  const lastDay = beijingDate(Date.parse(state.log.to) - 1);
  if (v === "custom") {
    let from = $("choro-from").value || lastDay, to = $("choro-to").value || lastDay;
    if (from > to) [from, to] = [to, from];
    return { from: dayStart(from), to: dayStart(addDays(to, 1)) };
  }
  const days = Number(v);
  return { from: dayStart(addDays(lastDay, -(days - 1))), to: dayStart(addDays(lastDay, 1)) };
}

let choroSeq = 0;

async function updateChoropleth() {
  const seq = ++choroSeq;
  const level = Number($("choro-level").value);
  const win = currentWindow();
  const category = $("choro-category").value || undefined;
  $("choro-legend").classList.add("loading");
  let stats;
  try {
    stats = await api("/grids/stats", { level, from: win.from, to: win.to, category });
  } catch (e) {
    if (seq === choroSeq) $("choro-legend").replaceChildren(el("div", { class: "hint", text: `加载失败：${e.message}` }));
    return;
  }
  if (seq !== choroSeq) return;
  state.window = win;
  state.stats = stats;
  const map = state.map;
  // Feature state by grid code (the source promotes `code` to the feature id).
  for (const l of [1, 2, 3, 4]) map.removeFeatureState({ source: "grids", sourceLayer: `grid_l${l}` });
  for (const g of stats.grids) map.setFeatureState({ source: "grids", sourceLayer: `grid_l${level}`, id: g.code }, { count: g.count });
  state.statsLevel = level;
  state.breaks = breaks(stats.grids.map((g) => g.count));
  const count = ["coalesce", ["feature-state", "count"], 0];
  const colors = rampColors(state.breaks.length);
  const step = ["step", count, colors[0]];
  state.breaks.slice(1).forEach((b, i) => step.push(b, colors[i + 1]));
  map.setPaintProperty(`choro-l${level}`, "fill-color", ["case", ["<=", count, 0], "rgba(0,0,0,0)", step]);
  applyChoroplethVisibility();
  renderLegend(stats, level);
  $("stat-cases").textContent = fmt(stats.total);
  $("choro-legend").classList.remove("loading");
  document.body.dataset.choropleth = `${level}:${win.from}:${win.to}:${category || ""}`;
  // The panel's case counts follow the window.
  if (state.selected && $("detail").dataset.code === state.selected.code) selectGrid(state.selected.code);
  else if ($("detail-back").hidden) showOverview();
}

function applyChoroplethVisibility() {
  const on = $("choro-on").checked;
  for (const l of [1, 2, 3, 4]) {
    state.map.setLayoutProperty(`choro-l${l}`, "visibility", on && l === state.statsLevel ? "visible" : "none");
  }
}

/** Class breaks: the lower bound of each of the ramp's classes, from quantiles of the
 * non-zero counts, rounded to two significant digits and made strictly increasing. */
function breaks(counts) {
  const nz = counts.filter((c) => c > 0).sort((a, b) => a - b);
  if (!nz.length) return [1];
  const q = (p) => nz[Math.min(nz.length - 1, Math.floor(p * nz.length))];
  const nice = (v) => {
    if (v < 10) return Math.max(1, Math.round(v));
    const m = 10 ** (Math.floor(Math.log10(v)) - 1);
    return Math.round(v / m) * m;
  };
  const out = [1];
  for (const p of [0.3, 0.55, 0.75, 0.9, 0.97]) {
    const b = nice(q(p));
    if (b > out[out.length - 1]) out.push(b);
  }
  return out;
}

function renderLegend(stats, level) {
  const b = state.breaks;
  const ticks = b.map((v, i) => (i + 1 < b.length ? `${fmt(v)}` : `≥${fmt(v)}`));
  const legend = $("choro-legend");
  const hint = state.map.getZoom() < LEVEL_MINZOOM[level] ? el("div", { class: "hint", id: "choro-hint", text: `${LEVEL_NAME[level]}自缩放 ${LEVEL_MINZOOM[level]} 级起显示，请放大地图` }) : null;
  legend.replaceChildren(
    el("div", { class: "ramp" }, rampColors(b.length).map((c) => el("span", { style: `background:${c}` }))),
    el("div", { class: "ticks" }, ticks.map((t) => el("span", { text: t }))),
    el("div", { class: "summary" },
      `${windowLabel(stats.from, stats.to)}${stats.category ? ` · ${stats.category}` : ""}：共 `,
      el("b", { text: fmt(stats.total) }), " 件，单网格最多 ", el("b", { text: fmt(stats.max) }), " 件"),
  );
  if (hint) legend.append(hint);
  state.map.off("zoomend", refreshHint);
  state.map.on("zoomend", refreshHint);
}

function refreshHint() {
  if (state.stats) {
    const level = state.statsLevel;
    const has = !!$("choro-hint");
    const need = state.map.getZoom() < LEVEL_MINZOOM[level];
    if (has !== need) renderLegend(state.stats, level);
  }
}

// ---------------------------------------------------------------- the latest cases

async function refreshCases() {
  let fc;
  try {
    fc = await api("/cases/latest", { limit: CASES_LIMIT });
  } catch (e) {
    $("cases-status").textContent = `最新案件暂不可用（${e.message}）`;
    return;
  }
  state.cases = fc;
  state.map.getSource("cases").setData(fc);
  for (const f of fc.features) if (!state.caseClasses.includes(f.properties.class)) state.caseClasses.push(f.properties.class);
  const classes = state.caseClasses;
  const match = ["match", ["get", "class"]];
  for (const c of classes) match.push(c, caseColor(c));
  match.push("#94a3b8");
  state.map.setPaintProperty("cases-points", "circle-color", classes.length ? match : "#f43f5e");
  const present = new Set(fc.features.map((f) => f.properties.class));
  $("cases-legend").replaceChildren(...classes.filter((c) => present.has(c)).map((c) =>
    el("span", {}, el("span", { class: "dot", style: `background:${caseColor(c)}` }), c)));
  const newest = fc.features[0];
  $("cases-status").textContent = `最近 ${fmt(fc.features.length)} 件${newest ? `，最新上报于 ${fmtDateTime(newest.properties.reported_at)}` : ""}`;
  $("latest-updated").textContent = `更新于 ${beijingTime(Date.now())}`;
  $("latest-list").replaceChildren(...fc.features.slice(0, 50).map((f) => {
    const p = f.properties;
    return el("li", { onclick: () => { state.map.flyTo({ center: f.geometry.coordinates, zoom: Math.max(state.map.getZoom(), 15) }); showCase(p, f.geometry.coordinates); } },
      el("span", { class: "dot", style: `background:${caseColor(p.class)}` }),
      el("span", { class: "cat", text: `${p.category || p.class}` }),
      el("span", { class: "time", text: fmtDateTime(p.reported_at).slice(5) }),
      el("span", { class: "where", text: [p.township, p.grid_name].filter(Boolean).join(" · ") }),
      statusTag(p.status));
  }));
}

function initCases() {
  $("cases-on").addEventListener("change", (ev) => {
    state.map.setLayoutProperty("cases-points", "visibility", ev.target.checked ? "visible" : "none");
  });
  const timer = setInterval(refreshCases, CASES_REFRESH_MS);
  window.addEventListener("pagehide", () => clearInterval(timer));
  return refreshCases();
}

// ---------------------------------------------------------------- the top bar

function initClock() {
  const tick = () => {
    const now = Date.now();
    $("clock").textContent = beijingTime(now);
    const d = new Date(now + 8 * 3600_000);
    $("clock-date").textContent = `${beijingDate(now)} 星期${"日一二三四五六"[d.getUTCDay()]}`;
  };
  tick();
  setInterval(tick, 1000);
}

async function initHealth() {
  try {
    const h = await api("/health");
    state.health = h;
    $("stat-grids").textContent = fmt(h.grids - 1);
  } catch (e) {
    console.warn("health:", e.message);
  }
}

// ---------------------------------------------------------------- start

async function start() {
  initClock();
  initSearch();
  const health = initHealth();
  await initMap();
  await Promise.all([health, initLayers(), initChoropleth(), loadLabelPoints()]);
  $("detail-back").addEventListener("click", showOverview);
  showOverview();
  if (state.casesAvailable) await initCases();
  else $("cases-status").textContent = "最新案件暂不可用";
  state.ready = true;
}

window.gridgisReady = start().catch((e) => {
  console.error("页面初始化失败：", e);
  throw e;
});
