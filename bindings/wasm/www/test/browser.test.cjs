// The browser pages in headless Chromium, driven by playwright-core (run by `node --test`):
// the verifier page shows the Annex D licence card (docType names in Chinese and English, a
// disclosed value, every check), a tampered response shows the failed check in words, and the
// holder page shows the engagement QR code and its mdoc: text. Screenshots go to $ZZ_ARTEFACTS
// (default target/artefacts/).
//
// Installs nothing: playwright-core comes from the node_modules named by $ZZ_PLAYWRIGHT (e.g.
// .ci-tools/npm/node_modules; .ci/wasm-browser.sh installs it there) and the browser is
// /usr/bin/chromium (or $ZZ_CHROMIUM). If either is missing the test is SKIPPED, saying why.
// The package is target/wasm-pkg (or $ZZ_WASM_PKG), built by bindings/wasm/build.sh.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const ROOT = path.resolve(__dirname, '../../../..');
const WWW = path.resolve(__dirname, '..');
const PKG = process.env.ZZ_WASM_PKG || path.join(ROOT, 'target/wasm-pkg');
const ARTEFACTS = process.env.ZZ_ARTEFACTS || path.join(ROOT, 'target/artefacts');
const CHROMIUM = process.env.ZZ_CHROMIUM || '/usr/bin/chromium';
const ANNEX_D = path.join(ROOT, 'tests/vectors/iso18013-5-annex-d');
// shared/TOOLCHAIN.md §11: exactly these, plus a fresh user data dir (launchPersistentContext).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function missing() {
  if (!process.env.ZZ_PLAYWRIGHT) return 'ZZ_PLAYWRIGHT is not set (the node_modules dir holding playwright-core)';
  if (!fs.existsSync(path.join(process.env.ZZ_PLAYWRIGHT, 'playwright-core'))) {
    return `no playwright-core in ZZ_PLAYWRIGHT=${process.env.ZZ_PLAYWRIGHT}`;
  }
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM}`;
  if (!fs.existsSync(path.join(PKG, 'zhengzhao.mjs'))) return `no package in ${PKG}: run bash bindings/wasm/build.sh`;
  return null;
}
const skip = missing();
if (skip) console.log(`# browser test SKIPPED: ${skip}`);

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

// /pkg/* from the package, everything else from www/; nothing outside them.
function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const [base, rel] = url.pathname.startsWith('/pkg/')
      ? [PKG, url.pathname.slice(5)] : [WWW, url.pathname.slice(1) || 'verifier.html'];
    const file = path.resolve(base, decodeURIComponent(rel));
    if (!file.startsWith(base + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('verifier and holder pages in headless Chromium', { skip: skip || false, timeout: 120_000 }, async () => {
  const { chromium } = require(path.join(process.env.ZZ_PLAYWRIGHT, 'playwright-core'));
  fs.mkdirSync(ARTEFACTS, { recursive: true });
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zz-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
  });
  const external = [];
  try {
    const page = await context.newPage();
    page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) external.push(r.url()); });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // ---- the verifier page: Annex D verifies to a licence card ----
    await page.goto(`${origin}/verifier.html`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.setInputFiles('#response', path.join(ANNEX_D, 'device_response.hex'));
    await page.setInputFiles('#transcript', path.join(ANNEX_D, 'session_transcript_bytes.hex'));
    await page.setInputFiles('#trust', path.join(ANNEX_D, 'iaca_root_cert.pem'));
    await page.setInputFiles('#readerKey', path.join(ANNEX_D, 'ephemeral_reader_key.d.hex'));
    await page.fill('#at', '2021-01-01T00:00');
    await page.click('#verify');
    await page.waitForSelector('body[data-state]');
    await page.screenshot({ path: path.join(ARTEFACTS, 'verifier-annex-d.png'), fullPage: true });
    assert.equal(await page.getAttribute('body', 'data-state'), 'verified',
      await page.textContent('#result'));
    const card = await page.textContent('#card');
    assert.match(card, /驾驶证/);
    assert.match(card, /Mobile driving licence/);
    assert.match(card, /org\.iso\.18013\.5\.1\.mDL/);
    const family = await page.textContent('tr:has(td.name:text-is("family_name")) td.value');
    assert.equal(family, 'Doe');
    assert.equal(await page.textContent('tr:has(td.name:text-is("expiry_date")) td.value'), '2024-10-20');
    assert.equal(await page.locator('#card img[alt="portrait"]').count(), 1);
    const checks = await page.$$eval('ul.checks li', (li) => li.map((l) => [l.dataset.check, l.textContent]));
    assert.deepEqual(checks.map((c) => c[0]), ['well_formed', 'response_status', 'issuer_chain', 'issuer_signature',
      'doc_type', 'validity', 'digests', 'device_authentication', 'key_authorizations']);
    assert.ok(checks.every(([, t]) => /[\u4e00-\u9fff]/.test(t) && /[A-Za-z]/.test(t)), JSON.stringify(checks));

    // ---- a tampered response: "Doe" → "Dof" breaks its digest ----
    const hex = fs.readFileSync(path.join(ANNEX_D, 'device_response.hex'), 'utf8').trim();
    assert.ok(hex.includes('63446f65'), 'the Annex D response holds text "Doe"');
    const tampered = path.join(ARTEFACTS, 'device_response.tampered.hex');
    fs.writeFileSync(tampered, hex.replace('63446f65', '63446f66'));
    await page.setInputFiles('#response', tampered);
    await page.click('#verify');
    await page.waitForSelector('body[data-state]');
    await page.screenshot({ path: path.join(ARTEFACTS, 'verifier-tampered.png'), fullPage: true });
    assert.equal(await page.getAttribute('body', 'data-state'), 'rejected');
    assert.equal(await page.getAttribute('#rejected', 'data-check'), 'digests');
    const words = await page.textContent('#rejected .words');
    assert.match(words, /数据被篡改/);
    assert.match(words, /does not match its signed digest/);
    assert.equal(await page.locator('#card').count(), 0, 'no card for a rejected response');

    // ---- the holder page: the engagement QR code and its mdoc: text ----
    await page.goto(`${origin}/holder.html`);
    await page.waitForFunction(() => document.getElementById('uri').textContent.length > 0 ||
      document.getElementById('status').textContent.length > 0);
    await page.screenshot({ path: path.join(ARTEFACTS, 'holder-qr.png'), fullPage: true });
    const uri = await page.textContent('#uri');
    assert.match(uri, /^mdoc:[A-Za-z0-9_-]{40,}$/, await page.textContent('#status'));
    assert.equal(await page.locator('#qr svg').count(), 1);
    const box = await page.locator('#qr svg').boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, `QR code rendered at ${JSON.stringify(box)}`);

    assert.deepEqual(errors, [], 'no page errors');
    assert.deepEqual(external, [], 'no request leaves the local server');
  } finally {
    await context.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
