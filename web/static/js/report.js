// report: a printable, downloadable report of one cluster in Turkish or
// English — a map extract with its legend, the profile, composition, actors,
// strengths and weaknesses, trends, and the method and data behind them.
import { getJSON, optionalJSON, endpoints } from './api.js';
import { t, pickLanguage, setLanguage, getLanguage, applyStatic, fmtNumber, fmtPercent, fmtDate } from './i18n.js';
import { state } from './state.js';
import { createMap, loadTileJSON, highlightCluster, setAnalysedResolutions } from './map.js';
import { loadLabelFont } from './basemap.js';
import { resolveName, sectorLabel, loadValueChains } from './sector.js';
import { clusterName, bboxOf, centreOf, placesAt, loadRegions } from './names.js';
import { loadTrend, growthText, datesNote, renderTrend } from './trends.js';
import { composition, sizePairs, honestItems, textOf, roleNames, instName, stars, ecosystemValue, ecosystemLists } from './cluster-panel.js';
import { giBins, giColors, footprintColor, highlightColor } from './palette.js';
import { el, clear, $, download } from './dom.js';
import { loadDynamics, renderDynamics } from './dynamics.js';

const q = new URLSearchParams(window.location.search);
const clusterID = q.get('cluster') || '';

function facts(rows) {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of rows) if (v !== undefined && v !== null && v !== '') dl.append(el('dt', {}, k), el('dd', {}, String(v)));
  return dl;
}

function legend() {
  const box = clear($('#r-legend'));
  const item = (sw, label) => el('li', {}, [sw, el('span', {}, label)]);
  const fill = (c) => { const s = el('span', { class: 'sw' }); s.style.background = c; return s; };
  const line = (c, dash) => { const s = el('span', { class: `sw sw-line${dash ? ' sw-dash' : ''}` }); s.style.borderTopColor = c; return s; };
  box.append(el('h3', {}, t('metric.gi')), el('ul', {}, giBins.map((b) => item(fill(giColors[b]), t(`gi.${b}`)))));
  box.append(el('h3', {}, t('layer.clusters')), el('ul', {}, [item(line(highlightColor), t('footprintChosen')), item(line(footprintColor, true), t('footprint').replace(/\s*\(.*\)$/, ''))]));
  box.append(el('p', { class: 'muted' }, `${t('basemap')}: Natural Earth; ${t('regions')}: Geoportal Berlin, alpers/Turkey-Maps-GeoJSON`));
}

// mapExtract draws the cluster on the basemap and, once drawn, replaces the
// live map by a picture of it (for printing and the downloaded file).
async function mapExtract(c, config) {
  state.sector = String(c.sector ?? '');
  state.layers = new Set(['hexagons', 'clusters', 'regions']);
  state.metric = 'gi';
  await Promise.all([loadTileJSON(), loadLabelFont()]);
  const b = bboxOf(c.geometry);
  const map = createMap('r-map', { basemap: config?.basemap || { kind: 'none' }, interactive: false,
    bounds: b ? [[b[0], b[1]], [b[2], b[3]]] : undefined, padding: 24 });
  map.on('style.load', () => {
    highlightCluster(map, c.id);
    if (map.getLayer('regions-lq')) map.setLayoutProperty('regions-lq', 'visibility', 'none');
  });
  await new Promise((resolve) => {
    const done = () => resolve();
    map.once('idle', () => { highlightCluster(map, c.id); map.triggerRepaint(); map.once('idle', done); });
    setTimeout(done, 30000);
  });
  const img = $('#r-map-img');
  img.src = map.getCanvas().toDataURL('image/png');
  img.alt = t('mapAlt', { name: $('#r-title').textContent });
  img.hidden = false;
  $('#r-map').hidden = true;
  map.remove();
}

async function profile(c, trend) {
  const sector = String(c.sector ?? '');
  const eco = c.ecosystem;
  const focus = typeof c.focus_firms === 'number' && typeof c.expected === 'number';
  $('#r-profile').append(facts([
    [t('sectorFact'), sector ? sectorLabel(sector) : t('allSectors')],
    [t('place'), c.place],
    [t('firms'), c.suppressed ? t('suppressedValue') : fmtNumber(c.firms)],
    [t('employees'), c.suppressed ? t('suppressedValue') : `≈ ${fmtNumber(c.employees)}`],
    [t('focusFirms'), focus ? t('focusFirmsValue', { n: fmtNumber(c.focus_firms), e: fmtNumber(c.expected, 1) }) : ''],
    [focus ? t('lqFocus') : t('lq'), typeof c.lq === 'number' ? fmtNumber(c.lq, 2) : '–'],
    [t('stars'), stars(c.stars, c.strong)],
    [t('share'), typeof c.share === 'number' ? fmtPercent(c.share, 1) : ''],
    [t('completeness'), typeof c.completeness === 'number' ? fmtPercent(c.completeness) : ''],
    [t('ecosystem'), eco ? ecosystemValue(eco) : ''],
    [t('growth'), growthText(trend)],
    [t('resolution', { res: '' }).trim(), c.res],
  ]));
  const sizes = sizePairs(c);
  if (sizes.length) {
    $('#r-profile').append(el('h3', {}, t('sizes')), el('table', {}, el('tbody', {}, sizes.map(([k, v]) => el('tr', {}, [el('td', {}, k), el('td', { class: 'num' }, fmtNumber(v))])))));
  }
}

async function compositionTable(c) {
  let rows = [];
  try { rows = await composition(c); } catch { /* none */ }
  const box = $('#r-composition');
  if (!rows.length) { box.append(el('p', { class: 'muted' }, t('noData'))); return; }
  const max = Math.max(...rows.map((r) => r[1]));
  box.append(el('p', { class: 'muted' }, c.composition ? t('compositionNoteServer') : t('compositionNote')));
  box.append(el('table', {}, [el('thead', {}, el('tr', {}, [el('th', {}, t('sectorFact')), el('th', { class: 'num' }, t('firms')), el('th', {}, '')])),
    el('tbody', {}, rows.map(([label, n]) => {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${Math.round((n / max) * 120)}px`;
      return el('tr', {}, [el('td', {}, Array.isArray(label) ? label.join(' ') : label), el('td', { class: 'num' }, fmtNumber(n)), el('td', {}, bar)]);
    }))]));
}

async function actors(c) {
  const box = $('#r-actors');
  const list = (m) => {
    const e = Object.entries(m || {}).filter(([, n]) => n > 0);
    return e.length ? el('ul', {}, e.map(([k, n]) => el('li', {}, `${instName(k)}: ${fmtNumber(n)}`))) : el('p', { class: 'muted' }, t('none'));
  };
  box.append(el('h3', {}, t('institutionsInside')), list(c.institutions_inside), el('h3', {}, t('institutionsNear')), list(c.institutions_near));
  if (c.ecosystem) box.append(facts(ecosystemLists(c.ecosystem)));
  if (c.roles_present || c.roles_missing) box.append(facts([[t('rolesPresent'), roleNames(c.roles_present)], [t('rolesMissing'), roleNames(c.roles_missing)]]));
  const b = bboxOf(c.geometry);
  if (b) {
    const fc = await getJSON('/api/v1/export/institutions.geojson', { bbox: [b[0] - 0.16, b[1] - 0.1, b[2] + 0.16, b[3] + 0.1].map((v) => v.toFixed(5)).join(','), limit: 50 }).catch(() => null);
    const named = (fc?.features || []).filter((f) => f.properties?.name);
    if (named.length) box.append(el('h3', {}, t('actorsNamed')), el('ul', {}, named.map((f) => el('li', {}, `${f.properties.name} (${instName(f.properties.type)})`))));
  }
}

async function trends(trend) {
  const box = $('#r-trends');
  const chart = await renderTrend(box, trend);
  if (chart) {
    const img = el('img', { class: 'chart-img', src: chart.toBase64Image(), alt: t('trendTitle') });
    const wrap = box.querySelector('.trend-chart');
    wrap.replaceWith(img);
    chart.destroy();
  }
  const ps = trend?.periods || [];
  if (!ps.length) return;
  const dated = (trend.founded?.count ?? 0) > 0;
  box.append(el('table', {}, [el('thead', {}, el('tr', {}, [el('th', {}, t('period')), el('th', { class: 'num' }, t('entries')), el('th', { class: 'num' }, t('exits')),
    el('th', { class: 'num' }, t('activeFirms')), el('th', { class: 'num' }, t('employees'))])),
  el('tbody', {}, ps.map((p) => el('tr', {}, [el('td', {}, p.period), el('td', { class: 'num' }, dated ? fmtNumber(p.entries) : '–'), el('td', { class: 'num' }, fmtNumber(p.exits)),
    el('td', { class: 'num' }, trend.growth?.claimable ? fmtNumber(p.active) : '–'), el('td', { class: 'num' }, trend.growth?.claimable ? `≈ ${fmtNumber(p.employees_active)}` : '–')])))]));
}

// dynamics says whether the cluster's cells are emerging, persistent or
// diminishing hot spots, and what the data's dates lack.
async function dynamics() {
  const box = $('#r-dynamics');
  try {
    renderDynamics(box, await loadDynamics(clusterID));
  } catch (err) {
    box.append(el('p', { class: 'error' }, t('dynamicsError', { what: err.message })));
  }
}

function method(c, analysis, config, trend) {
  const p = analysis?.latest?.params?.params || {};
  const box = $('#r-method');
  box.append(facts([
    [t('method'), c.method || t('methodDefault', { k: p.k ?? '–', minFirms: p.min_firms ?? '–', minBin: p.min_bin ?? '–' })],
    [t('fdr'), p.fdr === true ? t('yes') : p.fdr === false ? t('no') : ''],
    [t('referenceDate'), analysis?.latest?.params?.reference_date ? fmtDate(analysis.latest.params.reference_date) : ''],
    [t('dataVersion'), analysis?.data_version],
    [t('trendMethod'), trend?.method ? t('trendMethodText') : ''],
    [t('dataFooter'), (config?.attribution || []).join(' · ')],
    [t('basemap'), config?.basemap?.kind === 'offline' ? 'Natural Earth (public domain)' : config?.basemap?.attribution || ''],
    [t('methodsDoc'), 'docs/METHODS.md'],
  ]));
}

// downloadHTML saves the report as one self-contained HTML file: its styles
// inlined, the map and charts as pictures, no scripts.
async function downloadHTML() {
  const css = await fetch('css/report.css').then((r) => r.text()).catch(() => '');
  const doc = document.documentElement.cloneNode(true);
  for (const n of doc.querySelectorAll('script, link[rel=stylesheet], link[rel=modulepreload], .no-print, #r-map')) n.remove();
  const style = document.createElement('style');
  style.textContent = css.replace(/url\(\.\.\/vendor\/[^)]*\)\s*format\("woff2"\);?/g, 'local("Noto Sans");');
  doc.querySelector('head').append(style);
  const blob = new Blob([`<!doctype html>\n${doc.outerHTML}`], { type: 'text/html' });
  const url = URL.createObjectURL(blob);
  download(url, `kume-report-${clusterID.replace(/[^\w.-]/g, '_')}-${getLanguage()}.html`);
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

async function start() {
  setLanguage(pickLanguage(q.get('lang')));
  applyStatic();
  $('#lang-select').value = getLanguage();
  $('#lang-select').addEventListener('change', (e) => { q.set('lang', e.target.value); window.location.search = q.toString(); });
  $('#print-btn').addEventListener('click', () => window.print());
  $('#download-btn').addEventListener('click', downloadHTML);
  $('#back').href = `./?${new URLSearchParams({ lang: getLanguage(), cluster: clusterID })}`;
  window.kumeReport = { ready: null };
  if (!clusterID) throw new Error(t('reportNoCluster'));
  const [c, config, analysis] = await Promise.all([getJSON(endpoints.cluster(clusterID)), optionalJSON(endpoints.config).catch(() => null),
    optionalJSON(endpoints.analysis).catch(() => null), loadValueChains(), loadRegions()]);
  setAnalysedResolutions(analysis?.latest?.params?.params?.resolutions);
  const sector = String(c.sector ?? '');
  const centre = centreOf(c.geometry);
  await Promise.all([sector ? resolveName(sector).catch(() => {}) : null, placesAt([centre])]);
  const name = clusterName(c, centre);
  document.title = `${name} — ${t('reportKicker')}`;
  $('#r-title').textContent = name;
  $('#r-sub').textContent = t('reportGenerated', { date: fmtDate(new Date()), version: analysis?.data_version ?? '–' });
  const trend = await loadTrend({ cluster: clusterID }).catch(() => null);
  legend();
  await Promise.all([profile(c, trend), compositionTable(c), actors(c), trends(trend), dynamics(), mapExtract(c, config)]);
  $('#r-strengths').append(list(honestItems(c.profile?.strengths || c.strengths, trend)));
  $('#r-weaknesses').append(list(honestItems(c.profile?.weaknesses || c.weaknesses, trend)));
  if (trend && !trend.growth?.claimable) $('#r-weaknesses').append(el('p', { class: 'muted' }, datesNote(trend)));
  method(c, analysis, config, trend);
  $('#report').removeAttribute('aria-busy');
}

function list(items) {
  const arr = (items || []).map(textOf).filter(Boolean);
  return arr.length ? el('ul', {}, arr.map((x) => el('li', {}, x))) : el('p', { class: 'muted' }, t('none'));
}

const ready = start().catch((err) => {
  const e = $('#r-error');
  e.hidden = false;
  e.textContent = t('error', { what: err.message });
  $('#report').removeAttribute('aria-busy');
});
window.kumeReport = { ready };
