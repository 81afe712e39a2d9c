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
# and prints both times, their ratio and the peak RSS, with the machine. It
# also prints the CPU time each side took (kume's own and the server's, read
# from /proc for the cluster's processes), which other work on the machine
# distorts less than the wall times.
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
# server_cpu prints the CPU seconds the cluster's processes have used so far:
# the postmaster's own and those of its ended children (backends, parallel
# workers), which it has reaped, plus those of its live children.
server_cpu() {
	local pm tck
	pm=$(head -1 "$tmp/db/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
	tck=$(getconf CLK_TCK)
	{
		awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
		for c in $(ps -o pid= --ppid "$pm"); do awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null; done
	} | awk -v t="$tck" '{ s += $1 } END { printf "%.2f", s / t }'
}
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
c0=$(server_cpu)
/usr/bin/time -v -o "$tmp/time.txt" \
	"$tmp/kume" import "$tmp/firms.csv" --db "$url" --dataset bench --json --no-analyze >"$tmp/summary.json"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tmp/time.txt")
rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/time.txt")
sleep 0.5
kcpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$tmp/time.txt")
kserver=$(awk -v a="$c0" -v b="$(server_cpu)" 'BEGIN { printf "%.2f", b - a }')
inserted=$(sed -n 's/^ *"inserted": \([0-9]*\),/\1/p' "$tmp/summary.json")
[[ "$inserted" == "$rows" ]] || { echo "bench: kume inserted $inserted of $rows rows" >&2; cat "$tmp/summary.json" >&2; exit 1; }

echo "plain COPY..." >&2
psql -q -X -v ON_ERROR_STOP=1 "$url" -c "CREATE TABLE bare (id text, name text, nace text, lat double precision,
	lon double precision, employees text, founded date, closed date, province text, country text)"
c0=$(server_cpu)
t0=$(now)
psql -q -X -v ON_ERROR_STOP=1 "$url" -c "\\copy bare FROM '$tmp/firms.csv' WITH (FORMAT csv, HEADER true)"
t1=$(now)
copy=$(secs "$t0" "$t1")
sleep 0.5
cserver=$(awk -v a="$c0" -v b="$(server_cpu)" 'BEGIN { printf "%.2f", b - a }')
copied=$(psql -X -At "$url" -c "SELECT count(*) FROM bare")
[[ "$copied" == "$rows" ]] || { echo "bench: COPY loaded $copied of $rows rows" >&2; exit 1; }

ratio=$(awk -v a="$wall" -v b="$copy" 'BEGIN { printf "%.1f", a / b }')
cpuratio=$(awk -v a="$kcpu" -v b="$kserver" -v c="$cserver" 'BEGIN { if (c > 0) printf "%.1f", (a + b) / c; else print "n/a" }')
cat <<EOF
rows:             $rows (synthetic, kume gen-demo --seed 1 --bad 0; generated in ${gen}s)
kume import:      ${wall}s wall (kume import --json --no-analyze; peak RSS ${rss} MiB)
plain COPY:       ${copy}s (psql \\copy into a bare table, no indexes)
ratio:            ${ratio}x
CPU:              kume ${kcpu}s + server ${kserver}s vs COPY server ${cserver}s: ${cpuratio}x (user+system)
machine:          $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
software:         $(go version | cut -d' ' -f3-), $(psql -X -At "$url" -c "SELECT split_part(version(), ' ', 2) || ' + PostGIS ' || postgis_lib_version()"), fsync=off
load average:     $load (1/5/15 min, before the run; other work on the machine skews the times)
tree:             $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
EOF
