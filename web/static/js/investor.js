// investor: rank regions or footprints for a sector with user-set weights, a
// bar per score component, and a fly-to on each result.
import { getJSON, endpoints, ApiError } from './api.js';
import { t, fmtNumber, getLanguage, has } from './i18n.js';
import { state } from './state.js';
import { el, clear, $ } from './dom.js';
import { clusterDetails } from './sector.js';
import { clusterIndex, clusterName, loadRegions, regionLabel, region } from './names.js';
import { openCluster, openRegion } from './cluster-panel.js';
import { addToCompare } from './compare.js';

const compColors = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
let components = []; // [{name, label}]
const weights = new Map(); // slider positions 0..100
let scale = 1; // the weight a slider at 100 stands for
let seq = 0;
let timer = 0;
let mapRef = null;
// Until the user picks a unit, cluster footprints are ranked (they have a
// place on the map), and regions when the sector has no footprint.
let unitAuto = true;

function label(c) {
  if (has(`comp.${c.name}`)) return t(`comp.${c.name}`);
  const l = c.label ?? c.title;
  if (l && typeof l === 'object') return l[getLanguage()] || l.en || c.name;
  return l || String(c.name).replace(/_/g, ' ');
}

// normalise reads a ranking answer: {weights: {name: w}, items: [{rank, id,
// name, score, components: [{name, weight, contribution, ...}]}]}.
function normalise(body) {
  const results = Array.isArray(body) ? body : body?.items || body?.results || [];
  let comps = Array.isArray(body?.components) ? body.components : [];
  if (!comps.length && body?.weights && typeof body.weights === 'object') {
    comps = Object.entries(body.weights).map(([name, weight]) => ({ name, weight }));
  }
  comps = comps.map((c) => (typeof c === 'string' ? { name: c } : { ...c, name: c.name || c.id || c.key }));
  if (!comps.length && results[0]) {
    const rc = results[0].components;
    comps = (Array.isArray(rc) ? rc.map((x) => x.name) : Object.keys(rc || {})).map((name) => ({ name }));
  }
  return { results, comps };
}

// contribution reads one component's part of a result's score.
function contribution(r, name) {
  const rc = r.components;
  const v = Array.isArray(rc) ? rc.find((x) => x.name === name) : rc?.[name];
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object') return v.contribution ?? (v.weight ?? 0) * (v.value ?? v.score ?? 0);
  return 0;
}

function renderSliders() {
  const box = clear($('#weights'));
  components.forEach((c, i) => {
    const id = `w-${c.name}`;
    const out = el('output', { for: id, id: `${id}-out` }, String(weights.get(c.name)));
    const input = el('input', { type: 'range', id, min: 0, max: 100, step: 5, value: weights.get(c.name),
      'aria-label': t('weight', { name: label(c) }) });
    input.addEventListener('input', () => {
      weights.set(c.name, Number(input.value));
      out.textContent = input.value;
      clearTimeout(timer);
      timer = setTimeout(rank, 250);
    });
    const sw = el('span', { class: 'sw sw-fill', 'aria-hidden': 'true' });
    sw.style.setProperty('--c', compColors[i % compColors.length]);
    box.append(el('div', { class: 'weight' }, [el('label', { for: id }, [sw, label(c)]), input, out]));
  });
}

// place finds a result's extent: its own bbox, else the region's or cluster's.
async function place(r, unit) {
  if (r.bbox || r.bounds || r.center) return r;
  try {
    if (unit === 'cluster') {
      const c = await getJSON(endpoints.cluster(r.id));
      return { bbox: geometryBBox(c.geometry) };
    }
    if (unit === 'region') {
      if (region(r.id)?.bbox) return { bbox: region(r.id).bbox };
      const [level, code] = String(r.id).includes(':') ? String(r.id).split(':') : ['', String(r.id)];
      const p = await getJSON(`/api/v1/regions/${encodeURIComponent(code)}/profile`, { level });
      return { bbox: p?.region?.bbox };
    }
  } catch { /* no extent known: stay */ }
  return r;
}

export function geometryBBox(g) {
  if (!g?.coordinates) return null;
  const b = [180, 90, -180, -90];
  const walk = (co) => {
    if (typeof co[0] === 'number') {
      b[0] = Math.min(b[0], co[0]); b[1] = Math.min(b[1], co[1]);
      b[2] = Math.max(b[2], co[0]); b[3] = Math.max(b[3], co[1]);
    } else co.forEach(walk);
  };
  walk(g.coordinates);
  return b[0] <= b[2] ? b : null;
}

async function flyTo(item, unit) {
  if (!mapRef) return;
  const r = await place(item, unit);
  const bbox = r.bbox || r.bounds;
  if (Array.isArray(bbox) && bbox.length === 4) {
    mapRef.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 40, maxZoom: 11 });
    return;
  }
  const c = r.center || r.centroid || (typeof r.lon === 'number' ? [r.lon, r.lat] : null);
  if (Array.isArray(c)) mapRef.flyTo({ center: c, zoom: Math.max(mapRef.getZoom(), 8) });
  else $('#rank-status').textContent = t('noExtent');
}

function componentValue(r, name) {
  const v = Array.isArray(r.components) ? r.components.find((x) => x.name === name) : null;
  return typeof v?.value === 'number' ? v.value : undefined;
}

// displayName names a result: a region by its name and level, a cluster by
// its place and sector, never by its key.
function displayName(r, unit) {
  if (unit === 'cluster') {
    const c = { id: r.id, name: r.name, name_tr: r.name_tr, place: r.place, sector: state.sector };
    const firms = componentValue(r, 'critical_mass_firms');
    return [clusterName(c), clusterDetails({ firms })].filter(Boolean).join(' · ');
  }
  return regionLabel(r.id, r.name);
}

// show opens a result's profile, which frames it on the map.
function show(r, unit) {
  if (unit === 'cluster') return openCluster(String(r.id));
  if (region(r.id)) return openRegion(String(r.id));
  return flyTo(r, unit);
}

function renderResults(results, unit) {
  const list = clear($('#rank-results'));
  if (!results.length) { list.append(el('li', { class: 'muted' }, t('noResults'))); return; }
  const max = Math.max(...results.map((r) => Number(r.score) || 0), 1e-9);
  results.slice(0, 25).forEach((r, i) => {
    const name = displayName(r, unit);
    const bar = el('span', { class: 'stack', 'aria-hidden': 'true' });
    components.forEach((c, k) => {
      const part = el('span', { title: `${label(c)}: ${fmtNumber(contribution(r, c.name), 3)}` });
      part.style.width = `${Math.max(0, contribution(r, c.name)) / max * 100}%`;
      part.style.background = compColors[k % compColors.length];
      bar.append(part);
    });
    const desc = components.map((c) => `${label(c)} ${fmtNumber(contribution(r, c.name), 2)}`).join(', ');
    const btn = el('button', { type: 'button', class: 'result', 'data-id': String(r.id), 'aria-label': `${t('flyTo', { name })}. ${t('score')} ${fmtNumber(r.score, 2)}: ${desc}`,
      onclick: () => show(r, unit) }, [
      el('span', { class: 'rank-no' }, String(r.rank ?? i + 1)),
      el('span', { class: 'rname' }, name),
      el('span', { class: 'score' }, fmtNumber(r.score, 2)),
      bar,
    ]);
    const cmp = el('button', { type: 'button', class: 'icon-btn small add-compare', 'aria-label': t('addToCompareNamed', { name }), title: t('addToCompare'),
      onclick: () => addToCompare(`${unit}:${r.id}`) }, '+');
    list.append(el('li', { class: 'result-row' }, [btn, cmp]));
  });
}

export async function rank() {
  const status = $('#rank-status');
  if (!state.sector) { status.textContent = t('pickSector'); clear($('#rank-results')); return; }
  const my = ++seq;
  status.textContent = t('loading');
  const select = $('#rank-unit');
  const w = components.map((c) => `${c.name}:${(weights.get(c.name) / 100 * scale).toFixed(3)}`).join(',');
  const ask = (unit) => getJSON(endpoints.rank, { sector: state.sector, unit, weights: w || undefined, limit: 25 });
  let unit = unitAuto ? 'cluster' : select.value;
  let note = '';
  let body;
  try {
    body = await ask(unit);
    if (unitAuto && !normalise(body).results.length) {
      const other = await ask('region');
      if (normalise(other).results.length) { body = other; unit = 'region'; note = t('rankFallback'); }
    }
  } catch (err) {
    if (my !== seq) return;
    status.textContent = err instanceof ApiError && err.status === 404 && !err.code
      ? t('unavailable', { what: endpoints.rank }) : t('rankError', { what: err.message });
    return;
  }
  await (unit === 'cluster' ? clusterIndex(state.sector) : loadRegions()).catch(() => {});
  if (my !== seq) return;
  select.value = unit;
  const { results, comps } = normalise(body);
  if (comps.length && comps.map((c) => c.name).join() !== components.map((c) => c.name).join()) {
    components = comps;
    scale = Math.max(1, ...comps.map((c) => Number(c.weight) || 0));
    for (const c of comps) if (!weights.has(c.name)) weights.set(c.name, Math.round((Number(c.weight ?? 0.5) / scale) * 100));
    renderSliders();
  }
  status.textContent = `${note ? `${note} ` : ''}${t('results')}: ${fmtNumber(results.length)}`;
  renderResults(results, unit);
}

export function initInvestor(map) {
  mapRef = map;
  $('#rank-form').addEventListener('submit', (e) => { e.preventDefault(); rank(); });
  $('#rank-unit').addEventListener('change', () => { unitAuto = false; rank(); });
}

export function relabelInvestor() { if (components.length) renderSliders(); }
