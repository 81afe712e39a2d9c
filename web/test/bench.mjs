// bench: first sight on localhost — the time from navigation until the map
// has drawn both hexagons and the basemap (land and place names), with a warm
// server (one unrecorded run first), and what the page transferred for it
// (page, scripts, fonts, API, tiles: bytes and requests). Each run uses a
// fresh browser profile, so nothing comes from the browser's cache.
// Run: cd web && node test/bench.mjs [runs]   (KUME_WEB_TEST_URL to reuse a server)
import { startServer, launch, browserMissing } from './harness.mjs';

const runs = Number(process.argv[2] || 5);
const why = browserMissing();
if (why) { console.error(why); process.exit(1); }

async function once(base) {
  const browser = await launch();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  let bytes = 0;
  let requests = 0;
  const pending = [];
  page.on('requestfinished', (r) => {
    pending.push(r.sizes().then((s) => { bytes += s.responseBodySize + s.responseHeadersSize; requests++; }).catch(() => {}));
  });
  await page.goto(`${base}/?lang=en`);
  const t = await page.evaluate(() => new Promise((resolve) => {
    setTimeout(() => resolve({ ms: null }), 60000);
    const drawn = (m, layer) => (m.getLayer(layer) ? m.queryRenderedFeatures({ layers: [layer] }).length : 0);
    const check = () => {
      const m = window.kumeMap;
      const n = { hexagons: drawn(m, 'hexagons-fill'), land: drawn(m, 'bm-land'), places: drawn(m, 'bm-places') };
      if (n.hexagons > 0 && n.land > 0) resolve({ ms: performance.now(), ...n });
      else m.once('idle', check);
    };
    const wait = () => (window.kumeMap ? window.kume.ready.then(check) : setTimeout(wait, 10));
    wait();
  }));
  // What the first sight cost: everything requested until then.
  await Promise.all(pending);
  await browser.close();
  return { ...t, bytes, requests };
}

const server = await startServer();
const results = [];
try {
  await once(server.base); // warms the server: tile caches, decoded analysis groups
  for (let i = 0; i < runs; i++) results.push(await once(server.base));
} finally {
  await server.stop();
}
for (const r of results) {
  console.log(r.ms === null ? 'nothing drawn within 60 s'
    : `hexagons and basemap drawn after ${r.ms.toFixed(0)} ms (${r.hexagons} hexagons, ${r.land} land, ${r.places} place features), ${(r.bytes / 1024).toFixed(0)} KiB in ${r.requests} requests`);
}
const ok = results.filter((r) => r.ms !== null);
const med = (k) => ok.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(ok.length / 2)];
if (ok.length) console.log(`median of ${ok.length}: ${med('ms').toFixed(0)} ms to hexagons and basemap, ${(med('bytes') / 1024).toFixed(0)} KiB in ${med('requests')} requests`);
if (ok.length < results.length) process.exitCode = 1;
