#!/usr/bin/env bash
# load.sh saturates a running kume serve with a mix of read routes (wrk and
# load.lua) and samples the server's resident memory while it runs.
#
#   bench/load.sh URL
#
#   URL   base URL of kume serve on this machine, e.g. http://127.0.0.1:8080
#
# Environment: DURATION (60s), CONNS (64), THREADS (nproc), SAMPLE (every 5
# seconds), LOAD_BBOX, LOAD_SECTOR, LOAD_SEED (see load.lua), KUME_PID (the
# server's pid; found from the port when unset).
#
# Prints wrk's numbers, the count of each HTTP status, the RSS samples (MiB)
# and a summary line "rss_mib start=… peak=… end=…". Exits 1 when any response
# was a 5xx or when the server died during the run. wrk stops by itself after
# DURATION; the sampler stops with it.
set -euo pipefail

[[ $# -eq 1 ]] || { sed -n 2,16p "$0" >&2; exit 2; }
URL=${1%/}
command -v wrk >/dev/null || { echo "load.sh: wrk not found (apt-get install wrk)" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
DURATION=${DURATION:-60s} CONNS=${CONNS:-64} THREADS=${THREADS:-$(nproc)} SAMPLE=${SAMPLE:-5}

# port_pid prints the pid listening on the port of a URL.
port_pid() {
	local port=${1##*:}
	port=${port%%/*}
	ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

# rss_mib prints the resident set size of a pid in MiB.
rss_mib() {
	awk '/^VmRSS:/ {printf "%.1f\n", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0
}

PID=${KUME_PID:-$(port_pid "$URL")}
[[ -n $PID && -r /proc/$PID/status ]] || { echo "load.sh: no process listens on $URL" >&2; exit 2; }
curl -fsS --max-time 5 "$URL/readyz" >/dev/null || { echo "load.sh: $URL/readyz is not ready" >&2; exit 2; }

TMP=$(mktemp -d)
SAMPLER=
cleanup() {
	[[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

echo "server pid $PID, $THREADS threads, $CONNS connections, $DURATION"
(
	t0=$(date +%s)
	while [[ -r /proc/$PID/status ]]; do
		echo "$(($(date +%s) - t0)) $(rss_mib "$PID")"
		sleep "$SAMPLE"
	done
) >"$TMP/rss" &
SAMPLER=$!

wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --timeout 30s --latency -s "$HERE/load.lua" "$URL" | tee "$TMP/wrk"
sleep 1
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=

echo "rss samples (seconds MiB):"
tr '\n' ' ' <"$TMP/rss"
echo
awk 'NR == 1 {s = $2} {if ($2 > p) p = $2; e = $2} END {printf "rss_mib start=%s peak=%s end=%s\n", s, p, e}' "$TMP/rss"

fail=0
if ! [[ -r /proc/$PID/status ]]; then
	echo "FAIL: the server is gone"
	fail=1
fi
fivexx=$(awk '/^status_5[0-9][0-9] / {n += $2} END {print n + 0}' "$TMP/wrk")
if ((fivexx > 0)); then
	echo "FAIL: $fivexx responses were 5xx"
	fail=1
fi
((fail == 0)) && echo "OK: no 5xx"
exit "$fail"
