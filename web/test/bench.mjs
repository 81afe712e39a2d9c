// bench: first sight on localhost, with a warm server (one unrecorded run
// first) and a fresh browser profile per run, so nothing comes from the
// browser's cache. Each run opens a new Chromium, lets it settle on a blank
// page (a planner's browser is already running: its own start-up is not the
// page's), then navigates and records, from navigation start:
//   - first sight: the first frame with both hexagons and basemap land on
//     it, handed to the screen;
//   - place names: the first frame with basemap place names;
//   - complete: the frame of the map's first idle (every tile of the view
//     loaded, every fade done).
// Each run then opens the page once more in the same browser, after a blank
// page: a repeat visit, with what the browser kept of the first (its HTTP
// cache, revalidated; the code it compiled from the scripts), timed to first
// sight alike.
// Bytes and requests are counted in one further run of their own, since the
// DevTools traffic that counts them would slow the timed runs.
// Run: cd web && node test/bench.mjs [runs]   (KUME_WEB_TEST_URL to reuse a server)
import { startServer, launch, browserMissing } from './harness.mjs';

const runs = Number(process.argv[2] || 5);
const settleMs = 1500;
const why = browserMissing();
if (why) { console.error(why); process.exit(1); }

// watchFrames runs in the page before its scripts: it catches the map as the
// app publishes it and checks every drawn frame.
function watchFrames() {
  const marks = {};
  window.kumeBench = marks;
  let map;
  Object.defineProperty(window, 'kumeMap', {
    configurable: true,
    get: () => map,
    set: (m) => {
      map = m;
      // A layer counts where the canvas is shown, the layer is not
      // transparent and it has features in view.
      const opacity = { fill: 'fill-opacity', line: 'line-opacity', symbol: 'text-opacity', circle: 'circle-opacity' };
      const shown = () => getComputedStyle(m.getCanvas()).visibility === 'visible';
      const opaque = (layer) => m.getPaintProperty(layer, opacity[m.getLayer(layer).type]) !== 0;
      const drawn = (layer) => (m.getLayer(layer) && shown() && opaque(layer) ? m.queryRenderedFeatures({ layers: [layer] }).length : 0);
      // MapLibre's render event comes when the frame's drawing calls are
      // made; the frame reaches the screen when the task that made them
      // ends (the browser waits there for the canvas to be drawn), so each
      // mark is taken in a task queued behind it.
      const seen = new Set();
      const at = (key) => { seen.add(key); setTimeout(() => { marks[key] = performance.now(); }, 0); };
      const onRender = () => {
        if (!seen.has('firstSight') && drawn('hexagons-fill') > 0 && drawn('bm-land') > 0) at('firstSight');
        if (!seen.has('places') && drawn('bm-places') > 0) at('places');
        if (seen.has('firstSight') && seen.has('places')) m.off('render', onRender);
      };
      m.on('render', onRender);
      m.once('idle', () => at('complete'));
    },
  });
}

async function once(base, { count = false } = {}) {
  const browser = await launch();
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('about:blank');
  await page.waitForTimeout(settleMs);
  await page.addInitScript(watchFrames);
  let bytes = 0;
  let requests = 0;
  const pending = [];
  if (count) {
    page.on('requestfinished', (r) => {
      pending.push(r.sizes().then((s) => { bytes += s.responseBodySize + s.responseHeadersSize; requests++; }).catch(() => {}));
    });
  }
  const visit = async () => {
    await page.goto(`${base}/?lang=en`);
    try {
      await page.waitForFunction(() => window.kumeBench?.complete !== undefined, null, { timeout: 60000 });
      return await page.evaluate(() => window.kumeBench);
    } catch {
      return {}; // nothing drawn within 60 s
    }
  };
  const marks = await visit();
  await Promise.all(pending);
  let repeat;
  if (!count) {
    await page.goto('about:blank');
    await page.waitForTimeout(settleMs);
    repeat = (await visit()).firstSight;
  }
  await browser.close();
  return { ...marks, repeat, bytes, requests };
}

const server = await startServer();
const results = [];
let cost;
try {
  await once(server.base); // warms the server: tile caches, decoded analysis groups
  for (let i = 0; i < runs; i++) results.push(await once(server.base));
  cost = await once(server.base, { count: true });
} finally {
  await server.stop();
}
const ms = (v) => (v === undefined ? 'never' : `${v.toFixed(0)} ms`);
for (const r of results) {
  console.log(`first sight (hexagons and basemap) ${ms(r.firstSight)}, place names ${ms(r.places)}, complete ${ms(r.complete)}; repeat visit: first sight ${ms(r.repeat)}`);
}
const ok = results.filter((r) => r.firstSight !== undefined && r.complete !== undefined);
const med = (k) => {
  const vs = ok.map((r) => r[k]).filter((v) => v !== undefined).sort((a, b) => a - b);
  return vs[Math.floor(vs.length / 2)];
};
if (ok.length) {
  console.log(`median of ${ok.length}: first sight ${ms(med('firstSight'))}, place names ${ms(med('places'))}, complete ${ms(med('complete'))}; repeat visit: first sight ${ms(med('repeat'))}`);
}
console.log(`cost of the first view: ${(cost.bytes / 1024).toFixed(0)} KiB in ${cost.requests} requests`);
if (ok.length < results.length) process.exitCode = 1;
