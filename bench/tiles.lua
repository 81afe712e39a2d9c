-- tiles.lua drives wrk over a deterministic list of distinct tile addresses.
--
-- Environment:
--   TILE_PATH   path template; {z}, {x}, {y} and {r} (the H3 resolution of the
--               zoom, TILE_RES) are substituted, e.g.
--               /tiles/hexagons/{z}/{x}/{y}.mvt?sector=C or /public.hex_r{r}/{z}/{x}/{y}.pbf
--   TILE_ZOOMS  zoom levels, comma-separated (default "8,9,10")
--   TILE_RES    H3 resolution by zoom as z:r pairs (default "8:6,9:7,10:8")
--   TILE_BBOX   lon0,lat0,lon1,lat1 (default Türkiye: 25.6,35.8,44.8,42.2)
--   TILE_SEED   shuffle seed (default 1)
--
-- Every thread walks the same shuffled list from a different offset, so a run
-- shorter than the list requests each tile at most once per thread. done()
-- prints latency percentiles and the list size.

local function parse_list(s, f)
  local out = {}
  for v in string.gmatch(s, "[^,]+") do out[#out + 1] = f(v) end
  return out
end

local function tile_range(lon0, lat0, lon1, lat1, z)
  local n = 2 ^ z
  local function tx(lon) return math.floor((lon + 180) / 360 * n) end
  local function ty(lat)
    local r = math.rad(lat)
    return math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  end
  return tx(lon0), ty(lat1), tx(lon1), ty(lat0)
end

local function build_paths()
  local tmpl = os.getenv("TILE_PATH") or "/tiles/hexagons/{z}/{x}/{y}.mvt"
  local zooms = parse_list(os.getenv("TILE_ZOOMS") or "8,9,10", tonumber)
  local res = {}
  for z, r in string.gmatch(os.getenv("TILE_RES") or "8:6,9:7,10:8", "(%d+):(%d+)") do
    res[tonumber(z)] = r
  end
  local bb = parse_list(os.getenv("TILE_BBOX") or "25.6,35.8,44.8,42.2", tonumber)
  local paths = {}
  for _, z in ipairs(zooms) do
    local x0, y0, x1, y1 = tile_range(bb[1], bb[2], bb[3], bb[4], z)
    for x = x0, x1 do
      for y = y0, y1 do
        local p = tmpl:gsub("{z}", z):gsub("{x}", x):gsub("{y}", y):gsub("{r}", res[z] or "")
        paths[#paths + 1] = p
      end
    end
  end
  -- Fisher–Yates with a 31-bit LCG: the same seed gives the same order.
  local state = tonumber(os.getenv("TILE_SEED") or "1")
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
  pos = math.floor((id - 1) * #paths / 8)
end

function request()
  pos = pos % #paths + 1
  return wrk.format("GET", paths[pos])
end

function done(summary, latency, requests)
  local n = #build_paths()
  local s = summary.duration / 1e6
  io.write(string.format("tiles_listed %d\n", n))
  io.write(string.format("requests %d\nreq_per_s %.1f\nbytes_per_req %.0f\n",
    summary.requests, summary.requests / s, summary.bytes / math.max(1, summary.requests)))
  io.write(string.format("errors_status %d errors_other %d\n", summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("p50_ms %.2f\np90_ms %.2f\np99_ms %.2f\nmax_ms %.2f\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
