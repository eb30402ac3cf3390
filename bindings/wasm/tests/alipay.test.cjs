// The Alipay path: MyWebAssembly exists only inside a Worker, so the package's alipay-worker.js
// runs there (simulated on a worker_threads thread by sim/alipay-worker-thread.cjs: globals
// deleted, path-only MyWebAssembly, asynchronous my.getRandomValues, JSON-only messages) and the
// main thread uses the mini-program entry's createWorkerClient(): the same functions, each
// returning a Promise, errors arriving as ZhengzhaoError with their code and check.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { PKG, expected, options, VECTORS } = require('./common.cjs');
const { makeCodePackage } = require('./sim/wechat.cjs');
const zz = require(path.join(PKG, 'miniprogram.js'));

const MDL = 'org.iso.18013.5.1.mDL';
const NS = 'org.iso.18013.5.1';
const WASM_PATH = '/zhengzhao/zhengzhao_bg.wasm.br';
const pki = (name) => fs.readFileSync(path.join(__dirname, 'pki', name), 'utf8');
const codePackage = makeCodePackage(PKG, fs.mkdtempSync(path.join(os.tmpdir(), 'zz-alipay-')));
process.on('exit', () => fs.rmSync(codePackage, { recursive: true, force: true }));

// What my.createWorker returns, over a worker_threads Worker (messages as JSON text).
function alipayWorker() {
  const thread = new Worker(path.join(__dirname, 'sim/alipay-worker-thread.cjs'), { workerData: { codePackage } });
  const listeners = [];
  let logWaiter = null;
  thread.on('message', (text) => {
    const msg = JSON.parse(text);
    if (msg.simLog) { logWaiter(msg.simLog); return; }
    for (const l of listeners) l(msg);
  });
  return {
    postMessage(msg) { thread.postMessage(JSON.stringify(msg)); },
    onMessage(cb) { listeners.push(cb); },
    terminate() { return thread.terminate(); },
    simLog() { return new Promise((resolve) => { logWaiter = resolve; thread.postMessage(JSON.stringify({ simLog: true })); }); },
  };
}

async function rejects(promise, fields) {
  let caught = null;
  try { await promise; } catch (e) { caught = e; }
  assert.ok(caught, 'resolved instead of rejecting');
  assert.ok(caught instanceof zz.ZhengzhaoError, `not a ZhengzhaoError: ${caught && caught.stack}`);
  for (const [k, want] of Object.entries(fields)) assert.equal(caught[k], want, `${k}: ${caught.message}`);
  return caught;
}

test('the worker client: init through MyWebAssembly, verify round-trips to the Node entry\'s object', async (t) => {
  const w = alipayWorker();
  t.after(() => w.terminate());
  const client = zz.createWorkerClient(w);
  for (const name of ['init', 'verify', 'version', 'runtime', 'createIssuer', 'openWallet', 'createRequest', 'mayDrive']) {
    assert.equal(typeof client[name], 'function', name);
  }
  const early = client.verify(options(VECTORS[0]));
  assert.ok(early instanceof Promise);
  await rejects(early, { code: 'WrongState' });
  await client.init({ wasmPath: WASM_PATH });
  await client.init({ wasmPath: WASM_PATH });
  assert.equal(await client.runtime(), 'alipay');
  assert.deepStrictEqual(await client.verify(options(VECTORS[0])), expected('iso18013-5-annex-d'));
  const log = await w.simLog();
  assert.deepEqual(log.instantiate, [WASM_PATH]);
  assert.ok(log.random.length >= 1 && log.random.every((c) => c.length <= 1048576));
});

test('errors cross as ZhengzhaoError with code, check and document', async (t) => {
  const w = alipayWorker();
  t.after(() => w.terminate());
  const client = zz.createWorkerClient(w);
  await rejects(client.init({ wasmPath: '/zhengzhao/missing.wasm' }), { code: 'Internal' });
  await client.init({ wasmPath: WASM_PATH });
  const o = options(VECTORS[0]);
  delete o.readerKey;
  const e = await rejects(client.verify(o), { code: 'VerificationFailed', check: 'device_authentication', document: 0 });
  assert.equal(e.message, expected('iso18013-5-annex-d.no-reader-key').error.message);
  await rejects(client.verify({ ...options(VECTORS[0]), at: '2021' }), { code: 'InvalidInput', check: null });
  await rejects(client.verify({ ...options(VECTORS[0]), response: new Uint8Array([0xa1, 0x01]) }), { code: 'Malformed', check: 'well_formed' });
  // Functions cannot cross; the client says so before anything is sent.
  await rejects(client.openWallet({ storage: zz.memoryStorage() }), { code: 'InvalidInput' });
});

test('issue → store → request → consent → present → verify through the Worker', async (t) => {
  const w = alipayWorker();
  t.after(() => w.terminate());
  const client = zz.createWorkerClient(w);
  await client.init({ wasmPath: WASM_PATH });
  const now = new Date();
  const day = 86400e3;
  const wallet = await client.openWallet({ storage: client.memoryStorage(), storeKey: new Uint8Array(32).fill(7), issuerTrust: pki('iaca.pem'), readerTrust: pki('reader_ca.pem') });
  const issuer = await client.createIssuer({ key: pki('ds.key.pem'), chain: pki('ds.pem') });
  const pending = await wallet.prepare({ copies: 2 });
  assert.equal(pending.deviceKeys.length, 2);
  assert.ok(pending.deviceKeys[0] instanceof Uint8Array);
  const credentials = await Promise.all(pending.deviceKeys.map((deviceKey) => issuer.issue({
    docType: MDL, deviceKey, signed: now, validFrom: new Date(now - day), validUntil: new Date(+now + 30 * day),
    elements: { [NS]: { family_name: '张', driving_privileges: [{ vehicle_category_code: 'C1' }], portrait: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) } },
  })));
  const added = await wallet.add({ id: pending.id, credentials, name: { zh: '驾驶证', en: 'Driving licence' }, at: now });
  const transcript = options(VECTORS[0]).transcript;
  const request = await client.createRequest({
    documents: [{ docType: MDL, elements: { [NS]: ['family_name', 'portrait'] } }],
    transcript, readerKey: pki('reader.key.pem'), readerChain: pki('reader.pem'),
  });
  const parsed = await wallet.request({ request, transcript, at: now });
  const presented = await wallet.present({
    request: parsed, at: now,
    consents: [{ document: 0, credential: added.id, approved: [{ namespace: NS, identifier: 'family_name' }, { namespace: NS, identifier: 'portrait' }] }],
  });
  assert.ok(presented.response instanceof Uint8Array);
  const verified = await client.verify({ response: presented.response, transcript, trust: pki('iaca.pem'), at: now });
  assert.equal(verified.documents[0].elements[NS].family_name, '张');
  assert.deepEqual(verified.documents[0].elements[NS].portrait, { $bytes: '/9j/2Q==' });
  // The same response verifies on the main thread's own (Node) entry: bytes crossed intact.
  assert.deepStrictEqual(require(PKG).verify({ response: presented.response, transcript, trust: pki('iaca.pem'), at: now }), verified);
  // A freed object is gone from the Worker.
  await issuer.free();
  await rejects(issuer.issue({}), { code: 'WrongState' });
});
