#!/usr/bin/env bash
# load-restart.sh restarts the PostgreSQL server behind a running kume serve
# --db while it is under load, and prints a per-second timeline of /readyz and
# of the main read routes, to show that errors last only while the database is
# down and that everything recovers without restarting kume.
#
#   bench/load-restart.sh URL PGDATA
#
#   URL     base URL of kume serve on this machine, e.g. http://127.0.0.1:8080
#   PGDATA  data directory of the PostgreSQL cluster kume uses (the script runs
#           pg_ctl as the directory's owner when started as root)
#
# Environment: DURATION (load length in seconds, 60), STOP_AT (second of the
# stop, 15), DOWN (seconds the database stays down, 5), CONNS (32), THREADS
# (nproc), LOAD_BBOX, LOAD_SECTOR (see load.lua; the probes use them too),
# PG_BINDIR (where pg_ctl is), PG_LOG (the server log of the restarted
# PostgreSQL, default postgres.log next to PGDATA, as scripts/testdb.sh has it;
# its owner must be able to write there).
#
# The database is stopped with "pg_ctl stop -m fast", left down for DOWN
# seconds and started again with the options it ran with (postmaster.opts).
# Each second the probes run in parallel, each with a 10 s deadline, so a hang
# shows as status 000; a row's time is when its probes started. Run kume with
# the per-IP rate limit off (--rate-per-ip -1): the probes and wrk share an
# IP. Exits 1 when kume died, a probe hung, an error had no JSON body, an error
# fell outside the outage (1 s of slack before, 5 s of grace after; the
# timeline has a 1 s resolution), or a route still failed at the end.
set -euo pipefail

[[ $# -eq 2 ]] || { sed -n 2,28p "$0" >&2; exit 2; }
URL=${1%/} PGDATA=$(cd "$2" && pwd)
command -v wrk >/dev/null || { echo "load-restart.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
DURATION=${DURATION:-60} STOP_AT=${STOP_AT:-15} DOWN=${DOWN:-5} GRACE=5
CONNS=${CONNS:-32} THREADS=${THREADS:-$(nproc)}
BBOX=${LOAD_BBOX:-28.6,40.8,29.4,41.2} SECTOR=${LOAD_SECTOR:-62}
export LOAD_BBOX=$BBOX LOAD_SECTOR=$SECTOR

BINDIR=${PG_BINDIR:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
[[ -x $BINDIR/pg_ctl ]] || BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x $BINDIR/pg_ctl ]] || { echo "load-restart.sh: pg_ctl not found; set PG_BINDIR" >&2; exit 2; }
[[ -f $PGDATA/postmaster.opts && -f $PGDATA/postmaster.pid ]] ||
	{ echo "load-restart.sh: no running cluster in $PGDATA" >&2; exit 2; }
OWNER=$(stat -c %U "$PGDATA")
PG_LOG=${PG_LOG:-$(dirname "$PGDATA")/postgres.log}

# as_owner runs a command as the cluster's owner.
as_owner() {
	if [[ $(id -u) -eq 0 && $OWNER != root ]]; then
		runuser -u "$OWNER" -- "$@"
	else
		"$@"
	fi
}

# port_pid prints the pid listening on the port of a URL.
port_pid() {
	local port=${1##*:}
	port=${port%%/*}
	ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

KUME_PID=$(port_pid "$URL")
[[ -n $KUME_PID ]] || { echo "load-restart.sh: no process listens on $URL" >&2; exit 2; }
curl -fsS --max-time 5 "$URL/readyz" >/dev/null || { echo "load-restart.sh: $URL/readyz is not ready" >&2; exit 2; }

# The options the server runs with, without the binary and its -D.
OPTS=$(head -1 "$PGDATA/postmaster.opts" | sed -E 's/^[^ ]+ //; s/"-D" "[^"]*" ?//')

IFS=, read -r W S E N <<<"$BBOX"
read -r TX TY < <(awk -v lon="$W" -v lat="$N" 'BEGIN {
	n = 2 ^ 8; pi = atan2(0, -1); r = lat * pi / 180
	printf "%d %d\n", (lon + 180) / 360 * n, (1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n }')
PROBES=(
	"readyz /readyz"
	"establishments /api/v1/establishments?bbox=$BBOX&limit=10"
	"hexagons /api/v1/hexagons?sector=$SECTOR&res=7"
	"tile /tiles/hexagons/8/$TX/$TY.mvt?sector=$SECTOR"
	"export /api/v1/export/establishments.geojson?bbox=$BBOX&limit=10"
	"ogc /ogc/collections/establishments/items?bbox=$BBOX&limit=10"
	"rank /api/v1/rank?sector=$SECTOR"
)

TMP=$(mktemp -d)
WRK=
cleanup() {
	[[ -n $WRK ]] && kill "$WRK" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# probe requests one route (its body goes to $TMP/body$2) and prints
# "status seconds json|-": json when an error came with a JSON error body.
probe() {
	local out code time ctype body=$TMP/body${2:-}
	out=$(curl -s -o "$body" --max-time 10 -w '%{http_code} %{time_total} %{content_type}' "$URL$1" || true)
	read -r code time ctype <<<"$out"
	code=${code:-000}
	if [[ $code -ge 400 && $ctype == application/json* ]] && head -c 200 "$body" | grep -q '"code"'; then
		echo "$code $time json"
	else
		echo "$code $time -"
	fi
}

echo "kume pid $KUME_PID; load $DURATION s ($THREADS threads, $CONNS connections); database down at ${STOP_AT}s for ${DOWN}s"
wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" --timeout 30s -s "$HERE/load.lua" "$URL" >"$TMP/wrk" 2>&1 &
WRK=$!

T0=$(date +%s.%N)
now() { awk -v t0="$T0" -v t="$(date +%s.%N)" 'BEGIN {printf "%.1f", t - t0}'; }
(
	sleep "$STOP_AT"
	echo "$(now) event stop" >>"$TMP/events"
	as_owner "$BINDIR/pg_ctl" stop -D "$PGDATA" -m fast -w >/dev/null 2>&1
	echo "$(now) event stopped" >>"$TMP/events"
	sleep "$DOWN"
	echo "$(now) event start" >>"$TMP/events"
	if as_owner "$BINDIR/pg_ctl" start -D "$PGDATA" -w -l "$PG_LOG" -o "$OPTS" >/dev/null 2>&1; then
		echo "$(now) event started" >>"$TMP/events"
	else
		echo "$(now) event start-failed" >>"$TMP/events"
	fi
) &
RESTARTER=$!

printf "%-6s" "t(s)"
for p in "${PROBES[@]}"; do printf " %-15s" "${p%% *}"; done
echo
end=$((DURATION + 5))
while :; do
	t=$(now)
	awk -v t="$t" -v e="$end" 'BEGIN {exit !(t < e)}' || break
	line=$(printf "%-6s" "$t")
	i=0 pids=()
	for p in "${PROBES[@]}"; do
		probe "${p#* }" "$i" >"$TMP/row$i" &
		pids+=($!)
		i=$((i + 1))
	done
	wait "${pids[@]}"
	i=0
	for p in "${PROBES[@]}"; do
		read -r code time _ <"$TMP/row$i"
		echo "$t ${p%% *} $(cat "$TMP/row$i")" >>"$TMP/probes"
		line+=$(printf " %-15s" "$code/${time%???}s")
		i=$((i + 1))
	done
	echo "$line"
	sleep 1
done
wait "$RESTARTER" || true
wait "$WRK" || true
WRK=
echo "events:"
cat "$TMP/events"
echo "wrk:"
grep -E '^(requests|req_per_s|errors_socket|p50_ms|p99_ms|max_ms|status_)' "$TMP/wrk" || cat "$TMP/wrk"

fail=0
stopped=$(awk '$3 == "stop" {print $1}' "$TMP/events")
started=$(awk '$3 == "started" {print $1}' "$TMP/events")
if [[ -z $stopped || -z $started ]]; then
	echo "FAIL: the database was not restarted"
	fail=1
	started=${started:-0} stopped=${stopped:-0}
fi
if ! kill -0 "$KUME_PID" 2>/dev/null; then
	echo "FAIL: kume is gone"
	fail=1
fi
awk -v a="$stopped" -v b="$started" -v g="$GRACE" '
	$3 == "000" { print "FAIL: " $2 " hung or dropped at " $1 "s"; bad = 1 }
	$3 >= 400 && $5 != "json" { print "FAIL: " $2 " answered " $3 " without a JSON error at " $1 "s"; bad = 1 }
	$3 >= 400 && ($1 + $4 + 1 < a || $1 > b + g) { print "FAIL: " $2 " answered " $3 " outside the outage at " $1 "s"; bad = 1 }
	$3 >= 400 { n++; if (first == "") first = $1; last = $1 }
	END {
		printf "failed probes %d, first at %ss, last at %ss (database stopped at %ss, started at %ss)\n", n, first, last, a, b
		exit bad }' "$TMP/probes" || fail=1
for p in "${PROBES[@]}"; do
	read -r code _ <<<"$(probe "${p#* }")"
	if [[ $code -ge 400 || $code == 000 ]]; then
		echo "FAIL: ${p%% *} still answers $code after the restart"
		fail=1
	fi
done
((fail == 0)) && echo "OK: errors only during the outage; every route recovered"
exit "$fail"
