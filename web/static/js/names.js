// names: what planners call things — regions by their names (not
// "bezirk:11000001"), cluster footprints by place and sector (not "62") —
// and where each lies, for flying to it.
import { optionalJSON, endpoints, getJSON } from './api.js';
import { t, getLanguage, has } from './i18n.js';
import { sectorName } from './sector.js';

const regions = new Map(); // "level:code" -> {name, level, code, bbox}
const places = new Map(); // "lon,lat" -> {region: smallest region's name, near: nearest place}
const clusterSets = new Map(); // sector -> Map(id -> {props, bbox, centre})
const clusterLoads = new Map(); // sector -> the promise of its index
let regionsLoaded = null;

// loadRegions learns every region's name and extent once.
export function loadRegions() {
  regionsLoaded ??= optionalJSON(endpoints.regions).then((body) => {
    for (const r of body?.regions || []) regions.set(`${r.level}:${r.code}`, r);
  }).catch(() => {});
  return regionsLoaded;
}

// levelName is a region level in the page's language ("Bezirk", "il").
export function levelName(level) {
  return has(`level.${level}`) ? t(`level.${level}`) : level;
}

// region returns what is known of a region id "level:code" (or a code alone
// when one level holds it).
export function region(id) {
  const s = String(id || '');
  if (regions.has(s)) return regions.get(s);
  if (!s.includes(':')) return [...regions.values()].find((r) => r.code === s);
  return undefined;
}

// regionLabel names a region id for lists: "Mitte (Bezirk)".
export function regionLabel(id, fallback = '') {
  const r = region(id);
  if (r?.name) return `${r.name} (${levelName(r.level)})`;
  const [level, code] = String(id).split(':');
  return fallback || (code ? `${levelName(level)} ${code}` : String(id));
}

// bboxOf returns the [w, s, e, n] of a GeoJSON geometry.
export function bboxOf(g) {
  if (!g?.coordinates) return null;
  const b = [180, 90, -180, -90];
  const walk = (co) => {
    if (typeof co[0] === 'number') {
      b[0] = Math.min(b[0], co[0]); b[1] = Math.min(b[1], co[1]);
      b[2] = Math.max(b[2], co[0]); b[3] = Math.max(b[3], co[1]);
    } else co.forEach(walk);
  };
  walk(g.coordinates);
  return b[0] <= b[2] ? b : null;
}

// centreOf is the centre of a footprint's bounding box, the point its place
// is looked up at.
export function centreOf(g) {
  const b = bboxOf(g);
  if (!b) return null;
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

const key = (pt) => `${pt[0].toFixed(4)},${pt[1].toFixed(4)}`;

// placesAt learns the smallest region around each point, in one request.
export async function placesAt(points) {
  const want = points.filter((p) => p && !places.has(key(p)));
  for (let i = 0; i < want.length; i += 100) {
    const chunk = want.slice(i, i + 100);
    const body = await optionalJSON(endpoints.places, { at: chunk.map((p) => `${p[0].toFixed(5)},${p[1].toFixed(5)}`).join('|') }).catch(() => undefined);
    chunk.forEach((p, j) => places.set(key(p), { region: body?.places?.[j]?.[0]?.name || '', near: body?.near?.[j] || null }));
  }
}

// placeAt says where a point lies: {name, near}, its smallest region, else
// the nearest populated place (near: true; in the page's language where the
// data has the name), else null.
export function placeAt(pt) {
  const p = pt ? places.get(key(pt)) : null;
  if (p?.region) return { name: p.region, near: false };
  if (!p?.near) return null;
  return { name: (getLanguage() === 'tr' ? p.near.name_tr : p.near.name_en) || p.near.name, near: true };
}

// clusterIndex loads the footprints of a sector (with their outlines) once,
// and the places they lie in.
export function clusterIndex(sector) {
  const k = sector || '';
  if (!clusterLoads.has(k)) {
    clusterLoads.set(k, (async () => {
      const idx = new Map();
      const fc = await getJSON('/api/v1/export/clusters.geojson', { sector: k || undefined, limit: 10000 }).catch(() => null);
      for (const f of fc?.features || []) {
        const id = String(f.properties?.id ?? f.id);
        idx.set(id, { props: f.properties || {}, bbox: bboxOf(f.geometry), centre: centreOf(f.geometry) });
      }
      await placesAt([...idx.values()].map((c) => c.centre));
      clusterSets.set(k, idx);
      return idx;
    })());
  }
  return clusterLoads.get(k);
}

// clusterInfo returns what the index knows of a footprint.
export function clusterInfo(id, sector) {
  return clusterSets.get(sector || '')?.get(String(id)) || [...clusterSets.values()].map((m) => m.get(String(id))).find(Boolean);
}

// clusterName names a footprint: its own name in the page's language when
// the server gives one ("Mitte – ICT and software"), else its place and its
// sector's name, never its key.
export function clusterName(c, centre) {
  const lang = getLanguage();
  const sector = String(c.sector ?? '');
  // Servers that name clusters send name_tr and place along with name;
  // before that, name holds the sector key, which is no name.
  const named = typeof c.name_tr === 'string' || typeof c.place === 'string';
  const own = lang === 'tr' ? (c.name_tr || c.name) : (c.name || c.name_tr);
  if (named && own) return String(own);
  const info = clusterInfo(c.id, sector);
  const place = c.place ? { name: c.place, near: false } : placeAt(centre || info?.centre);
  const what = sectorName(sector) || (sector ? t('sectorUnknown', { code: sector }) : t('allSectors'));
  if (place?.near) return t('nearPlace', { what, name: place.name });
  return place ? `${place.name} – ${what}` : `${what} ${t('clusterWord')}`;
}
