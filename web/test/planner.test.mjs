// Browser tests of first sight, names, framing, trends, comparison and the
// printable report, as a planner, an investor and an agency would use them,
// in Turkish and English, at desktop (1280×720) and phone (390×800) sizes,
// against a real `kume serve` on the demo data and on a seeded synthetic
// register with founding dates.
// Run: cd web && npm ci && node --test test/planner.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, watch, openApp, waitIdle, shot, browserMissing, repoRoot } from './harness.mjs';

const skip = browserMissing();

// rendered lists a style layer's rendered features' properties.
function rendered(page, layer) {
  return page.evaluate((l) => (window.kumeMap.getLayer(l) ? window.kumeMap.queryRenderedFeatures({ layers: [l] }).map((f) => f.properties) : []), layer);
}

// overflow lists what scrolls sideways: the page itself or any element
// with a horizontal scrollbar.
function overflow(page) {
  return page.evaluate(() => {
    const out = [];
    if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    for (const e of document.querySelectorAll('body *')) {
      const s = getComputedStyle(e);
      if (['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1 && e.getBoundingClientRect().width > 0) {
        out.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.scrollWidth} > ${e.clientWidth}`);
      }
    }
    return out;
  });
}

// settle waits until the map has stopped and drawn.
async function settle(page) {
  await page.waitForFunction(() => !window.kumeMap.isMoving(), null, { timeout: 30000 });
  await waitIdle(page);
}

async function openPanel(page) {
  await page.locator('#cluster-panel:not([hidden])').waitFor();
  await page.waitForFunction(() => !document.querySelector('#cluster-panel').hasAttribute('aria-busy'), null, { timeout: 60000 });
}

// framedBeside checks that a [w, s, e, n] box lies on the map, clear of the
// profile panel and the open legend.
function framedBeside(page, b) {
  return page.evaluate((box) => {
    const m = window.kumeMap;
    const c = m.getContainer().getBoundingClientRect();
    const p1 = m.project([box[0], box[3]]);
    const p2 = m.project([box[2], box[1]]);
    const r = { left: c.left + p1.x, top: c.top + p1.y, right: c.left + p2.x, bottom: c.top + p2.y };
    const clear = [];
    const panel = document.querySelector('#cluster-panel').getBoundingClientRect();
    if (panel.top > c.top + c.height / 3) { if (r.bottom > panel.top + 2) clear.push(`under the panel: ${r.bottom} > ${panel.top}`); } else if (r.right > panel.left + 2) clear.push(`under the panel: ${r.right} > ${panel.left}`);
    const lg = document.querySelector('#legend');
    if (document.querySelector('#legend details').open && r.left < lg.getBoundingClientRect().right - 2) clear.push(`under the legend: ${r.left} < ${lg.getBoundingClientRect().right}`);
    if (r.left < c.left - 2 || r.top < c.top - 2 || r.right > c.right + 2 || r.bottom > c.bottom + 2) clear.push(`off the map: ${JSON.stringify(r)} in ${JSON.stringify(c)}`);
    return clear;
  }, b);
}

function bbox(g) {
  const b = [180, 90, -180, -90];
  const walk = (co) => { if (typeof co[0] === 'number') { b[0] = Math.min(b[0], co[0]); b[1] = Math.min(b[1], co[1]); b[2] = Math.max(b[2], co[0]); b[3] = Math.max(b[3], co[1]); } else co.forEach(walk); };
  walk(g.coordinates);
  return b;
}

const keyLike = /^(vc:)?[A-Z]?\d*(\.\d+)*$|^[a-z]+:[\w.-]+$|^fp-/;

describe('first sight, names and framing on the demo', { skip: skip || false, timeout: 900000 }, () => {
  let server;
  let browser;
  let page;
  let problems;

  before(async () => {
    server = await startServer();
    browser = await launch({ viewport: { width: 1280, height: 720 } });
    page = await browser.context.newPage();
    problems = watch(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the first view shows the data on a basemap with place names, and nothing scrolls sideways', async () => {
    await openApp(page, server.base, '?lang=en');
    await settle(page);
    assert.ok((await rendered(page, 'bm-land')).length > 0, 'no land drawn under the data');
    assert.ok((await rendered(page, 'hexagons-fill')).length > 0, 'no hexagons drawn');
    const places = (await rendered(page, 'bm-places')).map((p) => p.name);
    assert.ok(places.includes('Berlin'), `place names drawn: ${places}`);
    assert.deepEqual(await overflow(page), []);
    await shot(page, 'p01-first-sight-en-1280x720');
    // The district names appear closer in.
    await page.evaluate(() => new Promise((r) => { const m = window.kumeMap; m.once('idle', r); m.jumpTo({ center: [13.41, 52.51], zoom: 10.5 }); }));
    const districts = (await rendered(page, 'regions-label')).map((p) => p.name);
    assert.ok(districts.includes('Mitte') && districts.includes('Friedrichshain-Kreuzberg'), `district names drawn: ${districts}`);
    await shot(page, 'p02-districts-en');
  });

  test('Turkish place names are drawn with Turkish letters', async () => {
    await openApp(page, server.base, '?lang=tr#map=6.2/40.95/29.5');
    await settle(page);
    const places = await rendered(page, 'bm-places');
    assert.ok(places.some((p) => p.name_tr === 'İstanbul'), 'İstanbul is not among the drawn places');
    const field = await page.evaluate(() => JSON.stringify(window.kumeMap.getLayoutProperty('bm-places', 'text-field')));
    assert.match(field, /name_tr/);
    const glyphs = await page.evaluate(() => {
      const e = window.kumeMap.style.glyphManager.entries['Noto Sans Regular'];
      const g = e?.glyphs?.default || {};
      return { fontReady: document.fonts.check('16px "Noto Sans Regular"', 'İğşı'), drawn: ['İ', 'ş', 'ğ', 'ı'].map((c) => !!(g[c]?.bitmap?.width)) };
    });
    assert.deepEqual(glyphs, { fontReady: true, drawn: [true, true, true, true] });
    await shot(page, 'p03-turkish-labels-tr');
  });

  test('the search understands everyday words in both languages', async () => {
    await openApp(page, server.base, '?lang=en');
    for (const [lang, word, key] of [['en', 'software', '62'], ['tr', 'yazılım', '62'], ['tr', 'otomotiv', 'vc:automotive'], ['en', 'hotels', '55']]) {
      await page.selectOption('#lang-select', lang);
      await page.fill('#sector-input', word);
      await page.locator(`#sector-options li[data-key="${key}"]`).waitFor({ timeout: 15000 });
      // The word's codes come first, before the taxonomy's own matches.
      const offered = await page.locator('#sector-options li').evaluateAll((ls) => ls.map((l) => l.dataset.key));
      assert.ok(offered.indexOf(key) < 4, `"${word}": ${key} offered at ${offered.indexOf(key)} in ${offered}`);
    }
    await page.keyboard.press('Escape');
  });

  let clusterID;
  test('choosing a cluster flies to it beside the panel, names it and outlines it', async () => {
    await openApp(page, server.base, '?lang=en&sector=62');
    await settle(page);
    const btn = page.locator('#clusters-in-view button[data-cluster]').first();
    await btn.waitFor({ timeout: 30000 });
    const listed = await page.locator('#clusters-in-view .cl-name').allTextContents();
    for (const n of listed) assert.ok(!keyLike.test(n.trim()) && !/all sectors/.test(n), `cluster listed as "${n}"`);
    clusterID = await btn.getAttribute('data-cluster');
    await btn.click();
    await openPanel(page);
    await settle(page);
    const title = (await page.locator('#cluster-title').textContent()).trim();
    assert.ok(!keyLike.test(title), `cluster titled "${title}"`);
    assert.match(title, / – |cluster/);
    const c = await page.evaluate((id) => fetch(`/api/v1/clusters/${id}`).then((r) => r.json()), clusterID);
    assert.deepEqual(await framedBeside(page, bbox(c.geometry)), []);
    const filter = await page.evaluate(() => JSON.stringify(window.kumeMap.getFilter('clusters-highlight')));
    assert.ok(filter.includes(clusterID), `highlight filter ${filter}`);
    assert.ok((await rendered(page, 'clusters-highlight')).length > 0, 'the chosen footprint is not outlined');
    // The legend draws footprints as the map does: dashed, the chosen one solid.
    assert.deepEqual(await page.evaluate(() => window.kumeMap.getPaintProperty('clusters-line', 'line-dasharray')), [3, 1.5]);
    assert.equal(await page.locator('#legend-body .sw-line.sw-dash').count(), 2);
    assert.match(await page.locator('#legend-body').textContent(), /Chosen cluster/);
    assert.deepEqual(await overflow(page), []);
    await shot(page, 'p04-cluster-framed-en');
  });

  test('trends on the demo claim no growth: founding dates are unknown', async () => {
    const growth = page.locator('#cluster-body .trend-growth');
    assert.equal(await growth.getAttribute('data-claimable'), 'false');
    assert.match(await growth.textContent(), /No growth stated: founding dates are unknown for [\d,]+ of [\d,]+ firms/);
    assert.doesNotMatch(await page.locator('#cluster-body').textContent(), /Shrinking|Growing/);
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('#cluster-body .trend canvas')].filter((c) => window.Chart?.getChart(c)).length), 1);
    // A cluster chosen by link frames the same way.
    await page.goto('about:blank');
    await openApp(page, server.base, `?lang=tr&sector=62&cluster=${clusterID}`);
    await openPanel(page);
    await settle(page);
    const c = await page.evaluate((id) => fetch(`/api/v1/clusters/${id}`).then((r) => r.json()), clusterID);
    assert.deepEqual(await framedBeside(page, bbox(c.geometry)), []);
    assert.match(await page.locator('#cluster-body .trend-growth').textContent(), /Büyüme belirtilmedi/);
    await shot(page, 'p05-cluster-by-link-tr');
  });

  test('ranking results are named and open a framed profile', async () => {
    await openApp(page, server.base, '?lang=en&sector=62');
    await page.locator('#investor-panel summary').click();
    await page.locator('#rank-results button.result').first().waitFor({ timeout: 30000 });
    await page.selectOption('#rank-unit', 'region');
    await page.waitForFunction(() => [...document.querySelectorAll('#rank-results .rname')].some((n) => /Berlin district/.test(n.textContent)), null, { timeout: 30000 });
    const names = await page.locator('#rank-results .rname').allTextContents();
    for (const n of names) assert.ok(!keyLike.test(n.trim()) && !/^bezirk:/.test(n), `result named "${n}"`);
    assert.ok(names.some((n) => n.startsWith('Mitte (')), `results: ${names}`);
    await page.locator('#rank-results button.result').first().click();
    await openPanel(page);
    await settle(page);
    const first = names[0].replace(/ \(.*$/, '');
    assert.match(await page.locator('#cluster-title').textContent(), new RegExp(first));
    const id = await page.locator('#rank-results button.result').first().getAttribute('data-id');
    const r = await page.evaluate(() => fetch('/api/v1/regions').then((x) => x.json()));
    const reg = r.regions.find((x) => `${x.level}:${x.code}` === id);
    assert.deepEqual(await framedBeside(page, reg.bbox), []);
    assert.ok((await rendered(page, 'regions-highlight')).some((p) => `${p.level}:${p.code}` === id), 'the chosen region is not outlined');
    assert.match(await page.locator('#legend-body').textContent(), /Chosen region/);
    await shot(page, 'p06-ranking-region-en');
  });

  test('regions and clusters compare side by side', async () => {
    await openApp(page, server.base, `?lang=tr&sector=62&compare=region:bezirk:11000001,region:bezirk:11000002,cluster:${clusterID}&view=compare`);
    await page.waitForFunction(() => !document.querySelector('#compare-panel').hidden && !document.querySelector('#compare-panel').hasAttribute('aria-busy'), null, { timeout: 60000 });
    const heads = await page.locator('#compare-body thead .unit-name').allTextContents();
    assert.deepEqual(heads.slice(0, 2), ['Mitte (Berlin ilçesi)', 'Friedrichshain-Kreuzberg (Berlin ilçesi)']);
    assert.ok(!keyLike.test(heads[2]), `cluster column "${heads[2]}"`);
    const rows = await page.locator('#compare-body tbody th').allTextContents();
    for (const r of ['Firmalar', 'LQ', 'Yıldız', 'İçerideki kurumlar']) assert.ok(rows.includes(r), `no row ${r}: ${rows}`);
    assert.match(await page.locator('#compare-body').textContent(), /Büyüme belirtilmedi/);
    assert.deepEqual(await overflow(page), []);
    await shot(page, 'p07-compare-tr');
    await page.click('#compare-close');
    assert.equal(new URL(page.url()).searchParams.get('view'), null);
  });

  test('the cluster report prints and downloads, in both languages', async () => {
    for (const lang of ['en', 'tr']) {
      const rp = await browser.context.newPage();
      const p2 = watch(rp);
      await rp.goto(`${server.base}/report.html?cluster=${clusterID}&lang=${lang}`);
      await rp.waitForFunction(() => window.kumeReport?.ready);
      await rp.evaluate(() => window.kumeReport.ready);
      assert.equal(await rp.locator('#r-error').isHidden(), true, await rp.locator('#r-error').textContent());
      const title = await rp.locator('#r-title').textContent();
      assert.ok(!keyLike.test(title.trim()), `report titled "${title}"`);
      assert.equal(await rp.locator('#r-map-img').isVisible(), true, 'no map extract');
      assert.ok((await rp.locator('#r-legend li').count()) >= 8, 'no legend beside the map');
      const text = await rp.locator('#report').textContent();
      for (const want of lang === 'en' ? ['Profile', 'Sector composition', 'Actors', 'Strengths', 'Firms over time', 'Method and data', 'IHK Berlin'] : ['Profil', 'Sektör bileşimi', 'Aktörler', 'Güçlü yönler', 'Zaman içinde firmalar', 'Yöntem ve veri']) {
        assert.ok(text.includes(want), `${lang} report lacks ${want}`);
      }
      assert.doesNotMatch(text, /Shrinking|Küçülüyor/);
      const pdf = await rp.pdf({ format: 'A4' });
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      await rp.screenshot({ path: join(repoRoot, 'test-artifacts', 'web', `p08-report-${lang}.png`), fullPage: true });
      const [dl] = await Promise.all([rp.waitForEvent('download'), rp.click('#download-btn')]);
      const html = readFileSync(await dl.path(), 'utf8');
      assert.ok(html.includes(title) && !/<script/i.test(html) && /data:image\/png;base64/.test(html), 'the downloaded report is not self-contained');
      assert.deepEqual([...p2.pageErrors, ...p2.http], []);
      await rp.close();
    }
  });

  test('a phone shows place names around the data and a framed cluster above its panel', async () => {
    const phone = await launch({ viewport: { width: 390, height: 800 } });
    const pp = await phone.context.newPage();
    await openApp(pp, server.base, `?lang=tr&sector=62&cluster=${clusterID}`);
    await openPanel(pp);
    await settle(pp);
    assert.deepEqual(await overflow(pp), []);
    assert.ok((await rendered(pp, 'bm-land')).length > 0 && (await rendered(pp, 'regions-label')).length > 0, 'no basemap or names on the phone');
    const c = await pp.evaluate((id) => fetch(`/api/v1/clusters/${id}`).then((r) => r.json()), clusterID);
    assert.deepEqual(await framedBeside(pp, bbox(c.geometry)), []);
    await pp.screenshot({ path: join(repoRoot, 'test-artifacts', 'web', 'p09-phone-cluster-tr.png') });
    await pp.click('#cluster-close');
    await settle(pp);
    assert.ok((await rendered(pp, 'bm-places')).length > 0, 'no place names on the phone');
    await pp.screenshot({ path: join(repoRoot, 'test-artifacts', 'web', 'p10-phone-map-tr.png') });
    await phone.close();
  });

  test('no console error and no failed request was seen', async () => {
    const errs = await page.evaluate(() => window.kume.errors);
    assert.deepEqual({ console: problems.console, pageErrors: problems.pageErrors, failed: problems.failed, http: problems.http, map: errs },
      { console: [], pageErrors: [], failed: [], http: [], map: [] });
  });
});

describe('trends and comparison on a register with founding dates', { skip: skip || false, timeout: 900000 }, () => {
  let server;
  let browser;
  let dir;

  before(async () => {
    // Seeded synthetic firms (labelled synthetic), with founding and closing dates.
    dir = mkdtempSync(join(tmpdir(), 'kume-dated-'));
    const csv = join(dir, 'synthetic-dated.csv');
    const gen = spawnSync('go', ['run', './cmd/kume', 'gen-demo', '--firms', '20000', '--seed', '7', '--bad', '0', '-o', csv], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    server = await startServer({ args: ['--no-demo', '--data', csv] });
    browser = await launch({ viewport: { width: 1280, height: 720 } });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a cluster of dated firms states its growth and draws the active firms', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    // Wait for the first analysis, then take the two largest footprints.
    let fc;
    for (let i = 0; i < 120 && !fc?.features?.length; i++) {
      fc = await fetch(`${server.base}/api/v1/export/clusters.geojson?limit=50`).then((r) => r.json()).catch(() => null);
      if (!fc?.features?.length) await new Promise((r) => setTimeout(r, 1000));
    }
    assert.ok(fc?.features?.length >= 2, 'no cluster footprints in the synthetic register');
    const ids = fc.features.sort((a, b) => (b.properties.firms ?? 0) - (a.properties.firms ?? 0)).slice(0, 2).map((f) => String(f.properties.id));
    const tr = await fetch(`${server.base}/api/v1/trends?cluster=${ids[0]}`).then((r) => r.json());
    assert.equal(tr.founded_unknown, 0);
    assert.equal(tr.growth.claimable, true, JSON.stringify(tr.growth));
    await openApp(page, server.base, `?lang=en&cluster=${ids[0]}`);
    await openPanel(page);
    const growth = page.locator('#cluster-body .trend-growth');
    assert.equal(await growth.getAttribute('data-claimable'), 'true');
    assert.match(await growth.textContent(), /Active firms [\d,]+ → [\d,]+ \([-−+]?[\d.,]+%\)/);
    const series = await page.evaluate(() => {
      const c = [...document.querySelectorAll('#cluster-body .trend canvas')].map((x) => window.Chart.getChart(x)).find(Boolean);
      return c.data.datasets.map((d) => d.label);
    });
    assert.deepEqual(series, ['Entries', 'Exits', 'Active firms']);
    await shot(page, 'p11-dated-cluster-trend-en');
    await openApp(page, server.base, `?lang=en&compare=cluster:${ids[0]},cluster:${ids[1]}&view=compare`);
    await page.waitForFunction(() => !document.querySelector('#compare-panel').hasAttribute('aria-busy'), null, { timeout: 60000 });
    assert.equal(await page.locator('#compare-body thead .unit-name').count(), 2);
    assert.match(await page.locator('#compare-body').textContent(), /Active firms [\d,]+ → [\d,]+/);
    await shot(page, 'p12-dated-compare-en');
    assert.deepEqual([...problems.pageErrors, ...problems.http], []);
    await page.close();
  });
});

describe('an external raster basemap', { skip: skip || false, timeout: 900000 }, () => {
  let server;
  let tiles;
  let browser;
  const asked = [];

  before(async () => {
    // A raster tile service on this machine: one grey 1×1 PNG for every tile.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGPo6AAAAn8BgGlJdgsAAAAASUVORK5CYII=', 'base64');
    const { createServer } = await import('node:http');
    tiles = createServer((req, res) => { asked.push(req.url); res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' }); res.end(png); });
    await new Promise((r) => tiles.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${tiles.address().port}/{z}/{x}/{y}.png`;
    server = await startServer({ args: ['--basemap', url, '--basemap-attribution', 'Test tiles (this machine)'] });
    browser = await launch({ viewport: { width: 1280, height: 720 } });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    tiles?.close();
  });

  test('the map draws its data on the configured raster tiles, credited, within the page policy', async () => {
    const page = await browser.context.newPage();
    const problems = watch(page);
    const csp = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
    await openApp(page, server.base, '?lang=en');
    await settle(page);
    assert.equal(await page.evaluate(() => window.kumeMap.getSource('basemap')?.type), 'raster');
    assert.ok(asked.some((u) => /^\/\d+\/\d+\/\d+\.png$/.test(u)), `no raster tile asked for: ${asked.slice(0, 5)}`);
    assert.ok((await rendered(page, 'hexagons-fill')).length > 0, 'no hexagons over the raster basemap');
    assert.match(await page.locator('#basemap-credit').textContent(), /Test tiles/);
    assert.deepEqual({ csp, errors: problems.pageErrors, http: problems.http }, { csp: [], errors: [], http: [] });
    await shot(page, 'p13-raster-basemap-en');
    await page.close();
  });
});
