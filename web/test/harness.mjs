// Browser-test harness: starts `kume serve` on the demo data (or uses
// KUME_WEB_TEST_URL), launches Debian's chromium through playwright-core with
// SwiftShader WebGL, and records console errors and failed requests.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const artifacts = join(repoRoot, 'test-artifacts', 'web');
export const chromiumPath = process.env.KUME_CHROMIUM || '/usr/lib/chromium/chromium';
const ci = /^(1|true|yes)$/i.test(process.env.CI || '');

export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

// browserMissing returns a reason to skip when chromium is absent; under CI it
// throws, since CI must run these tests.
export function browserMissing() {
  if (existsSync(chromiumPath)) return '';
  const msg = `chromium not found at ${chromiumPath} (apt-get install -y chromium)`;
  if (ci) throw new Error(msg);
  return msg;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
    s.on('error', rej);
  });
}

async function waitReady(base, proc, timeoutMs) {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (proc && proc.exitCode !== null) throw new Error(`kume serve exited with ${proc.exitCode}: ${last}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
      last = `readyz ${r.status}`;
    } catch (e) { last = e.message; }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`kume serve not ready after ${timeoutMs} ms (${last})`);
}

// startServer runs `go run ./cmd/kume serve` on a free port with a fresh store
// and any further arguments, unless KUME_WEB_TEST_URL names a running server
// (and no arguments are given).
export async function startServer({ args = [] } = {}) {
  if (process.env.KUME_WEB_TEST_URL && !args.length) {
    const base = process.env.KUME_WEB_TEST_URL.replace(/\/$/, '');
    await waitReady(base, null, 30000);
    return { base, stop: async () => {} };
  }
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'kume-web-store-'));
  const base = `http://127.0.0.1:${port}`;
  let log = '';
  const proc = spawn('go', ['run', './cmd/kume', 'serve', '--addr', `127.0.0.1:${port}`, '--store', store, ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const keep = (d) => { log = (log + d).slice(-4000); };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  try {
    await waitReady(base, proc, Number(process.env.KUME_WEB_TEST_START_MS || 240000));
  } catch (e) {
    try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    throw new Error(`${e.message}\n${log}`);
  }
  const stop = async () => {
    if (proc.exitCode === null) {
      const done = new Promise((r) => proc.once('exit', r));
      try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ }
      await Promise.race([done, new Promise((r) => setTimeout(r, 20000))]);
      if (proc.exitCode === null) try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(store, { recursive: true, force: true });
  };
  return { base, stop, log: () => log };
}

// launch starts chromium with a fresh profile and returns a browser context.
export async function launch({ viewport = { width: 1280, height: 800 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'kume-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs,
    viewport, acceptDownloads: true, locale: 'en-GB',
  });
  return {
    context,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

// watch records everything that went wrong on a page: console errors, uncaught
// exceptions, failed requests and HTTP errors (a 204 empty tile is fine).
export function watch(page) {
  const problems = { console: [], pageErrors: [], failed: [], http: [] };
  page.on('console', (m) => { if (m.type() === 'error') problems.console.push(m.text()); });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('requestfailed', (r) => {
    const f = r.failure()?.errorText || '';
    // Requests cancelled by the page itself (tiles scrolled away) are not failures.
    if (!/ERR_ABORTED/.test(f)) problems.failed.push(`${r.method()} ${r.url()} ${f}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.http.push(`${r.status()} ${r.url()}`); });
  return problems;
}

// endpointOf names the route of a URL ("/tiles/hexagons/{z}/{x}/{y}.mvt").
export function endpointOf(url) {
  const u = new URL(url);
  return u.pathname.replace(/\/\d+\/\d+\/\d+\.(mvt|pbf)$/, '/{z}/{x}/{y}.$1').replace(/\/clusters\/[^/]+$/, '/clusters/{id}');
}

// missingOf lists the endpoints that answered 404/501: routes the server lacks.
export function missingOf(problems) {
  const out = new Set();
  for (const h of problems.http) {
    const [status, url] = h.split(' ');
    if (status === '404' || status === '501' || status === '405') out.add(endpointOf(url));
  }
  return [...out];
}

export async function openApp(page, base, query = '') {
  await page.goto(`${base}/${query}`);
  await page.waitForFunction(() => window.kume && window.kume.ready);
  return page.evaluate(() => window.kume.ready.then(() => true));
}

// waitIdle waits for the map's next idle event (never a fixed sleep).
export function waitIdle(page) {
  return page.evaluate(() => new Promise((res) => {
    const m = window.kumeMap;
    if (m.loaded() && m.areTilesLoaded() && !m.isMoving()) { m.once('idle', res); m.triggerRepaint(); } else m.once('idle', res);
  }));
}

export async function shot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}
