#!/usr/bin/env bash
# load-private.sh checks, from outside, that a private dataset never shows on
# kume's public (anonymous) routes.
#
#   bench/load-private.sh URL DBURL DATASET [N]
#
#   URL      base URL of kume serve --db DBURL on this machine
#   DBURL    its PostgreSQL URL (read with psql to pick the private rows)
#   DATASET  name of a private dataset whose establishments have names that
#            appear nowhere else (e.g. imported with a marker in every name)
#   N        how many of its establishments to probe (default 20)
#
# For each sampled private establishment it asks, without a key: its detail
# and OGC item (must be 404), the establishments list, both exports and the OGC
# items of a small bbox around it, the establishments vector tile at z16 that
# holds it, and the ranking of its sector; none may contain its name or its
# store id as a feature id. Also the dataset list must not name the dataset,
# and ?dataset=DATASET must be refused. With a key given in KUME_KEY the
# detail must answer 200 (the probe is then known to be able to see it).
# Exits 1 on any leak.
set -euo pipefail

[[ $# -ge 3 ]] || { sed -n 2,19p "$0" >&2; exit 2; }
URL=${1%/} DBURL=$2 DATASET=$3 N=${4:-20}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
leak() {
	echo "LEAK: $*"
	fail=1
}

# get fetches a path anonymously into $TMP/body and prints the status.
get() { curl -s -o "$TMP/body" --max-time 30 -w '%{http_code}' "$URL$1"; }

rows=$(psql "$DBURL" -XAtF' ' -c "
	SELECT e.id, e.lon, e.lat, e.nace, replace(e.name, ' ', '_') FROM establishments e
	JOIN datasets d ON d.id = e.dataset_id
	WHERE d.name = '$DATASET' AND d.visibility = 'private' AND e.closed IS NULL AND e.kind = 'firm'
	ORDER BY e.id LIMIT $N")
[[ -n $rows ]] || { echo "load-private.sh: no private firms in dataset $DATASET" >&2; exit 2; }

code=$(get /api/v1/datasets)
grep -q "\"$DATASET\"" "$TMP/body" && leak "/api/v1/datasets names $DATASET"
code=$(get "/api/v1/establishments?dataset=$DATASET")
[[ $code == 404 || $code == 400 ]] || leak "?dataset=$DATASET answered $code"

checked=0
while read -r id lon lat nace name; do
	name=${name//_/ }
	code=$(get "/api/v1/establishments/$id")
	[[ $code == 404 ]] || leak "/api/v1/establishments/$id answered $code"
	code=$(get "/ogc/collections/establishments/items/$id")
	[[ $code == 404 ]] || leak "/ogc/collections/establishments/items/$id answered $code"
	if [[ -n ${KUME_KEY:-} ]]; then
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KUME_KEY" "$URL/api/v1/establishments/$id")
		[[ $code == 200 ]] || echo "note: with a key, /api/v1/establishments/$id answered $code"
	fi
	bbox=$(awk -v x="$lon" -v y="$lat" 'BEGIN {printf "%.5f,%.5f,%.5f,%.5f", x - 0.002, y - 0.002, x + 0.002, y + 0.002}')
	read -r tx ty < <(awk -v lon="$lon" -v lat="$lat" 'BEGIN {
		n = 2 ^ 16; pi = atan2(0, -1); r = lat * pi / 180
		printf "%d %d\n", (lon + 180) / 360 * n, (1 - log(sin(r) / cos(r) + 1 / cos(r)) / pi) / 2 * n }')
	sector=${nace%%.*}
	for p in "/api/v1/establishments?bbox=$bbox&limit=1000" \
		"/api/v1/export/establishments.geojson?bbox=$bbox&limit=1000" \
		"/api/v1/export/establishments.csv?bbox=$bbox&limit=1000" \
		"/ogc/collections/establishments/items?bbox=$bbox&limit=1000" \
		"/tiles/establishments/16/$tx/$ty.mvt" \
		"/api/v1/rank?sector=$sector"; do
		code=$(get "$p")
		[[ $code == 200 || $code == 204 ]] || { echo "note: $p answered $code"; continue; }
		if grep -aq "$name" "$TMP/body" ||
			grep -aqE "\"id\": ?\"?$id\"?[,}]|establishments/$id[\"?]" "$TMP/body"; then
			leak "$p shows private establishment $id ($name)"
		fi
	done
	checked=$((checked + 1))
done <<<"$rows"
echo "checked $checked private establishments of $DATASET on 6 routes each, plus detail and OGC item"
((fail == 0)) && echo "OK: nothing private on public routes"
exit "$fail"
