// interact: clicks and hovers on the map — popups for cells, firms,
// institutions and regions; footprints open the cluster panel.
import { maplibregl } from './map.js';
import { t, fmtNumber, fmtPercent, has } from './i18n.js';
import { el } from './dom.js';
import { state } from './state.js';
import { lisaPopup } from './lisa-legend.js';
import { emergingPopup } from './emerging-legend.js';

const order = ['institutions-symbol', 'establishments-circle', 'clusters-fill', 'lisa-fill', 'emerging-fill', 'hexagons-fill', 'regions-lq', 'regions-line'];

function row(label, value) {
  return el('div', { class: 'kv' }, [el('span', { class: 'k' }, label), el('span', { class: 'v' }, value)]);
}

function lqText(v) {
  return typeof v === 'number' ? fmtNumber(v, 2) : '–';
}

function hexPopup(p) {
  const sup = p.suppressed === true;
  const rows = [
    el('strong', {}, t('cellPopup', { cell: p.cell ?? '' })),
    row(t('firms'), sup ? t('suppressedValue') : fmtNumber(p.firms)),
    row(t('employees'), sup ? t('suppressedValue') : fmtNumber(p.employees)),
    row(t('lq'), sup ? t('suppressedValue') : lqText(p.lq)),
    row('Gi* z', typeof p.gi_z === 'number' ? fmtNumber(p.gi_z, 2) : '–'),
    row('p', typeof p.gi_p === 'number' ? fmtNumber(p.gi_p, 3) : '–'),
    row(t(`gi.${p.gi_bin ?? 0}`), ''),
  ];
  if (typeof p.share_imprecise === 'number' && p.share_imprecise > 0) {
    rows.push(row(t('imprecise'), fmtPercent(p.share_imprecise)));
  }
  return rows;
}

function popupContent(f) {
  const p = f.properties;
  switch (f.layer.id) {
    case 'institutions-symbol':
      return [el('strong', {}, p.name || ''), el('div', {}, has(`inst.${p.type}`) ? t(`inst.${p.type}`) : p.type || '')];
    case 'establishments-circle':
      return [el('strong', {}, p.name || ''), row('NACE', p.nace || '–'), row(t('employees'), fmtNumber(p.employees))];
    case 'hexagons-fill':
      return hexPopup(p);
    case 'lisa-fill':
      return lisaPopup(p);
    case 'emerging-fill':
      return emergingPopup(p);
    default: {
      const rows = [el('strong', {}, p.name || p.code || '')];
      rows.push(row(t('regionLQ'), lqText(p.lq)));
      if (p.firms !== undefined) rows.push(row(t('firms'), fmtNumber(p.firms)));
      if (p.stars !== undefined) rows.push(row(t('stars'), `${'★'.repeat(Number(p.stars) || 0) || '0'}${p.strong === true ? ` · ${t('strong')}` : ''}`));
      if (p.entries !== undefined) rows.push(row(t('entries'), fmtNumber(p.entries)));
      if (p.exits !== undefined) rows.push(row(t('exits'), fmtNumber(p.exits)));
      return rows;
    }
  }
}

// wireInteractions sets up clicks; onCluster(id) opens a cluster profile.
export function wireInteractions(map, { onCluster, onRegion }) {
  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: '280px' });
  map.on('click', (e) => {
    const box = [[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]];
    // Under local Moran's I and emerging hot spots the hexagon tiles are
    // loaded but not drawn.
    const drawn = (id) => !(id === 'hexagons-fill' && (state.metric === 'lisa' || state.metric === 'emerging'));
    const layers = order.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none' && drawn(id));
    const feats = map.queryRenderedFeatures(box, { layers });
    feats.sort((a, b) => order.indexOf(a.layer.id) - order.indexOf(b.layer.id));
    const f = feats[0];
    if (!f) { popup.remove(); return; }
    if (f.layer.id === 'clusters-fill' && f.properties.id !== undefined) {
      popup.remove();
      onCluster(String(f.properties.id));
      return;
    }
    if (f.layer.id === 'regions-line') return;
    const content = popupContent(f);
    if (f.layer.id === 'regions-lq' && onRegion && f.properties.level && f.properties.code !== undefined) {
      const id = `${f.properties.level}:${f.properties.code}`;
      content.push(el('button', { type: 'button', class: 'btn popup-btn', 'data-region': id,
        onclick: () => { popup.remove(); onRegion(id); } }, t('regionProfile')));
    }
    const div = el('div', { class: 'popup' }, content);
    popup.setLngLat(e.lngLat).setDOMContent(div).addTo(map);
  });
  const hoverable = ['clusters-fill', 'institutions-symbol', 'establishments-circle', 'hexagons-fill', 'lisa-fill', 'emerging-fill'];
  for (const id of hoverable) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
}
