// Browser tests of the "emerging hot spots" view, the cluster dynamics and the
// ranking's emerging component, against a real `kume serve`: on the demo
// data (real, without founding dates: the view must say so) and on a seeded
// synthetic register with planted space-time patterns (made up; the planted
// cells must show their category in the legend's colour).
// Run: cd web && npm ci && node --test test/emerging.test.mjs
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launch, watch, openApp, waitIdle, shot, browserMissing, repoRoot } from './harness.mjs';

const skip = browserMissing();

// The planted patterns of `kume gen-demo --patterns` (synth.PlantedPatterns).
const planted = [
  { name: 'new', category: 'new_hot_spot', nace: '26.11', lat: 38.37, lon: 34.03 },
  { name: 'intensifying', category: 'intensifying_hot_spot', nace: '26.12', lat: 39.15, lon: 34.16 },
  { name: 'diminishing', category: 'diminishing_hot_spot', nace: '26.20', lat: 37.18, lon: 33.22 },
  { name: 'oscillating', category: 'oscillating_hot_spot', nace: '26.30', lat: 38.62, lon: 34.71 },
];

// planting generates the register with planted patterns (seeded synthetic
// firms, labelled synthetic; 60,000 firms, as the patterns need at resolution
// 7) while the demo's tests run: {dir, csv, status, stderr}.
const planting = skip ? Promise.resolve(null) : new Promise((resolve) => {
  const dir = mkdtempSync(join(tmpdir(), 'kume-planted-'));
  const csv = join(dir, 'synthetic-planted.csv');
  const proc = spawn('go', ['run', './cmd/kume', 'gen-demo', '--firms', '60000', '--seed', '1', '--bad', '0', '--patterns', '-o', csv],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  proc.on('error', (e) => resolve({ dir, csv, status: -1, stderr: e.message }));
  proc.on('close', (status) => resolve({ dir, csv, status, stderr }));
});

function summaryResponse(page) {
  return page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/emerging' && u.searchParams.get('features') === 'false';
  }, { timeout: 120000 });
}

// legendItems reads the emerging legend: each category's label, count and
// swatch colour.
function legendItems(page) {
  return page.evaluate(() => {
    const out = {};
    for (const li of document.querySelectorAll('#legend-body section[data-key=emerging] li[data-key]')) {
      out[li.dataset.key] = { label: li.children[1]?.textContent, count: li.querySelector('.count')?.textContent ?? null,
        color: li.querySelector('.sw')?.style.getPropertyValue('--c').trim() };
    }
    return out;
  });
}

// drawnCells returns the emerging cells drawn on screen with their category,
// the colour MapLibre evaluated for them, and their place on the page.
function drawnCells(page) {
  return page.evaluate(() => {
    const m = window.kumeMap;
    if (!m.getLayer('emerging-fill')) return [];
    const hex = (c) => `#${[c.r, c.g, c.b].map((v) => Math.round((v / (c.a || 1)) * 255).toString(16).padStart(2, '0')).join('')}`;
    return m.queryRenderedFeatures({ layers: ['emerging-fill'] }).map((f) => {
      const c = f.layer.paint?.['fill-color'];
      return { cell: String(f.properties.cell), category: f.properties.category, color: c && typeof c === 'object' && 'r' in c ? hex(c) : String(c) };
    });
  });
}

// uncovered reports whether a point (lon, lat) shows on the map, clear of
// the legend.
function uncovered(page, lon, lat) {
  return page.evaluate(([x, y]) => {
    const m = window.kumeMap;
    const c = m.getContainer().getBoundingClientRect();
    const p = m.project([x, y]);
    const px = c.left + p.x;
    const py = c.top + p.y;
    const l = document.querySelector('#legend').getBoundingClientRect();
    const inside = (r) => px >= r.left && px <= r.right && py >= r.top && py <= r.bottom;
    return inside(c) && !inside(l);
  }, [lon, lat]);
}

describe('emerging hot spots on the demo', { skip: skip || false, timeout: 900000 }, () => {
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

  test('the view draws the emerging tiles with a legend of what is drawn and says what the dates lack', async () => {
    await openApp(page, server.base, '?lang=en&sector=47&layers=hexagons,regions');
    assert.equal(await page.locator('#metric-select option[value=emerging]').textContent(), 'Emerging hot spots');
    assert.equal(await page.locator('#emerging-controls').isHidden(), true);
    const asked = summaryResponse(page);
    await page.selectOption('#metric-select', 'emerging');
    const resp = await asked;
    assert.equal(resp.status(), 200);
    body = await resp.json();
    assert.deepEqual(body.features, []);
    assert.equal(await page.locator('#emerging-controls').isVisible(), true);
    assert.match(page.url(), /[?&]metric=emerging/);
    // The demo has no founding dates and closures of four months only: said
    // first in the legend, in the server's words.
    assert.equal(body.dates.founded.count, 0);
    assert.equal(body.lacks.length, 2);
    const section = page.locator('#legend-body section[data-key=emerging]');
    await section.locator('li[data-key=no_pattern]').waitFor({ timeout: 60000 });
    const text = await section.textContent();
    assert.ok(text.includes(body.lacks[0].en), text);
    assert.ok(text.includes(body.lacks[1].en), text);
    assert.match(text, /Founding dates are unknown for all [\d,]+ firms/);
    assert.match(text, /Yearly steps 2014 – 2023, time window 1; significant at p ≤ 0\.10 with the false discovery rate controlled; H3 resolution \d/);
    // One legend item per category drawn, with its count; the tiles draw
    // those categories in the legend's colours.
    const items = await legendItems(page);
    const fmt = (n) => new Intl.NumberFormat('en-GB').format(n);
    for (const [cat, n] of Object.entries(body.feature_categories)) {
      if (n > 0) assert.equal(items[cat]?.count, fmt(n), `${cat}: ${JSON.stringify(items[cat])}`);
      else if (cat !== 'no_pattern') assert.equal(items[cat], undefined, `${cat} listed without cells`);
    }
    await waitIdle(page);
    const drawn = await drawnCells(page);
    assert.ok(drawn.length > 0, 'no emerging cell drawn');
    for (const d of drawn) {
      assert.ok(items[d.category], `drawn category ${d.category} is not in the legend`);
      assert.equal(d.color, items[d.category].color, `${d.category} drawn in ${d.color}, legend ${items[d.category].color}`);
    }
    const hexOpacity = await page.evaluate(() => window.kumeMap.getPaintProperty('hexagons-fill', 'fill-opacity'));
    assert.equal(hexOpacity, 0);
    assert.match(await page.locator('#emerging-status').textContent(), /cells with a pattern among [\d,]+ drawn; 2014 – 2023/);
    const link = page.locator('#export-links a[data-export="emerging.csv"]');
    await link.waitFor({ state: 'attached', timeout: 30000 });
    assert.match(await link.getAttribute('href'), /\/api\/v1\/export\/emerging\.csv\?.*sector=47/);
    await shot(page, 'emerging-01-demo-en');
  });

  test('the time step asks again, and the language switch rewrites the legend and notes', async () => {
    const asked = summaryResponse(page);
    await page.selectOption('#em-step', 'quarter');
    const resp = await asked;
    assert.equal(new URL(resp.url()).searchParams.get('step'), 'quarter');
    const q = await resp.json();
    assert.equal(q.step, 'quarter');
    await page.locator('#legend-body section[data-key=emerging] p[data-key=method]').filter({ hasText: /^Quarterly steps 2021-Q2 – 2023-Q3/ })
      .waitFor({ timeout: 60000 });
    assert.match(page.url(), /[?&]step=quarter/);
    await page.selectOption('#lang-select', 'tr');
    const section = page.locator('#legend-body section[data-key=emerging]');
    assert.equal(await section.locator('h3').textContent(), 'Yükselen sıcak noktalar');
    assert.ok((await section.textContent()).includes(q.lacks[0].tr));
    assert.equal(await page.locator('#metric-select option[value=emerging]').textContent(), 'Yükselen sıcak noktalar');
    await shot(page, 'emerging-02-demo-tr');
    await page.selectOption('#lang-select', 'en');
    const back = summaryResponse(page);
    await page.selectOption('#em-step', 'year');
    await back;
    // A window beyond the choices, from a link, is kept and shown.
    const wide = summaryResponse(page);
    await page.evaluate(() => { const u = new URL(window.location.href); u.searchParams.set('window', '5'); window.history.replaceState(null, '', u); });
    await page.reload();
    await page.waitForFunction(() => window.kume?.ready);
    assert.equal(new URL((await wide).url()).searchParams.get('window'), '5');
    assert.equal(await page.locator('#em-window').inputValue(), '5');
    const one = summaryResponse(page);
    await page.selectOption('#em-window', '1');
    await one;
  });

  test('a cluster profile and its report say whether its cells are emerging, and what the dates lack', async () => {
    const { clusters } = await fetch(`${server.base}/api/v1/clusters`).then((r) => r.json());
    assert.ok(clusters.length > 0, 'no cluster in the demo');
    const id = clusters[0].id;
    const other = await browser.context.newPage();
    const p2 = watch(other);
    await openApp(other, server.base, `?lang=en&cluster=${encodeURIComponent(id)}`);
    const box = other.locator('#cluster-body section.dynamics');
    await box.locator('.summary').waitFor({ timeout: 120000 });
    const d = await fetch(`${server.base}/api/v1/clusters/${encodeURIComponent(id)}/dynamics`).then((r) => r.json());
    assert.equal(await box.locator('.summary').textContent(), d.summary.en);
    assert.match(d.summary.en, new RegExp(`^${d.cells} cells? \\(H3 resolution ${d.res}\\): `));
    assert.equal((await box.locator('.lack').allTextContents()).join('\n'), d.lacks.map((l) => l.en).join('\n'));
    assert.match(await box.textContent(), /Founding dates are unknown/);
    assert.equal(await box.locator('.dominant').getAttribute('data-dominant'), d.dominant);
    await shot(other, 'emerging-03-cluster-dynamics-en');
    // The button shows the sector's emerging view, read as the dynamics were.
    const shown = summaryResponse(other);
    await box.locator('button[data-action=emerging]').click();
    const sv = new URL((await shown).url()).searchParams;
    assert.deepEqual([sv.get('sector'), sv.get('step'), sv.get('window')], [d.sector, null, null]);
    assert.match(other.url(), /[?&]metric=emerging/);
    await other.locator('#legend-body section[data-key=emerging] li[data-key=no_pattern]').waitFor({ timeout: 60000 });
    await other.goto(`${server.base}/report.html?cluster=${encodeURIComponent(id)}&lang=tr`);
    await other.waitForFunction(() => window.kumeReport?.ready).then(() => other.evaluate(() => window.kumeReport.ready));
    const rep = other.locator('#r-dynamics');
    assert.equal(await rep.locator('.summary').textContent(), d.summary.tr);
    assert.match(await rep.textContent(), /kuruluş tarihi bilinmiyor/);
    assert.deepEqual({ pageErrors: p2.pageErrors, http: p2.http }, { pageErrors: [], http: [] });
    await other.close();
  });

  test('the investor sliders weigh emerging hot spots', async () => {
    const { clusters } = await fetch(`${server.base}/api/v1/clusters`).then((r) => r.json());
    const other = await browser.context.newPage();
    const p2 = watch(other);
    await openApp(other, server.base, `?lang=en&sector=${encodeURIComponent(clusters[0].sector)}`);
    await other.locator('#investor-panel summary').click();
    const slider = other.locator('#w-emerging');
    await slider.waitFor({ timeout: 60000 });
    assert.equal(await other.locator('label[for=w-emerging]').textContent(), 'Emerging hot spots');
    assert.equal(await slider.inputValue(), '0');
    const asked = other.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/rank' && /emerging:0\.[1-9]/.test(new URL(r.url()).searchParams.get('weights') || ''),
      { timeout: 120000 });
    await slider.fill('50');
    const resp = await asked;
    assert.equal(resp.status(), 200);
    const ranked = await resp.json();
    assert.ok(ranked.items.length > 0);
    assert.ok(ranked.items.every((it) => it.components.some((c) => c.name === 'emerging' && typeof c.value === 'number')),
      JSON.stringify(ranked.items[0]));
    assert.deepEqual({ pageErrors: p2.pageErrors, http: p2.http }, { pageErrors: [], http: [] });
    await other.close();
  });

  test('a refusal of the server is shown as its message, not a broken map', async () => {
    const other = await browser.context.newPage();
    const p2 = watch(other);
    // 74 years of months: more steps than one cube may have.
    const asked = summaryResponse(other);
    await openApp(other, server.base, '?lang=en&sector=47&layers=hexagons&metric=emerging&step=month&from=1950-01&to=2023-12');
    const resp = await asked;
    assert.equal(resp.status(), 400);
    const { message } = await resp.json();
    assert.match(message, /more than 600/);
    await other.locator('#emerging-status.error').waitFor({ timeout: 30000 });
    assert.equal(await other.locator('#emerging-status').textContent(), `Emerging hot spots cannot be shown: ${message}`);
    assert.ok((await other.locator('#legend-body section[data-key=emerging] .legend-note.error').textContent()).includes(message));
    await waitIdle(other);
    const map = await other.evaluate(() => ({ errors: window.kume.errors, tiles: window.kumeMap.getSource('emerging') ? 1 : 0 }));
    assert.deepEqual(map, { errors: [], tiles: 0 });
    assert.deepEqual(p2.http.filter((h) => !h.includes('/api/v1/emerging?')), []);
    await other.close();
  });

  test('no console error and no failed request was seen', async () => {
    assert.deepEqual({ console: problems.console, pageErrors: problems.pageErrors, failed: problems.failed, http: problems.http,
      map: await page.evaluate(() => window.kume.errors) }, { console: [], pageErrors: [], failed: [], http: [], map: [] });
  });
});

describe('emerging hot spots on a register with planted patterns', { skip: skip || false, timeout: 1200000 }, () => {
  let server;
  let browser;
  let dir;

  before(async () => {
    // Seeded synthetic firms (labelled synthetic) with planted space-time
    // patterns; 60,000 firms, as the patterns need at resolution 7.
    // Generated while the demo's tests run.
    const gen = await planting;
    dir = gen.dir;
    assert.equal(gen.status, 0, gen.stderr);
    const csv = gen.csv;
    server = await startServer({ args: ['--no-demo', '--data', csv] });
    browser = await launch({ viewport: { width: 1280, height: 720 } });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const pat of planted) {
    test(`the planted ${pat.name} hot spot shows its category in the legend's colour`, async () => {
      const page = await browser.context.newPage();
      const problems = watch(page);
      const asked = summaryResponse(page);
      // Zoom 9.5 draws resolution 7, the planted patterns' span is 2015–2024.
      await openApp(page, server.base, `?lang=en&metric=emerging&layers=hexagons&sector=${pat.nace}&from=2015&to=2024#map=9.5/${pat.lat}/${pat.lon}`);
      const resp = await asked;
      assert.equal(resp.status(), 200, await resp.text());
      const meta = await resp.json();
      assert.deepEqual([meta.from, meta.to, meta.res], ['2015', '2024', 7]);
      assert.ok(meta.feature_categories[pat.category] > 0, JSON.stringify(meta.feature_categories));
      await page.locator(`#legend-body section[data-key=emerging] li[data-key=${pat.category}]`).waitFor({ timeout: 60000 });
      await waitIdle(page);
      const cell = await page.evaluate(([lon, lat]) => {
        const m = window.kumeMap;
        const p = m.project([lon, lat]);
        const fs = m.queryRenderedFeatures([p.x, p.y], { layers: ['emerging-fill'] });
        return fs.length ? String(fs[0].properties.cell) : null;
      }, [pat.lon, pat.lat]);
      assert.ok(cell, 'no emerging cell drawn at the planted place');
      const drawn = (await drawnCells(page)).filter((d) => d.cell === cell);
      const items = await legendItems(page);
      assert.equal(drawn[0].category, pat.category);
      assert.equal(drawn[0].color, items[pat.category].color, `${pat.category} drawn in ${drawn[0].color}, legend ${items[pat.category].color}`);
      assert.equal(items[pat.category].label, `${pat.name[0].toUpperCase()}${pat.name.slice(1)} hot spot`);
      assert.equal(await uncovered(page, pat.lon, pat.lat), true, 'the legend covers the planted place');
      assert.equal(meta.lacks.length, 0, JSON.stringify(meta.lacks));
      await shot(page, `emerging-04-planted-${pat.name}`);
      assert.deepEqual({ pageErrors: problems.pageErrors, http: problems.http, map: await page.evaluate(() => window.kume.errors) },
        { pageErrors: [], http: [], map: [] });
      await page.close();
    });
  }
});
