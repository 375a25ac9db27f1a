-- The soak's request mix for wrk (one thread). Pools come from soak_prep.py (text files in the
-- dir $SOAK_DATA); weights from $SOAK_WEIGHTS ("locate=30,geocode=15,tile_grids=25,...").
-- Tiles are asked for as a map does: a view (1920x1080 of 512-px tiles: 4x3 tiles) at a zoom
-- of 10-16 around a centre (70% a gazetteer address, 30% anywhere in the bounds), all its
-- `grids` tiles, and all its tiles of one thematic layer (from that layer's minzoom); then
-- the next view.
-- Each request carries `x-request-id: KIND-N`, which the server echoes, so every answer is
-- counted by kind; any status >= 400 is an error of its kind (its first body is kept).

local dir = os.getenv("SOAK_DATA")
local function lines(name)
  local t = {}
  for l in io.lines(dir .. "/" .. name) do
    t[#t + 1] = l
  end
  return t
end
local D = { geocode = lines("geocode.txt"), cases = lines("cases.txt"), centres = {}, layers = {} }
for _, l in ipairs(lines("centres.txt")) do
  local lon, lat = string.match(l, "(%S+) (%S+)")
  D.centres[#D.centres + 1] = { tonumber(lon), tonumber(lat) }
end
for _, l in ipairs(lines("sources.txt")) do
  local id, minz, maxz = string.match(l, "(%S+) (%d+) (%d+)")
  if id ~= "grids" then
    D.layers[#D.layers + 1] = { id, tonumber(minz), tonumber(maxz) }
  end
end
do
  local a, b, c, d = string.match(lines("bbox.txt")[1], "(%S+) (%S+) (%S+) (%S+)")
  D.bbox = { tonumber(a), tonumber(b), tonumber(c), tonumber(d) }
end
local kinds = { "locate", "geocode", "tile_grids", "tile_layer", "case" }
local weights = {}
local total = 0
for k, v in string.gmatch(os.getenv("SOAK_WEIGHTS") or "", "([%w_]+)=(%d+)") do
  weights[k] = tonumber(v)
end
local cumulative = {}
for _, k in ipairs(kinds) do
  total = total + (weights[k] or 0)
  cumulative[#cumulative + 1] = { k, total }
end

counts, errors, statuses, first_error = {}, {}, {}, {}
for _, k in ipairs(kinds) do
  counts[k] = 0
  errors[k] = 0
  first_error[k] = ""
end
counts.unknown, errors.unknown, first_error.unknown = 0, 0, ""

seq = 0
local bbox = D.bbox

function init(args)
  math.randomseed(tonumber(os.getenv("SOAK_SEED") or "1"))
end

local function pick(list)
  return list[math.random(#list)]
end

-- The tiles still to ask for of the current views, per kind.
local queue = { tile_grids = {}, tile_layer = {} }
local views = 0
local function new_view()
  views = views + 1
  local lon, lat
  if math.random() < 0.7 then
    local c = pick(D.centres)
    lon, lat = c[1], c[2]
  else
    lon = bbox[1] + math.random() * (bbox[3] - bbox[1])
    lat = bbox[2] + math.random() * (bbox[4] - bbox[2])
  end
  local z = math.random(10, 16)
  local n = 2 ^ z
  local r = math.rad(lat)
  local fx = (lon + 180) / 360 * n
  local fy = (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n
  local x0, y0 = math.floor(fx - 2), math.floor(fy - 1.5)
  local layer = pick(D.layers)
  for x = x0, x0 + 3 do
    for y = y0, y0 + 2 do
      table.insert(queue.tile_grids, string.format("/tiles/grids/%d/%d/%d", z, x, y))
      if z >= layer[2] and z <= layer[3] then
        table.insert(queue.tile_layer, string.format("/tiles/%s/%d/%d/%d", layer[1], z, x, y))
      end
    end
  end
end
local function next_tile(kind)
  while #queue[kind] == 0 do
    new_view()
  end
  return table.remove(queue[kind], 1)
end

function request()
  seq = seq + 1
  local r = math.random() * total
  local kind = "locate"
  for _, c in ipairs(cumulative) do
    if r < c[2] then
      kind = c[1]
      break
    end
  end
  local headers = { ["x-request-id"] = kind .. "-" .. seq }
  if kind == "locate" then
    local lon = bbox[1] + math.random() * (bbox[3] - bbox[1])
    local lat = bbox[2] + math.random() * (bbox[4] - bbox[2])
    -- The bbox's corners are far outside the district: take the nearest grid, as a caller
    -- with a generous tolerance would (the bench does the same), so every answer is 200.
    return wrk.format("GET", string.format("/grids/locate?lon=%.7f&lat=%.7f&max_distance_m=50000", lon, lat), headers)
  elseif kind == "geocode" then
    return wrk.format("GET", pick(D.geocode), headers)
  elseif kind == "tile_grids" then
    headers["Accept-Encoding"] = "gzip"
    return wrk.format("GET", next_tile("tile_grids"), headers)
  elseif kind == "tile_layer" then
    headers["Accept-Encoding"] = "gzip"
    return wrk.format("GET", next_tile("tile_layer"), headers)
  else
    headers["Content-Type"] = "application/json"
    return wrk.format("POST", "/cases/route?record=false", headers, pick(D.cases))
  end
end

function response(status, headers, body)
  views_made = views
  local id = headers["x-request-id"] or headers["X-Request-Id"] or ""
  local kind = string.match(id, "^([%a_]+)%-") or "unknown"
  if counts[kind] == nil then
    kind = "unknown"
  end
  counts[kind] = counts[kind] + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 400 then
    errors[kind] = errors[kind] + 1
    if first_error[kind] == "" then
      first_error[kind] = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local c, e, f, s = t:get("counts"), t:get("errors"), t:get("first_error"), t:get("statuses")
    for _, k in ipairs({ "locate", "geocode", "tile_grids", "tile_layer", "case", "unknown" }) do
      io.write(string.format("SOAK kind %s %d %d %s\n", k, c[k] or 0, e[k] or 0, f[k] or ""))
    end
    for code, n in pairs(s) do
      io.write(string.format("SOAK status %s %d\n", code, n))
    end
  end
  for _, t in ipairs(threads) do
    io.write(string.format("SOAK views %d\n", t:get("views_made") or 0))
  end
  local e = summary.errors
  io.write(string.format("SOAK total %d %.3f %d %d %d %d %d\n", summary.requests, summary.duration / 1e6,
    e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("SOAK latency %.0f %.0f %.0f %.0f %.0f\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
