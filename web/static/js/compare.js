// compare: two or more regions or clusters side by side — size, LQ, stars,
// growth (stated only where founding dates allow), institutions and their
// trends — like the region comparison of the U.S. Cluster Mapping tool.
import { getJSON, endpoints } from './api.js';
import { t, fmtNumber } from './i18n.js';
import { state, update } from './state.js';
import { el, clear, $ } from './dom.js';
import { clusterName, centreOf, placesAt, regionLabel, loadRegions } from './names.js';
import { resolveName, sectorLabel, clusterDetails } from './sector.js';
import { loadTrend, renderTrend, growthText } from './trends.js';

let charts = [];
let seq = 0;

// addToCompare puts a unit ("cluster:<id>" or "region:<level>:<code>") in the
// comparison and opens it.
export function addToCompare(unit) {
  const list = state.compare.includes(unit) ? state.compare : [...state.compare, unit].slice(-6);
  update({ compare: list, view: 'compare' });
}

function removeUnit(unit) {
  update({ compare: state.compare.filter((u) => u !== unit) });
}

async function loadUnit(unit) {
  const [kind, ...rest] = unit.split(':');
  const id = rest.join(':');
  if (kind === 'cluster') {
    const c = await getJSON(endpoints.cluster(id));
    const centre = centreOf(c.geometry);
    await Promise.all([placesAt([centre]), c.sector ? resolveName(String(c.sector)).catch(() => {}) : null]);
    const trend = await loadTrend({ cluster: id }).catch(() => null);
    return { unit, kind, name: clusterName(c, centre), detail: clusterDetails(c), sector: String(c.sector ?? ''), firms: c.firms, employees: c.employees, lq: c.lq,
      stars: c.stars, strong: c.strong, suppressed: c.suppressed, trend };
  }
  await loadRegions();
  const [level, code] = id.split(':');
  const p = await getJSON(`/api/v1/regions/${encodeURIComponent(code)}/profile`, { level, sector: state.sector || undefined });
  const st = p?.stats || {};
  const trend = await loadTrend({ region: id }, state.sector).catch(() => null);
  return { unit, kind, name: regionLabel(id), sector: state.sector, firms: st.firms, employees: st.employees, lq: st.lq, stars: st.stars,
    strong: st.strong, suppressed: st.suppressed, trend };
}

function instTotal(tr) {
  const m = tr?.institutions || {};
  return Object.values(m).reduce((a, b) => a + b, 0);
}

// renderCompare draws the comparison table when the view is open.
export async function renderCompare() {
  const panel = $('#compare-panel');
  const open = state.view === 'compare';
  panel.hidden = !open;
  $('#compare-count').textContent = state.compare.length ? `(${state.compare.length})` : '';
  if (!open) return;
  const my = ++seq;
  for (const c of charts) c?.destroy();
  charts = [];
  const body = clear($('#compare-body'));
  if (state.compare.length < 2) body.append(el('p', { class: 'muted' }, t('compareHint')));
  if (!state.compare.length) return;
  panel.setAttribute('aria-busy', 'true');
  const units = await Promise.all(state.compare.map((u) => loadUnit(u).catch((err) => ({ unit: u, name: u, error: err.message }))));
  if (my !== seq) return;
  const sup = (u, v) => (u.suppressed ? t('suppressedValue') : v);
  const rows = [
    [t('sectorFact'), (u) => sectorLabel(u.sector)],
    [t('firms'), (u) => sup(u, fmtNumber(u.firms))],
    [t('employees'), (u) => sup(u, `≈ ${fmtNumber(u.employees)}`)],
    [t('lq'), (u) => sup(u, typeof u.lq === 'number' ? fmtNumber(u.lq, 2) : '–')],
    [t('stars'), (u) => `${'★'.repeat(u.stars || 0)}${'☆'.repeat(Math.max(0, 3 - (u.stars || 0)))}${u.strong ? ` · ${t('strong')}` : ''}`],
    [t('growth'), (u) => growthText(u.trend)],
    [t('exits'), (u) => fmtNumber((u.trend?.periods || []).reduce((n, p) => n + p.exits, 0))],
    [t('datedFirms'), (u) => (u.trend ? `${fmtNumber(u.trend.total - u.trend.founded_unknown)} / ${fmtNumber(u.trend.total)}` : '–')],
    [t('institutionsInside'), (u) => fmtNumber(instTotal(u.trend))],
  ];
  const table = el('table', { class: 'compare-table' }, [
    el('thead', {}, el('tr', {}, [el('th', { scope: 'col' }, ''), ...units.map((u) => el('th', { scope: 'col', 'data-unit': u.unit }, [
      el('span', { class: 'unit-name' }, u.name),
      u.detail ? el('span', { class: 'unit-detail' }, u.detail) : null,
      el('button', { type: 'button', class: 'icon-btn small', 'aria-label': t('removeFromCompare', { name: u.name }), onclick: () => removeUnit(u.unit) }, '×')]))])),
    el('tbody', {}, rows.map(([label, f]) => el('tr', {}, [el('th', { scope: 'row' }, label), ...units.map((u) => el('td', {}, u.error ? t('error', { what: u.error }) : f(u)))]))),
  ]);
  body.append(el('div', { class: 'compare-scroll' }, table));
  const trends = el('div', { class: 'compare-trends' });
  body.append(el('h3', {}, t('trendTitle')), trends);
  for (const u of units) {
    const box = el('section', { class: 'compare-trend' }, el('h4', {}, u.name));
    trends.append(box);
    if (!u.error) charts.push(await renderTrend(box, u.trend));
    if (my !== seq) return;
  }
  panel.removeAttribute('aria-busy');
}

export function initCompare() {
  $('#compare-open').addEventListener('click', () => update({ view: state.view === 'compare' ? '' : 'compare' }));
  $('#compare-close').addEventListener('click', () => update({ view: '' }));
  $('#compare-clear').addEventListener('click', () => update({ compare: [] }));
  $('#compare-panel').addEventListener('keydown', (e) => { if (e.key === 'Escape') update({ view: '' }); });
}
