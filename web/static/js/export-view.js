// export-view: downloads of what is on screen (GeoJSON, CSV with the current
// filters and map extent) and a PNG of the map with its legend.
import { exportURL, origin, endpoints, query } from './api.js';
import { t } from './i18n.js';
import { state, filters } from './state.js';
import { boundsParam, renderedResolution } from './map.js';
import { drawLegend } from './legend.js';
import { el, clear, $, download } from './dom.js';
import { lisaActive, lisaQuery } from './lisa.js';
import { emergingActive, emergingState } from './emerging.js';

const exportLayers = ['hexagons', 'clusters', 'establishments', 'institutions'];

// params are the export filters of a layer; each layer takes only its own.
function params(map, layer) {
  const p = { ...filters(), bbox: boundsParam(map) };
  if (layer === 'institutions') delete p.sector;
  if (layer === 'establishments') p.kind = 'firm';
  if (layer === 'hexagons') p.res = renderedResolution(map) ?? undefined;
  return p;
}

// renderExportLinks rebuilds the links so they always carry the current view.
export function renderExportLinks(map) {
  const box = clear($('#export-links'));
  for (const layer of exportLayers.filter((l) => state.layers.has(l))) {
    const name = t(`layer.${layer}`);
    for (const fmt of ['geojson', 'csv']) {
      box.append(el('a', { class: 'btn', href: exportURL(layer, fmt, params(map, layer)), download: `kume-${layer}.${fmt}`,
        'data-export': `${layer}.${fmt}` }, `${name} · ${fmt === 'geojson' ? 'GeoJSON' : 'CSV'}`));
    }
  }
  // Local Moran's I of the whole study area, as the map shows it.
  const lq = lisaActive() ? lisaQuery() : null;
  if (lq) {
    box.append(el('a', { class: 'btn', href: `${origin}${endpoints.lisa}${query(lq)}`, download: 'kume-lisa.geojson',
      'data-export': 'lisa.geojson' }, `${t('metric.lisa')} · GeoJSON`));
  }
  // Emerging hot spots of the whole study area, as the map shows them.
  const em = emergingActive() && emergingState().status === 'ready' ? emergingState().query : null;
  if (em) {
    for (const fmt of ['geojson', 'csv']) {
      box.append(el('a', { class: 'btn', href: exportURL('emerging', fmt, { ...em, limit: 10000 }), download: `kume-emerging.${fmt}`,
        'data-export': `emerging.${fmt}` }, `${t('metric.emerging')} · ${fmt === 'geojson' ? 'GeoJSON' : 'CSV'}`));
    }
  }
}

// exportPNG composites the map canvas and the legend into one image.
export function exportPNG(map, legendModel) {
  const src = map.getCanvas();
  const ratio = src.width / src.clientWidth || 1;
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height;
  const ctx = out.getContext('2d');
  ctx.drawImage(src, 0, 0);
  ctx.scale(ratio, ratio);
  const { h } = drawLegend(ctx, legendModel, 0, 0, true);
  drawLegend(ctx, legendModel, 10, Math.max(10, src.clientHeight - h - 30));
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#333';
  ctx.fillText($('#attribution-text').textContent.replace(/\s+/g, ' ').trim(), 10, src.clientHeight - 10, src.clientWidth - 20);
  out.toBlob((blob) => {
    const url = URL.createObjectURL(blob);
    download(url, `kume-map${state.sector ? `-${state.sector.replace(/[^\w.-]/g, '_')}` : ''}.png`);
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }, 'image/png');
}
