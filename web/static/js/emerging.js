// emerging: the "emerging hot spots" view of the hexagons — ArcGIS Pro's
// emerging hot spot analysis of the sector's firms over time, at the
// resolution on screen, drawn from the emerging vector tiles. The legend's
// numbers (the span, the cells per category, what the firms' dates lack)
// come from /api/v1/emerging?features=false, asked first: the server
// computes the analysis once and the tiles are drawn from the same answer.
import { getJSON, endpoints, ApiError, tileURL } from './api.js';
import { state } from './state.js';
import { emergingFill, emergingFillOpacity } from './palette.js';

// The layers of the view; they sit below the cluster footprints.
export const emergingLayers = ['emerging-fill', 'emerging-line'];
// The emerging layer's zoom range (the server's default).
const zooms = { minzoom: 3, maxzoom: 16 };
// A change of resolution waits this long for the map to settle.
const debounceMs = 250;

// current is what the view shows: status is off, loading, ready or error;
// key names the query of the data (or of the request under way), meta the
// answer's members.
const current = { status: 'off', key: '', query: null, meta: null, message: '' };
let controller = null;
let timer = 0;
let pending = '';
let notify = () => {};

// emergingState returns the view's status, query and, when ready, the
// answer's members.
export function emergingState() { return current; }

// emergingActive tells whether the hexagons show emerging hot spots.
export function emergingActive() { return state.metric === 'emerging' && state.layers.has('hexagons'); }

function visibility() { return emergingActive() && current.status === 'ready' ? 'visible' : 'none'; }

// emergingQuery is the query of the view at resolution res: the sector, the
// resolution, and the time step, window and span chosen (defaults left out).
export function emergingQuery(res) {
  const q = { sector: state.sector || undefined, res };
  if (state.step !== 'year') q.step = state.step;
  if (state.window !== 1) q.window = state.window;
  if (state.from) q.from = state.from;
  if (state.to) q.to = state.to;
  return q;
}

// addLayers puts the view's layers into the loaded style, once its source
// exists.
function addLayers(map) {
  if (!map.getSource('emerging')) return;
  const before = map.getLayer('clusters-fill') ? 'clusters-fill' : undefined;
  if (!map.getLayer('emerging-fill')) {
    map.addLayer({ id: 'emerging-fill', type: 'fill', source: 'emerging', 'source-layer': 'emerging', layout: { visibility: visibility() },
      paint: { 'fill-color': emergingFill(), 'fill-opacity': emergingFillOpacity() } }, before);
  }
  if (!map.getLayer('emerging-line')) {
    map.addLayer({ id: 'emerging-line', type: 'line', source: 'emerging', 'source-layer': 'emerging', minzoom: 8,
      layout: { visibility: visibility() }, paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': 0.6 } }, before);
  }
}

// setSource points the view's tiles at query q, adding the source and
// layers when they are not there yet.
function setSource(map, q) {
  const tiles = [tileURL('emerging', q)];
  const src = map.getSource('emerging');
  if (src && typeof src.setTiles === 'function') src.setTiles(tiles);
  else if (!src) map.addSource('emerging', { type: 'vector', tiles, ...zooms });
  addLayers(map);
}

// initEmerging readies the view on the map; onUpdate runs whenever its status
// or data change.
export function initEmerging(map, { onUpdate } = {}) {
  if (onUpdate) notify = onUpdate;
  map.on('style.load', () => {
    if (current.query) setSource(map, current.query);
  });
}

async function load(map, q, key) {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  Object.assign(current, { status: 'loading', key, query: q, message: '' });
  applyVisibility(map);
  notify();
  try {
    const fc = await getJSON(endpoints.emerging, { ...q, features: false }, { signal });
    if (signal.aborted) return;
    const { features, type, ...meta } = fc || {};
    Object.assign(current, { status: 'ready', meta });
    setSource(map, q);
  } catch (err) {
    if (signal.aborted || err?.name === 'AbortError') return;
    const message = err instanceof ApiError && err.message ? err.message : String(err?.message || err);
    Object.assign(current, { status: 'error', message, meta: null });
  }
  applyVisibility(map);
  notify();
}

// applyVisibility shows the layers when the view is active and its data ready.
function applyVisibility(map) {
  for (const id of emergingLayers) {
    // Setting a property redraws the map, even to its value: only on a change.
    if (map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== visibility()) map.setLayoutProperty(id, 'visibility', visibility());
  }
}

// stop aborts a request under way and hides the view.
function stop(map) {
  clearTimeout(timer);
  pending = '';
  controller?.abort();
  controller = null;
  Object.assign(current, { status: 'off', key: '', message: '', meta: null });
  applyVisibility(map);
}

// syncEmerging shows or hides the view and, when the sector, the resolution
// on screen or the method's choices changed, asks for new data after the
// map settles; a request for an older view is aborted. res null keeps the
// last resolution.
export function syncEmerging(map, res) {
  applyVisibility(map);
  if (!emergingActive()) {
    if (current.status !== 'off') { stop(map); notify(); }
    return;
  }
  const r = res ?? current.query?.res;
  if (r === null || r === undefined) return;
  const q = emergingQuery(r);
  const key = JSON.stringify(q);
  if (key === current.key) {
    clearTimeout(timer);
    pending = '';
    return;
  }
  if (key === pending) return;
  clearTimeout(timer);
  pending = key;
  timer = setTimeout(() => { pending = ''; load(map, q, key); }, debounceMs);
}

// reloadEmerging asks again for the data of the view (a new data version).
export function reloadEmerging(map, res) {
  current.key = '';
  syncEmerging(map, res);
}
