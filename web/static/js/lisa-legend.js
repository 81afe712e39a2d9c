// lisa-legend: the words of the local Moran's I view — its legend section, its
// status line under the colour control and its cell popup.
import { t, fmtNumber } from './i18n.js';
import { lisaState } from './lisa.js';
import { lisaQuadrants, lisaColors, lisaNotSignificant, lisaOpacity } from './palette.js';
import { el, $ } from './dom.js';

function fmtAlpha(a) { return fmtNumber(a, 3); }

// lisaSection is the legend section of the view: the four classes with their
// significant cells, the cells that are not significant, and notes on the
// method's parameters and the global Moran's I.
export function lisaSection() {
  const s = lisaState();
  const m = s.meta || {};
  const c = s.counts;
  const alpha = typeof m.alpha === 'number' ? m.alpha : 0.05;
  // The largest significant p: alpha, or with FDR the server's threshold
  // (null when no cell passes it).
  const threshold = m.fdr === true ? (typeof m.p_threshold === 'number' ? m.p_threshold : null) : alpha;
  const items = lisaQuadrants.map((q) => ({ kind: 'fill', color: lisaColors[q], key: q,
    label: t(`lisa.${q}`), count: c ? c[q] : undefined }));
  items.push({ kind: 'fill', color: lisaNotSignificant, alpha: lisaOpacity.notSignificant, key: 'ns',
    label: threshold === null ? t('lisa.nsAll') : t('lisa.ns', { alpha: fmtAlpha(threshold) }),
    count: c ? c.notSignificant : undefined });
  const notes = [];
  if (s.status === 'loading') notes.push({ text: t('lisaLoading'), kind: 'status' });
  if (s.status === 'error') notes.push({ text: t('lisaError', { what: s.message }), kind: 'error' });
  if (s.status === 'ready') {
    const params = { alpha: fmtAlpha(alpha), perms: fmtNumber(m.permutations), seed: String(m.seed ?? '–') };
    let key = 'lisaSignificance';
    if (m.fdr === true) key = threshold === null ? 'lisaSignificanceFdrNone' : 'lisaSignificanceFdr';
    notes.push({ text: t(key, { ...params, threshold: threshold === null ? '' : fmtAlpha(threshold) }), key: 'significance' });
    notes.push({ text: t('lisaGlobal', { i: fmtNumber(m.global_moran_i, 3), n: fmtNumber(m.n), k: fmtNumber(m.k),
      res: fmtNumber(m.res) }), key: 'global' });
  }
  return { title: t('metric.lisa'), items, notes, key: 'lisa' };
}

// renderLisaStatus writes the view's state under the colour control, where
// screen readers hear it: loading, the server's message, or a summary.
export function renderLisaStatus() {
  const box = $('#lisa-status');
  if (!box) return;
  const s = lisaState();
  box.classList.toggle('error', s.status === 'error');
  if (s.status === 'loading') box.textContent = t('lisaLoading');
  else if (s.status === 'error') box.textContent = t('lisaError', { what: s.message });
  else if (s.status === 'ready' && s.counts) {
    const c = s.counts;
    box.textContent = t('lisaSummary', { sig: fmtNumber(c.HH + c.HL + c.LH + c.LL), n: fmtNumber(s.meta?.n),
      i: fmtNumber(s.meta?.global_moran_i, 3) });
  } else box.textContent = '';
  box.hidden = !box.textContent;
}

function row(label, value) {
  return el('div', { class: 'kv' }, [el('span', { class: 'k' }, label), el('span', { class: 'v' }, value)]);
}

// lisaPopup describes one cell of the view: its firms, I, quadrant and p.
export function lisaPopup(p) {
  const value = p.value === null || p.value === undefined ? t('suppressedValue') : fmtNumber(p.value);
  const q = typeof p.quadrant === 'string' && lisaQuadrants.includes(p.quadrant) ? p.quadrant : '';
  return [
    el('strong', {}, t('cellPopup', { cell: p.cell ?? '' })),
    row(t('lisaValue'), value),
    row(t('lisaI'), typeof p.lisa_i === 'number' ? fmtNumber(p.lisa_i, 3) : '–'),
    row(t('lisaQuadrant'), q ? t(`lisa.short.${q}`) : '–'),
    row(t('lisaP'), typeof p.p_sim === 'number' ? fmtNumber(p.p_sim, 3) : '–'),
    row(p.significant === true ? t('lisaSignificant') : t('lisaNotSignificant'), ''),
  ];
}
