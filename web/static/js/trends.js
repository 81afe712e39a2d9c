// trends: firms and employment of a cluster or region over time, from
// /api/v1/trends, drawn as entries and exits per period with the active firms,
// and said honestly: no growth is claimed where founding dates are unknown.
import { optionalJSON, endpoints } from './api.js';
import { t, fmtNumber, fmtPercent, fmtMonth, fmtDate } from './i18n.js';
import { trendChart } from './charts.js';
import { el } from './dom.js';

// loadTrend asks for the monthly trend of a unit ({cluster: id} or {region:
// "level:code"}), or the yearly one when its dates span more than four years.
export async function loadTrend(unit, sector) {
  const ask = (interval) => optionalJSON(endpoints.trends, { ...unit, sector: sector || undefined, interval });
  const monthly = await ask('month');
  return (monthly?.periods?.length ?? 0) > 48 ? ask('year') : monthly;
}

const label = (p) => (p.period.length === 7 ? fmtMonth(p.period) : p.period);

// growthText says the change of active firms, or why none is stated.
export function growthText(tr) {
  const g = tr?.growth;
  if (!g) return t('noData');
  if (g.claimable && typeof g.rate === 'number') {
    return t('growthStated', { rate: fmtPercent(g.rate, 1), from: fmtDate(g.from), to: fmtDate(g.to), start: fmtNumber(g.start), end: fmtNumber(g.end) });
  }
  if (tr.founded_unknown > 0) return t('growthUnknownDates', { n: fmtNumber(tr.founded_unknown), total: fmtNumber(tr.total) });
  return t('growthNotStated');
}

// datesNote tells what the dates cover: founding dates unknown for N of M
// firms, and the span of the closing dates.
export function datesNote(tr) {
  const parts = [];
  if (tr.founded_unknown > 0) parts.push(t('foundingUnknown', { n: fmtNumber(tr.founded_unknown), total: fmtNumber(tr.total) }));
  if (tr.closed) parts.push(t('closingSpan', { from: fmtDate(tr.closed.min), to: fmtDate(tr.closed.max), n: fmtNumber(tr.closed.count) }));
  if (!tr.founded && !tr.closed) parts.push(t('noDatesAtAll'));
  return parts.join(' ');
}

// renderTrend appends a trend's chart and notes to box; it returns the chart
// (to destroy later) or null.
export async function renderTrend(box, tr) {
  const ps = tr?.periods || [];
  box.append(el('p', { class: 'trend-growth', 'data-claimable': String(!!tr?.growth?.claimable) }, growthText(tr)));
  if (tr) box.append(el('p', { class: 'muted trend-note' }, datesNote(tr)));
  if (!ps.length) {
    box.append(el('p', { class: 'muted' }, t('flowNoData')));
    return null;
  }
  const canvas = el('canvas', { role: 'img', 'aria-label': t('trendTitle') });
  box.append(el('div', { class: 'chart trend-chart' }, canvas));
  const dated = (tr.founded?.count ?? 0) > 0;
  const sum = (k) => ps.reduce((n, p) => n + p[k], 0);
  box.append(el('p', { class: 'muted' }, t('trendSummary', { from: label(ps[0]), to: label(ps[ps.length - 1]),
    entries: dated ? fmtNumber(sum('entries')) : '–', exits: fmtNumber(sum('exits')),
    employees: fmtNumber(ps[ps.length - 1].employees_active) })));
  return trendChart(canvas, ps.map(label), {
    entries: dated ? ps.map((p) => p.entries) : null,
    exits: ps.map((p) => p.exits),
    // Without founding dates the count of active firms before their
    // registration is unknown: the line is left out.
    active: tr.growth?.claimable ? ps.map((p) => p.active) : null,
  }, { names: { entries: t('entries'), exits: t('exits'), active: t('activeFirms') }, format: (v) => fmtNumber(v) });
}
