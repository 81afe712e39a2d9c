// cluster-panel: the profile of one cluster footprint, with charts and downloads.
import { getJSON, endpoints, exportURL } from './api.js';
import { t, fmtNumber, fmtPercent, has, getLanguage } from './i18n.js';
import { state, update } from './state.js';
import { barChart } from './charts.js';
import { resolveName, loadSubtree, sectorName, sectorLabel } from './sector.js';
import { el, clear, $ } from './dom.js';

let charts = [];
let current = null;

function pick(obj, ...paths) {
  for (const p of paths) {
    const v = p.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

function instList(m) {
  const e = Object.entries(m || {}).filter(([, n]) => n > 0);
  if (!e.length) return el('p', { class: 'muted' }, t('none'));
  return el('ul', { class: 'inst-list' }, e.map(([type, n]) => el('li', {}, `${has(`inst.${type}`) ? t(`inst.${type}`) : type}: ${fmtNumber(n)}`)));
}

// textOf reads a strength or weakness: a string or {en, tr, ...}.
function textOf(x) {
  if (typeof x === 'string') return x;
  return x[getLanguage()] || x.en || x.text || x.label || x.message || '';
}

function textList(items) {
  const arr = (Array.isArray(items) ? items : []).map(textOf).filter(Boolean);
  if (!arr.length) return el('p', { class: 'muted' }, t('none'));
  return el('ul', {}, arr.map((x) => el('li', {}, x)));
}

function roles(list) {
  const arr = Array.isArray(list) ? list : [];
  if (!arr.length) return t('none');
  return arr.map((r) => (has(`role.${r}`) ? t(`role.${r}`) : r)).join(', ');
}

const sizeOrder = ['micro', 'small', 'medium', 'large', 'unknown'];

// sizePairs reads the profile's firm sizes ({micro: n, ...}) in size order.
function sizePairs(c) {
  const v = pick(c, 'profile.sizes', 'sizes') || {};
  const keys = [...sizeOrder.filter((k) => k in v), ...Object.keys(v).filter((k) => !sizeOrder.includes(k))];
  return keys.filter((k) => typeof v[k] === 'number' && v[k] > 0)
    .map((k) => [has(`size.${k}`) ? t(`size.${k}`) : k, v[k]]);
}

// composition counts the footprint's active firms by NACE class.
async function composition(c) {
  const fc = await getJSON('/api/v1/export/establishments.geojson', { cluster: c.id, kind: 'firm', limit: 10000 });
  const today = new Date().toISOString().slice(0, 10);
  const comp = new Map();
  for (const f of fc?.features || []) {
    const p = f.properties || {};
    if (p.closed && p.closed <= today) continue;
    const code = String(p.nace || '?');
    comp.set(code, (comp.get(code) || 0) + 1);
  }
  const top = [...comp].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (c.sector && !String(c.sector).startsWith('vc:')) await loadSubtree(String(c.sector)).catch(() => {});
  await Promise.all(top.map(([code]) => resolveName(code).catch(() => {})));
  return top.map(([code, n]) => {
    const name = sectorName(code);
    return [name ? `${code} ${name.length > 20 ? `${name.slice(0, 19)}…` : name}` : code, n];
  });
}

async function drawCharts(c, body) {
  const sizes = sizePairs(c);
  let comp = [];
  try {
    comp = await composition(c);
  } catch { /* the export failed: the chart says there is no data */ }
  if (current !== c.id) return;
  const specs = [[t('composition'), comp, '#3d6fb6', t('compositionNote')], [t('sizes'), sizes, '#d95f02', '']];
  for (const [title, data, color, note] of specs) {
    const canvas = el('canvas', { role: 'img', 'aria-label': title });
    const wrap = el('div', { class: 'chart', style: `height:${Math.max(90, data.length * 22 + 40)}px` }, canvas);
    body.append(el('h3', {}, title));
    if (note && data.length) body.append(el('p', { class: 'muted' }, note));
    body.append(data.length ? wrap : el('p', { class: 'muted' }, t('noData')));
    if (data.length) charts.push(await barChart(canvas, data.map((d) => String(d[0])), data.map((d) => d[1]), { color, label: title, format: (v) => fmtNumber(v) }));
  }
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
    c = await getJSON(endpoints.cluster(id));
  } catch (err) {
    body.append(el('p', { class: 'error', role: 'alert' }, t('error', { what: err.message })));
    panel.removeAttribute('aria-busy');
    return;
  }
  if (current !== id) return;
  const sector = String(c.sector ?? '');
  if (sector) await resolveName(sector).catch(() => {});
  if (current !== id) return;
  $('#cluster-title').textContent = c.name && c.name !== sector ? c.name : (sectorName(sector) || sectorLabel(sector));
  const dl = el('dl', { class: 'facts' });
  const fact = (k, v) => dl.append(el('dt', {}, k), el('dd', {}, v));
  fact('NACE', sector ? sectorLabel(sector) : t('allSectors'));
  if (c.res !== undefined) fact(t('resolution', { res: '' }).trim(), String(c.res));
  fact(t('firms'), c.suppressed ? t('suppressedValue') : fmtNumber(c.firms));
  fact(t('employees'), c.suppressed ? t('suppressedValue') : `≈ ${fmtNumber(c.employees)}`);
  fact(t('lq'), typeof c.lq === 'number' ? fmtNumber(c.lq, 2) : '–');
  fact(t('stars'), `${'★'.repeat(c.stars || 0)}${'☆'.repeat(Math.max(0, 3 - (c.stars || 0)))}`);
  if (typeof c.share === 'number') fact(t('share'), fmtPercent(c.share, 1));
  if (typeof c.completeness === 'number') fact(t('completeness'), fmtPercent(c.completeness));
  if (Array.isArray(c.cells)) fact(t('cells'), fmtNumber(c.cells.length));
  const chartBox = el('div', { class: 'charts' });
  body.append(dl, chartBox);
  body.append(el('h3', {}, t('strengths')), textList(pick(c, 'profile.strengths', 'strengths')));
  body.append(el('h3', {}, t('weaknesses')), textList(pick(c, 'profile.weaknesses', 'weaknesses')));
  body.append(el('h3', {}, t('institutionsInside')), instList(c.institutions_inside));
  body.append(el('h3', {}, t('institutionsNear')), instList(c.institutions_near));
  // Value-chain roles apply to value chains only.
  if (sector.startsWith('vc:') || c.roles_present || c.roles_missing) {
    body.append(el('h3', {}, t('rolesPresent')), el('p', {}, roles(c.roles_present)));
    body.append(el('h3', {}, t('rolesMissing')), el('p', { class: 'missing' }, roles(c.roles_missing)));
  }
  await drawCharts(c, chartBox);
  body.append(downloads(c));
  panel.removeAttribute('aria-busy');
  $('#cluster-title').focus();
}

export function initClusterPanel() {
  $('#cluster-close').addEventListener('click', closeCluster);
  $('#cluster-panel').addEventListener('keydown', (e) => { if (e.key === 'Escape') closeCluster(); });
}
