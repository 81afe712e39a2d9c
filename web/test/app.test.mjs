// Browser tests of the web app against a real `kume serve` on the demo data.
// Run: cd web && npm ci && node --test test/
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer, launch, watch, missingOf, openApp, waitIdle, shot, browserMissing } from './harness.mjs';

const require = createRequire(import.meta.url);
const { checkGeoJSON } = require('./strict-geojson.cjs');

const skip = browserMissing();

// need fails with the names of the endpoints the server is missing, if the step
// asked for any of them.
function need(problems, prefix, what) {
  const missing = missingOf(problems).filter((e) => e.startsWith(prefix));
  if (missing.length) assert.fail(`${what}: the server lacks ${missing.join(', ')}`);
}

async function hexSignature(page) {
  return page.evaluate(() => {
    const fs = window.kumeMap.queryRenderedFeatures({ layers: ['hexagons-fill'] });
    const cells = new Map();
    for (const f of fs) cells.set(String(f.properties.cell), `${f.properties.firms}/${f.properties.gi_bin}`);
    return { n: cells.size, sig: [...cells].sort().join(';') };
  });
}

describe('kume web app', { skip: skip || false, timeout: 600000 }, () => {
  let server;
  let browser;
  let page;
  let problems;

  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await browser.context.newPage();
    problems = watch(page);
  });

  after(async () => {
    if (problems) {
      const missing = missingOf(problems);
      if (missing.length) console.error(`endpoints missing on this server: ${missing.join(', ')}`);
    }
    await browser?.close();
    await server?.stop();
  });

  test('the page loads and the map reaches idle with the regions basemap', async () => {
    await openApp(page, server.base, '?lang=en');
    await shot(page, '01-load');
    assert.deepEqual(problems.pageErrors, []);
    need(problems, '/tiles/regions', 'regions basemap');
    // The first view frames the firms; the demo's regions lie elsewhere, so
    // look at the first region and come back.
    const regions = await page.evaluate(async () => {
      const m = window.kumeMap;
      const count = () => m.queryRenderedFeatures({ layers: ['regions-line'] }).length;
      if (count() > 0) return count();
      const body = await fetch('/api/v1/regions').then((r) => r.json());
      const b = body.regions?.find((r) => Array.isArray(r.bbox))?.bbox;
      if (!b) return 0;
      const home = { center: m.getCenter(), zoom: m.getZoom() };
      const idle = () => new Promise((r) => m.once('idle', r));
      let wait = idle();
      m.fitBounds([[b[0], b[1]], [b[2], b[3]]], { animate: false });
      await wait;
      const n = count();
      wait = idle();
      m.jumpTo(home);
      await wait;
      return n;
    });
    assert.ok(regions > 0, 'no region boundaries rendered');
  });

  test('hexagons are rendered', async () => {
    need(problems, '/tiles/hexagons', 'hexagons');
    const { n } = await hexSignature(page);
    assert.ok(n > 0, 'queryRenderedFeatures found no hexagons');
    const res = await page.locator('#legend-body .legend-sub').textContent();
    assert.match(res, /H3 resolution \d+/);
  });

  test('the language switch changes the labels and the URL', async () => {
    assert.equal(await page.locator('#layers-panel summary').textContent(), 'Layers');
    await page.selectOption('#lang-select', 'tr');
    assert.equal(await page.locator('#layers-panel summary').textContent(), 'Katmanlar');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'tr');
    assert.match(page.url(), /[?&]lang=tr/);
    await shot(page, '02-turkish');
    await page.selectOption('#lang-select', 'en');
    assert.equal(await page.locator('#legend-title').textContent(), 'Legend');
  });

  test('switching the sector changes the hexagons', async () => {
    need(problems, '/api/v1/value-chains', 'value chains');
    const before = await hexSignature(page);
    await page.fill('#sector-input', '47');
    const opt = page.locator('#sector-options li[data-key="47"]');
    await opt.waitFor({ timeout: 15000 }).catch(() => need(problems, '/api/v1/sectors', 'sector search'));
    await opt.click();
    // The hexagon tiles are re-pointed once the sector's name is resolved:
    // wait for that, then for the map to draw them.
    await page.waitForFunction(() => (window.kumeMap.getSource('hexagons')?.tiles || []).some((u) => u.includes('sector=47')));
    await waitIdle(page);
    assert.match(page.url(), /[?&]sector=47/);
    const after = await hexSignature(page);
    assert.ok(after.n > 0, 'no hexagons for sector 47');
    assert.notEqual(after.sig, before.sig, 'hexagons did not change with the sector');
    await shot(page, '03-sector-47');
  });

  test('a cluster footprint opens its profile with charts', async () => {
    const found = await page.evaluate(async () => {
      for (const sector of ['47', '', '56', '62', '43', '68', '70', '96', '46', '86']) {
        const q = new URLSearchParams({ limit: '5' });
        if (sector) q.set('sector', sector);
        const r = await fetch(`/api/v1/export/clusters.geojson?${q}`);
        if (!r.ok) return { status: r.status };
        const fc = await r.json();
        if (fc.features?.length) return { sector, feature: fc.features[0] };
      }
      return { none: true };
    });
    if (found.status) need(problems, '/api/v1/export', 'finding a cluster');
    if (!found.feature) {
      const a = await page.evaluate(() => fetch('/api/v1/analysis').then((r) => r.json()).catch(() => null));
      assert.fail(`no cluster footprint in any tried sector (analysis: ${JSON.stringify(a)})`);
    }
    const coords = JSON.stringify(found.feature.geometry.coordinates).match(/-?\d+(\.\d+)?/g).map(Number);
    const xs = coords.filter((_, i) => i % 2 === 0);
    const ys = coords.filter((_, i) => i % 2 === 1);
    const id = String(found.feature.properties.id ?? found.feature.id);
    const query = `?lang=en${found.sector ? `&sector=${found.sector}` : ''}`;
    const hash = await page.evaluate((b) => {
      const c = window.kumeMap.cameraForBounds(b, { padding: 40 });
      return `#map=${Math.min(c.zoom, 14).toFixed(2)}/${c.center.lat.toFixed(5)}/${c.center.lng.toFixed(5)}`;
    }, [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]]);
    await page.goto('about:blank');
    await openApp(page, server.base, query + hash);
    const btn = page.locator(`#clusters-in-view button[data-cluster="${id}"]`);
    await btn.waitFor({ timeout: 20000 });
    await btn.click();
    await page.locator('#cluster-panel:not([hidden])').waitFor();
    await page.waitForFunction(() => !document.querySelector('#cluster-panel').hasAttribute('aria-busy'), null, { timeout: 30000 });
    need(problems, '/api/v1/clusters', 'cluster profile');
    const title = await page.locator('#cluster-title').textContent();
    assert.ok(title.trim().length > 0);
    const charts = await page.evaluate(() => [...document.querySelectorAll('#cluster-body canvas')].filter((c) => window.Chart?.getChart(c)).length);
    assert.ok(charts >= 1, 'no chart drawn in the cluster panel');
    assert.ok(await page.locator('#cluster-body a[data-export="establishments.geojson"]').count() === 1);
    await shot(page, '04-cluster-panel');
    await page.click('#cluster-close');
  });

  test('the investor ranking returns results and flies to one', async () => {
    if (!/[?&]sector=/.test(page.url())) await openApp(page, server.base, '?lang=en&sector=47');
    await page.locator('#investor-panel summary').click();
    const first = page.locator('#rank-results li button.result').first();
    await first.waitFor({ timeout: 30000 }).catch(async () => {
      need(problems, '/api/v1/rank', 'investor ranking');
      assert.fail(`no ranking results: ${await page.locator('#rank-status').textContent()}`);
    });
    assert.ok(await page.locator('#weights input[type=range]').count() > 0, 'no weight sliders');
    const centre = await page.evaluate(() => window.kumeMap.getCenter().toArray());
    const moved = page.evaluate(() => new Promise((resolve, reject) => {
      window.kumeMap.once('moveend', resolve);
      setTimeout(() => reject(new Error('the map did not move within 30 s')), 30000);
    }));
    await first.click();
    await moved;
    await waitIdle(page);
    const after = await page.evaluate(() => window.kumeMap.getCenter().toArray());
    assert.notDeepEqual(after, centre, 'the map did not move to the result');
    await shot(page, '05-investor');
  });

  test('a GeoJSON export of the view downloads and passes RFC 7946 checks', async () => {
    await page.locator('#export-panel summary').click();
    const link = page.locator('#export-links a[data-export="hexagons.geojson"]');
    await link.waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = await dl.path();
    need(problems, '/api/v1/export', 'GeoJSON export');
    const bytes = readFileSync(path);
    assert.deepEqual(checkGeoJSON(bytes), []);
    const fc = JSON.parse(bytes.toString('utf8'));
    assert.equal(fc.type, 'FeatureCollection');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('#png-btn')]);
    const head = readFileSync(await png.path()).subarray(0, 8);
    assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await shot(page, '06-export');
  });

  test('a phone-size screen shows the map and the panels on demand', async () => {
    const phone = await browser.context.newPage();
    const p2 = watch(phone);
    await phone.setViewportSize({ width: 390, height: 800 });
    await openApp(phone, server.base, '?lang=tr');
    await phone.click('#menu-toggle');
    assert.equal(await phone.getAttribute('#menu-toggle', 'aria-expanded'), 'true');
    await phone.waitForFunction(() => document.querySelector('#sidebar').getBoundingClientRect().left >= 0);
    const fits = await phone.evaluate(() => document.querySelector('#lang-select').getBoundingClientRect().right <= window.innerWidth);
    assert.ok(fits, 'the language switch does not fit a phone-size screen');
    await shot(phone, '07-phone');
    assert.deepEqual([...p2.console, ...p2.pageErrors], []);
    await phone.close();
  });

  test('the time control moves the firm points through the dated months', async () => {
    need(problems, '/api/v1/timeline', 'timeline');
    await page.locator('#time-panel').waitFor({ state: 'visible', timeout: 15000 });
    const ats = [];
    page.on('request', (r) => { if (r.url().includes('/tiles/establishments/')) ats.push(new URL(r.url()).searchParams.get('at')); });
    const firms = () => page.evaluate(() => {
      const ids = new Set(window.kumeMap.queryRenderedFeatures({ layers: ['establishments-circle'] }).map((f) => String(f.properties.id)));
      return { n: ids.size, sig: [...ids].sort().join(',') };
    });
    // The map may report idle before the reloaded firm tiles are drawn:
    // wait (bounded) until the drawn points are, or are no longer, sig.
    const drawn = (sig, same) => page.waitForFunction(([want, eq]) => {
      const ids = new Set(window.kumeMap.queryRenderedFeatures({ layers: ['establishments-circle'] }).map((f) => String(f.properties.id)));
      return ([...ids].sort().join(',') === want) === eq && window.kumeMap.loaded();
    }, [sig, same], { timeout: 20000 });
    // Firm points are drawn from zoom 12 on: central Berlin, closer.
    let idle = waitIdle(page);
    await page.evaluate(() => window.kumeMap.jumpTo({ center: [13.4, 52.52], zoom: 14 }));
    await idle;
    if (!(await page.locator('#time-panel').evaluate((d) => d.open))) await page.locator('#time-panel summary').click();
    await page.locator('#flow-summary').filter({ hasText: /\d/ }).waitFor({ timeout: 15000 });
    assert.equal(await page.locator('label[for=at-range]').textContent(), 'Firms active at the end of');
    assert.match(await page.locator('#time-note').textContent(), /analysis reference date/);
    assert.match(await page.locator('#legend-body').textContent(), /analysis of .*Firm points: active today/s);
    const today = await firms();
    assert.ok(today.n > 0, 'no firm points at zoom 14 in Berlin');
    // The keyboard moves the slider: Home is the month before the first date.
    const slider = page.locator('#at-range');
    await slider.focus();
    idle = waitIdle(page);
    await page.keyboard.press('Home');
    await idle;
    const url = new URL(page.url());
    assert.match(url.searchParams.get('at') || '', /^\d{4}-\d{2}$/, 'the month is not kept in the URL');
    const at = url.searchParams.get('at');
    assert.match(await slider.getAttribute('aria-valuetext'), /\d{4}/);
    assert.ok(ats.some((a) => a && a.startsWith(at)), `no firm tile asked for at=${at}…: ${[...new Set(ats)]}`);
    await drawn(today.sig, false).catch(() => assert.fail('the firm points did not change with the month'));
    const past = await firms();
    assert.notEqual(past.sig, today.sig, 'the firm points did not change with the month');
    assert.ok(past.n >= today.n, `fewer firms before the closings (${past.n}) than today (${today.n})`);
    assert.match(await page.locator('#legend-body').textContent(), /Firm points: active at the end of/);
    idle = waitIdle(page);
    await page.keyboard.press('ArrowRight');
    await idle;
    assert.notEqual(new URL(page.url()).searchParams.get('at'), at);
    await shot(page, '08-time');
    idle = waitIdle(page);
    await page.click('#at-clear');
    await idle;
    assert.equal(new URL(page.url()).searchParams.get('at'), null);
    await drawn(today.sig, true).catch(() => {});
    assert.equal((await firms()).sig, today.sig);
  });

  test('no console error and no failed request was seen', async () => {
    const errs = await page.evaluate(() => window.kume.errors);
    assert.deepEqual({ console: problems.console, pageErrors: problems.pageErrors, failed: problems.failed, http: problems.http, map: errs },
      { console: [], pageErrors: [], failed: [], http: [], map: [] });
  });
});
