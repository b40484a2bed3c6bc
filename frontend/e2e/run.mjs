#!/usr/bin/env node
// End-to-end test of the admin SPA: the real server binary on a fresh
// database, driven through Debian's Chromium with playwright-core (never a
// downloaded browser). Walks the workflow of the API Key Management issue step
// by step and uses the created key against the REST API (GET /v1/me).
//
// Then the security and team features (DESIGN.md sections 9 and 10): warning
// badges and "Needs attention" with a leak reported to POST /v1/secret-scanning
// (signed with an ECDSA key generated here and configured through
// BT_SECRET_SCANNING_KEYS), the Settings page, the Security log, a viewer
// invited by email (read from a real SMTP receiver, e2e/mailsink.mjs, that the
// server sends to through BT_SMTP_URL) who accepts in a fresh browser, and an
// access token used by a script, then revoked.
//
// Env: BT_E2E_BINARY (default ../bin/businesstools), CHROMIUM_PATH (default
// /usr/bin/chromium), CI (when set, a missing browser or binary fails instead
// of skipping), E2E_HEADED=1 to watch, SCREENSHOT=1 to rewrite the README
// screenshot e2e/api-key-management.png (`make screenshot`; never otherwise, so
// a test run leaves the tree clean).
//
// Prints `e2e: N passed, M failed` last; a failing step saves a screenshot in
// e2e/screenshots/.

import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign as signBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMailSink } from './mailsink.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const frontendDir = resolve(here, '..');
const repoDir = resolve(frontendDir, '..');
const BINARY = resolve(frontendDir, process.env.BT_E2E_BINARY ?? '../bin/businesstools');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(here, 'screenshots');
const DOCS_SHOT = join(repoDir, 'frontend', 'e2e', 'api-key-management.png');
const CI = !!process.env.CI;
const WRITE_DOCS_SHOT = !!process.env.SCREENSHOT;
const EMAIL = 'admin@example.com';
const PASSWORD = 'e2e-Correct-Horse-Battery-9';

function skipOrFail(reason) {
  if (CI) {
    console.error(`e2e: FAIL: ${reason}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  }
  const bar = '!'.repeat(72);
  console.error(`${bar}\n!! e2e SKIPPED: ${reason}\n${bar}`);
  console.log('e2e: SKIPPED');
  process.exit(0);
}

if (!existsSync(CHROMIUM)) skipOrFail(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
if (!existsSync(BINARY)) skipOrFail(`no server binary at ${BINARY} (cd frontend && npm run build; go build -tags ui -o bin/businesstools .)`);

const { chromium } = await import('playwright-core');

// ---------- helpers ----------

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// E2E_SHOTS=1 saves extra screenshots of each screen in e2e/screenshots/ for review.
async function reviewShot(name) {
  if (!process.env.E2E_SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `review-${name}.png`) });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function eventually(fn, { timeout = 5000, interval = 100, message } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false) return v;
      last = new Error(message ?? 'condition not met');
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${message ?? 'timed out'}: ${last?.message ?? ''}`);
    await sleep(interval);
  }
}

// ---------- server ----------

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'bt-e2e-'));
const logPath = join(dataDir, 'server.log');
const log = createWriteStream(logPath);

// The secret scanning partner's signing key (GitHub's role): the server gets
// its public half in the file format GitHub publishes.
const SCAN_KEY_ID = 'e2e-scanner-key-1';
const scanKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const scanKeysFile = join(dataDir, 'secret-scanning-keys.json');
writeFileSync(
  scanKeysFile,
  JSON.stringify({
    public_keys: [{ key_identifier: SCAN_KEY_ID, key: scanKeys.publicKey.export({ type: 'spki', format: 'pem' }), is_current: true }],
  }),
);

// Every email the server sends arrives here.
const mail = await startMailSink();

const server = spawn(BINARY, [], {
  env: {
    ...process.env,
    BT_ADDR: `127.0.0.1:${port}`,
    BT_DATA_DIR: dataDir,
    BT_ADMIN_EMAIL: EMAIL,
    BT_ADMIN_PASSWORD: PASSWORD,
    BT_ALLOW_REVEAL: 'true',
    BT_SMTP_URL: mail.url,
    BT_PUBLIC_URL: base,
    BT_SECRET_SCANNING_KEYS: scanKeysFile,
    DATABASE_URL: '',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
server.stdout.pipe(log);
server.stderr.pipe(log);
let serverExited = null;
server.on('exit', (code, signal) => {
  serverExited = { code, signal };
});

let browser;
async function shutdown() {
  try {
    await browser?.close();
  } catch {
    /* already gone */
  }
  if (serverExited === null) {
    server.kill('SIGTERM');
    const t = setTimeout(() => server.kill('SIGKILL'), 5000);
    await new Promise((r) => server.once('exit', r));
    clearTimeout(t);
  }
  await mail.close();
  log.end();
}

function serverLogTail(lines = 40) {
  try {
    return readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

process.on('SIGINT', async () => {
  await shutdown();
  process.exit(130);
});

// ---------- steps ----------

let passed = 0;
let failed = 0;
let page;
const pageErrors = [];

// A failing step is recorded; a critical one (the rest depends on it) ends the run.
async function step(name, fn, { critical = false } = {}) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    failed++;
    console.log(`  ✗ ${name}\n    ${String(err?.stack ?? err).split('\n').slice(0, 6).join('\n    ')}`);
    if (page) {
      mkdirSync(SHOTS, { recursive: true });
      const file = join(SHOTS, `${String(passed + failed).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
      try {
        await page.screenshot({ path: file, fullPage: true });
        console.log(`    screenshot: ${file}`);
      } catch (e) {
        console.log(`    (no screenshot: ${e.message})`);
      }
    }
    if (critical) throw err;
  }
}

async function rest(path, key, init = {}) {
  const res = await fetch(base + path, {
    ...init,
    headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...(init.headers ?? {}) },
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

const row = (name) => page.getByTestId('key-row').filter({ has: page.getByRole('link', { name, exact: true }) });
const button = (name, scope = page) => scope.getByRole('button', { name, exact: true });

async function createKeyInPage({ name, permissions, ipAllowlist = '' }) {
  await button('Create New Key').click();
  const dialog = page.getByRole('dialog', { name: 'Create New API Key' });
  await dialog.waitFor();
  await dialog.getByLabel('Key Name').fill(name);
  for (const p of permissions) await dialog.getByRole('checkbox', { name: p, exact: true }).check();
  if (ipAllowlist) await dialog.getByLabel(/IP allow-list/).fill(ipAllowlist);
  await button('Create API Key', dialog).click();
  const done = page.getByRole('dialog', { name: 'API key created' });
  await done.waitFor();
  const secret = await done.getByTestId('new-secret').inputValue();
  await button('Done', done).click();
  await done.waitFor({ state: 'detached' });
  return secret;
}

const KEY = 'Production Email API';
let secret = '';
let keyId = '';

console.log(`e2e: server ${BINARY} on ${base}, data in ${dataDir}`);

let exitCode = 0;
let docsShotSaved = false;
try {
  await step('server starts and is ready', async () => {
    await eventually(
      async () => {
        if (serverExited) throw new Error(`server exited ${JSON.stringify(serverExited)}`);
        const r = await fetch(`${base}/readyz`);
        return r.ok;
      },
      { timeout: 30000, interval: 200, message: 'server not ready' },
    );
  }, { critical: true });

  await step('the SPA is served with a CSP without inline scripts', async () => {
    for (const path of ['/', '/keys', '/keys/123', '/security-log', '/team', '/access-tokens', '/settings', '/invite/abc']) {
      const r = await fetch(base + path);
      assert(r.status === 200, `${path}: status ${r.status}`);
      const csp = r.headers.get('content-security-policy') ?? '';
      const scriptSrc = csp.split(';').map((s) => s.trim()).find((s) => s.startsWith('script-src')) ?? '';
      assert(scriptSrc && !scriptSrc.includes("'unsafe-inline'"), `${path}: CSP ${csp}`);
      assert(r.headers.get('x-content-type-options') === 'nosniff', `${path}: no nosniff`);
      const html = await r.text();
      assert(html.includes('<div id="root">'), `${path}: not the SPA (placeholder build?)`);
    }
  }, { critical: true });

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: !process.env.E2E_HEADED,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'].filter(
      (a) => !(process.env.E2E_HEADED && a === '--headless'),
    ),
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: base, locale: 'en-US', timezoneId: 'UTC' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  context.setDefaultTimeout(10000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(`console: ${m.text()}`);
  });

  await step('log in: a wrong password gets a neutral error', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await reviewShot('login');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await button('Sign in').click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const known = (await alert.textContent()).trim();
    assert(known === 'Incorrect email or password.', `message for a known email: ${known}`);
    // An unknown email reads exactly the same.
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not-the-password');
    await button('Sign in').click();
    await eventually(async () => (await button('Sign in').isEnabled()) && !(await page.getByText('Signing in…').count()));
    const unknown = (await page.getByRole('alert').textContent()).trim();
    assert(unknown === known, `unknown email reads "${unknown}", known email "${known}"`);
  });

  await step('log in with email and password', async () => {
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await button('Sign in').click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'bt_session');
    assert(session, `no bt_session cookie: ${cookies.map((c) => c.name)}`);
    assert(session.httpOnly, 'bt_session is not HttpOnly');
    const stored = await page.evaluate(() => localStorage.length + sessionStorage.length);
    assert(stored === 0, 'something was put in web storage');
  }, { critical: true });

  await step('the sidebar\'s "APIs" opens API Key Management', async () => {
    await page.goto('/some/where');
    await page.getByRole('link', { name: 'APIs', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'API Key Management' }).waitFor();
    assert(new URL(page.url()).pathname === '/keys', `url ${page.url()}`);
  });

  await step('an empty state leads to the first key', async () => {
    await page.getByRole('heading', { name: 'Create your first API key' }).waitFor();
    await button('Create your first key').click();
    const dialog = page.getByRole('dialog', { name: 'Create New API Key' });
    await dialog.waitFor();
    assert((await dialog.getAttribute('aria-modal')) === 'true', 'dialog is not aria-modal');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert(focused === 'Create your first key', `focus went to "${focused}" after Escape`);
  });

  await step('"Create New API Key" has the fields, permissions with descriptions, and client validation', async () => {
    await button('Create New Key').click();
    const dialog = page.getByRole('dialog', { name: 'Create New API Key' });
    await dialog.waitFor();
    const name = dialog.getByLabel('Key Name');
    assert(/Production Email API/.test((await name.getAttribute('placeholder')) ?? ''), 'no name hint');
    for (const p of ['Send Emails', 'Manage Email Templates', 'Read leads', 'Add/Update leads', 'Delete leads']) {
      const box = dialog.getByRole('checkbox', { name: p, exact: true });
      await box.waitFor();
      const describedBy = await box.getAttribute('aria-describedby');
      const desc = (await page.locator(`[id="${describedBy}"]`).textContent())?.trim();
      assert(desc, `permission ${p} has no description`);
    }
    await dialog.getByLabel(/Expiration/).waitFor();
    await dialog.getByLabel(/IP allow-list/).waitFor();
    // Focus stays in the dialog.
    for (let i = 0; i < 15; i++) await page.keyboard.press('Tab');
    assert(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus left the dialog');
    await button('Create API Key', dialog).click();
    await dialog.getByText('Enter a name for the key.').waitFor();
    await reviewShot('create-dialog-errors');
    await dialog.getByText('Choose at least one permission.').waitFor();
    assert((await name.getAttribute('aria-invalid')) === 'true', 'name not marked invalid');
  });

  await step('server validation errors show at the field', async () => {
    const dialog = page.getByRole('dialog', { name: 'Create New API Key' });
    await dialog.getByLabel('Key Name').fill(KEY);
    await dialog.getByRole('checkbox', { name: 'Send Emails', exact: true }).check();
    const ip = dialog.getByLabel(/IP allow-list/);
    await ip.fill('10.0.0.0/99');
    await button('Create API Key', dialog).click();
    await eventually(async () => (await ip.getAttribute('aria-invalid')) === 'true', {
      message: 'the IP allow-list field shows no error for 10.0.0.0/99',
    });
    const err = await page.locator(`[id="${(await ip.getAttribute('aria-describedby')).split(' ').pop()}"]`).textContent();
    assert(err && err.length > 3, `no error text at the field: ${err}`);
    await ip.fill('');
  });

  await step('create the key: shown once in full, with copy and a warning', async () => {
    const dialog = page.getByRole('dialog', { name: 'Create New API Key' });
    await dialog.getByRole('checkbox', { name: 'Read leads', exact: true }).check();
    await button('Create API Key', dialog).click();
    const done = page.getByRole('dialog', { name: 'API key created' });
    await done.waitFor();
    secret = await done.getByTestId('new-secret').inputValue();
    assert(/^bt_[0-9A-Za-z]{40,}$/.test(secret), `secret looks wrong: ${secret.slice(0, 6)}…`);
    await done.getByText(/will not be shown again/i).waitFor();
    await reviewShot('secret-once');
    await button('Copy', done).click();
    await button('Copied', done).waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText().catch(() => null));
    assert(clip === null || clip === secret, 'clipboard holds something else');
    await button('Done', done).click();
    await done.waitFor({ state: 'detached' });
  }, { critical: true });

  await step('the table lists the key with every column', async () => {
    const r = row(KEY);
    await r.waitFor();
    keyId = await r.getAttribute('data-key-id');
    const text = await r.innerText();
    const masked = await r.getByTestId('masked-key').innerText();
    assert(masked.startsWith('bt_') && masked.includes('…') && !text.includes(secret), `masked key: ${masked}`);
    assert(secret.startsWith(masked.split('…')[0]) && secret.endsWith(masked.split('…')[1]), `mask ${masked} does not match the secret`);
    for (const s of ['Send Emails', 'Read leads', 'Never', 'Active']) assert(text.includes(s), `row lacks "${s}": ${text}`);
    const headers = await page.getByRole('columnheader').allInnerTexts();
    for (const h of ['Name', 'API Key', 'Permissions', 'Created', 'Last Used', 'Status', 'Actions'])
      assert(headers.some((x) => x.toLowerCase().startsWith(h.toLowerCase())), `no column ${h}: ${headers}`);
    assert(/\d{4}/.test(text) && /\d{1,2}:\d{2}/.test(text), `no created date and time in: ${text}`);
  }, { critical: true });

  await step('REST: the new key works (GET /v1/me → 200)', async () => {
    const r = await rest('/v1/me', secret);
    assert(r.status === 200, `GET /v1/me: ${r.status} ${JSON.stringify(r.body)}`);
    assert(JSON.stringify(r.body).includes(KEY), `GET /v1/me does not name the key: ${JSON.stringify(r.body)}`);
  });

  await step('Last Used becomes relative, exact on hover and for screen readers', async () => {
    await eventually(
      async () => {
        await page.reload();
        const t = row(KEY).locator('td').nth(3).locator('time');
        await t.waitFor({ timeout: 3000 });
        const [label, title] = [await t.innerText(), await t.getAttribute('title')];
        // The exact time is also there as visually hidden text for keyboard and screen-reader users.
        const hidden = await row(KEY).locator('td').nth(3).locator('.sr-only').textContent({ timeout: 1000 }).catch(() => '');
        return /just now|ago/.test(label) && !!title && /\d{4}/.test(title) && !!hidden?.includes(title);
      },
      { timeout: 8000, interval: 700, message: 'Last Used still "Never" after a REST call' },
    );
  });

  await step('deactivate takes effect at once, without a reload', async () => {
    await page.evaluate(() => {
      window.__noReload = true;
    });
    await button(`Deactivate key ${KEY}`).click();
    await row(KEY).getByText('Inactive', { exact: true }).waitFor();
    assert(await page.evaluate(() => window.__noReload === true), 'the page reloaded');
    await button(`Activate key ${KEY}`).waitFor();
    // Keyboard focus stays on the switch (busy, never disabled), now named for the opposite action.
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    assert(focused === `Activate key ${KEY}`, `focus is on "${focused}" after deactivating`);
  });

  await step('REST: the deactivated key is refused (401)', async () => {
    const r = await eventually(
      async () => {
        const res = await rest('/v1/me', secret);
        return res.status === 401 ? res : false;
      },
      { timeout: 3000, message: 'GET /v1/me is not 401 after deactivation' },
    );
    assert(/Bearer/i.test(r.headers.get('www-authenticate') ?? ''), 'no WWW-Authenticate: Bearer');
  });

  await step('activate it again; REST works again', async () => {
    await button(`Activate key ${KEY}`).click();
    await row(KEY).getByText('Active', { exact: true }).waitFor();
    await eventually(async () => (await rest('/v1/me', secret)).status === 200, {
      timeout: 3000,
      message: 'GET /v1/me is not 200 after reactivation',
    });
  });

  await step('reveal asks for the password, shows the key, hides it on click', async () => {
    await button(`Reveal key ${KEY}`).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm your password' });
    await dialog.waitFor();
    await dialog.getByLabel('Password').fill('wrong-password');
    await button('Reveal key', dialog).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Password').fill(PASSWORD);
    await button('Reveal key', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    const shown = row(KEY).getByTestId('revealed-key');
    await shown.waitFor();
    await reviewShot('revealed');
    // The full key wraps in readable lines, never one character per line in a squeezed column.
    const box = await row(KEY).getByRole('button', { name: /Full key of/ }).boundingBox();
    assert(box && box.width >= 120 && box.height < 120, `revealed key box ${JSON.stringify(box)}`);
    assert((await shown.innerText()).includes(secret), 'the revealed key is not the created one');
    await button(`Copy key ${KEY}`).waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert(!stored.includes('bt_'), 'the key was put in web storage');
    await row(KEY).getByRole('button', { name: /Full key of/ }).click();
    await row(KEY).getByTestId('masked-key').waitFor();
    assert(!(await row(KEY).innerText()).includes(secret), 'still revealed after a click');
  });

  await step('create more keys; search, filter and sort', async () => {
    await createKeyInPage({ name: 'CRM Sync', permissions: ['Read leads', 'Add/Update leads'] });
    await createKeyInPage({ name: 'Staging Templates', permissions: ['Manage Email Templates', 'Send Emails'] });
    await button(`Deactivate key Staging Templates`).click();
    await row('Staging Templates').getByText('Inactive', { exact: true }).waitFor();

    const names = async () => page.getByTestId('key-row').getByRole('link').allInnerTexts();
    await eventually(async () => (await names()).join('|') === 'Staging Templates|CRM Sync|Production Email API', {
      message: 'not newest first',
    });

    await page.getByLabel('Search keys by name').fill('crm');
    await eventually(async () => (await names()).join('|') === 'CRM Sync', { message: 'search by name' });
    await page.getByLabel('Search keys by name').fill('');
    await eventually(async () => (await names()).length === 3, { message: 'clearing the search' });

    await page.getByLabel('Filter by status').selectOption('INACTIVE');
    await eventually(async () => (await names()).join('|') === 'Staging Templates', { message: 'status filter' });
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByLabel('Filter by permission').selectOption('READ_LEADS');
    await eventually(async () => (await names()).join('|') === 'CRM Sync|Production Email API', { message: 'permission filter' });
    await page.getByLabel('Filter by permission').selectOption('');

    await page.getByRole('columnheader', { name: /Created/ }).getByRole('button').click();
    await eventually(async () => (await names()).join('|') === 'Production Email API|CRM Sync|Staging Templates', {
      message: 'sort by created, oldest first',
    });
    await page.getByRole('columnheader', { name: /Last Used/ }).getByRole('button').click();
    await eventually(async () => (await names())[0] === 'Production Email API', { message: 'sort by last used, latest first' });
    await page.goto('/keys');
  });

  await step('edit a key: name and permissions', async () => {
    await button('Edit key CRM Sync').click();
    const dialog = page.getByRole('dialog', { name: 'Edit “CRM Sync”' });
    await dialog.waitFor();
    await dialog.getByLabel('Key Name').fill('CRM Sync (prod)');
    await dialog.getByRole('checkbox', { name: 'Delete leads', exact: true }).check();
    await button('Save changes', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    const r = row('CRM Sync (prod)');
    await r.getByText('Delete leads', { exact: true }).waitFor();
  });

  await step('edit a key: rate limit, then back to the server default', async () => {
    const crmId = await row('CRM Sync (prod)').getAttribute('data-key-id');
    const rateLimitOf = () =>
      page.evaluate(async (id) => {
        const res = await fetch('/graphql', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ query: 'query($id: ID!){ apiKey(id: $id){ rateLimit } }', variables: { id } }),
        });
        return (await res.json()).data.apiKey.rateLimit;
      }, crmId);
    const serverDefault = await rateLimitOf();
    const open = async () => {
      await button('Edit key CRM Sync (prod)').click();
      const dialog = page.getByRole('dialog', { name: 'Edit “CRM Sync (prod)”' });
      await dialog.waitFor();
      return dialog;
    };
    let dialog = await open();
    const rate = dialog.getByLabel(/Rate limit/);
    assert((await rate.inputValue()) === '', 'the rate limit field is not empty');
    await rate.fill('20000');
    await button('Save changes', dialog).click();
    await eventually(async () => (await rate.getAttribute('aria-invalid')) === 'true', { message: 'no error at the rate limit field' });
    await rate.fill('25');
    await button('Save changes', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    assert((await rateLimitOf()) === 25, 'rate limit not saved');
    dialog = await open();
    const hint = await dialog.getByLabel(/Rate limit/).getAttribute('aria-describedby');
    const hintText = await page.locator(`[id="${hint.split(' ')[0]}"]`).innerText();
    assert(hintText.includes('Currently 25 per second'), `rate limit hint: ${hintText}`);
    await dialog.getByRole('checkbox', { name: 'Use the server default', exact: true }).check();
    await button('Save changes', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    assert((await rateLimitOf()) === serverDefault, 'rate limit not back to the server default');
  });

  if (WRITE_DOCS_SHOT) {
    await step('screenshot of API Key Management for the README', async () => {
      await page.goto('/keys');
      await row(KEY).waitFor();
      await eventually(async () => /of \d+ keys/.test(await page.locator('.pagination-info').innerText()), {
        message: 'the key count did not arrive',
      });
      await page.mouse.move(0, 0);
      await sleep(300);
      if (failed > 0) {
        console.log('    (not saving the README screenshot: an earlier step failed)');
        return;
      }
      mkdirSync(dirname(DOCS_SHOT), { recursive: true });
      await page.screenshot({ path: DOCS_SHOT });
      docsShotSaved = true;
    });
  }

  await step('key detail: audit trail and 30-day chart', async () => {
    await row(KEY).getByRole('link', { name: KEY, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: KEY }).waitFor();
    assert(new URL(page.url()).pathname === `/keys/${keyId}`, `url ${page.url()}`);
    const events = page.getByTestId('audit-event');
    await events.first().waitFor();
    const trail = (await events.allInnerTexts()).join('\n');
    for (const a of ['Created', 'Deactivated', 'Activated', 'Revealed', 'Reveal failed'])
      assert(trail.includes(a), `audit trail lacks "${a}":\n${trail}`);
    assert(trail.includes(EMAIL), 'audit trail does not name the actor');
    await page.getByRole('heading', { name: 'Requests, last 30 days' }).waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    const bars = await page.locator('table.sr-only tbody tr').count();
    assert(bars === 30, `usage has ${bars} days, want 30`);
    await reviewShot('detail');
    const stat = await page.locator('.card-stat').innerText();
    assert(/^[1-9]/.test(stat.trim()), `usage total is not positive: ${stat}`);
  });

  let rolledWithGrace = '';
  await step('roll with 1 hour grace: both secrets work; the page says until when', async () => {
    await button(`Roll key ${KEY}`).click();
    const dialog = page.getByRole('dialog', { name: `Roll API key “${KEY}”` });
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: '1 hour', exact: true }).check();
    await button('Roll key', dialog).click();
    const done = page.getByRole('dialog', { name: `New key for “${KEY}”` });
    await done.waitFor();
    rolledWithGrace = await done.getByTestId('new-secret').inputValue();
    assert(/^bt_/.test(rolledWithGrace) && rolledWithGrace !== secret, 'no new secret');
    const note = await done.getByTestId('previous-secret-note').innerText();
    assert(/keeps working until .*\d{1,2}:\d{2}.*\(in 1 hour\)/.test(note), `roll result note: ${note}`);
    await button('Done', done).click();
    await done.waitFor({ state: 'detached' });
    const prev = page.getByTestId('previous-secret');
    await eventually(async () => /Works until .*\d{4}.*\d{1,2}:\d{2}.*\(in 1 hour\)/.test(await prev.innerText()), {
      message: 'the detail page does not say until when the previous secret works',
    });
    assert(/\d{4}/.test((await prev.locator('time').first().getAttribute('title')) ?? ''), 'no exact time on hover');
    await reviewShot('previous-secret');
    assert((await rest('/v1/me', rolledWithGrace)).status === 200, 'the new secret does not work');
    assert((await rest('/v1/me', secret)).status === 200, 'the old secret stopped during its grace period');
  });

  let rolled = '';
  await step('roll: a new secret once; the old one stops (grace: now)', async () => {
    await button(`Roll key ${KEY}`).click();
    const dialog = page.getByRole('dialog', { name: `Roll API key “${KEY}”` });
    await dialog.waitFor();
    for (const g of ['Now', '1 hour', '24 hours', '7 days']) await dialog.getByRole('radio', { name: g, exact: true }).waitFor();
    await dialog.getByRole('radio', { name: 'Now', exact: true }).check();
    await button('Roll key', dialog).click();
    const done = page.getByRole('dialog', { name: `New key for “${KEY}”` });
    await done.waitFor();
    rolled = await done.getByTestId('new-secret').inputValue();
    assert(/^bt_/.test(rolled) && rolled !== secret && rolled !== rolledWithGrace, 'no new secret');
    await done.getByText(/will not be shown again/i).waitFor();
    await done.getByText('The previous key no longer works.').waitFor();
    await button('Done', done).click();
    await eventually(async () => (await rest('/v1/me', rolled)).status === 200, { message: 'the new secret does not work' });
    await eventually(async () => (await rest('/v1/me', rolledWithGrace)).status === 401, { message: 'the old secret still works' });
    await eventually(async () => (await rest('/v1/me', secret)).status === 401, { message: 'the first secret works again' });
    await page.getByTestId('previous-secret').waitFor({ state: 'detached' });
    await page.getByTestId('audit-event').getByText('Rolled').first().waitFor();
  });

  await step('pagination: 20 per page, Next and Previous', async () => {
    // Fill the account through the same GraphQL API the page uses (session cookie).
    const created = await page.evaluate(async () => {
      let ok = 0;
      for (let i = 1; i <= 20; i++) {
        const r = await fetch('/graphql', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            query: 'mutation($input: CreateApiKeyInput!){ createApiKey(input: $input){ apiKey { id } } }',
            variables: { input: { name: `Batch key ${String(i).padStart(2, '0')}`, permissions: ['READ_LEADS'] } },
          }),
        });
        const j = await r.json();
        if (j.data?.createApiKey) ok++;
      }
      return ok;
    });
    assert(created === 20, `created ${created} of 20 batch keys`);
    await page.goto('/keys');
    const info = page.locator('.pagination-info');
    await eventually(async () => (await info.innerText()).includes('Showing 1–20 of 23'), { message: 'first page info' });
    assert((await page.getByTestId('key-row').count()) === 20, 'first page does not have 20 rows');
    const off = async (name) => (await button(name).getAttribute('aria-disabled')) === 'true';
    assert(await off('Previous'), 'Previous enabled on the first page');
    await button('Next').focus();
    await page.keyboard.press('Enter');
    await eventually(async () => (await info.innerText()).includes('Showing 21–23 of 23'), { message: 'second page info' });
    assert((await page.getByTestId('key-row').count()) === 3, 'second page does not have 3 rows');
    assert(await off('Next'), 'Next enabled on the last page');
    // Turned off under the keyboard, Next keeps focus (a disabled button would drop it to the body).
    assert(await button('Next').evaluate((b) => b === document.activeElement), 'focus left Next on the last page');
    await page.keyboard.press('Enter');
    assert((await info.innerText()).includes('Showing 21–23 of 23'), 'Next did something on the last page');
    await row(KEY).waitFor();
    await button('Previous').click();
    await eventually(async () => (await info.innerText()).includes('Showing 1–20 of 23'), { message: 'back to the first page' });
    await page.getByText('Batch key 20', { exact: true }).waitFor();
  });

  await step('delete asks for confirmation naming the key; the key stops working', async () => {
    await page.getByLabel('Search keys by name').fill('production');
    await eventually(async () => (await page.getByTestId('key-row').count()) === 1, { message: 'search' });
    await button(`Delete key ${KEY}`).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete API key “${KEY}”?` });
    await dialog.waitFor();
    await button('Cancel', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    await button(`Delete key ${KEY}`).click();
    await button('Delete key', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    await row(KEY).waitFor({ state: 'detached' });
    await page.getByText('No keys match these filters.').waitFor();
    const focused = await page.evaluate(() => document.activeElement?.tagName + ' ' + document.activeElement?.textContent?.trim());
    assert(focused === 'H1 API Key Management', `focus is on "${focused}" after deleting, not the page heading`);
    await eventually(async () => (await rest('/v1/me', rolled)).status === 401, { message: 'deleted key still works' });
  });

  // ---------- issue 7: focus after "Create API Key" ----------

  await step('after "Create API Key" focus is on Copy: Tab stays in the dialog, Escape closes it', async () => {
    await page.goto('/keys');
    await button('Create New Key').click();
    const dialog = page.getByRole('dialog', { name: 'Create New API Key' });
    await dialog.getByLabel('Key Name').fill('Escape test');
    await dialog.getByRole('checkbox', { name: 'Read leads', exact: true }).check();
    await button('Create API Key', dialog).click();
    const done = page.getByRole('dialog', { name: 'API key created' });
    await done.waitFor();
    await eventually(async () => (await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Copy', {
      message: 'focus is not on the Copy button',
    });
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      assert(await done.evaluate((d) => d.contains(document.activeElement)), `Tab ${i + 1} left the dialog`);
    }
    await page.keyboard.press('Escape');
    await done.waitFor({ state: 'detached' });
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert(focused === 'Create New Key', `focus went to "${focused}" after Escape`);
  });

  // ---------- section 9: warnings, leaks, settings, security log ----------

  const LEAKY = 'Leak canary';
  const SOON = 'Expiring soon key';
  let leakySecret = '';
  let leakyId = '';

  await step('warning badges and "Needs attention": a leak reported while the page is open shows after a refresh', async () => {
    const made = await page.evaluate(
      async ([leaky, soon, soonAt]) => {
        const create = async (input) => {
          const r = await fetch('/graphql', {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              query: 'mutation($input: CreateApiKeyInput!){ createApiKey(input: $input){ secret apiKey { id } } }',
              variables: { input },
            }),
          });
          return (await r.json()).data?.createApiKey;
        };
        return [
          await create({ name: leaky, permissions: ['SEND_EMAILS'] }),
          await create({ name: soon, permissions: ['READ_LEADS'], expiresAt: soonAt }),
        ];
      },
      [LEAKY, SOON, new Date(Date.now() + 3 * 86_400_000).toISOString()],
    );
    assert(made[0]?.secret && made[1]?.secret, `could not create the keys: ${JSON.stringify(made)}`);
    leakySecret = made[0].secret;
    leakyId = made[0].apiKey.id;
    await page.goto('/keys');
    await row(LEAKY).waitFor();
    assert((await row(LEAKY).locator('[data-warning]').count()) === 0, 'a fresh key already has a warning');
    const soonBadge = row(SOON).locator('[data-warning="EXPIRING_SOON"]');
    await soonBadge.waitFor();
    assert(/^Expiring \w{3} \d{1,2}, \d{4}$/.test((await soonBadge.innerText()).trim()), `expiry badge: ${await soonBadge.innerText()}`);

    // GitHub finds the key in a public repository and reports it, signed.
    const body = JSON.stringify([{ token: leakySecret, type: 'businesstools_api_key', url: 'https://github.com/acme/app/blob/main/.env', source: 'content' }]);
    const signature = signBytes('sha256', Buffer.from(body), scanKeys.privateKey).toString('base64');
    const unsigned = await rest('/v1/secret-scanning', null, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert(unsigned.status === 401, `an unsigned report answered ${unsigned.status}`);
    const report = await rest('/v1/secret-scanning', null, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Github-Public-Key-Identifier': SCAN_KEY_ID, 'Github-Public-Key-Signature': signature },
      body,
    });
    assert(report.status === 200, `secret scanning report: ${report.status} ${JSON.stringify(report.body)}`);
    assert(report.body?.[0]?.label === 'true_positive', `label: ${JSON.stringify(report.body)}`);

    // The page was open all along; a refresh shows the red badge and the deactivation.
    await page.reload();
    const leaked = row(LEAKY).locator('[data-warning="LEAKED"]');
    await leaked.waitFor();
    assert((await leaked.innerText()).trim() === 'Leaked', `badge text: ${await leaked.innerText()}`);
    const color = await leaked.evaluate((el) => getComputedStyle(el).color);
    const [r, g, b] = color.match(/\d+/g).map(Number);
    assert(r > 150 && g < 80 && b < 80, `the Leaked badge is not red: ${color}`);
    await row(LEAKY).getByText('Inactive', { exact: true }).waitFor();
    assert((await rest('/v1/me', leakySecret)).status === 401, 'the leaked key still works');
    await reviewShot('warnings');

    // The box follows the URL, which changes in a transition: click, then wait for it.
    const attention = page.getByLabel('Needs attention');
    await attention.click();
    await eventually(async () => attention.isChecked(), { message: 'Needs attention did not turn on' });
    const names = async () => page.getByTestId('key-row').getByRole('link').allInnerTexts();
    await eventually(async () => {
      const n = await names();
      return n.includes(LEAKY) && n.includes(SOON) && !n.includes('Escape test');
    }, { message: 'Needs attention does not list exactly the warned keys' });
    assert(new URL(page.url()).searchParams.get('attention') === '1', `url ${page.url()}`);
    await attention.click();
    await eventually(async () => !(await attention.isChecked()), { message: 'Needs attention did not turn off' });
    await eventually(async () => (await names()).includes('Escape test'), { message: 'unchecking the filter' });
  });

  await step('the key list fits a 1280-pixel screen with warnings, and a 375-pixel one does not scroll sideways', async () => {
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto('/keys');
      await row(LEAKY).locator('[data-warning="LEAKED"]').waitFor();
      const fit = await page.locator('.table-wrap').evaluate((el) => [el.scrollWidth, el.clientWidth]);
      assert(fit[0] <= fit[1], `the list is ${fit[0]} px wide in a ${fit[1]} px box at 1280`);
      const del = await button(`Delete key ${LEAKY}`).boundingBox();
      const wrap = await page.locator('.table-wrap').boundingBox();
      assert(del && wrap && del.x + del.width <= wrap.x + wrap.width, 'Delete is cut off at 1280');
      await page.setViewportSize({ width: 375, height: 812 });
      await row(LEAKY).waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(width <= 375, `the page is ${width} px wide at 375`);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  await step('the leak email reaches every admin once, names the key and links to /keys/<id>', async () => {
    const msg = await mail.waitFor((m) => m.to.includes(EMAIL) && m.subject.includes(LEAKY));
    const link = `${base}/keys/${leakyId}`;
    assert(msg.text.includes(link) || msg.html.includes(link), `no link ${link} in the email:\n${msg.text}`);
    assert(!msg.text.includes(leakySecret) && !msg.html.includes(leakySecret), 'the email contains the secret');
    await sleep(500);
    const copies = mail.messages.filter((m) => m.to.includes(EMAIL) && m.subject === msg.subject).length;
    assert(copies === 1, `${copies} copies of "${msg.subject}"`);
    // The link opens the key in the SPA.
    await page.goto(link.slice(base.length));
    await page.getByRole('heading', { level: 1, name: LEAKY }).waitFor();
    await page.locator('[data-warning="LEAKED"]').first().waitFor();
  });

  await step('the key detail shows the last request: route and IP', async () => {
    // CRM Sync (prod) has not been used yet; one REST call records it.
    const crmId = await page.evaluate(async () => {
      const r = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ apiKeys(first: 1, where: { name: "CRM Sync (prod)" }) { edges { node { id } } } }' }),
      });
      return (await r.json()).data.apiKeys.edges[0].node.id;
    });
    const made = await page.evaluate(async () => {
      const r = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation{ createApiKey(input: { name: "Last request probe", permissions: [READ_LEADS] }){ secret apiKey { id } } }',
        }),
      });
      return (await r.json()).data.createApiKey;
    });
    assert(crmId && made?.secret, 'setup failed');
    assert((await rest('/v1/me', made.secret)).status === 200, 'GET /v1/me with the probe key');
    await page.goto(`/keys/${made.apiKey.id}`);
    await eventually(
      async () => {
        await page.reload();
        const t = await page.getByTestId('last-request').innerText({ timeout: 2000 });
        return t.includes('GET /v1/me') && t.includes('127.0.0.1');
      },
      { timeout: 10000, interval: 700, message: 'the detail does not show "GET /v1/me from 127.0.0.1"' },
    );
    await reviewShot('last-request');
  });

  await step('Settings: owners edit; an out-of-range value shows at its field, in the label’s words', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByLabel('Require an expiration on every key').check();
    const days = page.getByLabel('Maximum key lifetime (days)');
    await days.fill('0');
    await button('Save settings').click();
    await eventually(async () => (await days.getAttribute('aria-invalid')) === 'true', { message: 'no error at the lifetime field for 0 days' });
    const errId = (await days.getAttribute('aria-describedby')).split(' ').pop();
    const err = await page.locator(`[id="${errId}"]`).innerText();
    assert(err.startsWith('Maximum key lifetime (days)') && !err.includes('maxKeyLifetimeDays'), `error text: ${err}`);
    assert(await days.evaluate((el) => el === document.activeElement), 'focus is not on the field in error');
    await reviewShot('settings-error');
    await days.fill('400');
    await page.getByLabel('Email the admins when a key is created, deleted or rolled').check();
    await button('Save settings').click();
    await page.getByText('Settings saved.').waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await eventually(async () => (await page.getByLabel('Maximum key lifetime (days)').inputValue()) === '400', { message: 'the lifetime was not saved' });
    assert(await page.getByLabel('Email the admins when a key is created, deleted or rolled').isChecked(), 'notifications not saved');
    // Back to no limit, so the keys made later need no expiry.
    await page.getByLabel('Require an expiration on every key').uncheck();
    await button('Save settings').click();
    await page.getByText('Settings saved.').first().waitFor();
  });

  await step('Security log: the whole account newest first, filters by event, key and actor, paging with cursors', async () => {
    await page.getByRole('link', { name: 'Security log', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Security log' }).waitFor();
    const rows = page.getByTestId('log-row');
    await rows.first().waitFor();
    assert((await rows.count()) === 25, `first page has ${await rows.count()} rows, want 25`);
    const times = await rows.locator('time').evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime'))));
    assert(times.every((t, i) => i === 0 || times[i - 1] >= t), 'not newest first');
    const actionsShown = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
    assert(actionsShown.includes('SETTINGS_CHANGED'), `no settings change on the first page: ${actionsShown}`);

    // Paging: Older, then Newer returns to the same first row.
    const firstRow = await rows.first().innerText();
    await button('Older').click();
    await eventually(async () => (await rows.first().innerText()) !== firstRow, { message: 'Older did not change the page' });
    assert(new URL(page.url()).searchParams.get('after'), 'no cursor in the URL');
    const olderTimes = await rows.locator('time').evaluateAll((ts) => ts.map((t) => Date.parse(t.getAttribute('datetime'))));
    assert(olderTimes[0] <= times[times.length - 1], 'the older page is not older');
    await button('Newer').click();
    await eventually(async () => (await rows.first().innerText()) === firstRow, { message: 'Newer did not return to the first page' });

    // By event.
    await page.getByLabel('Filter by event').selectOption('LEAKED');
    await eventually(async () => {
      const a = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
      return a.length >= 1 && a.every((x) => x === 'LEAKED');
    }, { message: 'event filter' });
    const leakRow = await rows.first().innerText();
    assert(leakRow.includes(LEAKY) && leakRow.includes('github.com/acme/app'), `leak row: ${leakRow}`);
    await page.getByLabel('Filter by event').selectOption('');

    // By key (deleted keys too).
    await page.getByLabel('Filter by key name').fill(KEY);
    await eventually(async () => {
      const t = await rows.allInnerTexts();
      return t.length > 0 && t.every((x) => x.includes(KEY));
    }, { message: 'key filter' });
    const acts = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
    assert(acts.includes('DELETED') && acts.includes('CREATED'), `the deleted key's events: ${acts}`);
    await page.getByLabel('Filter by key name').fill('');

    // By actor.
    await page.getByLabel('Filter by actor').fill('nobody-at-all');
    await page.getByText('No events match these filters.').waitFor();
    await page.getByLabel('Filter by actor').fill(EMAIL);
    await eventually(async () => {
      const t = await rows.locator('.log-actor').allInnerTexts();
      return t.length > 0 && t.every((x) => x.includes(EMAIL));
    }, { message: 'actor filter' });
    await reviewShot('security-log');
    await button('Clear filters').click();
  });

  // ---------- section 10: team, roles, access tokens ----------

  const VIEWER = 'viewer@example.com';
  const VIEWER_PASSWORD = 'e2e-Viewer-Staple-42';
  let viewerContext;

  await step('Team: the owner invites a viewer; the invite email links to /invite/<token>', async () => {
    await page.getByRole('link', { name: 'Team', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Team' }).waitFor();
    assert((await page.getByTestId('my-role').textContent()).includes('Owner'), 'the sidebar does not show the Owner role');
    await button('Invite admin').click();
    const dialog = page.getByRole('dialog', { name: 'Invite an admin' });
    await dialog.getByLabel('Email').fill(VIEWER);
    await dialog.getByRole('radio', { name: 'Viewer' }).check();
    await button('Send invitation', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    const member = page.getByTestId('member-row').filter({ hasText: VIEWER });
    await member.getByText('Invite pending').waitFor();
    await reviewShot('team');
  });

  let inviteLink = '';
  await step('the invite email arrives with a one-time link', async () => {
    const msg = await mail.waitFor((m) => m.to.includes(VIEWER));
    const at = (msg.text + msg.html).indexOf(`${base}/invite/`);
    const m = at >= 0 ? /^\S+\/invite\/([A-Za-z0-9_-]+)/.exec((msg.text + msg.html).slice(at)) : null;
    assert(m, `no invite link in:\n${msg.subject}\n${msg.text}`);
    inviteLink = m[0];
  });

  await step('the viewer accepts in a fresh browser, lands on API Key Management, sees keys but no Create button', async () => {
    assert(inviteLink, 'no invite link');
    viewerContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: base, locale: 'en-US', timezoneId: 'UTC' });
    viewerContext.setDefaultTimeout(10000);
    const vp = await viewerContext.newPage();
    vp.on('pageerror', (e) => pageErrors.push(`viewer pageerror: ${e.message}`));
    await vp.goto(inviteLink.slice(base.length));
    await vp.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    await vp.getByLabel('New password').fill('short');
    await vp.getByLabel('Repeat the password').fill('short');
    await vp.getByRole('button', { name: 'Set password and sign in' }).click();
    await vp.getByText('Use at least 8 characters.').waitFor();
    await vp.getByLabel('New password').fill(VIEWER_PASSWORD);
    await vp.getByLabel('Repeat the password').fill(VIEWER_PASSWORD);
    await vp.getByRole('button', { name: 'Set password and sign in' }).click();
    await vp.getByRole('heading', { level: 1, name: 'API Key Management' }).waitFor();
    assert(new URL(vp.url()).pathname === '/keys', `landed on ${vp.url()}`);
    assert((await vp.getByTestId('my-role').textContent()).includes('Viewer'), 'the sidebar does not show the Viewer role');
    await vp.getByTestId('key-row').first().waitFor();
    assert((await vp.getByRole('button', { name: 'Create New Key' }).count()) === 0, 'a viewer sees Create New Key');
    assert((await vp.getByRole('button', { name: /^(Reveal|Roll|Delete|Deactivate|Activate) key / }).count()) === 0, 'a viewer sees key actions');
    await vp.getByTestId('read-only-note').waitFor();
    if (process.env.E2E_SHOTS) await vp.screenshot({ path: join(SHOTS, 'review-viewer.png') });

    // The server refuses what the page hides.
    const answer = await vp.evaluate(async () => {
      const r = await fetch('/graphql', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: 'mutation{ createApiKey(input: { name: "viewer was here", permissions: [SEND_EMAILS] }){ secret } }' }),
      });
      return r.json();
    });
    assert(answer.errors?.[0]?.extensions?.code === 'FORBIDDEN', `createApiKey as a viewer: ${JSON.stringify(answer)}`);
    assert(!answer.data?.createApiKey, 'a viewer created a key');

    // The link works once.
    const again = await viewerContext.newPage();
    await again.goto(inviteLink.slice(base.length));
    await again.getByLabel('New password').fill(VIEWER_PASSWORD);
    await again.getByLabel('Repeat the password').fill(VIEWER_PASSWORD);
    await again.getByRole('button', { name: 'Set password and sign in' }).click();
    await again.getByRole('alert').waitFor();
    await again.close();
  });

  await step('the owner sees the viewer as a member now', async () => {
    await page.reload();
    const member = page.getByTestId('member-row').filter({ hasText: VIEWER });
    await member.getByText('Active', { exact: true }).waitFor();
    assert((await member.getByLabel(`Role of ${VIEWER}`).inputValue()) === 'VIEWER', 'the role select does not say Viewer');
  });

  let tokenSecret = '';
  const TOKEN = 'e2e automation';
  const gqlWithToken = async (query, variables = {}) => {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${tokenSecret}` },
      body: JSON.stringify({ query, variables }),
    });
    let json = null;
    try {
      json = await r.json();
    } catch {
      /* not JSON */
    }
    return { status: r.status, json };
  };

  await step('Access tokens: the owner creates one (scopes, 7 days), shown once with Copy focused', async () => {
    await page.getByRole('link', { name: 'Access tokens', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Access tokens' }).waitFor();
    await button('Create token').click();
    const dialog = page.getByRole('dialog', { name: 'Create access token' });
    await dialog.getByLabel('Token name').fill(TOKEN);
    for (const s of ['Read keys', 'Manage keys']) {
      const box = dialog.getByRole('checkbox', { name: s, exact: true });
      const desc = await page.locator(`[id="${await box.getAttribute('aria-describedby')}"]`).innerText();
      assert(desc.length > 10, `scope ${s} has no description`);
      await box.check();
    }
    await dialog.getByRole('radio', { name: '7 days' }).check();
    await button('Create token', dialog).click();
    const done = page.getByRole('dialog', { name: 'Access token created' });
    await done.waitFor();
    tokenSecret = await done.getByTestId('new-secret').inputValue();
    assert(/^btm_[0-9A-Za-z]{40,}$/.test(tokenSecret), `token looks wrong: ${tokenSecret.slice(0, 6)}…`);
    assert((await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Copy', 'focus is not on Copy');
    await reviewShot('token-created');
    await button('Done', done).click();
    await done.waitFor({ state: 'detached' });
    const r = page.getByTestId('token-row').filter({ hasText: TOKEN });
    await r.waitFor();
    const text = await r.innerText();
    assert(!text.includes(tokenSecret), 'the list shows the secret');
    for (const s of ['Read keys', 'Manage keys', 'Never']) assert(text.includes(s), `token row lacks "${s}": ${text}`);
    const expires = Date.parse(await r.locator('time').last().getAttribute('datetime'));
    assert(Math.abs(expires - (Date.now() + 7 * 86_400_000)) < 3_600_000, `expiry is not in 7 days: ${new Date(expires).toISOString()}`);
  });

  await step('a script uses the token to create and list keys', async () => {
    const created = await gqlWithToken('mutation($input: CreateApiKeyInput!){ createApiKey(input: $input){ secret apiKey { id name } } }', {
      input: { name: 'Made by a script', permissions: ['READ_LEADS'] },
    });
    assert(created.json?.data?.createApiKey?.apiKey?.name === 'Made by a script', `createApiKey with the token: ${created.status} ${JSON.stringify(created.json)}`);
    const listed = await gqlWithToken('{ apiKeys(first: 100, where: { nameContainsFold: "made by a script" }) { edges { node { name } } } }');
    const names = listed.json?.data?.apiKeys?.edges?.map((e) => e.node.name) ?? [];
    assert(names.includes('Made by a script'), `apiKeys with the token: ${JSON.stringify(listed.json)}`);
    const reveal = await gqlWithToken('mutation($id: ID!){ revealApiKey(id: $id, password: "x"){ secret } }', { id: created.json.data.createApiKey.apiKey.id });
    assert(!reveal.json?.data?.revealApiKey, 'a token revealed a key');
    // The list shows when it was last used (recorded in batches).
    await eventually(
      async () => {
        await page.reload();
        const t = await page.getByTestId('token-row').filter({ hasText: TOKEN }).innerText({ timeout: 2000 });
        return /just now|ago/.test(t);
      },
      { timeout: 10000, interval: 700, message: 'Last used still "Never"' },
    );
  });

  await step('the owner revokes the token (confirmation names it); the next call is refused', async () => {
    await button(`Revoke token ${TOKEN}`).click();
    const dialog = page.getByRole('alertdialog', { name: `Revoke access token “${TOKEN}”?` });
    await dialog.waitFor();
    await button('Revoke token', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('token-row').filter({ hasText: TOKEN }).waitFor({ state: 'detached' });
    const after = await gqlWithToken('{ apiKeys(first: 1) { edges { node { id } } } }');
    const code = after.json?.errors?.[0]?.extensions?.code;
    assert(after.status === 401 || code === 'UNAUTHENTICATED', `a revoked token answered ${after.status} ${JSON.stringify(after.json)}`);
    assert(!after.json?.data?.apiKeys, 'a revoked token still lists keys');
  });

  await step('remove the viewer: confirmation names the person; their session ends', async () => {
    await page.getByRole('link', { name: 'Team', exact: true }).click();
    await button(`Remove ${VIEWER}`).click();
    const dialog = page.getByRole('alertdialog', { name: `Remove ${VIEWER}?` });
    await dialog.waitFor();
    assert((await dialog.innerText()).includes(VIEWER), 'the dialog does not name the person');
    await button('Remove admin', dialog).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('member-row').filter({ hasText: VIEWER }).waitFor({ state: 'detached' });
    if (viewerContext) {
      const vp = viewerContext.pages()[0];
      await vp.reload();
      await vp.getByRole('heading', { name: 'Sign in' }).waitFor();
      await viewerContext.close();
    }
  });

  await step('log out', async () => {
    await button('Log out').click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto('/keys');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  await step('no CSP violations or page errors', async () => {
    assert(pageErrors.length === 0, pageErrors.join('\n'));
  });
} catch {
  exitCode = 1;
  console.log('--- server log (tail) ---\n' + serverLogTail());
} finally {
  await shutdown();
  try {
    rmSync(dataDir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}

if (docsShotSaved) console.log(`e2e: README screenshot saved to ${DOCS_SHOT}`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || exitCode ? 1 : 0);
