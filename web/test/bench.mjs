// bench: cold page load on localhost — time until the first map idle with
// hexagons drawn, and the page's total transfer (page, workers, tiles, API).
// Run: cd web && node test/bench.mjs [runs]   (KUME_WEB_TEST_URL to reuse a server)
import { startServer, launch, browserMissing } from './harness.mjs';

const runs = Number(process.argv[2] || 3);
const why = browserMissing();
if (why) { console.error(why); process.exit(1); }

const server = await startServer();
const results = [];
try {
  for (let i = 0; i < runs; i++) {
    const browser = await launch(); // a fresh profile: nothing cached
    const page = await browser.context.newPage();
    let bytes = 0;
    let requests = 0;
    const pending = [];
    page.on('requestfinished', (r) => {
      pending.push(r.sizes().then((s) => { bytes += s.responseBodySize + s.responseHeadersSize; requests++; }).catch(() => {}));
    });
    await page.goto(`${server.base}/?lang=en`);
    const t = await page.evaluate(() => new Promise((resolve) => {
      let firstIdle = null;
      // Without hexagons (a server without tiles) report the first idle alone.
      setTimeout(() => resolve({ ms: null, firstIdle, hexagons: 0 }), 60000);
      const check = () => {
        const m = window.kumeMap;
        firstIdle ??= performance.now();
        const n = m.getLayer('hexagons-fill') ? m.queryRenderedFeatures({ layers: ['hexagons-fill'] }).length : 0;
        if (n > 0) resolve({ ms: performance.now(), firstIdle, hexagons: n });
        else m.once('idle', check);
      };
      const wait = () => (window.kumeMap ? window.kume.ready.then(check) : setTimeout(wait, 10));
      wait();
    }));
    await Promise.all(pending);
    results.push({ ...t, bytes, requests });
    await browser.close();
  }
} finally {
  await server.stop();
}
const med = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
for (const r of results) {
  const what = r.ms === null ? `no hexagons drawn within 60 s; first idle ${r.firstIdle?.toFixed(0)} ms` : `first idle with hexagons: ${r.ms.toFixed(0)} ms, ${r.hexagons} hexagons`;
  console.log(`${what}, ${(r.bytes / 1024).toFixed(0)} KiB in ${r.requests} requests`);
}
const key = results.every((r) => r.ms !== null) ? 'ms' : 'firstIdle';
console.log(`median of ${results.length}: ${key === 'ms' ? 'first idle with hexagons' : 'first idle (no hexagons)'} ${med(key).toFixed(0)} ms, ${(med('bytes') / 1024).toFixed(0)} KiB transferred`);
if (key !== 'ms') process.exitCode = 1;
