#!/usr/bin/env bash
# import.sh measures "kume import" into PostGIS against a plain COPY of the
# same rows into a bare table, on a throwaway PostgreSQL + PostGIS cluster.
#
#   bench/import.sh [ROWS]        (default 1000000)
#
# It builds kume from the working tree, generates ROWS synthetic firms with
# "kume gen-demo --bad 0" (every row valid), starts a cluster with
# scripts/testdb.sh (fsync=off, as for the tests), then
#   1. times "kume import FILE --db URL --dataset bench --json --no-analyze"
#      under /usr/bin/time -v (wall time and peak RSS of kume),
#   2. times psql "\copy" of the same CSV into a table with the same columns
#      and no index, constraint or geometry,
# and prints both times, their ratio and the peak RSS, with the machine.
# The cluster and the files are removed at the end.
#
# Needs: go, psql and the PostgreSQL 15 + PostGIS server binaries that
# scripts/testdb.sh uses, and GNU time (apt-get install time).
set -euo pipefail

rows=${1:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
	"$root/scripts/testdb.sh" stop "$tmp/db" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "building kume..." >&2
(cd "$root" && go build -o "$tmp/kume" ./cmd/kume)

echo "generating $rows rows..." >&2
t0=$(now)
"$tmp/kume" gen-demo --firms "$rows" --seed 1 --bad 0 -o "$tmp/firms.csv" 2>/dev/null
t1=$(now)
chmod 644 "$tmp/firms.csv"
gen=$(secs "$t0" "$t1")

url=$("$root/scripts/testdb.sh" start "$tmp/db" 2>/dev/null)
"$tmp/kume" migrate up --db "$url" >/dev/null

echo "kume import..." >&2
/usr/bin/time -v -o "$tmp/time.txt" \
	"$tmp/kume" import "$tmp/firms.csv" --db "$url" --dataset bench --json --no-analyze >"$tmp/summary.json"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tmp/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/time.txt")
inserted=$(sed -n 's/^ *"inserted": \([0-9]*\),/\1/p' "$tmp/summary.json")
[[ "$inserted" == "$rows" ]] || { echo "bench: kume inserted $inserted of $rows rows" >&2; cat "$tmp/summary.json" >&2; exit 1; }

echo "plain COPY..." >&2
psql -q -X -v ON_ERROR_STOP=1 "$url" -c "CREATE TABLE bare (id text, name text, nace text, lat double precision,
	lon double precision, employees text, founded date, closed date, province text, country text)"
t0=$(now)
psql -q -X -v ON_ERROR_STOP=1 "$url" -c "\\copy bare FROM '$tmp/firms.csv' WITH (FORMAT csv, HEADER true)"
t1=$(now)
copy=$(secs "$t0" "$t1")
copied=$(psql -X -At "$url" -c "SELECT count(*) FROM bare")
[[ "$copied" == "$rows" ]] || { echo "bench: COPY loaded $copied of $rows rows" >&2; exit 1; }

ratio=$(awk -v a="$wall" -v b="$copy" 'BEGIN { printf "%.1f", a / b }')
cat <<EOF
rows:             $rows (synthetic, kume gen-demo --seed 1 --bad 0; generated in ${gen}s)
kume import:      ${wall}s wall (kume import --json --no-analyze; peak RSS ${rss} MiB)
plain COPY:       ${copy}s (psql \\copy into a bare table, no indexes)
ratio:            ${ratio}x
machine:          $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
software:         $(go version | cut -d' ' -f3-), $(psql -X -At "$url" -c "SELECT split_part(version(), ' ', 2) || ' + PostGIS ' || postgis_lib_version()"), fsync=off
load average:     $load (1/5/15 min, before the run; other work on the machine skews the times)
tree:             $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
EOF
