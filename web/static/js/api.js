// api: the JSON API and tile URLs of the kume server the page came from.

export const origin = window.location.origin;

// ApiError carries the HTTP status and the server's error code, if any.
export class ApiError extends Error {
  constructor(path, status, code, message) {
    super(message || `${path}: HTTP ${status}`);
    this.path = path;
    this.status = status;
    this.code = code;
  }
}

// query builds "?a=b&..." from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// getJSON fetches a JSON document; a 204 gives null.
export async function getJSON(path, params, { signal } = {}) {
  const res = await fetch(origin + path + query(params), { signal, headers: { Accept: 'application/json' } });
  if (res.status === 204) return null;
  if (!res.ok) {
    let code = '';
    let message = '';
    try {
      const body = await res.json();
      code = body.code || '';
      message = body.message || '';
    } catch { /* not a JSON error body */ }
    throw new ApiError(path, res.status, code, message);
  }
  return res.json();
}

// Server capabilities are learned once: a 404 on a contract endpoint means this
// server does not offer it, and the page hides the feature instead of asking again.
const missing = new Set();
export function markMissing(path) { missing.add(path); }
export function missingEndpoints() { return [...missing]; }

export async function optionalJSON(path, params, opts) {
  if (missing.has(path)) return undefined;
  try {
    return await getJSON(path, params, opts);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405 || err.status === 501)) {
      missing.add(path);
      return undefined;
    }
    throw err;
  }
}

export const endpoints = {
  config: '/api/v1/config',
  sectors: '/api/v1/sectors',
  valueChains: '/api/v1/value-chains',
  analysis: '/api/v1/analysis',
  timeline: '/api/v1/timeline',
  rank: '/api/v1/rank',
  regions: '/api/v1/regions',
  places: '/api/v1/places',
  regionLabels: '/api/v1/region-labels',
  trends: '/api/v1/trends',
  lisa: '/api/v1/lisa',
  emerging: '/api/v1/emerging',
  clusterDynamics: (id) => `/api/v1/clusters/${encodeURIComponent(id)}/dynamics`,
  cluster: (id) => `/api/v1/clusters/${encodeURIComponent(id)}`,
  tileJSON: (layer) => `/tiles/${layer}.json`,
};

// tileURL is the z/x/y template of a layer with the given filters.
export function tileURL(layer, params) {
  return `${origin}/tiles/${layer}/{z}/{x}/{y}.mvt${query(params)}`;
}

// exportURL is the download URL of a layer as GeoJSON or CSV with filters.
export function exportURL(layer, format, params) {
  return `${origin}/api/v1/export/${layer}.${format}${query(params)}`;
}
