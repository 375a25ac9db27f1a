-- The background reads of kill.sh (wrk -t1): locate, grid tiles, and the layers being
-- replaced under them (their tiles, features in a box, nearest), so that reads race the
-- uploads. $KILL_LAYERS: the uploaded layers' ids, comma-separated. Any answer >= 400 is
-- counted (socket errors are expected: the server is killed under this load).

local layers = {}
for id in string.gmatch(os.getenv("KILL_LAYERS") or "", "[^,]+") do
  layers[#layers + 1] = id
end
local W, S, E, N = 116.30, 40.25, 116.85, 41.05

function init(args)
  math.randomseed(tonumber(os.getenv("KILL_SEED") or "1"))
end

local function tile(z, lon, lat)
  local n = 2 ^ z
  local r = math.rad(lat)
  return math.floor((lon + 180) / 360 * n), math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
end

function request()
  local lon = W + math.random() * (E - W)
  local lat = S + math.random() * (N - S)
  local r = math.random(100)
  local layer = layers[math.random(#layers)]
  if r <= 35 then
    return wrk.format("GET", string.format("/grids/locate?lon=%.6f&lat=%.6f&max_distance_m=50000", lon, lat))
  elseif r <= 55 then
    local z = math.random(10, 16)
    local x, y = tile(z, lon, lat)
    return wrk.format("GET", string.format("/tiles/grids/%d/%d/%d", z, x, y), { ["Accept-Encoding"] = "gzip" })
  elseif r <= 80 then
    local z = math.random(10, 16)
    local x, y = tile(z, lon, lat)
    return wrk.format("GET", string.format("/tiles/%s/%d/%d/%d", layer, z, x, y), { ["Accept-Encoding"] = "gzip" })
  elseif r <= 92 then
    return wrk.format("GET", string.format("/layers/%s/features?bbox=%.5f,%.5f,%.5f,%.5f&limit=100", layer, lon, lat,
      lon + 0.02, lat + 0.02))
  else
    return wrk.format("GET", string.format("/layers/%s/nearest?lon=%.6f&lat=%.6f&k=5", layer, lon, lat))
  end
end

answered, failed, first_error = 0, 0, ""
function response(status, headers, body)
  answered = answered + 1
  if status >= 400 then
    failed = failed + 1
    if first_error == "" then
      first_error = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("READS %d %d %s\n", t:get("answered") or 0, t:get("failed") or 0, t:get("first_error") or ""))
  end
end
