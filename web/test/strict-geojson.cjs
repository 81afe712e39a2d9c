// Vendored unchanged from the project's output validators (tools/validate/strict-geojson.cjs)
// so the browser tests can check exported GeoJSON against RFC 7946 without extra installs.
// RFC 7946 exporter checks that check-geojson/geojsonhint do not make (run them too).
const fs = require('fs');
function checkGeoJSON(bytes) {
  const errs = [];
  let text; try { text = new TextDecoder('utf-8', {fatal: true}).decode(bytes); } catch { return ['invalid UTF-8 (RFC 8259 §8.1 / I-JSON)']; }
  if (text.charCodeAt(0) === 0xfeff) errs.push('UTF-8 BOM present');
  let o; try { o = JSON.parse(text); } catch (e) { return [...errs, 'not JSON: ' + e.message]; }
  if ('crs' in o) errs.push('top-level "crs" member (removed in RFC 7946 §4)');
  const feats = o.type === 'FeatureCollection' ? o.features || [] : o.type === 'Feature' ? [o] : [];
  const ids = new Set();
  feats.forEach((f, i) => {
    if (f.id !== undefined) { if (ids.has(f.id)) errs.push(`feature ${i}: duplicate id ${JSON.stringify(f.id)}`); ids.add(f.id); }
    if ('crs' in f) errs.push(`feature ${i}: "crs" member`);
    const g = f.geometry; if (!g) return;
    const pos = p => { if (!Array.isArray(p) || p.length < 2 || p.length > 3) errs.push(`feature ${i}: position arity ${p && p.length}`);
      const [x, y] = p; if (!Number.isFinite(x) || !Number.isFinite(y)) errs.push(`feature ${i}: non-finite coordinate`);
      else { if (x < -180 || x > 180) errs.push(`feature ${i}: lon ${x} out of [-180,180]`); if (y < -90 || y > 90) errs.push(`feature ${i}: lat ${y} out of [-90,90] (swapped lon/lat?)`); } };
    const ring = (r, exterior) => { r.forEach(pos); if (r.length < 4) errs.push(`feature ${i}: ring with <4 positions`);
      const a = r.slice(0, -1).reduce((s, p, k) => s + (p[0] * r[k + 1][1] - r[k + 1][0] * p[1]), 0) / 2; // >0 = CCW (y up)
      if (exterior && a < 0) errs.push(`feature ${i}: exterior ring clockwise (RFC 7946 §3.1.6 right-hand rule)`);
      if (!exterior && a > 0) errs.push(`feature ${i}: hole counter-clockwise`);
      for (let k = 1; k < r.length; k++) if (Math.abs(r[k][0] - r[k - 1][0]) > 180) { errs.push(`feature ${i}: edge jumps >180° lon (antimeridian not cut, §3.1.9)`); break; } };
    const poly = rs => rs.forEach((r, k) => ring(r, k === 0));
    switch (g.type) { case 'Point': pos(g.coordinates); break; case 'MultiPoint': case 'LineString': g.coordinates.forEach(pos); break;
      case 'MultiLineString': g.coordinates.forEach(l => l.forEach(pos)); break; case 'Polygon': poly(g.coordinates); break;
      case 'MultiPolygon': g.coordinates.forEach(poly); break; }
  });
  if (Array.isArray(o.bbox) && o.bbox.length === 4 && o.bbox[1] > o.bbox[3]) errs.push('bbox south > north');
  return errs;
}
module.exports = {checkGeoJSON};
if (require.main === module) { let bad = 0; for (const f of process.argv.slice(2)) { const e = checkGeoJSON(fs.readFileSync(f)); if (e.length) bad++; console.log(`${e.length ? 'FAIL' : 'OK  '} ${f.split('/').pop()}${e.length ? ': ' + e.join('; ') : ''}`); } process.exitCode = bad ? 1 : 0; }
