#!/bin/sh
# vendor.sh copies the browser libraries the page loads from node_modules into
# static/vendor/, where the Go binary embeds them. Run after `npm ci` whenever
# package.json changes; the copies are committed. Source-map comments are
# stripped so browsers do not ask for maps that are not shipped.
set -eu
cd "$(dirname "$0")"
out=static/vendor
rm -rf "$out" && mkdir -p "$out/maplibre-gl" "$out/chart.js" "$out/noto-sans"
ml=node_modules/maplibre-gl
for f in maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl-shared.mjs; do
	sed '/^\/\/# sourceMappingURL=/d' "$ml/dist/$f" > "$out/maplibre-gl/$f"
done
cp "$ml/dist/maplibre-gl.css" "$ml/LICENSE.txt" "$out/maplibre-gl/"
cj=node_modules/chart.js
sed '/^\/\/# sourceMappingURL=/d' "$cj/dist/chart.umd.min.js" > "$out/chart.js/chart.umd.min.js"
cp "$cj/LICENSE.md" "$out/chart.js/"
# Noto Sans (SIL OFL 1.1) for the map's labels, drawn by MapLibre from these
# fonts: the Latin and Latin Extended subsets (Turkish ğ ş İ are in the latter).
ns=node_modules/@fontsource/noto-sans
for s in latin latin-ext; do
	for w in 400 700; do cp "$ns/files/noto-sans-$s-$w-normal.woff2" "$out/noto-sans/"; done
done
cp "$ns/LICENSE" "$out/noto-sans/"
printf 'maplibre-gl %s\nchart.js %s\n@fontsource/noto-sans %s\n' \
	"$(node -p "require('./$ml/package.json').version")" \
	"$(node -p "require('./$cj/package.json').version")" \
	"$(node -p "require('./$ns/package.json').version")" > "$out/VERSIONS"
