// emerging-legend: the words of the emerging hot spot view — its legend
// section (the categories drawn, in ArcGIS's colours, with their cells), the
// notes on the method and on what the data's dates lack, its status line
// under the colour control and its cell popup.
import { t, fmtNumber, format, getLanguage } from './i18n.js';
import { emergingState } from './emerging.js';
import { emergingHot, emergingCold, emergingColors, emergingOpacity } from './palette.js';
import { el, $ } from './dom.js';

// textIn picks the current language of a server sentence {en, tr}.
export function textIn(x) {
  if (!x || typeof x !== 'object') return '';
  return x[getLanguage()] || x.en || '';
}

// legendCategories lists the categories the legend names, in ArcGIS's
// order: those with drawn cells, and no pattern.
function legendCategories(drawn) {
  return [...emergingHot, ...emergingCold, 'no_pattern'].filter((c) => c === 'no_pattern' || (drawn?.[c] ?? 0) > 0);
}

// methodNote says what the view computed: its span, window, significance and
// resolution.
function methodNote(m) {
  const alpha = typeof m.alpha === 'number'
    ? format('number', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(m.alpha) : '–';
  return t('emMethod', { step: t(`emSteps.${m.step}`), from: m.from, to: m.to, window: fmtNumber(m.window), alpha,
    fdr: m.fdr ? t('emFdr') : '', res: fmtNumber(m.res), k: fmtNumber(m.k) });
}

// emergingSection is the legend section of the view.
export function emergingSection() {
  const s = emergingState();
  const m = s.meta || {};
  const drawn = m.feature_categories;
  const items = s.status === 'ready' ? legendCategories(drawn).map((c) => ({ kind: 'fill', color: emergingColors[c], key: c,
    alpha: c === 'no_pattern' ? emergingOpacity.none : undefined, label: t(`em.${c}`), count: drawn?.[c] ?? 0 })) : [];
  const notes = [];
  if (s.status === 'loading') notes.push({ text: t('emLoading'), kind: 'status', key: 'status' });
  if (s.status === 'error') notes.push({ text: t('emError', { what: s.message }), kind: 'error', key: 'status' });
  if (s.status === 'ready') {
    for (const [i, lack] of (m.lacks || []).entries()) notes.push({ text: textIn(lack), kind: 'lack', key: `lack-${i}` });
    notes.push({ text: methodNote(m), key: 'method' });
    const f = m.firms || {};
    notes.push({ text: t('emFirms', { counted: fmtNumber(f.counted), matched: fmtNumber(f.matched), undated: fmtNumber(f.undated),
      rule: t(`emRule.${m.undated?.rule ?? 'present'}`) }), key: 'firms' });
    notes.push({ text: t('emMethodNote'), key: 'about' });
  }
  return { title: t('metric.emerging'), items, notes, key: 'emerging' };
}

// renderEmergingStatus writes the view's state under the colour control,
// where screen readers hear it: loading, the server's message, or a summary.
export function renderEmergingStatus() {
  const box = $('#emerging-status');
  if (!box) return;
  const s = emergingState();
  box.classList.toggle('error', s.status === 'error');
  if (s.status === 'loading') box.textContent = t('emLoading');
  else if (s.status === 'error') box.textContent = t('emError', { what: s.message });
  else if (s.status === 'ready') {
    const m = s.meta || {};
    const total = m.n_features ?? 0;
    const none = m.feature_categories?.no_pattern ?? 0;
    box.textContent = t('emSummary', { n: fmtNumber(total - none), total: fmtNumber(total), from: m.from, to: m.to });
  } else box.textContent = '';
  box.hidden = !box.textContent;
}

function row(label, value) {
  return el('div', { class: 'kv' }, [el('span', { class: 'k' }, label), el('span', { class: 'v' }, value)]);
}

// emergingPopup describes one cell: its pattern, trend and last step.
export function emergingPopup(p) {
  const cat = typeof p.category === 'string' && p.category in emergingColors ? p.category : 'no_pattern';
  const num = (v, d) => (typeof v === 'number' ? fmtNumber(v, d) : '–');
  return [
    el('strong', {}, t('cellPopup', { cell: p.cell ?? '' })),
    row(t('emCategory'), t(`em.${cat}`)),
    row(t('emTrend'), num(p.trend_z, 2)),
    row(t('emTrendP'), num(p.trend_p, 3)),
    row(t('emTau'), num(p.tau, 2)),
    row(t('emFinalBin'), t(`gi.${p.final_bin ?? 0}`)),
  ];
}
