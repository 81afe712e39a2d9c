// basemap: the map's base style — the offline basemap kume serves (land,
// water, rivers, borders, place names from Natural Earth, labels drawn with
// the bundled Noto Sans), an external MapLibre style, raster tiles, or none —
// and the label layers kume draws above its data.
import { origin } from './api.js';
import { getLanguage } from './i18n.js';

// The font kume's own labels use. The style names no glyph server, so
// MapLibre draws each glyph itself from this font family, which css/app.css
// declares from the bundled Noto Sans woff2 files (Latin and Latin Extended:
// Turkish ğ ş ı İ included) and index.html preloads, so that the first labels
// need not wait for it.
export const labelFont = 'Noto Sans Regular';

// loadLabelFont loads both subsets of the label font before the map asks for
// glyphs, so that no Turkish letter is drawn from a fallback font.
export function loadLabelFont() {
  return document.fonts?.load(`16px "${labelFont}"`, 'Aa ğşıİĞŞçöüÇÖÜ').catch(() => []) ?? Promise.resolve([]);
}

export const colors = { water: '#c6dcea', land: '#f4f2ec', river: '#9fc2da', border: '#9a8fa6', text: '#3a3f45', halo: 'rgba(255,255,255,0.9)' };

// placeName is the label of a basemap place in the page's language: its
// Turkish or English name where the data has one, else its local name.
export function placeName(lang = getLanguage()) {
  return ['coalesce', ['get', lang === 'tr' ? 'name_tr' : 'name_en'], ['get', 'name']];
}

// offlineLayers are the basemap layers drawn under kume's data.
function offlineLayers() {
  return [
    { id: 'bm-background', type: 'background', paint: { 'background-color': colors.water } },
    { id: 'bm-land', type: 'fill', source: 'basemap', 'source-layer': 'land', paint: { 'fill-color': colors.land, 'fill-antialias': false } },
    { id: 'bm-water', type: 'fill', source: 'basemap', 'source-layer': 'water', paint: { 'fill-color': colors.water } },
    { id: 'bm-rivers', type: 'line', source: 'basemap', 'source-layer': 'rivers',
      paint: { 'line-color': colors.river, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.4, 10, 1.6, 14, 3] } },
    { id: 'bm-borders', type: 'line', source: 'basemap', 'source-layer': 'boundaries',
      paint: { 'line-color': colors.border, 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.6, 10, 1.6], 'line-dasharray': [4, 2] } },
  ];
}

// labelLayers are drawn above kume's data: region names (from kume's regions
// tiles) and, with the offline basemap, place names.
export function labelLayers({ font = labelFont, places = true } = {}) {
  const layers = [{
    // One point per region (/api/v1/region-labels): provinces from zoom 5,
    // Berlin's districts from 9, other levels from 7.
    id: 'regions-label', type: 'symbol', source: 'region-labels', minzoom: 5,
    filter: ['match', ['get', 'level'], 'province', true, 'bezirk', ['>=', ['zoom'], 9], ['>=', ['zoom'], 7]],
    layout: { 'text-field': ['get', 'name'], 'text-font': [font], 'text-size': ['interpolate', ['linear'], ['zoom'], 5, 10, 12, 13],
      'text-letter-spacing': 0.04, 'text-max-width': 8, 'text-padding': 4 },
    paint: { 'text-color': '#5b5170', 'text-halo-color': colors.halo, 'text-halo-width': 1.4 },
  }];
  if (places) {
    layers.push({
      id: 'bm-places', type: 'symbol', source: 'places', 'source-layer': 'places',
      layout: { 'text-field': placeName(), 'text-font': [font], 'symbol-sort-key': ['get', 'rank'],
        'text-size': ['interpolate', ['linear'], ['get', 'rank'], 0, 15, 4, 13, 8, 11], 'text-max-width': 8,
        'text-variable-anchor': ['top', 'bottom', 'left', 'right'], 'text-radial-offset': 0.4, 'text-padding': 3 },
      paint: { 'text-color': colors.text, 'text-halo-color': colors.halo, 'text-halo-width': 1.6 },
    }, {
      id: 'bm-place-dots', type: 'circle', source: 'places', 'source-layer': 'places', maxzoom: 9,
      paint: { 'circle-radius': ['interpolate', ['linear'], ['get', 'rank'], 0, 3.5, 8, 2], 'circle-color': '#55595f', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
    });
  }
  return layers;
}

// baseStyle is the style the map starts from, for a basemap as /api/v1/config
// describes it ({kind, url, attribution, maxzoom}).
export function baseStyle(bm) {
  const kind = bm?.kind || 'none';
  if (kind === 'style' && bm.url) return bm.url;
  const style = { version: 8, sources: {}, layers: [] };
  if (kind === 'offline') {
    const tiles = { type: 'vector', tiles: [`${origin}/basemap/{z}/{x}/{y}.mvt`], minzoom: 0, maxzoom: bm.maxzoom || 8 };
    style.sources.basemap = { ...tiles, attribution: 'Natural Earth' };
    // Place names read the same tiles as a source of their own, so that a
    // tile's land and water need not wait for the names' glyphs.
    style.sources.places = tiles;
    style.layers = offlineLayers();
  } else if (kind === 'raster' && bm.url) {
    style.sources.basemap = { type: 'raster', tiles: [bm.url], tileSize: 256, attribution: bm.attribution || '' };
    style.layers = [{ id: 'bm-background', type: 'background', paint: { 'background-color': '#eef0f2' } },
      { id: 'bm-raster', type: 'raster', source: 'basemap', paint: { 'raster-opacity': 0.9, 'raster-saturation': -0.3 } }];
  } else {
    style.layers = [{ id: 'bm-background', type: 'background', paint: { 'background-color': '#eef0f2' } }];
  }
  return style;
}

// styleFont is a font the loaded style can draw: kume's own, or the first
// text font of an external style's layers (its glyph server has that one).
export function styleFont(map) {
  if (!map.getStyle()?.glyphs) return labelFont;
  for (const l of map.getStyle()?.layers || []) {
    const f = l.layout?.['text-font'];
    if (Array.isArray(f) && typeof f[0] === 'string') return f[0];
  }
  return labelFont;
}

// firstSymbolLayer is the id of the external style's first label layer, so
// that kume's data goes under the style's own labels.
export function firstSymbolLayer(map) {
  return (map.getStyle()?.layers || []).find((l) => l.type === 'symbol' && !l.id.startsWith('regions-') && !l.id.startsWith('bm-'))?.id;
}

// relabel switches the place names to the page's language.
export function relabelPlaces(map) {
  if (map?.getLayer('bm-places')) map.setLayoutProperty('bm-places', 'text-field', placeName());
}
