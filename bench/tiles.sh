#!/usr/bin/env bash
# tiles.sh measures kume's vector tiles against generic PostGIS tile servers
# serving the same hexagons (tables public.hex_r<res>, see bench/tilespeer):
# pg_tileserv (PEER_URL) and Tegola (TEGOLA), with one client (wrk, tiles.lua)
# on loopback, the same connections and duration.
#
#   bench/tiles.sh KUME_COLD_URL PEER_URL [PEER_NOJIT_URL] [KUME_WARM_URL]
#
#   KUME_COLD_URL   kume serve with the tile cache off (--tile-cache-mb -1)
#   PEER_URL        pg_tileserv with its defaults ("-" skips)
#   PEER_NOJIT_URL  the same peer connected as a role with jit = off ("-" skips)
#   KUME_WARM_URL   kume serve with its tile cache on; the warm run compares it
#                   with bench/tilesfixed, started here with a body of the mean
#                   tile size on FIXED_ADDR
#
# Environment: SECTOR (hexagon sector key, default ""), DURATION (20s), CONNS
# (16), THREADS (2), PG_PORT (port of the PostgreSQL server all use, for the
# CPU split), FIXED_ADDR (127.0.0.1:8091), WARM_BBOX (the tiles of the warm run,
# default Marmara 27.5,40.0,30.5,41.5), TILE_RES (zoom:resolution pairs of the
# peers' tables, default 8:6,9:7,10:8).
#
# Tegola: TEGOLA is the path of a tegola binary built outside this repository
# from its public source (github.com/go-spatial/tegola, "go build ./cmd/tegola");
# unset skips it. TEGOLA_DB is the URL of the database that holds the
# public.hex_r<res> tables. The script writes Tegola's configuration (one map
# hex_r<res> per resolution of TILE_RES, a layer "hexagons" read by its postgis
# provider, which encodes the tiles in Go, no tile cache) and runs it on
# TEGOLA_ADDR (127.0.0.1:8092) for the cold phase.
#
# Phases: cold z8–10 tiles over Türkiye for kume, pg_tileserv, pg_tileserv
# without JIT and Tegola; warm tiles from kume's cache against the fixed
# handler; z3–6 tiles over the whole country from kume's cold path (sizes of
# every tile, latencies under load). Every phase prints wrk's numbers and the
# CPU seconds each process used.
set -euo pipefail

[[ $# -ge 2 ]] || { sed -n 2,35p "$0" >&2; exit 2; }
KUME=${1%/} PEER=${2%/} PEER_NOJIT=${3:--} KUME_WARM=${4:-}
PEER_NOJIT=${PEER_NOJIT%/}
HERE=$(cd "$(dirname "$0")" && pwd)
LUA=$HERE/tiles.lua
DURATION=${DURATION:-20s} CONNS=${CONNS:-16} THREADS=${THREADS:-2}
SECTOR=${SECTOR:-} FIXED_ADDR=${FIXED_ADDR:-127.0.0.1:8091}
WARM_BBOX=${WARM_BBOX:-27.5,40.0,30.5,41.5}
TURKIYE=25.6,35.8,44.8,42.2
TEGOLA=${TEGOLA:-} TEGOLA_DB=${TEGOLA_DB:-} TEGOLA_ADDR=${TEGOLA_ADDR:-127.0.0.1:8092}
TILE_RES=${TILE_RES:-8:6,9:7,10:8}
export TILE_RES
TMP=$(mktemp -d)
FIXED_PID= TEGOLA_PID=
cleanup() {
	[[ -n $FIXED_PID ]] && kill "$FIXED_PID" 2>/dev/null || true
	[[ -n $TEGOLA_PID ]] && kill "$TEGOLA_PID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_tegola writes Tegola's configuration over the public.hex_r<res> tables,
# starts it on TEGOLA_ADDR and sets TEGOLA_URL.
start_tegola() {
	local r cfg=$TMP/tegola.toml
	[[ -x $TEGOLA ]] || { echo "tiles.sh: TEGOLA=$TEGOLA is not an executable" >&2; exit 1; }
	[[ -n $TEGOLA_DB ]] || { echo "tiles.sh: TEGOLA_DB (the database of the hex_r tables) is not set" >&2; exit 1; }
	{
		echo '[webserver]'
		echo "port = \"$TEGOLA_ADDR\""
		echo
		echo '[[providers]]'
		echo 'name = "kume"'
		echo 'type = "postgis"'
		echo "uri = \"$TEGOLA_DB\""
		echo 'srid = 3857'
		for r in $(tr ',' '\n' <<<"$TILE_RES" | cut -d: -f2 | sort -u); do
			echo
			echo '  [[providers.layers]]'
			echo "  name = \"hex_r$r\""
			echo "  tablename = \"public.hex_r$r\""
			echo '  geometry_fieldname = "geom"'
			echo '  geometry_type = "Polygon"'
			echo '  srid = 3857'
			echo '  fields = ["cell", "res", "gi_bin", "suppressed", "firms", "employees", "lq", "gi_z", "gi_p", "share_imprecise"]'
		done
		for r in $(tr ',' '\n' <<<"$TILE_RES" | cut -d: -f2 | sort -u); do
			echo
			echo '[[maps]]'
			echo "name = \"hex_r$r\""
			echo '  [[maps.layers]]'
			echo '  name = "hexagons"'
			echo "  provider_layer = \"kume.hex_r$r\""
		done
	} >"$cfg"
	"$TEGOLA" serve --config "$cfg" --no-cache --log-level WARN >"$TMP/tegola.log" 2>&1 &
	TEGOLA_PID=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://$TEGOLA_ADDR/capabilities" && { TEGOLA_URL=http://$TEGOLA_ADDR; return; }
		kill -0 "$TEGOLA_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "tiles.sh: tegola did not start:" >&2
	cat "$TMP/tegola.log" >&2
	exit 1
}

# port_pid prints the pid listening on the port of a URL.
port_pid() {
	local port=${1##*:}
	port=${port%%/*}
	ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

# cpu_ticks prints the user+system clock ticks of the given pids, with those
# of their children that have exited (a PostgreSQL postmaster's backends that
# end during a run are counted there); a pid that is gone counts 0.
cpu_ticks() {
	local total=0 p t
	for p in "$@"; do
		t=$(awk '{print $14+$15+$16+$17}' "/proc/$p/stat" 2>/dev/null) || t=0
		total=$((total + ${t:-0}))
	done
	echo "$total"
}
pg_pids() {
	local pm
	[[ -n ${PG_PORT:-} ]] || return 0
	pm=$(port_pid ":$PG_PORT")
	[[ -n $pm ]] && echo "$pm" $(pgrep -P "$pm")
}

# run NAME URL_BASE PATH_TEMPLATE ZOOMS BBOX: one wrk run with the CPU split.
run() {
	local name=$1 base=$2 tmpl=$3 zooms=$4 bbox=$5
	local srv pgs hz b_srv b_pg b_wrk a_srv a_pg out
	srv=$(port_pid "$base")
	pgs=$(pg_pids)
	hz=$(getconf CLK_TCK)
	b_srv=$(cpu_ticks $srv) b_pg=$(cpu_ticks $pgs)
	out=$TMP/$name.out
	TILE_PATH=$tmpl TILE_ZOOMS=$zooms TILE_BBOX=$bbox TILE_SEED=1 \
		wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$LUA" "$base" >"$out" 2>&1 &
	local wpid=$!
	wait "$wpid"
	a_srv=$(cpu_ticks $srv) a_pg=$(cpu_ticks $(pg_pids))
	echo "== $name ($base$tmpl, zooms $zooms)"
	grep -E '^(tiles_listed|requests|req_per_s|bytes_per_req|errors|p50_ms|p90_ms|p99_ms|max_ms)' "$out"
	awk -v s=$((a_srv - b_srv)) -v p=$((a_pg - b_pg)) -v hz="$hz" -v d="${DURATION%s}" \
		'BEGIN { printf "cpu_server_s %.1f\ncpu_postgres_s %.1f\ncpu_server_cores %.2f\ncpu_postgres_cores %.2f\n", s/hz, p/hz, s/hz/d, p/hz/d }'
}

q=
[[ -n $SECTOR ]] && q="?sector=$SECTOR"
KUME_PATH="/tiles/hexagons/{z}/{x}/{y}.mvt$q"
PEER_PATH="/public.hex_r{r}/{z}/{x}/{y}.pbf"
TEGOLA_PATH="/maps/hex_r{r}/{z}/{x}/{y}.pbf"
TEGOLA_URL=-
[[ -z $TEGOLA ]] || start_tegola

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# wrk -t$THREADS -c$CONNS -d$DURATION; sector '${SECTOR}'"

# Cold: distinct z8–10 tiles. Each server gets a short unmeasured pass first
# so that PostgreSQL's buffers hold the tables for every contender alike.
for target in "kume_cold $KUME $KUME_PATH" "peer_default $PEER $PEER_PATH" "peer_jit_off $PEER_NOJIT $PEER_PATH" \
	"tegola $TEGOLA_URL $TEGOLA_PATH"; do
	read -r name base tmpl <<<"$target"
	[[ $base == - ]] && continue
	DURATION=5s run "${name}_prime" "$base" "$tmpl" 8,9,10 "$TURKIYE" >/dev/null
	run "$name" "$base" "$tmpl" 8,9,10 "$TURKIYE"
done

# Warm: every tile of the warm list once through the cache, then the same list
# from kume's cache and from the fixed handler with a body of the mean size.
if [[ -n $KUME_WARM ]]; then
	DURATION=10s run warm_fill "$KUME_WARM" "$KUME_PATH" 8,9,10 "$WARM_BBOX" >"$TMP/fill.txt"
	out=$(TILE_PATH=$KUME_PATH TILE_ZOOMS=8,9,10 TILE_BBOX=$WARM_BBOX \
		wrk -t1 -c1 -d3s -s "$LUA" "$KUME_WARM" | grep bytes_per_req | awk '{print $2}')
	# Mean response size minus the headers of one kume tile response.
	hdr=$(curl -s -o /dev/null -D - "$KUME_WARM${KUME_PATH//\{z\}\/\{x\}\/\{y\}/10/599/383}" | wc -c)
	size=$((out - hdr))
	(cd "$HERE/.." && go build -o "$TMP/tilesfixed" ./bench/tilesfixed)
	"$TMP/tilesfixed" -addr "$FIXED_ADDR" -size "$size" 2>/dev/null &
	FIXED_PID=$!
	sleep 1
	echo "== warm: mean body $size bytes"
	run kume_warm "$KUME_WARM" "$KUME_PATH" 8,9,10 "$WARM_BBOX"
	run fixed "http://$FIXED_ADDR" "$KUME_PATH" 8,9,10 "$WARM_BBOX"
fi

# z3–6 over the whole country, cold: the size of every tile (one request
# each), then latencies under load.
echo "== z3-6 sizes (kume cold, one request per tile)"
for z in 3 4 5 6; do
	read -r x0 y0 x1 y1 < <(awk -v z="$z" -v bb="$TURKIYE" 'BEGIN {
		split(bb, b, ","); n = 2^z; pi = atan2(0, -1)
		tx0 = int((b[1]+180)/360*n); tx1 = int((b[3]+180)/360*n)
		r1 = b[4]*pi/180; r0 = b[2]*pi/180
		ty0 = int((1 - log(sin(r1)/cos(r1) + 1/cos(r1))/pi)/2*n)
		ty1 = int((1 - log(sin(r0)/cos(r0) + 1/cos(r0))/pi)/2*n)
		print tx0, ty0, tx1, ty1 }')
	for ((x = x0; x <= x1; x++)); do
		for ((y = y0; y <= y1; y++)); do
			curl -s -o /dev/null -w "$z/$x/$y %{http_code} %{size_download} %{time_total}\n" \
				"$KUME${KUME_PATH//\{z\}\/\{x\}\/\{y\}/$z/$x/$y}"
		done
	done
done | tee "$TMP/low.txt" | awk '{ if ($3 > max) { max = $3; t = $1 } ; if ($4 > tmax) tmax = $4; n++ }
	END { printf "tiles %d, largest %d bytes (%s), slowest single request %.1f ms\n", n, max, t, tmax*1000 }'
run kume_low_zoom "$KUME" "$KUME_PATH" 3,4,5,6 "$TURKIYE"
