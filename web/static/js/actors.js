// actors: the supporting institutions around a chosen cluster, drawn on the
// map with their names while its profile is open.
import { getJSON } from './api.js';
import { styleFont } from './basemap.js';
import { groupOf } from './palette.js';

const empty = { type: 'FeatureCollection', features: [] };
let seq = 0;

function ensureLayers(map) {
  if (map.getSource('cluster-actors')) return;
  map.addSource('cluster-actors', { type: 'geojson', data: empty });
  map.addLayer({ id: 'cluster-actors-circle', type: 'circle', source: 'cluster-actors',
    paint: { 'circle-radius': 7, 'circle-color': ['get', 'color'], 'circle-stroke-color': '#d4006a', 'circle-stroke-width': 2.5 } });
  map.addLayer({ id: 'cluster-actors-label', type: 'symbol', source: 'cluster-actors', minzoom: 9,
    layout: { 'text-field': ['get', 'name'], 'text-font': [styleFont(map)], 'text-size': 11, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-max-width': 10, 'text-optional': true },
    paint: { 'text-color': '#5a0030', 'text-halo-color': '#fff', 'text-halo-width': 1.4 } });
}

// showActors draws the institutions within about 10 km of the footprint's
// box (the distance the profile counts institutions "near" within); a null
// box clears them.
export async function showActors(map, bbox) {
  if (!map) return;
  const my = ++seq;
  if (!map.isStyleLoaded() && !map.getSource('clusters')) return;
  ensureLayers(map);
  const src = map.getSource('cluster-actors');
  if (!bbox) { src.setData(empty); return; }
  const pad = 0.1;
  const box = [bbox[0] - pad * 1.6, bbox[1] - pad, bbox[2] + pad * 1.6, bbox[3] + pad].map((v) => v.toFixed(5)).join(',');
  const fc = await getJSON('/api/v1/export/institutions.geojson', { bbox: box, limit: 500 }).catch(() => null);
  if (my !== seq) return;
  for (const f of fc?.features || []) f.properties = { name: f.properties?.name || '', type: f.properties?.type || '', color: groupOf(f.properties?.type).color };
  src.setData(fc?.features ? { type: 'FeatureCollection', features: fc.features } : empty);
}
