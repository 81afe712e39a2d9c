// timeline: the time control, shown when the data has dates — a month slider
// that sets the day at whose end the firm points are drawn, and a chart of the
// entries and exits of the firms in view for the current sector.
import { optionalJSON, endpoints } from './api.js';
import { t, fmtDate, fmtMonth, fmtNumber } from './i18n.js';
import { state, time, update, enableTime } from './state.js';
import { boundsParam } from './map.js';
import { flowChart } from './charts.js';
import { $ } from './dom.js';

// months are the slider's positions (yyyy-mm); one more position, the last,
// stands for today.
let months = [];
let range = null; // the /timeline answer for all firms: range, founded, closed
let map = null;
let chart = null;
let flow = null; // the last chart data, for the slider's count in view
let pending = null;
let timer = 0;

const addMonths = (ym, n) => {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
};

function monthsBetween(from, to) {
  const out = [];
  for (let m = from; m <= to && out.length < 1200; m = addMonths(m, 1)) out.push(m);
  return out;
}

// loadTimeRange asks the server for the span of the firms' dates; with one,
// it enables the time control (before the map is made, so the first firm
// tiles already carry the month from the URL).
export async function loadTimeRange() {
  const tl = await optionalJSON(endpoints.timeline, { kind: 'firm', interval: 'year' }).catch(() => undefined);
  if (!tl?.range) return false;
  range = tl;
  // One month before the first date shows the firms before any change.
  months = monthsBetween(addMonths(tl.range.min.slice(0, 7), -1), tl.range.max.slice(0, 7));
  enableTime(true);
  if (state.at && state.at < months[0]) state.at = months[0];
  if (state.at && state.at > months[months.length - 1]) state.at = '';
  return true;
}

// setReference records the analysis reference date the hexagons and
// footprints were computed at.
export function setReference(date) {
  time.reference = date ? String(date).slice(0, 10) : '';
}

function position() {
  const i = months.indexOf(state.at);
  return i < 0 ? months.length : i;
}

const monthOf = (i) => (i >= months.length ? '' : months[i]);
const atLabel = (ym) => (ym ? fmtMonth(ym) : t('today'));

// activeInView is the number of firms in view active at the end of ym, from
// the last chart data ("" for today: the last period's count).
function activeInView(ym) {
  if (!flow?.periods?.length) return null;
  if (!ym) return flow.periods[flow.periods.length - 1].active;
  const p = flow.periods.filter((x) => x.period <= ym).pop();
  return p ? p.active : flow.total - (flow.founded?.count ?? 0);
}

function showSlider(i = position()) {
  const input = $('#at-range');
  const ym = monthOf(i);
  input.max = String(months.length);
  input.value = String(i);
  input.setAttribute('aria-valuetext', atLabel(ym));
  $('#at-output').textContent = atLabel(ym);
  $('#at-clear').disabled = !state.at;
}

// renderTime relabels the panel (language, month, reference date).
export function renderTime() {
  if (!time.enabled) return;
  $('#time-panel').hidden = false;
  showSlider();
  $('#time-note').textContent = t('timeNote', { date: time.reference ? fmtDate(time.reference) : '–' });
  const span = (r) => (r ? `${fmtDate(r.min)} – ${fmtDate(r.max)}` : t('noDates'));
  $('#time-range').textContent = t('timeDates', { founded: span(range?.founded), closed: span(range?.closed) });
  drawFlow();
}

async function drawFlow() {
  const summary = $('#flow-summary');
  const canvas = $('#flow-chart');
  if (!flow) return;
  const ps = flow.periods || [];
  canvas.hidden = !ps.length;
  if (!ps.length) {
    chart?.destroy();
    chart = null;
    summary.textContent = t('flowNoData');
    return;
  }
  const sel = state.at ? ps.findIndex((p) => p.period === state.at) : -1;
  const sum = (k) => ps.reduce((n, p) => n + p[k], 0);
  const at = state.at || ps[ps.length - 1].period;
  summary.textContent = t('flowSummary', { from: fmtMonth(ps[0].period), to: fmtMonth(ps[ps.length - 1].period),
    entries: fmtNumber(sum('entries')), exits: fmtNumber(sum('exits')), active: fmtNumber(activeInView(at)), at: fmtMonth(at) });
  const labels = ps.map((p) => (p.period.length === 7 ? fmtMonth(p.period) : p.period));
  chart = await flowChart(canvas, labels, ps.map((p) => p.entries), ps.map((p) => p.exits),
    { selected: sel, names: [t('entries'), t('exits')], format: (v) => fmtNumber(v) });
}

// loadFlow fetches the entries and exits of the firms in view, when the
// panel is open; a newer request cancels an older one.
async function loadFlow() {
  if (!time.enabled || !map || !$('#time-panel').open) return;
  pending?.abort();
  const ctl = new AbortController();
  pending = ctl;
  const interval = months.length > 240 ? 'year' : 'month';
  try {
    flow = await optionalJSON(endpoints.timeline, { kind: 'firm', sector: state.sector, bbox: boundsParam(map), interval },
      { signal: ctl.signal });
  } catch (err) {
    if (ctl.signal.aborted) return;
    flow = null;
    $('#flow-summary').textContent = t('error', { what: err.message });
    return;
  } finally {
    if (pending === ctl) pending = null;
  }
  await drawFlow();
}

// refreshFlow reloads the chart shortly after the view or sector settles.
export function refreshFlow() {
  clearTimeout(timer);
  timer = setTimeout(loadFlow, 250);
}

// initTime wires the slider and the chart to the map.
export function initTime(m) {
  map = m;
  if (!time.enabled) return;
  const input = $('#at-range');
  // Dragging relabels at once; the tiles follow on release (or on each key).
  input.addEventListener('input', () => {
    const ym = monthOf(Number(input.value));
    $('#at-output').textContent = atLabel(ym);
    input.setAttribute('aria-valuetext', atLabel(ym));
  });
  input.addEventListener('change', () => update({ at: monthOf(Number(input.value)) }));
  $('#at-clear').addEventListener('click', () => update({ at: '' }));
  $('#time-panel').addEventListener('toggle', (e) => { if (e.target.open) loadFlow(); });
  map.on('moveend', refreshFlow);
  if (state.at) $('#time-panel').open = true;
  renderTime();
  loadFlow();
}
