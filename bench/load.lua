-- load.lua drives wrk over a mix of kume's read routes: vector tiles at several
-- zooms, hexagons, establishments in a bbox, a GeoJSON export with a limit, OGC
-- API items and rankings.
--
-- Environment:
--   LOAD_BBOX    lon0,lat0,lon1,lat1 of the area the requests look at
--                (default Berlin: 13.1,52.35,13.7,52.65)
--   LOAD_SECTOR  sector code used by the sector-filtered requests (default 62)
--   LOAD_SEED    seed of the request order (default 1)
--
-- done() prints the request count, latency percentiles and the count of each
-- HTTP status seen, summed over all threads ("status_<code> N" lines), so that
-- a 5xx never hides among 429s.

local function parse_list(s, f)
  local out = {}
  for v in string.gmatch(s, "[^,]+") do out[#out + 1] = f(v) end
  return out
end

local function tile_xy(lon, lat, z)
  local n = 2 ^ z
  local r = math.rad(lat)
  local x = math.floor((lon + 180) / 360 * n)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return x, y
end

-- build_paths returns the weighted list of request paths.
local function build_paths()
  local bb = parse_list(os.getenv("LOAD_BBOX") or "13.1,52.35,13.7,52.65", tonumber)
  local sector = os.getenv("LOAD_SECTOR") or "62"
  local paths = {}
  local function add(p, weight)
    for _ = 1, weight do paths[#paths + 1] = p end
  end
  -- Tiles over the bbox at several zooms, hexagons and establishments layers.
  for _, z in ipairs({ 6, 8, 10, 12, 14 }) do
    local x0, y0 = tile_xy(bb[1], bb[4], z)
    local x1, y1 = tile_xy(bb[3], bb[2], z)
    for x = x0, math.min(x1, x0 + 3) do
      for y = y0, math.min(y1, y0 + 3) do
        add(string.format("/tiles/hexagons/%d/%d/%d.mvt", z, x, y), 2)
        add(string.format("/tiles/hexagons/%d/%d/%d.mvt?sector=%s", z, x, y, sector), 1)
        if z >= 12 then
          add(string.format("/tiles/establishments/%d/%d/%d.mvt", z, x, y), 1)
        end
      end
    end
  end
  -- Sub-boxes of the bbox for the list, export and OGC requests.
  local boxes = {}
  local dx, dy = (bb[3] - bb[1]) / 4, (bb[4] - bb[2]) / 4
  for i = 0, 3 do
    for j = 0, 3 do
      boxes[#boxes + 1] = string.format("%.4f,%.4f,%.4f,%.4f",
        bb[1] + i * dx, bb[2] + j * dy, bb[1] + (i + 1) * dx, bb[2] + (j + 1) * dy)
    end
  end
  for _, b in ipairs(boxes) do
    add("/api/v1/establishments?bbox=" .. b .. "&limit=100", 2)
    add("/api/v1/establishments?sector=" .. sector .. "&kind=firm&bbox=" .. b .. "&limit=50", 1)
    add("/api/v1/export/establishments.geojson?bbox=" .. b .. "&limit=500", 1)
    add("/ogc/collections/establishments/items?bbox=" .. b .. "&limit=100", 1)
  end
  for _, res in ipairs({ 6, 7, 8 }) do
    add("/api/v1/hexagons?sector=" .. sector .. "&res=" .. res, 1)
  end
  add("/api/v1/hexagons?res=7", 1)
  add("/api/v1/rank?sector=" .. sector, 2)
  add("/api/v1/rank?sector=" .. sector .. "&weights=specialisation:0.5,hotspot:0.5", 1)
  add("/api/v1/rank?sector=25", 1)
  add("/api/v1/rank?sector=" .. sector .. "&unit=cluster", 1)
  add("/api/v1/rank?sector=" .. sector .. "&unit=cell", 1)
  -- Fisher–Yates with a 31-bit LCG: the same seed gives the same order.
  local state = tonumber(os.getenv("LOAD_SEED") or "1")
  for i = #paths, 2, -1 do
    state = (state * 1103515245 + 12345) % 2147483648
    local j = state % i + 1
    paths[i], paths[j] = paths[j], paths[i]
  end
  return paths
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  paths = build_paths()
  pos = (id * 7919) % #paths
  statuses = {}
end

function request()
  pos = pos % #paths + 1
  return wrk.format("GET", paths[pos])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("paths %d\n", #build_paths()))
  io.write(string.format("requests %d\nreq_per_s %.1f\nbytes_per_req %.0f\n",
    summary.requests, summary.requests / s, summary.bytes / math.max(1, summary.requests)))
  io.write(string.format("errors_socket connect=%d read=%d write=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("p50_ms %.2f\np90_ms %.2f\np99_ms %.2f\nmax_ms %.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  local total = {}
  for _, t in ipairs(threads) do
    local st = t:get("statuses")
    for code, n in pairs(st) do total[code] = (total[code] or 0) + n end
  end
  local codes = {}
  for code in pairs(total) do codes[#codes + 1] = code end
  table.sort(codes)
  for _, code in ipairs(codes) do
    io.write(string.format("status_%d %d\n", code, total[code]))
  end
end
