// map: the MapLibre map, its kume sources and layers, and their updates.
import * as maplibregl from '../vendor/maplibre-gl/maplibre-gl.mjs';
import { tileURL, optionalJSON, endpoints, origin } from './api.js';
import { state, filters, pointFilters } from './state.js';
import { hexFill, regionFill, institutionIcon, footprintColor, footprintDash, highlightColor, firmColor } from './palette.js';
import { addInstitutionImages } from './symbols.js';
import { t } from './i18n.js';
import { baseStyle, labelLayers, styleFont, firstSymbolLayer } from './basemap.js';
import { holdDetails, showFirstView } from './first-view.js';

// kumeLayers are kume's tile layers, in the order their tiles are asked for.
export const kumeLayers = ['hexagons', 'clusters', 'regions', 'institutions', 'establishments'];
const sectorLayers = new Set(['regions', 'hexagons', 'clusters', 'establishments']);
// Layers whose ids the map uses, per kume layer.
export const styleLayers = {
  regions: ['regions-lq'],
  hexagons: ['hexagons-fill', 'hexagons-line'],
  clusters: ['clusters-fill', 'clusters-line'],
  establishments: ['establishments-circle'],
  institutions: ['institutions-symbol'],
};

const tileInfo = {};

// loadTileJSON reads each layer's TileJSON (zoom range, bounds) when offered.
export async function loadTileJSON() {
  await Promise.all(kumeLayers.map(async (layer) => {
    try {
      tileInfo[layer] = (await optionalJSON(endpoints.tileJSON(layer))) || {};
    } catch {
      tileInfo[layer] = {};
    }
  }));
  return tileInfo;
}

// Each tile layer accepts only its own parameters (the server rejects others).
// The firm points alone follow the time control.
function layerTiles(layer) {
  if (layer === 'establishments') return [tileURL(layer, pointFilters())];
  return [tileURL(layer, sectorLayers.has(layer) ? filters() : {})];
}

function source(layer) {
  const info = tileInfo[layer] || {};
  const src = { type: 'vector', tiles: layerTiles(layer), minzoom: info.minzoom ?? 0, maxzoom: info.maxzoom ?? 14 };
  if (Array.isArray(info.bounds) && info.bounds.length === 4) src.bounds = info.bounds;
  return src;
}

// sourceLayer is the MVT layer name inside a tile: the TileJSON's vector_layers
// entry when given, else the layer's own name.
function sourceLayer(layer) {
  const vl = tileInfo[layer]?.vector_layers;
  return Array.isArray(vl) && vl[0]?.id ? vl[0].id : layer;
}

function visibility(layer) { return state.layers.has(layer) ? 'visible' : 'none'; }

// With local Moran's I or emerging hot spots shown, the hexagon tiles stay
// loaded but are not drawn: they tell the resolution on screen
// (renderedResolution).
const ownLayer = (m) => m === 'lisa' || m === 'emerging';
function tileMetric() { return ownLayer(state.metric) ? 'gi' : state.metric; }
function hexOpacity() { return ownLayer(state.metric) ? { fill: 0, line: 0 } : { fill: 0.78, line: 0.6 }; }

// kumeStyleLayers are the style layers drawn from kume's own tiles.
function kumeStyleLayers() {
  const sl = sourceLayer;
  return [
    { id: 'regions-lq', type: 'fill', source: 'regions', 'source-layer': sl('regions'),
      layout: { visibility: visibility('regions') },
      paint: { 'fill-color': regionFill(), 'fill-opacity': 0.55 } },
    { id: 'regions-line', type: 'line', source: 'regions', 'source-layer': sl('regions'),
      paint: { 'line-color': '#7a8591', 'line-width': 0.8 } },
    { id: 'hexagons-fill', type: 'fill', source: 'hexagons', 'source-layer': sl('hexagons'),
      layout: { visibility: visibility('hexagons') },
      paint: { 'fill-color': hexFill(tileMetric()), 'fill-opacity': hexOpacity().fill } },
    { id: 'hexagons-line', type: 'line', source: 'hexagons', 'source-layer': sl('hexagons'), minzoom: 8,
      layout: { visibility: visibility('hexagons') },
      paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': hexOpacity().line } },
    { id: 'clusters-fill', type: 'fill', source: 'clusters', 'source-layer': sl('clusters'),
      layout: { visibility: visibility('clusters') },
      paint: { 'fill-color': footprintColor, 'fill-opacity': 0.04 } },
    { id: 'clusters-line', type: 'line', source: 'clusters', 'source-layer': sl('clusters'),
      layout: { visibility: visibility('clusters'), 'line-join': 'round' },
      paint: { 'line-color': footprintColor, 'line-width': 2.5, 'line-dasharray': footprintDash } },
    // The chosen region, outlined like the chosen cluster.
    { id: 'regions-highlight', type: 'line', source: 'regions', 'source-layer': sl('regions'),
      filter: ['==', ['get', 'code'], '\u0000'], layout: { 'line-join': 'round' },
      paint: { 'line-color': highlightColor, 'line-width': 3.5, 'line-opacity': 0.9 } },
    // The chosen cluster: a solid, wide outline over its dashed one.
    { id: 'clusters-highlight', type: 'line', source: 'clusters', 'source-layer': sl('clusters'),
      filter: ['==', ['to-string', ['get', 'id']], ''], layout: { 'line-join': 'round' },
      paint: { 'line-color': highlightColor, 'line-width': 4.5, 'line-opacity': 0.95 } },
    { id: 'establishments-circle', type: 'circle', source: 'establishments', 'source-layer': sl('establishments'),
      minzoom: 12, layout: { visibility: visibility('establishments') },
      paint: { 'circle-color': firmColor, 'circle-radius': 3.5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 } },
    { id: 'institutions-symbol', type: 'symbol', source: 'institutions', 'source-layer': sl('institutions'),
      layout: { visibility: visibility('institutions'), 'icon-image': institutionIcon(), 'icon-allow-overlap': true, 'icon-size': 1 } },
  ];
}

// kumeSources are the sources of kume's own data: the tile layers and the
// region name points.
function kumeSources() {
  const sources = {};
  for (const layer of kumeLayers) sources[layer] = source(layer);
  sources['region-labels'] = { type: 'geojson', data: `${origin}${endpoints.regionLabels}` };
  return sources;
}

// withKumeLayers adds kume's sources and layers to a style kume builds itself
// (offline, raster or no basemap), as its first frame shown draws them
// (first-view.js), with what comes back afterwards (held) and the colour
// shown before (background).
function withKumeLayers(style) {
  const labels = labelLayers({ places: style.sources.basemap?.type === 'vector' });
  const sources = kumeSources();
  const { layers, held } = holdDetails([...style.layers, ...kumeStyleLayers(), ...labels], Object.keys(sources));
  const background = style.layers.find((l) => l.type === 'background')?.paint?.['background-color'];
  return { style: { ...style, sources: { ...style.sources, ...sources }, layers }, held, background };
}

// addKumeLayers puts kume's sources and layers into an external style once
// it is loaded, under the style's own labels, and registers the institution
// symbols on any style.
function addKumeLayers(map, external) {
  addInstitutionImages(map);
  if (!external) return;
  for (const [id, src] of Object.entries(kumeSources())) if (!map.getSource(id)) map.addSource(id, src);
  const before = firstSymbolLayer(map);
  for (const l of kumeStyleLayers()) if (!map.getLayer(l.id)) map.addLayer(l, before);
  for (const l of labelLayers({ font: styleFont(map), places: false })) if (!map.getLayer(l.id)) map.addLayer(l);
}

// createMap builds the map on the basemap /api/v1/config describes.
export function createMap(container, { basemap, bounds, padding, interactive = true, hash = 'map' } = {}) {
  const base = baseStyle(basemap);
  const external = typeof base === 'string';
  const own = external ? null : withKumeLayers(base);
  const style = own ? own.style : base;
  const map = new maplibregl.Map({
    container,
    style,
    hash: interactive ? hash : false,
    interactive,
    bounds: bounds || undefined,
    fitBoundsOptions: { padding: padding ?? 20 },
    center: bounds ? undefined : [20, 45],
    zoom: bounds ? undefined : 3,
    maxZoom: 18,
    attributionControl: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  if (interactive) map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  map.getCanvas().setAttribute('aria-label', t('mapLabel'));
  map.on('style.load', () => addKumeLayers(map, external));
  if (own) showFirstView(map, { ...own, shown: () => applyVisibility(map) });
  return map;
}

// refreshSources points every sector-dependent source at the current filters;
// with all set, every source reloads (a new data version).
export function refreshSources(map, all = false) {
  for (const layer of kumeLayers) {
    if (!all && !sectorLayers.has(layer)) continue;
    const src = map.getSource(layer);
    if (src && typeof src.setTiles === 'function') src.setTiles(layerTiles(layer));
  }
}

// refreshPoints points the firm source at the current month.
export function refreshPoints(map) {
  const src = map.getSource('establishments');
  if (src && typeof src.setTiles === 'function') src.setTiles(layerTiles('establishments'));
}

// applyMetric colours the hexagon tiles by the chosen metric, or hides their
// colours when the local Moran's I layer draws the cells instead.
export function applyMetric(map) {
  if (!map.getLayer('hexagons-fill')) return;
  map.setPaintProperty('hexagons-fill', 'fill-color', hexFill(tileMetric()));
  map.setPaintProperty('hexagons-fill', 'fill-opacity', hexOpacity().fill);
  if (map.getLayer('hexagons-line')) map.setPaintProperty('hexagons-line', 'line-opacity', hexOpacity().line);
}

export function applyVisibility(map) {
  for (const [layer, ids] of Object.entries(styleLayers)) {
    for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', visibility(layer));
  }
}

// dataBounds is the first view: the extent of the data the server reports,
// else a layer's TileJSON bounds when they are narrower than the world.
export function dataBounds(config, info) {
  const ok = (b) => Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number') && b[0] < b[2] && b[1] < b[3];
  const world = (b) => b[2] - b[0] >= 359 && b[3] - b[1] >= 170;
  const b = [config?.bounds, info.hexagons?.bounds, info.regions?.bounds].find((x) => ok(x) && !world(x));
  return b ? [[b[0], b[1]], [b[2], b[3]]] : null;
}

// emphasiseFootprints draws the footprints at the resolution of the hexagons
// on screen boldly and those at other resolutions faintly, so nested
// footprints of several resolutions stay readable.
let emphasised;
export function emphasiseFootprints(map, res) {
  if (!map.getLayer('clusters-line') || emphasised === res) return;
  emphasised = res;
  const here = res === null || res === undefined ? true : ['==', ['get', 'res'], res];
  map.setPaintProperty('clusters-line', 'line-opacity', ['case', here, 1, 0.35]);
  map.setPaintProperty('clusters-line', 'line-width', ['case', here, 2.5, 1]);
}

// renderedResolution returns the H3 resolution of the hexagons on screen.
export function renderedResolution(map) {
  if (!map.getLayer('hexagons-fill')) return null;
  const counts = new Map();
  for (const f of map.queryRenderedFeatures({ layers: ['hexagons-fill'] })) {
    const r = f.properties.res;
    if (r !== undefined) counts.set(r, (counts.get(r) || 0) + 1);
  }
  let best = null;
  let n = 0;
  for (const [r, c] of counts) if (c > n) { best = r; n = c; }
  return best;
}

// analysed holds the H3 resolutions of the latest analysis, once known.
const analysed = { resolutions: [] };

// setAnalysedResolutions records the resolutions the latest analysis computed.
export function setAnalysedResolutions(rs) {
  if (Array.isArray(rs) && rs.length && rs.every(Number.isInteger)) analysed.resolutions = [...rs].sort((a, b) => a - b);
}

// zoomResolution is the resolution the hexagon tiles have at the map's zoom
// when none are on screen: the server's default table (res = max(2,
// min(z − 2, ⌊z/2⌋ + 3)) at tile zoom z) clamped to the analysed resolutions.
export function zoomResolution(map) {
  const info = tileInfo.hexagons || {};
  const z = Math.min(info.maxzoom ?? 16, Math.max(info.minzoom ?? 0, Math.floor(map.getZoom())));
  const want = Math.max(2, Math.min(z - 2, Math.floor(z / 2) + 3));
  const rs = analysed.resolutions.length ? analysed.resolutions : [4, 5, 6, 7, 8, 9];
  return Math.max(rs[0], Math.min(rs[rs.length - 1], want));
}

export function boundsParam(map) {
  const b = map.getBounds();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
    .map((v) => v.toFixed(5)).join(',');
}

export { maplibregl };

// highlightCluster outlines one cluster footprint boldly ('' for none).
export function highlightCluster(map, id) {
  if (map?.getLayer('clusters-highlight')) map.setFilter('clusters-highlight', ['==', ['to-string', ['get', 'id']], String(id || '')]);
}

// highlightRegion outlines one region, "level:code" ('' for none).
export function highlightRegion(map, id) {
  if (!map?.getLayer('regions-highlight')) return;
  const [level, ...rest] = String(id || '').split(':');
  const code = rest.join(':');
  map.setFilter('regions-highlight', id ? ['all', ['==', ['get', 'level'], level], ['==', ['to-string', ['get', 'code']], code]] : ['==', ['get', 'code'], '\u0000']);
}
