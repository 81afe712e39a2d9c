// lisa: the "clusters and outliers" view of the hexagons — local Moran's I of
// the sector's firm counts at the resolution on screen, asked of
// /api/v1/lisa and drawn as a GeoJSON layer coloured by quadrant.
import { getJSON, endpoints, ApiError } from './api.js';
import { state } from './state.js';
import { lisaFill, lisaFillOpacity } from './palette.js';

// lisaParams are the method parameters the page asks for; fdr comes from the
// state (see lisaFdrParam).
export const lisaParams = { permutations: 999, seed: 1 };

// lisaFdrParam is the fdr parameter of a request: true, or left out.
function lisaFdrParam(fdr) { return fdr ? { fdr: true } : {}; }

// The layers of the view; they sit below the cluster footprints.
export const lisaLayers = ['lisa-fill', 'lisa-line'];
const emptyCollection = { type: 'FeatureCollection', features: [] };
// A change of resolution waits this long for the map to settle.
const debounceMs = 250;

// current is what the view shows: status is off, loading, ready or error;
// key names the sector and resolution of the data (or of the request under way).
const current = { status: 'off', key: '', sector: '', res: null, fdr: false, message: '', meta: null, counts: null };
let controller = null;
let timer = 0;
let pending = '';
let notify = () => {};

// lisaState returns the view's status and, when ready, the response's members
// (method parameters, n, global Moran's I) and the significant cells per quadrant.
export function lisaState() { return current; }

// lisaActive tells whether the hexagons show local Moran's I.
export function lisaActive() { return state.metric === 'lisa' && state.layers.has('hexagons'); }

function visibility() { return lisaActive() ? 'visible' : 'none'; }

// addLisaLayers puts the view's source and layers into the loaded style.
function addLisaLayers(map) {
  if (!map.getSource('lisa')) map.addSource('lisa', { type: 'geojson', data: emptyCollection });
  const before = map.getLayer('clusters-fill') ? 'clusters-fill' : undefined;
  if (!map.getLayer('lisa-fill')) {
    map.addLayer({ id: 'lisa-fill', type: 'fill', source: 'lisa', layout: { visibility: visibility() },
      paint: { 'fill-color': lisaFill(), 'fill-opacity': lisaFillOpacity() } }, before);
  }
  if (!map.getLayer('lisa-line')) {
    map.addLayer({ id: 'lisa-line', type: 'line', source: 'lisa', minzoom: 8, layout: { visibility: visibility() },
      paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': 0.6 } }, before);
  }
}

// initLisa adds the view to the map; onUpdate runs whenever its status or
// data change.
export function initLisa(map, { onUpdate } = {}) {
  if (onUpdate) notify = onUpdate;
  map.on('style.load', () => { addLisaLayers(map); current.key = ''; });
  if (map.isStyleLoaded()) addLisaLayers(map);
}

// summarise counts the significant cells per quadrant.
function summarise(fc) {
  const counts = { HH: 0, HL: 0, LH: 0, LL: 0, notSignificant: 0 };
  for (const f of fc.features || []) {
    const p = f.properties || {};
    if (p.significant === true && p.quadrant in counts) counts[p.quadrant] += 1;
    else counts.notSignificant += 1;
  }
  return counts;
}

function setData(map, fc) {
  const src = map.getSource('lisa');
  if (src) src.setData(fc);
}

async function load(map, sector, res, fdr, key) {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  Object.assign(current, { status: 'loading', key, sector, res, fdr, message: '' });
  notify();
  try {
    const fc = await getJSON(endpoints.lisa, { sector, res, ...lisaParams, ...lisaFdrParam(fdr) }, { signal });
    if (signal.aborted) return;
    const { features, type, ...meta } = fc || emptyCollection;
    setData(map, fc || emptyCollection);
    Object.assign(current, { status: 'ready', meta, counts: summarise(fc || emptyCollection) });
  } catch (err) {
    if (signal.aborted || err?.name === 'AbortError') return;
    setData(map, emptyCollection);
    const message = err instanceof ApiError && err.message ? err.message : String(err?.message || err);
    Object.assign(current, { status: 'error', message, meta: null, counts: null });
  }
  notify();
}

// stop aborts a request under way and empties the layer.
function stop(map) {
  clearTimeout(timer);
  pending = '';
  controller?.abort();
  controller = null;
  setData(map, emptyCollection);
  Object.assign(current, { status: 'off', key: '', sector: '', res: null, message: '', meta: null, counts: null });
}

// syncLisa shows or hides the view and, when the sector or the resolution on
// screen changed, asks for new data after the map settles; a request for an
// older view is aborted. res null keeps the last resolution.
export function syncLisa(map, res) {
  // Setting a property redraws the map, even to its value: only on a change,
  // or every idle would start another frame.
  for (const id of lisaLayers) {
    if (map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== visibility()) map.setLayoutProperty(id, 'visibility', visibility());
  }
  if (!lisaActive()) {
    if (current.status !== 'off') { stop(map); notify(); }
    return;
  }
  const r = res ?? current.res;
  if (r === null || r === undefined) return;
  const key = `${state.sector}\u0000${r}\u0000${state.fdr}`;
  if (key === current.key) {
    // Back at the view already shown (or asked for): drop a newer pending ask.
    clearTimeout(timer);
    pending = '';
    return;
  }
  if (key === pending) return;
  clearTimeout(timer);
  pending = key;
  const { sector, fdr } = state;
  timer = setTimeout(() => { pending = ''; load(map, sector, r, fdr, key); }, debounceMs);
}

// lisaQuery is the query of the view's request: sector, resolution and method
// parameters (fdr among them when chosen); null while no resolution is known.
export function lisaQuery() {
  return current.res === null ? null
    : { sector: current.sector, res: current.res, ...lisaParams, ...lisaFdrParam(current.fdr) };
}

// reloadLisa asks again for the data of the view (a new data version).
export function reloadLisa(map, res) {
  current.key = '';
  syncLisa(map, res);
}
