// palette: colour scales for the map and the legend. Gi* bins use ColorBrewer
// RdBu (diverging, colour-blind safe); counts and LQ use a sequential YlOrRd.

export const giColors = {
  '-3': '#2166ac', '-2': '#67a9cf', '-1': '#d1e5f0', 0: '#f7f7f7',
  1: '#fddbc7', 2: '#ef8a62', 3: '#b2182b',
};
export const giBins = [3, 2, 1, 0, -1, -2, -3];

// ColorBrewer YlOrRd, 7 classes.
export const sequential = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#b10026'];

export const suppressedColor = '#b8b8b8';

// Class breaks: the lower bound of each colour class.
export const breaks = {
  firms: [1, 2, 5, 10, 20, 50, 100],
  employees: [1, 10, 50, 100, 500, 1000, 5000],
  lq: [0, 0.5, 0.8, 1.25, 2, 3, 5],
};

export const metricProp = { firms: 'firms', employees: 'employees', lq: 'lq', gi: 'gi_bin' };

// stepExpr colours a numeric property by class breaks.
function stepExpr(prop, bounds) {
  const expr = ['step', ['to-number', ['coalesce', ['get', prop], -1]], 'rgba(0,0,0,0)'];
  bounds.forEach((b, i) => expr.push(b, sequential[i]));
  return expr;
}

// hexFill is the fill-color expression of the hexagon layer for a metric.
export function hexFill(metric) {
  let body;
  if (metric === 'gi') {
    body = ['match', ['to-number', ['coalesce', ['get', 'gi_bin'], 0]]];
    for (const b of giBins) body.push(b, giColors[b]);
    body.push(giColors[0]);
  } else {
    body = stepExpr(metricProp[metric], breaks[metric]);
  }
  return ['case', ['==', ['get', 'suppressed'], true], suppressedColor, body];
}

// regionFill colours regions by LQ; regions without an LQ stay transparent.
export function regionFill() {
  return ['case', ['==', ['typeof', ['get', 'lq']], 'number'], stepExpr('lq', breaks.lq), 'rgba(0,0,0,0)'];
}

// Institution types are grouped; each group has its own shape and colour
// (Okabe–Ito colours, distinguishable with colour-vision deficiencies).
export const institutionGroups = [
  { id: 'education', shape: 'triangle', color: '#0072b2',
    types: ['university', 'vocational_school', 'research_institute', 'think_tank'] },
  { id: 'public', shape: 'square', color: '#d55e00',
    types: ['public_agency', 'development_agency', 'chamber'] },
  { id: 'services', shape: 'diamond', color: '#009e73',
    types: ['bank', 'packaging_producer', 'logistics_provider'] },
  { id: 'site', shape: 'hexagon', color: '#cc79a7',
    types: ['osb', 'technopark', 'incubator', 'free_zone'] },
  { id: 'network', shape: 'circle', color: '#e69f00',
    types: ['cooperative', 'sector_association', 'business_network', 'other'] },
];

export function groupOf(type) {
  return institutionGroups.find((g) => g.types.includes(type)) || institutionGroups[4];
}

// institutionIcon is the icon-image expression: one image per group.
export function institutionIcon() {
  const expr = ['match', ['get', 'type']];
  for (const g of institutionGroups) expr.push(g.types, `inst-${g.id}`);
  expr.push('inst-network');
  return expr;
}

export const footprintColor = '#222222';
// Footprints are drawn dashed (the legend draws the same dashes) and the
// chosen one solid in the accent colour.
export const footprintDash = [3, 1.5];
export const highlightColor = '#d4006a';
export const firmColor = '#3d3d9e';

// Local Moran's I quadrants in the conventional LISA colours (ColorBrewer RdBu,
// 4 classes): High–High dark red, High–Low light red, Low–High light blue,
// Low–Low dark blue. Cells that are not significant are a faint grey.
export const lisaQuadrants = ['HH', 'HL', 'LH', 'LL'];
export const lisaColors = { HH: '#ca0020', HL: '#f4a582', LH: '#92c5de', LL: '#0571b0' };
export const lisaNotSignificant = '#9e9e9e';
export const lisaOpacity = { significant: 0.82, notSignificant: 0.12 };

const lisaSignificant = ['==', ['get', 'significant'], true];

// lisaFill is the fill-color expression of the local Moran's I layer.
export function lisaFill() {
  const byQuadrant = ['match', ['coalesce', ['get', 'quadrant'], '']];
  for (const q of lisaQuadrants) byQuadrant.push(q, lisaColors[q]);
  byQuadrant.push(lisaNotSignificant);
  return ['case', lisaSignificant, byQuadrant, lisaNotSignificant];
}

// lisaFillOpacity draws significant cells strongly and the rest of the study
// area very faintly.
export function lisaFillOpacity() {
  return ['case', lisaSignificant, lisaOpacity.significant, lisaOpacity.notSignificant];
}

// Emerging hot spots in the scheme of ArcGIS Pro's Emerging Hot Spot Analysis:
// reds for the hot categories (darkest for intensifying and persistent ones),
// blues for their cold mirrors, grey for no pattern. Keys are the categories
// of /api/v1/emerging in ArcGIS's order (codes 1..8, then −1..−8).
export const emergingHot = ['new_hot_spot', 'consecutive_hot_spot', 'intensifying_hot_spot', 'persistent_hot_spot',
  'diminishing_hot_spot', 'sporadic_hot_spot', 'oscillating_hot_spot', 'historical_hot_spot'];
export const emergingCold = emergingHot.map((c) => c.replace('hot_spot', 'cold_spot'));
export const emergingColors = {
  new_hot_spot: '#fb6a4a', consecutive_hot_spot: '#ef3b2c', intensifying_hot_spot: '#99000d', persistent_hot_spot: '#cb181d',
  diminishing_hot_spot: '#fc9272', sporadic_hot_spot: '#f16913', oscillating_hot_spot: '#fdae6b', historical_hot_spot: '#fcbba1',
  new_cold_spot: '#6baed6', consecutive_cold_spot: '#4292c6', intensifying_cold_spot: '#08306b', persistent_cold_spot: '#2171b5',
  diminishing_cold_spot: '#9ecae1', sporadic_cold_spot: '#74a9cf', oscillating_cold_spot: '#a6bddb', historical_cold_spot: '#c6dbef',
  no_pattern: '#9e9e9e',
};
export const emergingOpacity = { pattern: 0.85, none: 0.3 };

// emergingFill is the fill-color expression of the emerging layer.
export function emergingFill() {
  const expr = ['match', ['coalesce', ['get', 'category'], 'no_pattern']];
  for (const c of [...emergingHot, ...emergingCold]) expr.push(c, emergingColors[c]);
  expr.push(emergingColors.no_pattern);
  return expr;
}

// emergingFillOpacity draws the cells with a pattern strongly and the others
// faintly.
export function emergingFillOpacity() {
  return ['case', ['==', ['coalesce', ['get', 'category'], 'no_pattern'], 'no_pattern'], emergingOpacity.none, emergingOpacity.pattern];
}
