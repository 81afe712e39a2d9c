// state: the view's settings, kept in the URL query so a view can be shared by
// link. The map position lives in the hash (#map=zoom/lat/lon), kept by MapLibre.

export const allLayers = ['hexagons', 'clusters', 'institutions', 'establishments', 'regions'];
const defaultLayers = ['hexagons', 'clusters', 'institutions', 'establishments'];
export const metrics = ['firms', 'employees', 'lq', 'gi', 'lisa', 'emerging'];
export const steps = ['year', 'quarter', 'month'];
// A span's bound: a year, a quarter or a month (as /api/v1/emerging reads it).
const periodRE = /^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/;

const listeners = new Set();

export const state = {
  lang: '',
  sector: '', // "" = all firms, a NACE code, or "vc:<id>" for a value chain
  metric: 'gi',
  layers: new Set(defaultLayers),
  at: '', // yyyy-mm: firm points active at the end of that month; "" = today
  cluster: '', // open cluster profile
  fdr: false, // local Moran's I: Benjamini–Hochberg over the study area instead of each cell at alpha
  region: '', // open region profile, "level:code"
  compare: [], // units compared side by side: "cluster:<id>" or "region:<level>:<code>"
  view: '', // "compare" when the comparison is open
  step: 'year', // emerging hot spots: the time step
  window: 1, // emerging hot spots: previous steps in a bin's neighbourhood
  from: '', // emerging hot spots: the span's first step ("" = the data's default)
  to: '', // emerging hot spots: the span's last step
};

const unitRE = /^(cluster:[\w.-]{1,80}|region:[a-z][a-z0-9_]{0,39}:[\p{L}\p{N}._-]{1,64})$/u;

export function readURL() {
  const q = new URLSearchParams(window.location.search);
  state.lang = q.get('lang') || '';
  state.sector = (q.get('sector') || '').trim();
  const m = q.get('metric');
  state.metric = metrics.includes(m) ? m : 'gi';
  if (q.has('layers')) {
    state.layers = new Set(q.get('layers').split(',').filter((l) => allLayers.includes(l)));
  }
  const at = (q.get('at') || '').slice(0, 7);
  state.at = /^\d{4}-(0[1-9]|1[0-2])$/.test(at) ? at : '';
  state.cluster = q.get('cluster') || '';
  state.fdr = q.get('fdr') === '1';
  state.region = (q.get('region') || '').trim();
  state.compare = (q.get('compare') || '').split(',').filter((u) => unitRE.test(u)).slice(0, 6);
  state.view = q.get('view') === 'compare' ? 'compare' : '';
  state.step = steps.includes(q.get('step')) ? q.get('step') : 'year';
  const w = Number(q.get('window') ?? 1);
  state.window = Number.isInteger(w) && w >= 0 && w <= 24 ? w : 1;
  state.from = periodRE.test(q.get('from') || '') ? q.get('from') : '';
  state.to = periodRE.test(q.get('to') || '') ? q.get('to') : '';
}

// validPeriod tells whether a span bound is one the page sends.
export function validPeriod(s) { return s === '' || periodRE.test(s); }

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
  set('fdr', state.fdr ? '1' : '');
  set('region', state.region);
  set('compare', state.compare.join(','));
  set('view', state.view);
  set('step', state.step === 'year' ? '' : state.step);
  set('window', state.window === 1 ? '' : String(state.window));
  set('from', state.from);
  set('to', state.to);
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
    } else if (k === 'compare') {
      if (v.join() === state.compare.join()) continue;
    } else if (state[k] === v) continue;
    state[k] = v;
    changed.push(k);
  }
  if (!changed.length) return;
  writeURL();
  for (const fn of listeners) fn(changed);
}

export function onChange(fn) { listeners.add(fn); }

// time: the firm points can show a past month's end when the server reports
// dated data; hexagons and footprints stay at the analysis reference date.
export const time = { enabled: false, reference: '' };
export function enableTime(on) { time.enabled = on; }

// monthEnd returns the last day (yyyy-mm-dd) of a month yyyy-mm.
export function monthEnd(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

// filters are the query parameters every data request carries.
export function filters() {
  return { sector: state.sector };
}

// pointFilters are those of the firm points: the sector and, with a month
// chosen, the day at whose end they are shown.
export function pointFilters() {
  return time.enabled && state.at ? { sector: state.sector, at: monthEnd(state.at) } : filters();
}
