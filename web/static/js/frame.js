// frame: fits the map to a place so that it stays in sight beside the panels
// that cover the map (the profile panel on the right or, on a phone, at the
// bottom; the legend on the left).
import { $ } from './dom.js';

function visible(node) {
  return node && !node.hidden && node.getBoundingClientRect().width > 0;
}

// viewPadding is the map padding that keeps a fitted place clear of the
// profile panel and the open legend.
export function viewPadding(map) {
  const box = map.getContainer().getBoundingClientRect();
  const pad = { top: 40, right: 40, bottom: 40, left: 40 };
  const panel = $('#cluster-panel');
  if (visible(panel)) {
    const r = panel.getBoundingClientRect();
    if (r.top > box.top + box.height / 3) pad.bottom = Math.max(pad.bottom, box.bottom - r.top + 20);
    else pad.right = Math.max(pad.right, box.right - r.left + 20);
  }
  const legend = $('#legend');
  if (visible(legend) && $('#legend details')?.open) {
    const r = legend.getBoundingClientRect();
    pad.left = Math.max(pad.left, r.right - box.left + 16);
  }
  // Never leave less than a third of the map for the place itself.
  pad.left = Math.min(pad.left, box.width / 3);
  pad.right = Math.min(pad.right, box.width * 0.6);
  pad.bottom = Math.min(pad.bottom, box.height * 0.7);
  return pad;
}

// frameBBox flies the map to a [w, s, e, n] box beside the panels.
export function frameBBox(map, b, { maxZoom = 14, animate = true } = {}) {
  if (!map || !Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite)) return false;
  const reduce = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: viewPadding(map), maxZoom, animate: animate && !reduce, duration: 900 });
  return true;
}
