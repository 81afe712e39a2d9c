// state: the view's settings, kept in the URL query so a view can be shared by
// link. The map position lives in the hash (#map=zoom/lat/lon), kept by MapLibre.

export const allLayers = ['hexagons', 'clusters', 'institutions', 'establishments', 'regions'];
const defaultLayers = ['hexagons', 'clusters', 'institutions', 'establishments'];
export const metrics = ['firms', 'employees', 'lq', 'gi'];

const listeners = new Set();

export const state = {
  lang: '',
  sector: '', // "" = all firms, a NACE code, or "vc:<id>" for a value chain
  metric: 'gi',
  layers: new Set(defaultLayers),
  at: '', // yyyy-mm-dd, "" = the analysis reference date
  cluster: '', // open cluster profile
};

export function readURL() {
  const q = new URLSearchParams(window.location.search);
  state.lang = q.get('lang') || '';
  state.sector = (q.get('sector') || '').trim();
  const m = q.get('metric');
  state.metric = metrics.includes(m) ? m : 'gi';
  if (q.has('layers')) {
    state.layers = new Set(q.get('layers').split(',').filter((l) => allLayers.includes(l)));
  }
  const at = q.get('at') || '';
  state.at = /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : '';
  state.cluster = q.get('cluster') || '';
}

function writeURL() {
  const q = new URLSearchParams(window.location.search);
  const set = (k, v) => (v ? q.set(k, v) : q.delete(k));
  set('lang', state.lang);
  set('sector', state.sector);
  set('metric', state.metric === 'gi' ? '' : state.metric);
  const layers = allLayers.filter((l) => state.layers.has(l)).join(',');
  set('layers', layers === defaultLayers.join(',') ? '' : layers || 'none');
  set('at', state.at);
  set('cluster', state.cluster);
  const s = q.toString();
  const url = `${window.location.pathname}${s ? `?${s}` : ''}${window.location.hash}`;
  window.history.replaceState(window.history.state, '', url);
}

// update changes the state, rewrites the URL and tells listeners what changed.
export function update(patch) {
  const changed = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'layers') {
      const same = v.size === state.layers.size && [...v].every((x) => state.layers.has(x));
      if (same) continue;
    } else if (state[k] === v) continue;
    state[k] = v;
    changed.push(k);
  }
  if (!changed.length) return;
  writeURL();
  for (const fn of listeners) fn(changed);
}

export function onChange(fn) { listeners.add(fn); }

// The date filter is sent only when the server reports dated data.
let timeEnabled = false;
export function enableTime(on) { timeEnabled = on; }

// filters are the query parameters every data request carries.
export function filters() {
  return timeEnabled && state.at ? { sector: state.sector, at: state.at } : { sector: state.sector };
}
