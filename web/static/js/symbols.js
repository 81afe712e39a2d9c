// symbols: institution shapes drawn on a canvas, so the map needs no sprite
// sheet and no glyphs. The same paths draw the legend's swatches.
import { institutionGroups } from './palette.js';

// shapePath traces a shape centred in a box of size s on a 2D context.
export function shapePath(ctx, shape, x, y, s) {
  const r = s / 2;
  ctx.beginPath();
  switch (shape) {
    case 'triangle':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y + r * 0.8);
      ctx.lineTo(x - r, y + r * 0.8);
      break;
    case 'square':
      ctx.rect(x - r * 0.8, y - r * 0.8, r * 1.6, r * 1.6);
      break;
    case 'diamond':
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      break;
    case 'hexagon':
      for (let i = 0; i < 6; i++) {
        const a = Math.PI / 3 * i + Math.PI / 6;
        const px = x + r * Math.cos(a);
        const py = y + r * Math.sin(a);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      }
      break;
    default:
      ctx.arc(x, y, r * 0.85, 0, Math.PI * 2);
  }
  ctx.closePath();
}

export function drawSymbol(ctx, shape, color, x, y, s) {
  shapePath(ctx, shape, x, y, s);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = Math.max(1.5, s / 10);
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
}

// addInstitutionImages registers one image per institution group on the map.
export function addInstitutionImages(map) {
  const ratio = 2;
  const size = 18 * ratio;
  for (const g of institutionGroups) {
    const name = `inst-${g.id}`;
    if (map.hasImage(name)) continue;
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    const ctx = c.getContext('2d');
    drawSymbol(ctx, g.shape, g.color, size / 2, size / 2, size - 6);
    map.addImage(name, ctx.getImageData(0, 0, size, size), { pixelRatio: ratio });
  }
}

// swatchCanvas returns a small canvas showing a group's symbol for the legend.
export function swatchCanvas(group, px = 16) {
  const c = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  c.width = px * ratio;
  c.height = px * ratio;
  c.style.width = `${px}px`;
  c.style.height = `${px}px`;
  c.setAttribute('aria-hidden', 'true');
  const ctx = c.getContext('2d');
  ctx.scale(ratio, ratio);
  drawSymbol(ctx, group.shape, group.color, px / 2, px / 2, px - 3);
  return c;
}
