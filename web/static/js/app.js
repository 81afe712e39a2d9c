// app: starts the page — language, URL state, map, panels — and wires them.
import { optionalJSON, endpoints, missingEndpoints } from './api.js';
import { t, pickLanguage, setLanguage, getLanguage, applyStatic, fmtPercent } from './i18n.js';
import { state, readURL, update, onChange, validPeriod } from './state.js';
import { maplibregl, createMap, loadTileJSON, refreshSources, refreshPoints, applyMetric, applyVisibility, renderedResolution, emphasiseFootprints, dataBounds, zoomResolution, setAnalysedResolutions } from './map.js';
import { relabelPlaces, loadLabelFont } from './basemap.js';
import { clusterIndex, clusterName, loadRegions } from './names.js';
import { initCompare, renderCompare } from './compare.js';
import { viewPadding } from './frame.js';
import { loadTimeRange, initTime, renderTime, refreshFlow, setReference } from './timeline.js';
import { wireInteractions } from './interact.js';
import { initSectorSearch, loadValueChains, resolveName, showSector, clusterDetails, loadSynonyms } from './sector.js';
import { model, renderLegend } from './legend.js';
import { initClusterPanel, openCluster, openRegion, closeCluster } from './cluster-panel.js';
import { initInvestor, rank, relabelInvestor } from './investor.js';
import { renderExportLinks, exportPNG } from './export-view.js';
import { el, clear, $ } from './dom.js';
import { initLisa, syncLisa, reloadLisa } from './lisa.js';
import { renderLisaStatus } from './lisa-legend.js';
import { initEmerging, syncEmerging, reloadEmerging } from './emerging.js';
import { renderEmergingStatus } from './emerging-legend.js';

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

// listClusters offers the footprints on screen as buttons, named by place
// and sector, for keyboard users: those at the resolution of the hexagons
// first, larger ones first.
let listSeq = 0;
async function listClusters(res) {
  const my = ++listSeq;
  const box = $('#clusters-in-view');
  if (!state.layers.has('clusters') || !map.getLayer('clusters-fill')) { clear(box); return; }
  const seen = new Map();
  for (const f of map.queryRenderedFeatures({ layers: ['clusters-fill'] })) {
    const p = f.properties;
    if (p.id !== undefined && !seen.has(String(p.id))) seen.set(String(p.id), p);
  }
  const rank = (p) => (p.res === res ? 0 : 1);
  const items = [...seen.values()].sort((a, b) => rank(a) - rank(b) || (b.firms ?? -1) - (a.firms ?? -1)).slice(0, 20);
  const sectors = [...new Set(items.map((p) => String(p.sector ?? '')))];
  await Promise.all([clusterIndex(state.sector), ...sectors.filter((k) => k && !k.startsWith('vc:')).map((k) => resolveName(k).catch(() => {}))]).catch(() => {});
  if (my !== listSeq) return;
  clear(box);
  box.append(el('h3', {}, t('layer.clusters')));
  if (!items.length) {
    if (map.getZoom() >= (map.getSource('clusters')?.minzoom ?? 0)) box.append(el('p', { class: 'muted' }, t('noClustersInView')));
    return;
  }
  box.append(el('ul', {}, items.map((p) => el('li', {},
    el('button', { type: 'button', 'data-cluster': String(p.id), onclick: () => openCluster(String(p.id)) }, [
      el('span', { class: 'cl-name' }, clusterName(p)), el('span', { class: 'cl-detail' }, clusterDetails(p))])))));
}

// regionsStatus says why the region LQ layer paints nothing, when it does not.
function regionsStatus() {
  const note = $('#regions-status');
  if (!state.layers.has('regions') || !map.getLayer('regions-lq')) { note.hidden = true; return; }
  const fs = map.queryRenderedFeatures({ layers: ['regions-lq'] });
  const withLQ = fs.filter((f) => typeof f.properties.lq === 'number').length;
  note.hidden = withLQ > 0;
  note.textContent = fs.length ? t('regionsNoStats') : t('regionsNone');
}

// emptyHint tells when the hexagons layer shows nothing here, with a way back
// to the data.
function emptyHint(n) {
  const hint = $('#empty-hint');
  const minzoom = map.getSource('hexagons')?.minzoom ?? 0;
  hint.hidden = !(state.layers.has('hexagons') && n === 0 && map.getZoom() >= minzoom);
}

function onIdle() {
  loading(false);
  const res = renderedResolution(map);
  emphasiseFootprints(map, res);
  syncLisa(map, res ?? zoomResolution(map));
  syncEmerging(map, res ?? zoomResolution(map));
  renderLegend(model({ res, zoom: map.getZoom() }));
  listClusters(res);
  regionsStatus();
  emptyHint(map.queryRenderedFeatures({ layers: ['hexagons-fill'] }).length);
  renderExportLinks(map);
}

function syncControls() {
  $('#lang-select').value = getLanguage();
  $('#metric-select').value = state.metric;
  $('#lisa-fdr').checked = state.fdr;
  $('#lisa-fdr-label').hidden = state.metric !== 'lisa';
  $('#emerging-controls').hidden = state.metric !== 'emerging';
  $('#em-step').value = state.step;
  // A window from a link that the choices lack (they offer 0–3) is added.
  const win = $('#em-window');
  if (![...win.options].some((o) => o.value === String(state.window))) win.append(el('option', { value: String(state.window) }, String(state.window)));
  win.value = String(state.window);
  if (document.activeElement !== $('#em-from')) $('#em-from').value = state.from;
  if (document.activeElement !== $('#em-to')) $('#em-to').value = state.to;
  for (const cb of document.querySelectorAll('input[name=layer]')) cb.checked = state.layers.has(cb.value);
  showSector();
}

function relabel() {
  applyStatic();
  syncControls();
  refreshLegend();
  relabelInvestor();
  renderTime();
  renderLisaStatus();
  renderEmergingStatus();
  if (map) map.getCanvas().setAttribute('aria-label', t('mapLabel'));
  relabelPlaces(map);
  if (map && map.loaded()) onIdle();
  if (state.cluster) openCluster(state.cluster, { frame: false });
  else if (state.region) openRegion(state.region, { frame: false });
  renderCompare();
}

function wireControls() {
  $('#lang-select').addEventListener('change', (e) => update({ lang: e.target.value }));
  $('#metric-select').addEventListener('change', (e) => update({ metric: e.target.value }));
  $('#lisa-fdr').addEventListener('change', (e) => update({ fdr: e.target.checked }));
  $('#em-step').addEventListener('change', (e) => update({ step: e.target.value }));
  $('#em-window').addEventListener('change', (e) => update({ window: Number(e.target.value) }));
  for (const id of ['em-from', 'em-to']) {
    $(`#${id}`).addEventListener('change', (e) => {
      const v = e.target.value.trim();
      if (validPeriod(v)) update({ [id === 'em-from' ? 'from' : 'to']: v });
    });
  }
  for (const cb of document.querySelectorAll('input[name=layer]')) {
    cb.addEventListener('change', () => {
      const layers = new Set([...document.querySelectorAll('input[name=layer]:checked')].map((c) => c.value));
      update({ layers });
    });
  }
  $('#attribution-toggle').addEventListener('click', (e) => {
    const open = $('#attribution').classList.toggle('open');
    e.currentTarget.setAttribute('aria-expanded', String(open));
  });
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
  if (changed.includes('sector')) {
    refreshSources(map);
    if (state.cluster) closeCluster();
    if ($('#investor-panel').open) rank();
    refreshFlow();
  }
  if (changed.includes('at')) {
    refreshPoints(map);
    renderTime();
  }
  if (changed.includes('metric')) applyMetric(map);
  if (['compare', 'view'].some((k) => changed.includes(k)) || (changed.includes('sector') && state.view === 'compare')) renderCompare();
  if (changed.includes('layers')) applyVisibility(map);
  if (map && ['metric', 'sector', 'layers', 'fdr'].some((k) => changed.includes(k))) syncLisa(map, renderedResolution(map) ?? zoomResolution(map));
  if (map && ['metric', 'sector', 'layers', 'step', 'window', 'from', 'to'].some((k) => changed.includes(k))) {
    syncEmerging(map, renderedResolution(map) ?? zoomResolution(map));
  }
  syncControls();
  refreshLegend();
});

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
    if (had && map) {
      refreshSources(map, true);
      reloadLisa(map, renderedResolution(map) ?? zoomResolution(map));
      reloadEmerging(map, renderedResolution(map) ?? zoomResolution(map));
    }
  }
  // Hexagons and footprints are computed at the analysis reference date.
  setReference(a.latest?.params?.reference_date);
  setAnalysedResolutions(a.latest?.params?.params?.resolutions ?? a.latest?.params?.resolutions);
  renderTime();
  refreshLegend();
  if (running) analysisTimer = setTimeout(() => watchAnalysis(false), 2000);
}

// extentConfig waits briefly for the data extent when the server has data
// but its first analysis is still running (a fresh start), so the first
// view frames the data.
async function extentConfig(config) {
  for (let i = 0; i < 20 && config && !config.bounds; i++) {
    const a = await optionalJSON(endpoints.analysis).catch(() => undefined);
    const running = a?.status?.running === true;
    if (!running && (a?.latest || !(a?.data_version > 0))) {
      return optionalJSON(endpoints.config).catch(() => config);
    }
    await new Promise((r) => { setTimeout(r, 500); });
    config = await optionalJSON(endpoints.config).catch(() => config);
  }
  return config;
}

// showBasemapCredit credits the basemap's data in the footer.
function showBasemapCredit(bm) {
  const credit = bm.kind === 'offline' ? 'Natural Earth (public domain)' : bm.attribution || '';
  $('#basemap-credit').textContent = credit ? `${t('basemap')}: ${credit} · ` : '';
}

// legendPadding keeps the first view of the data clear of the open legend.
function legendPadding() {
  const legend = $('#legend');
  const open = $('#legend details')?.open;
  const w = open ? legend.getBoundingClientRect().width : 0;
  return { top: 30, right: 30, bottom: 30, left: Math.min(30 + w, window.innerWidth / 3) };
}

async function start() {
  // MapLibre's tile worker starts loading now, beside the page's first
  // requests, instead of once the map is made.
  maplibregl.prewarm();
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
  window.kume = { ready: new Promise((r) => { ready = r; }), errors, missingEndpoints, version: undefined, openCluster, openRegion, rank };
  // Names (sectors, chains, regions, everyday words) are not needed to draw
  // the map: they load beside it, so first sight waits only for what the
  // map itself needs.
  Promise.all([loadValueChains(), resolveName(state.sector), loadSynonyms(), loadRegions()])
    .then(() => { showSector(); refreshLegend(); }).catch(() => {});
  const [config, tileInfo] = await Promise.all([
    optionalJSON(endpoints.config).catch(() => undefined),
    loadTileJSON(),
    loadTimeRange(),
    loadLabelFont(),
  ]);
  showSector();
  const bounds = dataBounds(await extentConfig(config), tileInfo);
  const basemap = config?.basemap || (config?.style_url ? { kind: 'style', url: config.style_url } : { kind: 'none' });
  showBasemapCredit(basemap);
  map = createMap('map', { basemap, bounds, padding: legendPadding() });
  window.kumeMap = map;
  // The analysis' status and dates label the panels, not the map: they are
  // read once the map is on its way.
  watchAnalysis(true);
  initInvestor(map);
  initClusterPanel(map);
  initTime(map);
  initCompare();
  renderCompare();
  initLisa(map, { onUpdate: () => { renderLisaStatus(); refreshLegend(); } });
  initEmerging(map, { onUpdate: () => { renderEmergingStatus(); refreshLegend(); renderExportLinks(map); } });
  map.on('error', (e) => {
    const msg = e?.error?.message || String(e?.error || 'map error');
    errors.push(msg);
    notice(t('error', { what: msg }));
  });
  map.on('style.load', () => wireInteractions(map, { onCluster: openCluster, onRegion: openRegion }));
  map.on('dataloading', () => loading(true));
  map.on('idle', onIdle);
  $('#reset-view').addEventListener('click', () => { if (bounds) map.fitBounds(bounds, { padding: viewPadding(map) }); });
  map.once('idle', () => {
    ready(map);
    if (state.cluster) openCluster(state.cluster);
    else if (state.region) openRegion(state.region);
  });
  map.on('zoomend', refreshLegend);
  $('#investor-panel').addEventListener('toggle', (e) => { if (e.target.open) rank(); });
  $('#export-panel').addEventListener('toggle', (e) => { if (e.target.open) renderExportLinks(map); });
}

start().catch((err) => {
  errors.push(err.message);
  notice(t('error', { what: err.message }));
});
