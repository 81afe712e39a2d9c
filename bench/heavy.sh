#!/usr/bin/env bash
# heavy.sh sends rounds of concurrent requests of each heavy route (rankings,
# local Moran's I, emerging hot spots, timeline, exports, filtered OGC items)
# to a running kume serve and samples the server's resident memory, to show
# what each route costs and that memory stays flat when many come at once.
#
#   bench/heavy.sh URL
#
#   URL   base URL of kume serve on this machine, e.g. http://127.0.0.1:8080
#
# Environment: CONC (concurrent requests per round, 32), ROUNDS (3), LOAD_BBOX
# (lon0,lat0,lon1,lat1 for the exports and OGC items, default Istanbul),
# LOAD_SECTOR (62), ROUTES (the paths to send, one per line, instead of the
# default list), KEY (sent as a bearer key when set), KUME_PID (the server's
# pid; found from the port when unset), SAMPLE (seconds between RSS samples,
# 0.1).
#
# Prints, per route, the count of each status, the median and largest
# latency, and the RSS (MiB) before the route's rounds, at their peak and
# after them; then the RSS at the start, the peak over the whole run and at
# the end ("rss_mib start=… peak=… end=…"). A 503 is the answer of a full
# class of heavy routes and must carry Retry-After. Exits 1 when a response
# was a 5xx other than such a 503, a 503 lacked Retry-After, or the server
# died.
set -euo pipefail

[[ $# -eq 1 ]] || { sed -n 2,23p "$0" >&2; exit 2; }
URL=${1%/}
CONC=${CONC:-32} ROUNDS=${ROUNDS:-3} SAMPLE=${SAMPLE:-0.1}
BBOX=${LOAD_BBOX:-28.6,40.8,29.4,41.2} SECTOR=${LOAD_SECTOR:-62}

port_pid() {
	local port=${1##*:}
	port=${port%%/*}
	ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}
rss_mib() {
	awk '/^VmRSS:/ {printf "%.1f\n", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0
}

PID=${KUME_PID:-$(port_pid "$URL")}
[[ -n $PID && -r /proc/$PID/status ]] || { echo "heavy.sh: no process listens on $URL" >&2; exit 2; }
curl -fsS --max-time 5 "$URL/readyz" >/dev/null || { echo "heavy.sh: $URL/readyz is not ready" >&2; exit 2; }

if [[ -z ${ROUTES:-} ]]; then
	ROUTES="/api/v1/rank?unit=cell
/api/v1/rank?unit=cell&sector=$SECTOR&level=8
/api/v1/rank?unit=region
/api/v1/rank?unit=cluster
/api/v1/lisa?res=7
/api/v1/emerging?res=7
/api/v1/timeline
/api/v1/export/establishments.geojson?bbox=$BBOX
/api/v1/export/hexagons.csv?res=8
/ogc/collections/establishments/items?limit=1000&filter=employees%20%3E%3D%2010"
fi
AUTH=()
[[ -n ${KEY:-} ]] && AUTH=(-H "Authorization: Bearer $KEY")

TMP=$(mktemp -d)
SAMPLER=
cleanup() {
	[[ -n $SAMPLER ]] && kill "$SAMPLER" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# The sampler writes "seconds-since-epoch RSS" lines.
(
	while [[ -r /proc/$PID/status ]]; do
		echo "$(date +%s.%N) $(rss_mib "$PID")"
		sleep "$SAMPLE"
	done
) >"$TMP/rss" &
SAMPLER=$!

# peak_between prints the largest RSS sampled between two times.
peak_between() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b && $2 > p {p = $2} END {print p + 0}' "$TMP/rss"
}

echo "server pid $PID, $CONC concurrent requests x $ROUNDS rounds per route; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-72s %-24s %8s %8s %8s %8s %8s\n' route statuses p50_s max_s rss0 peak rss1
fail=0
START_RSS=$(rss_mib "$PID")
while IFS= read -r path; do
	[[ -z $path ]] && continue
	sleep 1
	r0=$(rss_mib "$PID") t0=$(date +%s.%N)
	: >"$TMP/out"
	for _ in $(seq "$ROUNDS"); do
		seq "$CONC" | xargs -P "$CONC" -I{} curl -s -o /dev/null --max-time 300 "${AUTH[@]}" \
			-w '%{http_code} %{time_total} %header{retry-after}\n' "$URL$path" >>"$TMP/out" || true
	done
	t1=$(date +%s.%N)
	sleep 1
	r1=$(rss_mib "$PID")
	peak=$(peak_between "$t0" "$t1")
	statuses=$(awk '{c[$1]++} END {for (s in c) printf "%s%s:%d", (n++ ? "," : ""), s, c[s]}' "$TMP/out")
	read -r p50 pmax < <(sort -n -k2 "$TMP/out" | awk '{t[NR] = $2} END {printf "%.3f %.3f\n", t[int((NR + 1) / 2)], t[NR]}')
	printf '%-72s %-24s %8s %8s %8s %8s %8s\n' "$path" "$statuses" "$p50" "$pmax" "$r0" "$peak" "$r1"
	if awk '$1 >= 500 && $1 != 503 {bad = 1} $1 == 503 && $3 == "" {bad = 1} END {exit !bad}' "$TMP/out"; then
		echo "FAIL: $path: a 5xx other than 503, or a 503 without Retry-After"
		fail=1
	fi
done <<<"$ROUTES"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
awk -v s="$START_RSS" '$2 > p {p = $2} {e = $2} END {printf "rss_mib start=%s peak=%s end=%s\n", s, p, e}' "$TMP/rss"
if ! [[ -r /proc/$PID/status ]]; then
	echo "FAIL: the server is gone"
	fail=1
fi
((fail == 0)) && echo "OK: no 5xx but 503 with Retry-After"
exit "$fail"
