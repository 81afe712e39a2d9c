// dynamics: whether a cluster's cells are emerging, persistent or
// diminishing hot spots, from /api/v1/clusters/{id}/dynamics (the emerging
// hot spot analysis of its sector at its resolution), for its profile beside
// the map and its printable report.
import { optionalJSON, endpoints } from './api.js';
import { t, fmtNumber } from './i18n.js';
import { textIn } from './emerging-legend.js';
import { emergingColors } from './palette.js';
import { el } from './dom.js';

// groups in the order the server's summary names them, each drawn in the
// colour of its most telling category.
const groups = [
  ['emerging', 'intensifying_hot_spot'], ['persistent', 'persistent_hot_spot'], ['diminishing', 'diminishing_hot_spot'],
  ['intermittent', 'oscillating_hot_spot'], ['cold', 'persistent_cold_spot'], ['none', 'no_pattern'],
];

// loadDynamics asks for a cluster's dynamics; undefined when the server has
// no such route.
export function loadDynamics(id) {
  return optionalJSON(endpoints.clusterDynamics(id));
}

// renderDynamics appends a cluster's dynamics to box: the dominant group,
// the one-line summary, the cells per group and what the data's dates lack.
// onShow, when given, adds a button that shows the emerging view on the map.
export function renderDynamics(box, d, { onShow } = {}) {
  if (!d) {
    box.append(el('p', { class: 'muted' }, t('noData')));
    return;
  }
  box.append(el('p', { class: 'dominant', 'data-dominant': d.dominant }, t(`dominant.${d.dominant}`)));
  box.append(el('p', { class: 'summary' }, textIn(d.summary)));
  const items = groups.filter(([g]) => (d.groups?.[g] ?? 0) > 0).map(([g, cat]) => {
    const sw = el('span', { class: 'sw sw-fill', 'aria-hidden': 'true' });
    sw.style.setProperty('--c', emergingColors[cat]);
    return el('li', { 'data-group': g }, [sw, el('span', {}, `${t(`group.${g}`)}: ${fmtNumber(d.groups[g])}`)]);
  });
  box.append(el('ul', {}, items));
  for (const lack of d.lacks || []) box.append(el('p', { class: 'lack' }, textIn(lack)));
  if (onShow) {
    box.append(el('button', { type: 'button', class: 'btn', 'data-action': 'emerging', onclick: () => onShow(d) }, t('dynamicsShow')));
  }
}
