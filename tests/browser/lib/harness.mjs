// Shared pieces of the browser tests: a fresh `ecp serve` per test file,
// Debian's Chromium driven by playwright-core, a collector of JavaScript
// errors and CSP violations, and screenshots.
//
// Environment:
//   ECP_BIN              the ecp binary (default: $CARGO_TARGET_DIR/debug/ecp,
//                        CARGO_TARGET_DIR defaulting to /var/tmp/ecp-target)
//   ECP_SCREENSHOT_DIR   where screenshots go (default: tests/browser/screenshots)
//   ECP_CHROMIUM         the browser (default: /usr/bin/chromium)
//   ECP_BROWSER_SLOWMO   milliseconds between actions, to watch a run (default 0)

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

export const ECP_BIN = process.env.ECP_BIN
  || join(process.env.CARGO_TARGET_DIR || '/var/tmp/ecp-target', 'debug', 'ecp');
export const SCREENSHOT_DIR = process.env.ECP_SCREENSHOT_DIR || join(here, '..', 'screenshots');
const CHROMIUM = process.env.ECP_CHROMIUM || '/usr/bin/chromium';

/// Starts `ecp serve` on a fresh data directory and a free port (port 0: the
/// URL it prints tells which). Resolves once GET /healthz answers 200.
/// `env` adds settings (say ECP_SMTP_RELAY for a test that sends mail).
export async function startEcp({ label = 'ecp', env: extra = {} } = {}) {
  assert.ok(existsSync(ECP_BIN), `no ecp binary at ${ECP_BIN}: build it (tests/browser/run.sh does) or set ECP_BIN`);
  const dataDir = mkdtempSync(join(tmpdir(), `ecp-browser-${label}-`));
  const env = {
    ...process.env,
    ECP_DATA_DIR: dataDir,
    ECP_HTTP_ADDR: '127.0.0.1:0',
    ECP_SMTP_ADDR: '127.0.0.1:0',
    ECP_LOG: process.env.ECP_LOG || 'warn',
    ...extra,
  };
  // Not inherited from a developer's shell: a fresh SQLite install.
  delete env.ECP_DATABASE_URL;
  delete env.ECP_CONFIG;
  const child = spawn(ECP_BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (chunk) => { output += chunk.toString(); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  let baseUrl = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`ecp serve exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    if (!baseUrl) {
      const m = output.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m && m[1] !== '0') baseUrl = `http://127.0.0.1:${m[1]}`;
    }
    if (baseUrl) {
      try {
        const res = await fetch(`${baseUrl}/healthz`);
        if (res.status === 200) return { baseUrl, stop, output: () => output, pid: child.pid };
      } catch { /* not listening yet */ }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`ecp serve was not ready within 30 s:\n${output}`);
}

/// Debian's Chromium, never a downloaded one. Playwright gives every launch a
/// new, empty user-data-dir of its own.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    slowMo: Number(process.env.ECP_BROWSER_SLOWMO || 0),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/// Watches a browser context for what must never happen on a page: console
/// errors, uncaught exceptions and Content-Security-Policy violations. Each
/// problem is recorded with the page it happened on.
export async function watchContext(context) {
  const problems = [];
  const visited = new Set();
  const allowed = [];

  await context.exposeBinding('__ecpReportCsp', ({ page }, v) => {
    problems.push({ kind: 'csp', url: page.url(), text: `${v.directive} blocked ${v.blocked} (${v.source}:${v.line})` });
  });
  // Init scripts run through the DevTools protocol, outside the page's CSP.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      // eslint-disable-next-line no-undef
      window.__ecpReportCsp({
        directive: e.effectiveDirective || e.violatedDirective,
        blocked: e.blockedURI,
        source: e.sourceFile,
        line: e.lineNumber,
      });
    });
  });

  // Chromium logs "Failed to load resource: ... status of 4xx" for a page
  // whose own status is an error (422 for a refused form, 401 for a wrong
  // password, 404 for a missing mailbox): right answers, not errors of the
  // page. The same message for a stylesheet, script or image still counts.
  const errorDocuments = new Set();
  context.on('response', (res) => {
    if (res.request().resourceType() === 'document' && res.status() >= 400) errorDocuments.add(res.url());
  });

  const watchPage = (page) => {
    page.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(text)) {
        if (allowed.some((re) => re.test(text))) return;
        const at = msg.location() && msg.location().url;
        if (/^Failed to load resource/.test(text) && errorDocuments.has(at || page.url())) return;
        problems.push({ kind: `console.${msg.type()}`, url: page.url(), text: at && at !== page.url() ? `${text} [${at}]` : text });
      }
    });
    page.on('pageerror', (err) => {
      problems.push({ kind: 'pageerror', url: page.url(), text: String(err && err.stack || err) });
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.add(frame.url());
    });
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);

  return {
    problems,
    visited,
    /// Temporarily accepts console errors matching `re` (say, the 404 a page
    /// that is *meant* to be an error page logs for itself).
    async allowing(re, fn) {
      allowed.push(re);
      try { return await fn(); } finally { allowed.splice(allowed.indexOf(re), 1); }
    },
    assertClean(where = '') {
      const list = problems.map((p) => `  [${p.kind}] ${p.url}\n    ${p.text}`).join('\n');
      assert.equal(problems.length, 0, `JavaScript errors or CSP violations${where ? ` ${where}` : ''}:\n${list}`);
    },
  };
}

/// A full-page screenshot into SCREENSHOT_DIR, checked to be a real PNG with
/// a sensible size. Returns its path.
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const buf = await page.screenshot({ fullPage: true });
  assert.ok(buf.length > 1000, `screenshot ${name} is only ${buf.length} bytes`);
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', `screenshot ${name} is not a PNG`);
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  assert.ok(width >= 300 && height >= 200, `screenshot ${name} is ${width}x${height}`);
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  writeFileSync(path, buf);
  return path;
}

/// The path and query of the page's URL, e.g. `/login?notice=signed-out`.
export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}
