// cluster-panel: the profile of one cluster footprint or region, beside the
// map: named, framed and highlighted on the map with its supporting actors,
// with its composition, strengths, trends and downloads.
import { getJSON, endpoints, exportURL } from './api.js';
import { t, fmtNumber, fmtPercent, has, getLanguage } from './i18n.js';
import { state, update } from './state.js';
import { barChart, wrapLabel } from './charts.js';
import { resolveName, loadSubtree, sectorName, sectorLabel } from './sector.js';
import { el, clear, $ } from './dom.js';
import { clusterName, bboxOf, centreOf, placesAt, region, regionLabel, loadRegions, levelName } from './names.js';
import { frameBBox } from './frame.js';
import { highlightCluster, highlightRegion } from './map.js';
import { loadTrend, renderTrend } from './trends.js';
import { showActors } from './actors.js';
import { addToCompare } from './compare.js';
import { loadDynamics, renderDynamics } from './dynamics.js';

let charts = [];
let current = null;
let mapRef = null;

function pick(obj, ...paths) {
  for (const p of paths) {
    const v = p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

export function instName(type) { return has(`inst.${type}`) ? t(`inst.${type}`) : type; }

// ecosystemValue sums up a cluster's ecosystem: the kinds of supporting actor
// present of those assessed, and how many could not be assessed (the
// institution register holds none near the cluster: unknown, not missing).
export function ecosystemValue(eco) {
  const n = (eco.present || []).length;
  const u = (eco.unassessed || []).length;
  const value = t('ecosystemValue', { n: fmtNumber(n), total: fmtNumber(n + (eco.missing || []).length) });
  return u ? `${value} · ${t('ecosystemUnassessedValue', { n: fmtNumber(u) })}` : value;
}

// ecosystemLists are the ecosystem's kinds by state: [heading, names,
// state] with state 'present', 'missing' or 'unassessed'.
export function ecosystemLists(eco) {
  const names = (ids) => (ids || []).map(instName).join(', ') || t('none');
  const out = [[t('ecosystemPresent'), names(eco.present), 'present'], [t('ecosystemMissing'), names(eco.missing), 'missing']];
  if ((eco.unassessed || []).length) out.push([t('ecosystemUnassessed'), names(eco.unassessed), 'unassessed']);
  return out;
}

function instList(m) {
  const e = Object.entries(m || {}).filter(([, n]) => n > 0);
  if (!e.length) return el('p', { class: 'muted' }, t('none'));
  return el('ul', { class: 'inst-list' }, e.map(([type, n]) => el('li', {}, `${instName(type)}: ${fmtNumber(n)}`)));
}

// textOf reads a strength or weakness: a string or {en, tr, ...}.
export function textOf(x) {
  if (typeof x === 'string') return x;
  return x[getLanguage()] || x.en || x.text || x.label || x.message || '';
}

// honestItems drops profile statements about growth when the trend says the
// founding dates do not allow one (a shrinking claimed from exits alone).
export function honestItems(items, trend) {
  const arr = Array.isArray(items) ? items : [];
  if (!trend || trend.growth?.claimable) return arr;
  return arr.filter((x) => !(typeof x === 'object' && /growth|dynamism/.test(String(x.metric || ''))));
}

function textList(items) {
  const arr = items.map(textOf).filter(Boolean);
  if (!arr.length) return el('p', { class: 'muted' }, t('none'));
  return el('ul', {}, arr.map((x) => el('li', {}, x)));
}

export function roleNames(list) {
  const arr = Array.isArray(list) ? list : [];
  if (!arr.length) return t('none');
  return arr.map((r) => (has(`role.${r}`) ? t(`role.${r}`) : r)).join(', ');
}

const sizeOrder = ['micro', 'small', 'medium', 'large', 'unknown'];

// sizePairs reads the profile's firm sizes ({micro: n, ...}) in size order.
export function sizePairs(c) {
  const v = pick(c, 'profile.sizes', 'sizes') || {};
  const keys = [...sizeOrder.filter((k) => k in v), ...Object.keys(v).filter((k) => !sizeOrder.includes(k))];
  return keys.filter((k) => typeof v[k] === 'number' && v[k] > 0)
    .map((k) => [has(`size.${k}`) ? t(`size.${k}`) : k, v[k]]);
}

// composition lists the footprint's NACE classes by active firms: the
// cluster's own composition when the server gives it, else a count of the
// firms inside the footprint.
export async function composition(c) {
  let rows;
  if (Array.isArray(c.composition) && c.composition.length) {
    rows = c.composition.map((x) => [String(x.code), Number(x.firms) || 0, x.role]);
  } else {
    const fc = await getJSON('/api/v1/export/establishments.geojson', { cluster: c.id, kind: 'firm', limit: 10000 });
    const today = new Date().toISOString().slice(0, 10);
    const comp = new Map();
    for (const f of fc?.features || []) {
      const p = f.properties || {};
      if (p.closed && p.closed <= today) continue;
      const code = String(p.nace || '?');
      comp.set(code, (comp.get(code) || 0) + 1);
    }
    rows = [...comp];
  }
  const top = rows.sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (c.sector && !String(c.sector).startsWith('vc:')) await loadSubtree(String(c.sector)).catch(() => {});
  await Promise.all(top.map(([code]) => resolveName(code).catch(() => {})));
  return top.map(([code, n, role]) => {
    const name = sectorName(code);
    const r = role && has(`role.${role}`) ? ` (${t(`role.${role}`)})` : '';
    return [wrapLabel(name ? `${code} ${name}${r}` : `${code}${r}`), n];
  });
}

async function chartSection(body, title, data, color, note) {
  const canvas = el('canvas', { role: 'img', 'aria-label': title });
  const lines = data.reduce((n, d) => n + (Array.isArray(d[0]) ? d[0].length : 1), 0);
  const wrap = el('div', { class: 'chart', style: `height:${Math.max(90, lines * 14 + data.length * 8 + 40)}px` }, canvas);
  body.append(el('h3', {}, title));
  if (note && data.length) body.append(el('p', { class: 'muted' }, note));
  body.append(data.length ? wrap : el('p', { class: 'muted' }, t('noData')));
  if (data.length) charts.push(await barChart(canvas, data.map((d) => d[0]), data.map((d) => d[1]), { color, label: title, format: (v) => fmtNumber(v) }));
}

// downloads links the firms and cells of the footprint itself.
function downloads(c) {
  const links = [];
  const layers = [['establishments', t('downloadFirms'), { kind: 'firm' }], ['hexagons', t('downloadCells'), {}]];
  for (const [layer, label, extra] of layers) {
    for (const fmt of ['geojson', 'csv']) {
      links.push(el('a', { class: 'btn', href: exportURL(layer, fmt, { cluster: c.id, ...extra }), download: `kume-cluster-${c.id}-${layer}.${fmt}`,
        'data-export': `${layer}.${fmt}` }, `${label} · ${fmt === 'geojson' ? 'GeoJSON' : 'CSV'}`));
    }
  }
  return el('div', { class: 'downloads' }, [el('h3', {}, t('download')), ...links]);
}

export function stars(n, strong) {
  const s = `${'★'.repeat(n || 0)}${'☆'.repeat(Math.max(0, 3 - (n || 0)))}`;
  return strong ? `${s} · ${t('strong')}` : s;
}

function actions(kind, id) {
  const box = el('div', { class: 'panel-actions' });
  box.append(el('button', { type: 'button', class: 'btn', 'data-action': 'compare', onclick: () => addToCompare(`${kind}:${id}`) }, t('addToCompare')));
  if (kind === 'cluster') {
    box.append(el('a', { class: 'btn', 'data-action': 'report', href: `report.html?${new URLSearchParams({ cluster: id, lang: getLanguage(), sector: state.sector || '' })}`,
      target: '_blank', rel: 'noopener' }, t('printReport')));
  }
  return box;
}

function startPanel(id) {
  for (const c of charts) c?.destroy();
  charts = [];
  current = id;
  const panel = $('#cluster-panel');
  const body = clear($('#cluster-body'));
  panel.hidden = false;
  panel.setAttribute('aria-busy', 'true');
  return body;
}

function failed(body, err) {
  body.append(el('p', { class: 'error', role: 'alert' }, t('error', { what: err.message })));
  $('#cluster-panel').removeAttribute('aria-busy');
}

export function closeCluster() {
  for (const c of charts) c?.destroy();
  charts = [];
  current = null;
  $('#cluster-panel').hidden = true;
  highlightCluster(mapRef, '');
  highlightRegion(mapRef, '');
  showActors(mapRef, null);
  if (state.cluster || state.region) update({ cluster: '', region: '' });
}

// openCluster loads a cluster's profile, frames the footprint beside the
// panel and highlights it and its supporting actors.
export async function openCluster(id, { frame = true } = {}) {
  const body = startPanel(id);
  $('#cluster-title').textContent = t('cluster');
  update({ cluster: id, region: '' });
  let c;
  try {
    c = await getJSON(endpoints.cluster(id));
  } catch (err) {
    failed(body, err);
    return;
  }
  if (current !== id) return;
  const sector = String(c.sector ?? '');
  const centre = centreOf(c.geometry);
  await Promise.all([sector ? resolveName(sector).catch(() => {}) : null, placesAt([centre])]);
  if (current !== id) return;
  const bbox = bboxOf(c.geometry);
  highlightCluster(mapRef, id);
  highlightRegion(mapRef, '');
  if (frame) frameBBox(mapRef, bbox);
  showActors(mapRef, bbox, c);
  $('#cluster-title').textContent = clusterName(c, centre);
  const trendP = loadTrend({ cluster: id }).catch(() => null);
  const dynamicsP = loadDynamics(id).catch((err) => ({ error: err }));
  const dl = el('dl', { class: 'facts' });
  const fact = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  fact(t('sectorFact'), sector ? sectorLabel(sector) : t('allSectors'));
  if (c.place) fact(t('place'), c.place);
  fact(t('firms'), c.suppressed ? t('suppressedValue') : fmtNumber(c.firms));
  fact(t('employees'), c.suppressed ? t('suppressedValue') : `≈ ${fmtNumber(c.employees)}`);
  if (typeof c.focus_firms === 'number' && typeof c.expected === 'number') {
    fact(t('focusFirms'), t('focusFirmsValue', { n: fmtNumber(c.focus_firms), e: fmtNumber(c.expected, 1) }));
  }
  fact(typeof c.focus_firms === 'number' ? t('lqFocus') : t('lq'), typeof c.lq === 'number' ? fmtNumber(c.lq, 2) : '–');
  fact(t('stars'), stars(c.stars, c.strong));
  if (typeof c.p_value === 'number') fact('p', c.p_value < 1e-4 ? t('pBelow') : fmtNumber(c.p_value, 4));
  if (typeof c.share === 'number') fact(t('share'), fmtPercent(c.share, 1));
  if (typeof c.completeness === 'number') fact(t('completeness'), fmtPercent(c.completeness));
  if (c.ecosystem) fact(t('ecosystem'), ecosystemValue(c.ecosystem));
  if (c.res !== undefined) fact(t('resolution', { res: '' }).trim(), String(c.res));
  if (c.method) fact(t('method'), String(c.method));
  body.append(dl, actions('cluster', id));
  const trendBox = el('section', { class: 'trend', 'aria-label': t('trendTitle') }, el('h3', {}, t('trendTitle')));
  const dynBox = el('section', { class: 'dynamics', 'aria-label': t('dynamicsTitle'), 'aria-busy': 'true' },
    [el('h3', {}, t('dynamicsTitle')), el('p', { class: 'muted loading-note' }, t('dynamicsLoading'))]);
  const chartBox = el('div', { class: 'charts' });
  body.append(trendBox, dynBox, chartBox);
  // The dynamics need the emerging analysis of the cluster's sector: shown
  // when they come, the rest of the profile does not wait for them.
  dynamicsP.then((d) => {
    if (current !== id) return;
    dynBox.querySelector('.loading-note')?.remove();
    if (d?.error) dynBox.append(el('p', { class: 'error' }, t('dynamicsError', { what: d.error.message })));
    else renderDynamics(dynBox, d, { onShow: showEmerging });
    dynBox.removeAttribute('aria-busy');
  });
  const trend = await trendP;
  if (current !== id) return;
  charts.push(await renderTrend(trendBox, trend));
  body.append(el('h3', {}, t('strengths')), textList(honestItems(pick(c, 'profile.strengths', 'strengths'), trend)));
  body.append(el('h3', {}, t('weaknesses')), textList(honestItems(pick(c, 'profile.weaknesses', 'weaknesses'), trend)));
  body.append(el('h3', {}, t('institutionsInside')), instList(c.institutions_inside));
  body.append(el('h3', {}, t('institutionsNear')), instList(c.institutions_near));
  const eco = c.ecosystem;
  if (eco && (eco.present || eco.missing)) {
    for (const [heading, names, kind] of ecosystemLists(eco)) {
      body.append(el('h3', {}, heading), el('p', kind === 'missing' ? { class: 'missing' } : {}, names));
    }
  }
  if (sector.startsWith('vc:') || c.roles_present || c.roles_missing) {
    body.append(el('h3', {}, t('rolesPresent')), el('p', {}, roleNames(c.roles_present)));
    body.append(el('h3', {}, t('rolesMissing')), el('p', { class: 'missing' }, roleNames(c.roles_missing)));
  }
  let comp = [];
  try { comp = await composition(c); } catch { /* no composition: the chart says so */ }
  if (current !== id) return;
  await chartSection(chartBox, t('composition'), comp, '#3d6fb6', c.composition ? t('compositionNoteServer') : t('compositionNote'));
  await chartSection(chartBox, t('sizes'), sizePairs(c), '#d95f02', '');
  body.append(downloads(c));
  $('#cluster-panel').removeAttribute('aria-busy');
  $('#cluster-title').focus();
}

// showEmerging shows the emerging hot spots of a cluster's sector on the map,
// with the time step and window its dynamics were read with (the defaults).
function showEmerging(d) {
  const patch = { metric: 'emerging', step: d.step || 'year', window: Number.isInteger(d.window) ? d.window : 1, from: '', to: '' };
  if (!state.layers.has('hexagons')) patch.layers = new Set([...state.layers, 'hexagons']);
  if (String(d.sector ?? '') !== state.sector) patch.sector = String(d.sector ?? '');
  update(patch);
}

// openRegion shows a region's profile for the sector on screen and its trend,
// and frames it.
export async function openRegion(id, { frame = true } = {}) {
  const body = startPanel(`region:${id}`);
  update({ region: id, cluster: '' });
  highlightCluster(mapRef, '');
  highlightRegion(mapRef, id);
  showActors(mapRef, null);
  await loadRegions();
  const key = `region:${id}`;
  const r = region(id);
  $('#cluster-title').textContent = regionLabel(id);
  if (frame && r?.bbox) frameBBox(mapRef, r.bbox, { maxZoom: 12 });
  const [level, code] = String(id).split(':');
  let p;
  try {
    p = await getJSON(`/api/v1/regions/${encodeURIComponent(code)}/profile`, { level, sector: state.sector || undefined });
  } catch (err) {
    failed(body, err);
    return;
  }
  if (current !== key) return;
  const st = p?.stats || {};
  const dl = el('dl', { class: 'facts' });
  const fact = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  fact(t('regionLevel'), levelName(level));
  fact(t('sectorFact'), sectorLabel(state.sector));
  fact(t('firms'), st.suppressed ? t('suppressedValue') : fmtNumber(st.firms));
  fact(t('employees'), st.suppressed ? t('suppressedValue') : `≈ ${fmtNumber(st.employees)}`);
  fact(t('lq'), typeof st.lq === 'number' ? fmtNumber(st.lq, 2) : '–');
  fact(t('stars'), stars(st.stars, st.strong));
  body.append(dl, actions('region', id));
  const trendBox = el('section', { class: 'trend', 'aria-label': t('trendTitle') }, el('h3', {}, t('trendTitle')));
  body.append(trendBox);
  const trend = await loadTrend({ region: id }, state.sector).catch(() => null);
  if (current !== key) return;
  charts.push(await renderTrend(trendBox, trend));
  if (trend) body.append(el('h3', {}, t('institutionsInside')), instList(trend.institutions));
  $('#cluster-panel').removeAttribute('aria-busy');
  $('#cluster-title').focus();
}

export function initClusterPanel(map) {
  mapRef = map;
  $('#cluster-close').addEventListener('click', closeCluster);
  $('#cluster-panel').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeCluster(); });
  loadRegions();
}
