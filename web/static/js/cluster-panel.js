// cluster-panel: the profile of one cluster footprint, with charts and downloads.
import { getJSON, endpoints, exportURL } from './api.js';
import { t, fmtNumber, fmtPercent, has } from './i18n.js';
import { state, update, filters } from './state.js';
import { barChart } from './charts.js';
import { geometryBBox } from './investor.js';
import { el, clear, $ } from './dom.js';

let charts = [];
let current = null;
let mapRef = null;

// clusterBBox is the footprint's bounding box, from the API answer or from the
// footprint's features in the map's tiles.
function clusterBBox(c) {
  const fmt = (b) => b.map((v) => Number(v).toFixed(5)).join(',');
  if (Array.isArray(c.bbox) && c.bbox.length === 4) return fmt(c.bbox);
  const g = geometryBBox(c.geometry);
  if (g) return fmt(g);
  if (!mapRef || !mapRef.getSource('clusters')) return '';
  const b = [180, 90, -180, -90];
  const walk = (co) => {
    if (typeof co[0] === 'number') {
      b[0] = Math.min(b[0], co[0]); b[1] = Math.min(b[1], co[1]);
      b[2] = Math.max(b[2], co[0]); b[3] = Math.max(b[3], co[1]);
    } else co.forEach(walk);
  };
  const layer = mapRef.getLayer('clusters-fill')?.sourceLayer || 'clusters';
  for (const f of mapRef.querySourceFeatures('clusters', { sourceLayer: layer })) {
    if (String(f.properties.id) === String(c.id)) walk(f.geometry.coordinates);
  }
  return b[0] <= b[2] ? fmt(b) : '';
}

function pick(obj, ...paths) {
  for (const p of paths) {
    const v = p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

// pairs turns [{label,count}], {label: count} or [[label,count]] into [label, n] pairs.
function pairs(v, labelKeys, valueKeys) {
  if (!v) return [];
  if (Array.isArray(v)) {
    return v.map((x) => (Array.isArray(x) ? x
      : [labelKeys.map((k) => x[k]).find((s) => s !== undefined), valueKeys.map((k) => x[k]).find((n) => n !== undefined)]))
      .filter(([l, n]) => l !== undefined && typeof n === 'number');
  }
  if (typeof v === 'object') return Object.entries(v).filter(([, n]) => typeof n === 'number');
  return [];
}

function instList(m) {
  const e = Object.entries(m || {}).filter(([, n]) => n > 0);
  if (!e.length) return el('p', { class: 'muted' }, t('none'));
  return el('ul', { class: 'inst-list' }, e.map(([type, n]) => el('li', {}, `${has(`inst.${type}`) ? t(`inst.${type}`) : type}: ${fmtNumber(n)}`)));
}

function textList(items) {
  const arr = Array.isArray(items) ? items : [];
  if (!arr.length) return el('p', { class: 'muted' }, t('none'));
  return el('ul', {}, arr.map((x) => el('li', {}, typeof x === 'string' ? x : x.text || x.label || x.message || x.key || JSON.stringify(x))));
}

function roles(list) {
  const arr = Array.isArray(list) ? list : [];
  if (!arr.length) return t('none');
  return arr.map((r) => (has(`role.${r}`) ? t(`role.${r}`) : r)).join(', ');
}

function sizeClass(n) {
  if (typeof n !== 'number') return null;
  if (n < 10) return '0–9';
  if (n < 50) return '10–49';
  if (n < 250) return '50–249';
  return '250+';
}

// firmsBreakdown derives composition and sizes from the cluster's firms when the
// profile does not carry them.
async function firmsBreakdown(c) {
  const bbox = clusterBBox(c);
  if (!bbox) return { composition: [], sizes: [] };
  const fc = await getJSON('/api/v1/export/establishments.geojson', { ...filters(), sector: c.sector ?? state.sector, bbox, kind: 'firm' });
  const comp = new Map();
  const sizes = new Map();
  for (const f of fc?.features || []) {
    const p = f.properties || {};
    const code = String(p.nace || '?').slice(0, 2);
    comp.set(code, (comp.get(code) || 0) + 1);
    const sc = sizeClass(typeof p.employees === 'number' ? p.employees : p.employees?.low);
    if (sc) sizes.set(sc, (sizes.get(sc) || 0) + 1);
  }
  const order = ['0–9', '10–49', '50–249', '250+'];
  return {
    composition: [...comp].sort((a, b) => b[1] - a[1]).slice(0, 10),
    sizes: order.filter((k) => sizes.has(k)).map((k) => [k, sizes.get(k)]),
  };
}

async function drawCharts(c, body) {
  let comp = pairs(pick(c, 'composition', 'sectors', 'profile.composition', 'profile.sectors'), ['name', 'code', 'nace', 'sector'], ['firms', 'count', 'n']);
  let sizes = pairs(pick(c, 'sizes', 'size_classes', 'profile.sizes', 'profile.size_classes', 'profile.firm_sizes'), ['class', 'label', 'band', 'size'], ['firms', 'count', 'n']);
  if (!comp.length && !sizes.length) {
    try {
      ({ composition: comp, sizes } = await firmsBreakdown(c));
    } catch { /* exports not available: the charts stay empty */ }
  }
  if (current !== c.id) return;
  const specs = [[t('composition'), comp, '#3d6fb6'], [t('sizes'), sizes, '#d95f02']];
  for (const [title, data, color] of specs) {
    const canvas = el('canvas', { role: 'img', 'aria-label': title });
    const wrap = el('div', { class: 'chart', style: `height:${Math.max(90, data.length * 22 + 40)}px` }, canvas);
    body.append(el('h3', {}, title), data.length ? wrap : el('p', { class: 'muted' }, t('noData')));
    if (data.length) charts.push(await barChart(canvas, data.map((d) => String(d[0])), data.map((d) => d[1]), { color, label: title, format: (v) => fmtNumber(v) }));
  }
}

// downloads links the firms and cells of the footprint's bounding box, in its
// sector (and the cells at its resolution).
function downloads(c) {
  const links = [];
  const bbox = clusterBBox(c);
  if (!bbox) return el('p', { class: 'muted' }, t('noData'));
  const base = { ...filters(), sector: c.sector ?? state.sector, bbox };
  const layers = [['establishments', t('downloadFirms'), { kind: 'firm' }], ['hexagons', t('downloadCells'), { res: c.res }]];
  for (const [layer, label, extra] of layers) {
    for (const fmt of ['geojson', 'csv']) {
      links.push(el('a', { class: 'btn', href: exportURL(layer, fmt, { ...base, ...extra }), download: `kume-cluster-${c.id}-${layer}.${fmt}`,
        'data-export': `${layer}.${fmt}` }, `${label} · ${fmt === 'geojson' ? 'GeoJSON' : 'CSV'}`));
    }
  }
  return el('div', { class: 'downloads' }, [el('h3', {}, t('download')), ...links]);
}

export function closeCluster() {
  for (const c of charts) c.destroy();
  charts = [];
  current = null;
  $('#cluster-panel').hidden = true;
  if (state.cluster) update({ cluster: '' });
}

// openCluster loads and shows a cluster's profile.
export async function openCluster(id) {
  for (const c of charts) c.destroy();
  charts = [];
  current = id;
  const panel = $('#cluster-panel');
  const body = clear($('#cluster-body'));
  panel.hidden = false;
  panel.setAttribute('aria-busy', 'true');
  $('#cluster-title').textContent = t('cluster');
  update({ cluster: id });
  let c;
  try {
    c = await getJSON(endpoints.cluster(id), { at: state.at });
  } catch (err) {
    body.append(el('p', { class: 'error', role: 'alert' }, t('error', { what: err.message })));
    panel.removeAttribute('aria-busy');
    return;
  }
  if (current !== id) return;
  $('#cluster-title').textContent = c.name || `${t('cluster')} ${id}`;
  const dl = el('dl', { class: 'facts' });
  const fact = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  fact(t('firms'), c.suppressed ? t('suppressedValue') : fmtNumber(c.firms));
  fact(t('employees'), c.suppressed ? t('suppressedValue') : fmtNumber(c.employees));
  fact(t('lq'), typeof c.lq === 'number' ? fmtNumber(c.lq, 2) : '–');
  fact(t('stars'), `${'★'.repeat(c.stars || 0)}${'☆'.repeat(Math.max(0, 3 - (c.stars || 0)))}`);
  if (typeof c.share === 'number') fact(t('share'), fmtPercent(c.share, 1));
  if (typeof c.completeness === 'number') fact(t('completeness'), fmtPercent(c.completeness));
  if (Array.isArray(c.cells)) fact(t('cells'), fmtNumber(c.cells.length));
  body.append(dl);
  body.append(el('h3', {}, t('institutionsInside')), instList(c.institutions_inside || c.institutions));
  body.append(el('h3', {}, t('institutionsNear')), instList(c.institutions_near));
  body.append(el('h3', {}, t('rolesPresent')), el('p', {}, roles(c.roles_present)));
  body.append(el('h3', {}, t('rolesMissing')), el('p', { class: 'missing' }, roles(c.roles_missing)));
  body.append(el('h3', {}, t('strengths')), textList(pick(c, 'strengths', 'profile.strengths')));
  body.append(el('h3', {}, t('weaknesses')), textList(pick(c, 'weaknesses', 'profile.weaknesses')));
  await drawCharts(c, body);
  body.append(downloads(c));
  panel.removeAttribute('aria-busy');
  $('#cluster-title').focus();
}

export function initClusterPanel(map) {
  mapRef = map;
  $('#cluster-close').addEventListener('click', closeCluster);
  $('#cluster-panel').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeCluster(); });
}
