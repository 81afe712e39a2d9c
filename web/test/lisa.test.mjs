// Browser tests of the hexagons' "clusters and outliers" view (local Moran's I)
// against a real `kume serve` on the demo data.
// Run: cd web && npm ci && node --test test/
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, watch, openApp, waitIdle, shot, browserMissing } from './harness.mjs';

const skip = browserMissing();

// counts tallies the significant cells of a /lisa response per quadrant.
function counts(fc) {
  const c = { HH: 0, HL: 0, LH: 0, LL: 0, ns: 0 };
  for (const f of fc.features) {
    const p = f.properties;
    if (p.significant === true && p.quadrant in c) c[p.quadrant] += 1;
    else c.ns += 1;
  }
  return c;
}

// legendCounts reads the counts the legend shows beside each class.
function legendCounts(page) {
  return page.evaluate(() => {
    const out = {};
    for (const li of document.querySelectorAll('#legend-body section[data-key=lisa] li[data-key]')) {
      out[li.dataset.key] = li.querySelector('.count')?.textContent ?? null;
    }
    return out;
  });
}

function lisaResponse(page) {
  return page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/lisa', { timeout: 60000 });
}

describe('local Moran\'s I view', { skip: skip || false, timeout: 600000 }, () => {
  let server;
  let browser;
  let page;
  let problems;
  let body;

  before(async () => {
    server = await startServer();
    browser = await launch();
    page = await browser.context.newPage();
    problems = watch(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('switching to clusters and outliers asks /api/v1/lisa for the sector and resolution on screen and draws it', async () => {
    // Footprints and points off, so a click reaches the cells.
    await openApp(page, server.base, '?lang=en&sector=47&layers=hexagons,regions');
    const res = await page.evaluate(() => {
      const rs = window.kumeMap.queryRenderedFeatures({ layers: ['hexagons-fill'] }).map((f) => f.properties.res);
      return rs.length ? rs[0] : null;
    });
    assert.ok(Number.isInteger(res), 'no hexagons on screen to take the resolution from');
    assert.equal(await page.locator('#metric-select option[value=lisa]').textContent(), 'Clusters and outliers (local Moran\'s I)');
    const asked = lisaResponse(page);
    await page.focus('#metric-select');
    await page.selectOption('#metric-select', 'lisa');
    const resp = await asked;
    assert.equal(resp.status(), 200);
    const q = new URL(resp.url()).searchParams;
    assert.deepEqual({ sector: q.get('sector'), res: q.get('res'), permutations: q.get('permutations'), seed: q.get('seed') },
      { sector: '47', res: String(res), permutations: '999', seed: '1' });
    body = await resp.json();
    assert.ok(body.features.length > 0, 'the server sent no cells');
    const want = counts(body);
    assert.ok(want.HH > 0, 'no significant High–High cell in the demo data for sector 47');
    await page.locator('#legend-body section[data-key=lisa] li[data-key=HH] .count').waitFor({ timeout: 30000 });
    const fmt = (n) => new Intl.NumberFormat('en-GB').format(n);
    assert.deepEqual(await legendCounts(page),
      { HH: fmt(want.HH), HL: fmt(want.HL), LH: fmt(want.LH), LL: fmt(want.LL), ns: fmt(want.ns) });
    const legend = await page.locator('#legend-body section[data-key=lisa]').textContent();
    assert.match(legend, /High–High: a concentration among concentrations/);
    assert.match(legend, /Low–Low: few firms among few/);
    assert.match(legend, /pseudo p ≤ 0\.05, without correction for multiple tests; 999 permutations, seed 1/);
    const globalI = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 3 }).format(body.global_moran_i);
    assert.ok(legend.includes(`Global Moran's I: ${globalI} (${fmt(body.n)} cells, H3 resolution ${res}`), legend);
    assert.match(await page.locator('#lisa-status').textContent(), new RegExp(`^${fmt(want.HH + want.HL + want.LH + want.LL)} of ${fmt(body.n)} cells significant`));
    assert.match(page.url(), /[?&]metric=lisa/);
    // The export panel offers the same data as a download.
    const link = page.locator('#export-links a[data-export="lisa.geojson"]');
    await link.waitFor({ state: 'attached', timeout: 30000 });
    assert.equal(new URL(await link.getAttribute('href')).search, new URL(resp.url()).search);
    // The layer draws the response's cells; the Gi* colours are hidden.
    await waitIdle(page);
    const drawn = await page.evaluate(() => {
      const m = window.kumeMap;
      const fs = m.queryRenderedFeatures({ layers: ['lisa-fill'] });
      return { cells: [...new Set(fs.map((f) => String(f.properties.cell)))], visible: m.getLayoutProperty('lisa-fill', 'visibility'),
        hexOpacity: m.getPaintProperty('hexagons-fill', 'fill-opacity') };
    });
    assert.equal(drawn.visible, 'visible');
    assert.equal(drawn.hexOpacity, 0);
    assert.ok(drawn.cells.length > 0, 'no local Moran\'s I cell rendered');
    const sent = new Set(body.features.map((f) => String(f.properties.cell)));
    assert.deepEqual(drawn.cells.filter((c) => !sent.has(c)), [], 'rendered cells the server did not send');
    await shot(page, 'lisa-01-en');
  });

  test('a click on a cell tells its firms, I, quadrant and p', async () => {
    const hh = body.features.find((f) => f.properties.significant === true && f.properties.quadrant === 'HH');
    const ring = hh.geometry.coordinates[0].slice(0, -1);
    const centre = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
    // Same zoom, so the same resolution: the view only pans.
    const idle = waitIdle(page);
    await page.evaluate((c) => window.kumeMap.jumpTo({ center: c }), centre);
    await idle;
    const pt = await page.evaluate((c) => window.kumeMap.project(c), centre);
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    const popup = page.locator('.maplibregl-popup .popup');
    await popup.waitFor({ timeout: 10000 });
    const text = await popup.textContent();
    const p = hh.properties;
    const num = (v, d) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: d }).format(v);
    assert.ok(text.includes(`Cell ${p.cell}`), text);
    assert.ok(text.includes(`Active firms${p.value === null ? 'suppressed' : num(p.value, 0)}`), text);
    assert.ok(text.includes(`Local Moran's I${num(p.lisa_i, 3)}`), text);
    assert.ok(text.includes('QuadrantHigh–High (cluster)'), text);
    assert.ok(text.includes(`Pseudo p${num(p.p_sim, 3)}`), text);
    assert.ok(text.includes('Significant'), text);
    await shot(page, 'lisa-02-popup');
    await page.click('.maplibregl-popup-close-button');
  });

  test('the language switch rewrites the legend live', async () => {
    const before = await legendCounts(page);
    await page.selectOption('#lang-select', 'tr');
    const legend = page.locator('#legend-body section[data-key=lisa]');
    assert.match(await legend.textContent(), /Yüksek–Yüksek: yoğunlaşmalar arasında bir yoğunlaşma/);
    assert.match(await legend.textContent(), /999 permütasyon, tohum değeri 1/);
    assert.match(await legend.locator('h3').textContent(), /Kümelenmeler ve aykırı değerler/);
    assert.match(await page.locator('#lisa-status').textContent(), /hücreden \d+ tanesi anlamlı/);
    assert.deepEqual(await legendCounts(page), before);
    await shot(page, 'lisa-03-tr');
    await page.selectOption('#lang-select', 'en');
    assert.match(await legend.textContent(), /High–High: a concentration among concentrations/);
  });

  test('the false-discovery-rate box asks again with fdr and colours only the cells under the threshold', async () => {
    const fmt = (n) => new Intl.NumberFormat('en-GB').format(n);
    const box = page.locator('#lisa-fdr');
    assert.equal(await page.locator('#lisa-fdr-label').isVisible(), true);
    assert.equal(await box.isChecked(), false);
    const asked = lisaResponse(page);
    await box.check();
    const resp = await asked;
    assert.equal(new URL(resp.url()).searchParams.get('fdr'), 'true');
    const fc = await resp.json();
    assert.equal(fc.fdr, true);
    // The threshold is the Benjamini–Hochberg one of the returned p-values.
    const ps = fc.features.map((f) => f.properties.p_sim).filter((p) => typeof p === 'number').sort((a, b) => a - b);
    let want = null;
    ps.forEach((p, i) => { if (p <= ((i + 1) * fc.alpha) / ps.length) want = p; });
    assert.equal(fc.p_threshold, want);
    const c = counts(fc);
    const sig = c.HH + c.HL + c.LH + c.LL;
    if (want === null) assert.equal(sig, 0, 'cells significant though none passes the threshold');
    assert.ok(sig <= counts(body).HH + counts(body).HL + counts(body).LH + counts(body).LL, 'FDR made more cells significant');
    await page.locator('#lisa-status').filter({ hasText: new RegExp(`^${fmt(sig)} of ${fmt(fc.n)} cells significant`) }).waitFor({ timeout: 30000 });
    const note = await page.locator('#legend-body section[data-key=lisa] p[data-key=significance]').textContent();
    assert.match(note, want === null ? /No cell passes the Benjamini–Hochberg threshold at a false discovery rate of 0\.05/
      : /pseudo p ≤ [0-9.]+, the Benjamini–Hochberg threshold at a false discovery rate of 0\.05; 999 permutations/);
    assert.deepEqual(await legendCounts(page),
      { HH: fmt(c.HH), HL: fmt(c.HL), LH: fmt(c.LH), LL: fmt(c.LL), ns: fmt(c.ns) });
    assert.match(page.url(), /[?&]fdr=1/);
    const link = page.locator('#export-links a[data-export="lisa.geojson"]');
    await page.waitForFunction(() => /[?&]fdr=true/.test(document.querySelector('#export-links a[data-export="lisa.geojson"]')?.href || ''));
    assert.equal(new URL(await link.getAttribute('href')).searchParams.get('fdr'), 'true');
    await shot(page, 'lisa-04-fdr');
    // Unticked, the view is the one of each cell at alpha again.
    const again = lisaResponse(page);
    await box.uncheck();
    assert.equal(new URL((await again).url()).searchParams.get('fdr'), null);
    await page.locator('#legend-body section[data-key=lisa] p[data-key=significance]').filter({ hasText: /without correction for multiple tests/ }).waitFor({ timeout: 30000 });
    assert.doesNotMatch(page.url(), /[?&]fdr=/);
  });

  test('a change of resolution asks again; switching back restores the Gi* view', async () => {
    const before = await page.evaluate(() => window.kumeMap.getZoom());
    const asked = lisaResponse(page);
    await page.evaluate((z) => window.kumeMap.jumpTo({ zoom: z }), before + 2);
    const resp = await asked;
    const res = Number(new URL(resp.url()).searchParams.get('res'));
    assert.notEqual(res, body.res, 'the resolution did not change with two zoom levels');
    await page.locator(`#legend-body section[data-key=lisa] p[data-key=global]`).filter({ hasText: `H3 resolution ${res},` }).waitFor({ timeout: 60000 });
    const idle = waitIdle(page);
    await page.selectOption('#metric-select', 'gi');
    await idle;
    const view = await page.evaluate(() => {
      const m = window.kumeMap;
      const hexes = m.queryRenderedFeatures({ layers: ['hexagons-fill'] });
      return { lisa: m.getLayoutProperty('lisa-fill', 'visibility'), hexOpacity: m.getPaintProperty('hexagons-fill', 'fill-opacity'),
        hexes: hexes.length, bins: hexes.filter((f) => typeof f.properties.gi_bin === 'number').length };
    });
    assert.equal(view.lisa, 'none');
    assert.equal(view.hexOpacity, 0.78);
    assert.ok(view.hexes > 0 && view.bins > 0, 'no Gi* hexagons rendered after switching back');
    assert.equal(await page.locator('#legend-body section[data-key=lisa]').count(), 0);
    assert.match(await page.locator('#legend-body').textContent(), /Hot spot, 99% confidence/);
    assert.equal(await page.locator('#lisa-status').isHidden(), true);
    assert.equal(await page.locator('#export-links a[data-export="lisa.geojson"]').count(), 0);
    assert.doesNotMatch(page.url(), /[?&]metric=/);
    assert.deepEqual({ console: problems.console, pageErrors: problems.pageErrors, failed: problems.failed, http: problems.http,
      map: await page.evaluate(() => window.kume.errors) }, { console: [], pageErrors: [], failed: [], http: [], map: [] });
  });

  test('a request for an older view is aborted when the resolution changes', async () => {
    const other = await browser.context.newPage();
    const p2 = watch(other);
    // The first answer is held back until the map has asked for the next view.
    let release;
    const held = new Promise((r) => { release = r; });
    let first;
    let seen = false;
    const asked = new Promise((r) => { first = r; });
    await other.route('**/api/v1/lisa?*', async (route) => {
      if (!seen) {
        seen = true;
        first(route.request().url());
        await held;
      }
      await route.continue().catch(() => {});
    });
    await openApp(other, server.base, '?lang=en&sector=47&layers=hexagons&metric=lisa');
    const oldURL = await asked;
    const next = lisaResponse(other);
    const aborted = other.waitForEvent('requestfailed', { predicate: (r) => r.url() === oldURL, timeout: 60000 });
    await other.evaluate(() => window.kumeMap.jumpTo({ zoom: window.kumeMap.getZoom() + 2 }));
    const resp = await next;
    release();
    assert.notEqual(resp.url(), oldURL);
    const res = new URL(resp.url()).searchParams.get('res');
    await other.locator('#legend-body section[data-key=lisa] p[data-key=global]').filter({ hasText: `H3 resolution ${res},` })
      .waitFor({ timeout: 60000 });
    assert.match((await aborted).failure()?.errorText || '', /ABORTED/);
    assert.deepEqual({ pageErrors: p2.pageErrors, http: p2.http }, { pageErrors: [], http: [] });
    await other.close();
  });

  test('a refusal of the server is shown as its message, not a broken map', async () => {
    const other = await browser.context.newPage();
    const p2 = watch(other);
    // NACE 99 (extraterritorial organisations) has no firm in the demo data.
    const asked = lisaResponse(other);
    await openApp(other, server.base, '?lang=en&sector=99&metric=lisa');
    const resp = await asked;
    assert.equal(resp.status(), 400);
    const { message } = await resp.json();
    assert.ok(message, 'the 400 carries no message');
    await other.locator('#lisa-status.error').waitFor({ timeout: 30000 });
    assert.equal(await other.locator('#lisa-status').textContent(), `Local Moran's I cannot be shown: ${message}`);
    assert.ok((await other.locator('#legend-body section[data-key=lisa] .legend-note.error').textContent()).includes(message));
    assert.equal(await other.locator('#legend-body section[data-key=lisa] .count').count(), 0);
    // The map still reaches idle, with nothing drawn for the view and no map error.
    await waitIdle(other);
    const map = await other.evaluate(() => ({ errors: window.kume.errors, lisa: window.kumeMap.querySourceFeatures('lisa').length }));
    assert.deepEqual(map, { errors: [], lisa: 0 });
    assert.deepEqual(p2.pageErrors, []);
    assert.deepEqual(p2.http.filter((h) => !h.includes('/api/v1/lisa?')), []);
    await shot(other, 'lisa-04-error');
    await other.close();
  });
});
