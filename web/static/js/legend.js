// legend: one model of what is on screen, drawn as HTML beside the map and on a
// 2D canvas for the PNG export.
import { t, fmtNumber, fmtDate, fmtMonth } from './i18n.js';
import { state, time } from './state.js';
import { giBins, giColors, sequential, breaks, suppressedColor, institutionGroups, footprintColor, footprintDash, highlightColor, firmColor } from './palette.js';
import { sectorLabel } from './sector.js';
import { swatchCanvas, drawSymbol } from './symbols.js';
import { lisaSection } from './lisa-legend.js';
import { emergingSection } from './emerging-legend.js';
import { el, clear, $ } from './dom.js';

function classLabels(metric) {
  const b = breaks[metric];
  const d = metric === 'lq' ? 2 : 0;
  return b.map((lo, i) => (i < b.length - 1 ? `${fmtNumber(lo, d)} – ${fmtNumber(b[i + 1], d)}` : `≥ ${fmtNumber(lo, d)}`));
}

// Institutions are drawn from this zoom on (their tiles' minimum zoom).
const institutionsMinZoom = 8;

// model describes the legend for the current view.
export function model({ res, zoom }) {
  const sections = [];
  const sub = [sectorLabel(state.sector)];
  if (res !== null && res !== undefined) sub.push(t('resolution', { res }));
  sub.push(t('zoom', { z: fmtNumber(zoom, 1) }));
  if (state.layers.has('hexagons') && state.metric === 'lisa') {
    sections.push(lisaSection());
  } else if (state.layers.has('hexagons') && state.metric === 'emerging') {
    sections.push(emergingSection());
  } else if (state.layers.has('hexagons')) {
    const items = state.metric === 'gi'
      ? giBins.map((b) => ({ kind: 'fill', color: giColors[b], label: t(`gi.${b}`) }))
      : classLabels(state.metric).map((label, i) => ({ kind: 'fill', color: sequential[i], label }));
    items.push({ kind: 'fill', color: suppressedColor, label: t('suppressed') });
    sections.push({ title: t(`metric.${state.metric}`), items });
  }
  if (state.layers.has('clusters')) {
    // Footprints are drawn dashed, the chosen one solid: so is the legend.
    const items = [{ kind: 'line', dash: footprintDash, color: footprintColor, label: t('footprint') },
      { kind: 'line', dash: footprintDash, color: footprintColor, alpha: 0.35, thin: true, label: t('footprintOther') }];
    if (state.cluster) items.push({ kind: 'line', color: highlightColor, label: t('footprintChosen') });
    sections.push({ title: t('layer.clusters'), items });
  }
  if (state.layers.has('institutions') && zoom < institutionsMinZoom) {
    sections.push({ title: t('layer.institutions'),
      items: [{ kind: 'symbol', group: institutionGroups[0], label: t('zoomInInst') }] });
  } else if (state.layers.has('institutions')) {
    sections.push({
      title: t('layer.institutions'),
      items: institutionGroups.map((g) => ({ kind: 'symbol', group: g, label: t(`grp.${g.id}`),
        detail: g.types.map((x) => t(`inst.${x}`)).join(', ') })),
    });
  }
  if (state.layers.has('establishments')) {
    sections.push({ title: t('layer.establishments'),
      items: [{ kind: 'circle', color: firmColor, label: zoom >= 12 ? t('firmPoint') : t('zoomIn') }] });
  }
  const regionItems = [{ kind: 'line', color: '#7a8591', label: t('regionBoundary') }];
  if (state.region) regionItems.push({ kind: 'line', color: highlightColor, label: t('regionChosen') });
  if (state.layers.has('regions')) {
    classLabels('lq').forEach((label, i) => regionItems.push({ kind: 'fill', color: sequential[i], label, alpha: 0.55 }));
  }
  sections.push({ title: state.layers.has('regions') ? t('regionLQ') : t('regions'), items: regionItems });
  // With dated data, say which date each layer shows.
  const notes = [];
  if (time.enabled && time.reference) notes.push(t('legendAnalysisAt', { date: fmtDate(time.reference) }));
  if (time.enabled && state.layers.has('establishments')) {
    notes.push(state.at ? t('legendFirmsAt', { at: fmtMonth(state.at) }) : t('legendFirmsToday'));
  }
  return { title: t('legend'), subtitle: sub, notes, sections };
}

function swatch(item) {
  if (item.kind === 'symbol') return swatchCanvas(item.group);
  const s = el('span', { class: `sw sw-${item.kind}`, 'aria-hidden': 'true' });
  s.style.setProperty('--c', item.color);
  if (item.alpha) s.style.opacity = String(item.alpha + 0.2);
  if (item.thin) s.classList.add('sw-thin');
  if (item.dash) s.classList.add('sw-dash');
  return s;
}

export function renderLegend(m) {
  const root = $('#legend-body');
  clear(root);
  root.append(el('p', { class: 'legend-sub' }, m.subtitle.join(' · ')));
  for (const n of m.notes || []) root.append(el('p', { class: 'legend-note' }, n));
  for (const sec of m.sections) {
    const ul = el('ul', {}, sec.items.map((it) => el('li', { title: it.detail || null, 'data-key': it.key }, [swatch(it),
      el('span', {}, it.label), it.count === undefined ? null : el('span', { class: 'count' }, fmtNumber(it.count)),
      it.count === undefined ? null : el('span', { class: 'vh' }, ` ${t('cellsAfterCount')}`)])));
    const notes = (sec.notes || []).map((n) => el('p', { class: `legend-note${n.kind ? ` ${n.kind}` : ''}`, 'data-key': n.key }, n.text));
    root.append(el('section', { 'data-key': sec.key, 'aria-busy': sec.notes?.some((n) => n.kind === 'status') ? 'true' : null },
      [el('h3', {}, sec.title), ul, ...notes]));
  }
}

// drawLegend paints the legend model on a 2D context at (x, y); it returns the
// size it needs when dry is true.
export function drawLegend(ctx, m, x, y, dry = false) {
  const w = 260;
  const lh = 18;
  let h = 12;
  const ops = [];
  const text = (s, bold, dy, indent = 10) => { ops.push(['text', s, bold, h + dy, indent]); };
  text(m.title, true, 12); h += lh;
  text(m.subtitle.join(' · '), false, 10); h += lh;
  for (const n of m.notes || []) { text(n, false, 10); h += lh; }
  for (const sec of m.sections) {
    h += 4; text(sec.title, true, 12); h += lh;
    for (const it of sec.items) {
      ops.push(['item', it, h]);
      text(it.count === undefined ? it.label : `${it.label} (${fmtNumber(it.count)})`, false, 12, 32);
      h += lh;
    }
    for (const n of sec.notes || []) { text(n.text, false, 10); h += lh; }
  }
  h += 6;
  if (dry) return { w, h };
  ctx.save();
  ctx.fillStyle = 'rgba(255,255,255,0.92)';
  ctx.strokeStyle = '#999';
  ctx.fillRect(x, y, w, h);
  ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
  ctx.textBaseline = 'alphabetic';
  for (const op of ops) {
    if (op[0] === 'text') {
      ctx.font = `${op[2] ? 'bold ' : ''}12px system-ui, sans-serif`;
      ctx.fillStyle = '#1b1f24';
      ctx.fillText(op[1], x + op[4], y + op[3], w - op[4] - 8);
    } else {
      const it = op[1];
      const sy = y + op[2];
      if (it.kind === 'symbol') drawSymbol(ctx, it.group.shape, it.group.color, x + 18, sy + 7, 13);
      else if (it.kind === 'line') {
        ctx.strokeStyle = it.color; ctx.globalAlpha = it.alpha || 1; ctx.lineWidth = it.thin ? 1 : 2.5;
        ctx.setLineDash(it.dash ? it.dash.map((d) => d * ctx.lineWidth) : []);
        ctx.beginPath(); ctx.moveTo(x + 10, sy + 7); ctx.lineTo(x + 28, sy + 7); ctx.stroke();
        ctx.setLineDash([]); ctx.globalAlpha = 1;
      }
      else if (it.kind === 'circle') { ctx.beginPath(); ctx.arc(x + 18, sy + 7, 4, 0, Math.PI * 2); ctx.fillStyle = it.color; ctx.fill(); }
      else { ctx.fillStyle = it.color; ctx.globalAlpha = it.alpha || 1; ctx.fillRect(x + 10, sy + 1, 16, 12); ctx.globalAlpha = 1; ctx.strokeStyle = '#888'; ctx.strokeRect(x + 10.5, sy + 1.5, 15, 11); }
    }
  }
  ctx.restore();
  return { w, h };
}
