// app: starts the page — language, URL state, map, panels — and wires them.
import { optionalJSON, endpoints, missingEndpoints } from './api.js';
import { t, pickLanguage, setLanguage, getLanguage, applyStatic, fmtDate, fmtPercent } from './i18n.js';
import { state, readURL, update, onChange, enableTime } from './state.js';
import { createMap, loadTileJSON, refreshSources, applyMetric, applyVisibility, renderedResolution } from './map.js';
import { wireInteractions } from './interact.js';
import { initSectorSearch, loadValueChains, resolveName, showSector } from './sector.js';
import { model, renderLegend } from './legend.js';
import { initClusterPanel, openCluster, closeCluster } from './cluster-panel.js';
import { initInvestor, rank, relabelInvestor } from './investor.js';
import { renderExportLinks, exportPNG } from './export-view.js';
import { el, clear, $ } from './dom.js';

const errors = [];
let map;
let analysisTimer = 0;

function notice(msg) {
  const n = $('#notice');
  n.textContent = msg;
  n.hidden = !msg;
}

function loading(on, text = t('loading')) {
  $('#loading').hidden = !on;
  $('#loading-text').textContent = text;
}

function refreshLegend() {
  if (!map) return;
  renderLegend(model({ res: renderedResolution(map), zoom: map.getZoom() }));
}

// listClusters offers the footprints on screen as buttons, for keyboard users.
function listClusters() {
  const box = clear($('#clusters-in-view'));
  if (!state.layers.has('clusters') || !map.getLayer('clusters-fill')) return;
  const seen = new Map();
  for (const f of map.queryRenderedFeatures({ layers: ['clusters-fill'] })) {
    const id = f.properties.id;
    if (id !== undefined && !seen.has(String(id))) seen.set(String(id), f.properties.name || String(id));
  }
  if (!seen.size) return;
  box.append(el('h3', {}, t('layer.clusters')));
  box.append(el('ul', {}, [...seen].slice(0, 20).map(([id, name]) => el('li', {},
    el('button', { type: 'button', 'data-cluster': id, onclick: () => openCluster(id) }, name)))));
}

function syncControls() {
  $('#lang-select').value = getLanguage();
  $('#metric-select').value = state.metric;
  for (const cb of document.querySelectorAll('input[name=layer]')) cb.checked = state.layers.has(cb.value);
  $('#at-input').value = state.at;
  showSector();
}

function relabel() {
  applyStatic();
  syncControls();
  refreshLegend();
  relabelInvestor();
  if (map) map.getCanvas().setAttribute('aria-label', t('mapLabel'));
  if (map && map.loaded()) { listClusters(); renderExportLinks(map); }
  if (state.cluster) openCluster(state.cluster);
}

function wireControls() {
  $('#lang-select').addEventListener('change', (e) => update({ lang: e.target.value }));
  $('#metric-select').addEventListener('change', (e) => update({ metric: e.target.value }));
  for (const cb of document.querySelectorAll('input[name=layer]')) {
    cb.addEventListener('change', () => {
      const layers = new Set([...document.querySelectorAll('input[name=layer]:checked')].map((c) => c.value));
      update({ layers });
    });
  }
  $('#at-input').addEventListener('change', (e) => update({ at: e.target.value }));
  $('#at-clear').addEventListener('click', () => update({ at: '' }));
  $('#png-btn').addEventListener('click', () => exportPNG(map, model({ res: renderedResolution(map), zoom: map.getZoom() })));
  const toggle = $('#menu-toggle');
  toggle.addEventListener('click', () => {
    const open = $('#sidebar').classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
}

onChange(async (changed) => {
  if (changed.includes('lang')) {
    setLanguage(state.lang);
    relabel();
  }
  if (changed.includes('sector')) await resolveName(state.sector);
  if (changed.includes('sector') || changed.includes('at')) {
    refreshSources(map);
    if (state.cluster) closeCluster();
    if ($('#investor-panel').open) rank();
  }
  if (changed.includes('metric')) applyMetric(map);
  if (changed.includes('layers')) applyVisibility(map);
  syncControls();
  refreshLegend();
});

// dateRange finds the first and last dates of the data in the analysis answer.
function dateRange(a) {
  const d = a?.dates || a?.time_range || a?.params?.dates || {};
  const min = d.min || d.from || d.first || a?.first_date;
  const max = d.max || d.to || d.last || a?.last_date || a?.params?.reference_date;
  return min && max ? { min: String(min).slice(0, 10), max: String(max).slice(0, 10) } : null;
}

// watchAnalysis shows a loading note while an analysis runs, and reloads the
// tiles when a new data version appears.
async function watchAnalysis(first) {
  clearTimeout(analysisTimer);
  let a;
  try {
    a = await optionalJSON(endpoints.analysis);
  } catch {
    analysisTimer = setTimeout(() => watchAnalysis(false), 10000);
    return;
  }
  if (!a) return;
  // {data_version, latest, status: {running, progress, stage}}
  const st = a.status && typeof a.status === 'object' ? a.status : a;
  const running = st.running === true || st.pending === true;
  const version = a.data_version ?? a.version ?? a.latest?.version;
  if (running) loading(true, typeof st.progress === 'number' ? `${t('analysing')} ${fmtPercent(st.progress)}` : t('analysing'));
  else if (!first) loading(false);
  if (version !== undefined && String(version) !== String(window.kume.version)) {
    const had = window.kume.version !== undefined;
    window.kume.version = version;
    if (had && map) refreshSources(map, true);
  }
  const range = dateRange(a);
  if (range) {
    enableTime(true);
    $('#time-panel').hidden = false;
    $('#at-input').min = range.min;
    $('#at-input').max = range.max;
    $('#time-range').textContent = `${fmtDate(range.min)} – ${fmtDate(range.max)}`;
  }
  if (running) analysisTimer = setTimeout(() => watchAnalysis(false), 2000);
}

async function start() {
  readURL();
  setLanguage(pickLanguage(state.lang));
  applyStatic();
  syncControls();
  wireControls();
  initSectorSearch();
  // On a phone the legend starts folded, so it does not cover the map.
  if (window.matchMedia('(max-width: 760px)').matches) $('#legend details').open = false;
  loading(true);

  let ready;
  window.kume = { ready: new Promise((r) => { ready = r; }), errors, missingEndpoints, version: undefined, openCluster, rank };
  const [config, , tileInfo] = await Promise.all([
    optionalJSON(endpoints.config).catch(() => undefined),
    watchAnalysis(true),
    loadTileJSON(),
    loadValueChains(),
    resolveName(state.sector),
  ]);
  showSector();
  const b = tileInfo.hexagons?.bounds || tileInfo.regions?.bounds;
  const bounds = Array.isArray(b) && b.length === 4 ? [[b[0], b[1]], [b[2], b[3]]] : null;
  map = createMap('map', { styleURL: config?.style_url || config?.styleURL || config?.style || '', bounds });
  window.kumeMap = map;
  initInvestor(map);
  initClusterPanel(map);
  map.on('error', (e) => {
    const msg = e?.error?.message || String(e?.error || 'map error');
    errors.push(msg);
    notice(t('error', { what: msg }));
  });
  map.on('style.load', () => wireInteractions(map, { onCluster: openCluster }));
  map.on('dataloading', () => loading(true));
  map.on('idle', () => {
    loading(false);
    refreshLegend();
    listClusters();
    renderExportLinks(map);
  });
  map.once('idle', () => {
    ready(map);
    if (state.cluster) openCluster(state.cluster);
  });
  map.on('zoomend', refreshLegend);
  $('#investor-panel').addEventListener('toggle', (e) => { if (e.target.open) rank(); });
  $('#export-panel').addEventListener('toggle', (e) => { if (e.target.open) renderExportLinks(map); });
}

start().catch((err) => {
  errors.push(err.message);
  notice(t('error', { what: err.message }));
});
