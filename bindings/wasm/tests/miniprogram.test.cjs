// The mini-program entry (miniprogram.js) of the built package in a simulated WeChat runtime
// (sim/wechat.cjs): Node with WebAssembly, TextDecoder, TextEncoder, crypto and fetch deleted,
// a path-only WXWebAssembly and an asynchronous wx.getRandomValues.
//
// Each test runs one SCENARIO in a child Node process of its own (this file, with
// ZZ_WECHAT_SCENARIO set), so the deleted globals are gone from the whole process before the
// entry is required, and no state leaks from one scenario to the next. A scenario is
// `async (zz, t) => value`: zz is the entry, t the simulation's helpers; the value (JSON) or the
// error it throws comes back to the test, with the log of getRandomValues and instantiate calls.
// Adding a case: one scenario below and one test that looks at its report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MDL = 'org.iso.18013.5.1.mDL';
const NS = 'org.iso.18013.5.1';
const WASM_PATH = '/zhengzhao/zhengzhao_bg.wasm.br';

function errorFields(e) {
  return {
    threw: true,
    isZhengzhaoError: !!(e && e.name === 'ZhengzhaoError' && e instanceof Error),
    name: e && e.name, code: e && e.code, check: e && e.check, document: e && e.document,
    message: e && e.message ? String(e.message) : String(e),
  };
}

const SCENARIOS = {
  // init, then the Annex D vector.
  async annexD(zz, t) {
    await zz.init({ wasmPath: WASM_PATH });
    return { runtime: zz.runtime(), result: zz.verify(t.annexD()), version: zz.version() };
  },
  async beforeInit(zz) {
    try { zz.verify({}); } catch (e) { return errorFields(e); }
    return { threw: false };
  },
  async initTwice(zz, t) {
    const a = zz.init({ wasmPath: WASM_PATH });
    const b = zz.init({ wasmPath: WASM_PATH }); // while the first is loading
    await Promise.all([a, b]);
    await zz.init({ wasmPath: WASM_PATH }); // and after
    return { same: a === b, result: zz.verify(t.annexD()) };
  },
  async missingWasm(zz, t) {
    const out = {};
    try { await zz.init({ wasmPath: '/zhengzhao/missing.wasm.br' }); out.missing = { threw: false }; } catch (e) { out.missing = errorFields(e); }
    try { await zz.init({ wasmPath: 'zhengzhao/zhengzhao_bg.wasm.br' }); out.relative = { threw: false }; } catch (e) { out.relative = errorFields(e); }
    try { await zz.init({}); out.none = { threw: false }; } catch (e) { out.none = errorFields(e); }
    // A failed init leaves the entry loadable.
    await zz.init({ wasmPath: WASM_PATH });
    out.after = zz.verify(t.annexD()).verified;
    return out;
  },
  // The simulation itself: bytes are refused, and so is a draw above the limit.
  async simulationIsStrict(zz, t) {
    const wasm = t.readPackageFile('zhengzhao/zhengzhao_bg.wasm');
    const refused = [];
    for (const source of [wasm, wasm.buffer, new WXWebAssembly.Memory({ initial: 1 })]) {
      try { await WXWebAssembly.instantiate(source, {}); refused.push(false); } catch (_) { refused.push(true); }
    }
    const big = await new Promise((resolve) => wx.getRandomValues({
      length: t.RANDOM_LIMIT + 1, success: () => resolve('success'), fail: (e) => resolve(e.errMsg),
    }));
    return { refused, big, globals: t.deleted.filter((g) => typeof globalThis[g] !== 'undefined') };
  },
  // The holder's flow, as the Kotlin/Python suites and flow.test.cjs run it: issue, store,
  // request, consent, present, verify. Skips when the build has no wallet/issuer.
  async flow(zz, t) {
    await zz.init({ wasmPath: WASM_PATH });
    for (const f of ['createIssuer', 'openWallet', 'createRequest', 'memoryStorage']) {
      if (typeof zz[f] !== 'function') return { skip: `the API has no ${f}()` };
    }
    const now = new Date();
    const day = 86400e3;
    let wallet;
    let issuer;
    try {
      wallet = zz.openWallet({ storage: zz.memoryStorage(), storeKey: new Uint8Array(32).fill(7), issuerTrust: t.pki('iaca.pem'), readerTrust: t.pki('reader_ca.pem') });
      issuer = zz.createIssuer({ key: t.pki('ds.key.pem'), chain: t.pki('ds.pem') });
    } catch (e) {
      if (e && e.code === 'InvalidInput' && /verifier-only/.test(e.message)) return { skip: 'the verifier-only build' };
      throw e;
    }
    const pending = wallet.prepare({ copies: 2 });
    const credentials = pending.deviceKeys.map((deviceKey) => issuer.issue({
      docType: MDL, deviceKey, signed: now, validFrom: new Date(now - day), validUntil: new Date(+now + 30 * day), decoys: 2,
      elements: { [NS]: { family_name: '张', given_name: '伟', birth_date: { '$full-date': '1990-05-01' }, driving_privileges: [{ vehicle_category_code: 'C1' }] } },
    }));
    const added = wallet.add({ id: pending.id, credentials, name: { zh: '驾驶证', en: 'Driving licence' }, at: now });
    const transcript = t.annexD().transcript;
    const request = zz.createRequest({
      documents: [{ docType: MDL, elements: { [NS]: ['family_name', 'driving_privileges'] }, purpose: '租车资格核验' }],
      transcript, readerKey: t.pki('reader.key.pem'), readerChain: t.pki('reader.pem'),
    });
    const parsed = wallet.request({ request, transcript, at: now });
    const presented = wallet.present({
      request: parsed, at: now,
      consents: [{ document: 0, credential: added.id, approved: [{ namespace: NS, identifier: 'family_name' }, { namespace: NS, identifier: 'driving_privileges' }] }],
    });
    const verified = zz.verify({ response: presented.response, transcript, trust: t.pki('iaca.pem'), at: now });
    // More device keys until the pool falls below half and asks wx for a refill: the draws
    // come out of the pool.
    let keys = 0;
    while (t.log.random.length < 2 && keys < 1000) keys += wallet.prepare({ copies: 10 }).deviceKeys.length;
    return { requested: parsed.documents, verified, keysUntilRefill: keys };
  },
  // A draw the pool cannot cover fails at once with a typed error (it never blocks, never
  // reuses bytes); once the refill has landed, the same call works.
  async poolExhaustion(zz, t) {
    await zz.init({ wasmPath: WASM_PATH });
    if (typeof zz.openWallet !== 'function') return { skip: 'the API has no openWallet()' };
    let wallet;
    try {
      wallet = zz.openWallet({ storage: zz.memoryStorage(), storeKey: new Uint8Array(32).fill(7), issuerTrust: t.pki('iaca.pem') });
    } catch (e) {
      if (e && e.code === 'InvalidInput' && /verifier-only/.test(e.message)) return { skip: 'the verifier-only build' };
      throw e;
    }
    let drained = null;
    let keys = 0;
    for (let i = 0; i < 1000 && !drained; i++) {
      try { keys += wallet.prepare({ copies: 10 }).deviceKeys.length; } catch (e) { drained = errorFields(e); }
    }
    await new Promise((resolve) => setTimeout(resolve, 20)); // the refill lands
    const after = wallet.prepare({ copies: 1 }).deviceKeys.length;
    return { drained, keys, after };
  },
};

// ---- child: one scenario in the simulated runtime -------------------------------------------
if (process.env.ZZ_WECHAT_SCENARIO) {
  const sim = require('./sim/wechat.cjs');
  const codePackage = process.env.ZZ_WECHAT_CODE_PACKAGE;
  const pkiDir = path.join(__dirname, 'pki');
  const vectors = path.join(__dirname, '../../../tests/vectors/iso18013-5-annex-d');
  const helpers = {
    log: null,
    RANDOM_LIMIT: sim.RANDOM_LIMIT,
    deleted: sim.DELETED,
    pki: (name) => fs.readFileSync(path.join(pkiDir, name), 'utf8'),
    readPackageFile: (rel) => new Uint8Array(fs.readFileSync(path.join(codePackage, rel))),
    annexD: () => ({
      response: sim.hexFile(path.join(vectors, 'device_response.hex')),
      transcript: sim.hexFile(path.join(vectors, 'session_transcript_bytes.hex')),
      trust: fs.readFileSync(path.join(vectors, 'iaca_root_cert.pem'), 'utf8'),
      readerKey: sim.hexFile(path.join(vectors, 'ephemeral_reader_key.d.hex')),
      at: new Date('2021-01-01T00:00:00Z'),
    }),
  };
  const { log } = sim.install(codePackage);
  helpers.log = log;
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  const zz = require(path.join(codePackage, 'zhengzhao/miniprogram.js'));
  const report = (body) => {
    const added = Object.getOwnPropertyNames(globalThis).filter((g) => !before.has(g));
    process.stdout.write('\n@@REPORT@@' + JSON.stringify(Object.assign(body, { log, globalsAdded: added })) + '\n');
  };
  SCENARIOS[process.env.ZZ_WECHAT_SCENARIO](zz, helpers).then(
    (value) => report({ value }),
    (e) => report({ error: Object.assign(errorFields(e), { stack: e && e.stack }) }),
  );
} else {
  // ---- parent: the tests --------------------------------------------------------------------
  const test = require('node:test');
  const assert = require('node:assert/strict');
  const os = require('node:os');
  const { execFileSync } = require('node:child_process');
  const { PKG, expected } = require('./common.cjs');
  const { makeCodePackage } = require('./sim/wechat.cjs');

  const codePackage = makeCodePackage(PKG, fs.mkdtempSync(path.join(os.tmpdir(), 'zz-wechat-')));
  process.on('exit', () => fs.rmSync(codePackage, { recursive: true, force: true }));

  function run(scenario) {
    const out = execFileSync(process.execPath, [__filename], {
      env: Object.assign({}, process.env, { ZZ_WECHAT_SCENARIO: scenario, ZZ_WECHAT_CODE_PACKAGE: codePackage }),
      encoding: 'utf8', maxBuffer: 64 << 20,
    });
    const at = out.lastIndexOf('\n@@REPORT@@');
    assert.ok(at >= 0, `scenario ${scenario} printed no report:\n${out}`);
    const r = JSON.parse(out.slice(at + '\n@@REPORT@@'.length));
    assert.deepEqual(r.globalsAdded, [], 'the entry must not add globals');
    return r;
  }
  function value(r) {
    assert.equal(r.error, undefined, r.error && `${r.error.code}: ${r.error.message}\n${r.error.stack}`);
    return r.value;
  }
  // Every byte of randomness came from wx.getRandomValues: `crypto` does not exist in the child,
  // so the only source is the pool; each call was within the limit and answered asynchronously.
  function randomOnlyThroughWx(r) {
    assert.ok(r.log.random.length >= 1, 'wx.getRandomValues was never called');
    for (const c of r.log.random) {
      assert.ok(Number.isInteger(c.length) && c.length > 0 && c.length <= 1048576, `length ${c.length}`);
      if (c.answered) assert.equal(c.afterReturn, true, 'answered synchronously');
    }
  }

  test('init({ wasmPath }) loads the .wasm.br through WXWebAssembly, and Annex D verifies to the Node entry\'s object', () => {
    const r = run('annexD');
    const v = value(r);
    assert.equal(v.runtime, 'wechat');
    assert.deepStrictEqual(v.result, expected('iso18013-5-annex-d'));
    assert.deepStrictEqual(v.result, require(PKG).verify(require('./common.cjs').options(require('./common.cjs').VECTORS[0])));
    assert.equal(v.version, require(path.join(PKG, 'package.json')).version);
    assert.deepEqual(r.log.instantiate, [WASM_PATH]);
    randomOnlyThroughWx(r);
  });

  // WeChat documents exports of functions, Memory and Table, and no exported Global on iOS:
  // the module must export nothing else (build.sh drops the globals wasm-bindgen leaves that
  // the glue never reads).
  test('the module exports only functions, memories and tables (WXWebAssembly on iOS has no exported Global)', () => {
    for (const f of ['zhengzhao_bg.wasm', 'zhengzhao_bg.wasm.br']) {
      let bytes = fs.readFileSync(path.join(PKG, f));
      if (f.endsWith('.br')) bytes = require('node:zlib').brotliDecompressSync(bytes);
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
      const other = exports.filter((e) => !['function', 'memory', 'table'].includes(e.kind));
      assert.deepEqual(other, [], f);
      assert.ok(exports.some((e) => e.name === 'verifyRaw'), f);
    }
  });

  test('verify before init is a WrongState ZhengzhaoError', () => {
    const e = value(run('beforeInit'));
    assert.equal(e.threw, true);
    assert.equal(e.isZhengzhaoError, true);
    assert.equal(e.code, 'WrongState');
    assert.equal(e.check, null);
    assert.equal(e.log, undefined);
  });

  test('init twice (concurrently and after) instantiates once and works', () => {
    const r = run('initTwice');
    const v = value(r);
    assert.equal(v.same, true);
    assert.deepStrictEqual(v.result, expected('iso18013-5-annex-d'));
    assert.deepEqual(r.log.instantiate, [WASM_PATH]);
  });

  test('a missing, relative or absent wasmPath rejects with a typed error; a later init works', () => {
    const r = run('missingWasm');
    const v = value(r);
    assert.equal(v.missing.isZhengzhaoError, true);
    assert.equal(v.missing.code, 'Internal');
    assert.match(v.missing.message, /missing\.wasm\.br/);
    for (const k of ['relative', 'none']) {
      assert.equal(v[k].isZhengzhaoError, true, k);
      assert.equal(v[k].code, 'InvalidInput', k);
    }
    assert.equal(v.after, true);
    assert.deepEqual(r.log.instantiate, ['/zhengzhao/missing.wasm.br', WASM_PATH]);
  });

  test('the simulation is strict: no bytes or Module to instantiate, no draw above 1 MiB, the globals gone', () => {
    const v = value(run('simulationIsStrict'));
    assert.deepEqual(v.refused, [true, true, true]);
    assert.match(v.big, /fail/);
    assert.deepEqual(v.globals, []);
  });

  test('issue → store → request → consent → present → verify in the simulated WeChat runtime', (t) => {
    const r = run('flow');
    const v = value(r);
    if (v.skip) { t.skip(v.skip); return; }
    assert.equal(v.requested[0].docType === undefined ? v.requested.length : v.requested[0].docType, v.requested[0].docType === undefined ? 1 : MDL);
    const doc = v.verified.documents[0];
    assert.equal(v.verified.verified, true);
    assert.equal(doc.doc_type, MDL);
    assert.equal(doc.device_auth, 'signature');
    assert.deepEqual(Object.keys(doc.elements[NS]).sort(), ['driving_privileges', 'family_name']);
    assert.equal(doc.elements[NS].family_name, '张');
    // Keys, salts and the device signature drew on the pool: more than the first fill.
    randomOnlyThroughWx(r);
    assert.ok(r.log.random.length >= 2, `only ${r.log.random.length} getRandomValues call(s) after ${v.keysUntilRefill} more keys`);
  });

  test('an exhausted pool fails the draw with a typed error at once, and works again after the refill', (t) => {
    const r = run('poolExhaustion');
    const v = value(r);
    if (v.skip) { t.skip(v.skip); return; }
    assert.ok(v.drained, `never exhausted after ${v.keys} keys`);
    assert.equal(v.drained.isZhengzhaoError, true, v.drained.message);
    assert.match(v.drained.message, /random/);
    assert.equal(v.drained.code, "KeyStore", JSON.stringify(v.drained));
    assert.equal(v.after, 1);
    randomOnlyThroughWx(r);
  });
}
