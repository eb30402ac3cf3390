// The Node entry of the built package: the published vectors give exactly the JSON the native
// `verify --json` gives (tests/expected/, which tests/tools.rs checks against the native tool),
// and every way a response or an argument can be wrong throws a typed ZhengzhaoError.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PKG, hex, text, expected, VECTORS, options } = require('./common.cjs');
const zz = require(PKG);

for (const v of VECTORS) {
  test(`vector ${v.dir} verifies to the native verify --json object`, () => {
    assert.deepStrictEqual(zz.verify(options(v)), expected(v.dir));
  });
}

const annexD = VECTORS[0];

function rejects(o, fields) {
  let caught = null;
  try { zz.verify(o); } catch (e) { caught = e; }
  assert.ok(caught, 'verify returned instead of throwing');
  assert.ok(caught instanceof zz.ZhengzhaoError, `not a ZhengzhaoError: ${caught}`);
  assert.ok(caught instanceof Error);
  for (const [k, want] of Object.entries(fields)) assert.equal(caught[k], want, `${k}: ${caught.message}`);
  assert.equal(typeof caught.message, 'string');
  return caught;
}

test('without the reader key device authentication fails, as the native tool says', () => {
  const o = options(annexD);
  delete o.readerKey;
  const e = rejects(o, { code: 'VerificationFailed', check: 'device_authentication', document: 0 });
  assert.equal(e.message, expected('iso18013-5-annex-d.no-reader-key').error.message);
});

test('the reader key as PKCS#8 PEM works like the raw scalar', () => {
  // Annex D's ephemeral reader key, exported as PKCS#8 PEM by node:crypto.
  const b64u = (rel) => Buffer.from(hex(rel)).toString('base64url');
  const pem = require('node:crypto').createPrivateKey({
    format: 'jwk',
    key: { kty: 'EC', crv: 'P-256', d: b64u('iso18013-5-annex-d/ephemeral_reader_key.d.hex'),
      x: b64u('iso18013-5-annex-d/ephemeral_reader_key.x.hex'), y: b64u('iso18013-5-annex-d/ephemeral_reader_key.y.hex') },
  }).export({ type: 'pkcs8', format: 'pem' });
  const o = options(annexD);
  o.readerKey = pem;
  assert.deepStrictEqual(zz.verify(o), expected('iso18013-5-annex-d'));
});

test('a DER certificate works like its PEM', () => {
  const o = options(annexD);
  o.trust = [hex('iso18013-5-annex-d/iaca_root_cert.der.hex')];
  assert.deepStrictEqual(zz.verify(o), expected('iso18013-5-annex-d'));
});

test('without at, the time is now: the Annex D chain has expired', () => {
  const o = options(annexD);
  delete o.at;
  const e = rejects(o, { code: 'VerificationFailed', check: 'issuer_chain' });
  assert.match(e.message, /expired/);
});

test('an unknown issuer is Untrusted (issuer_chain)', () => {
  const o = options(annexD);
  o.trust = text('animo-paradym-oid4vp1/iaca_root_cert.pem');
  rejects(o, { code: 'Untrusted', check: 'issuer_chain', document: 0 });
});

test('a pinned-only signer given as a CA is not enough', () => {
  const v = VECTORS[2];
  const o = options(v);
  o.trust = o.pinned;
  delete o.pinned;
  rejects(o, { check: 'issuer_chain' });
});

test('a changed byte never verifies: every byte of the Annex D response, flipped', () => {
  const base = options(annexD);
  const bytes = base.response;
  const checks = new Map();
  for (let i = 0; i < bytes.length; i++) {
    const r = new Uint8Array(bytes);
    r[i] ^= 0x01;
    let result = null;
    try { result = zz.verify({ ...base, response: r }); } catch (e) {
      assert.ok(e instanceof zz.ZhengzhaoError, `byte ${i}: ${e}`);
      assert.equal(typeof e.check, 'string', `byte ${i}: no check`);
      checks.set(e.check, (checks.get(e.check) || 0) + 1);
      continue;
    }
    // A flip the standard makes meaningless (none in this response) would have to verify to
    // the very same result; anything else is a forgery.
    assert.deepStrictEqual(result, expected('iso18013-5-annex-d'), `byte ${i} flipped verified differently`);
  }
  // The flips reach the structure, the signature, the digests and the MAC.
  for (const c of ['well_formed', 'issuer_signature', 'digests', 'device_authentication']) {
    assert.ok(checks.get(c) > 0, `no flip failed ${c}: ${JSON.stringify([...checks])}`);
  }
});

test('malformed bytes are Malformed (well_formed)', () => {
  rejects({ ...options(annexD), response: new Uint8Array([0xa1, 0x01]) }, { code: 'Malformed', check: 'well_formed' });
  rejects({ ...options(annexD), response: new Uint8Array(0) }, { code: 'Malformed', check: 'well_formed' });
});

test('a malformed transcript, certificate or key is a typed error before any check', () => {
  rejects({ ...options(annexD), transcript: new Uint8Array([0xff]) }, { code: 'Malformed', check: null });
  rejects({ ...options(annexD), trust: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }, { code: 'Malformed', check: null });
  rejects({ ...options(annexD), readerKey: new Uint8Array(31) }, { code: 'InvalidInput', check: null });
  rejects({ ...options(annexD), readerKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }, { code: 'InvalidInput' });
});

test('wrong argument types are InvalidInput', () => {
  rejects(undefined, { code: 'InvalidInput' });
  rejects({ ...options(annexD), response: 'not bytes' }, { code: 'InvalidInput' });
  rejects({ ...options(annexD), at: '2021-01-01' }, { code: 'InvalidInput' });
  rejects({ ...options(annexD), at: new Date(NaN) }, { code: 'InvalidInput' });
  rejects({ ...options(annexD), trust: undefined }, { code: 'InvalidInput' });
  rejects({ ...options(annexD), trust: [42] }, { code: 'InvalidInput' });
});

test('version is the crate version', () => {
  assert.equal(zz.version(), require(`${PKG}/package.json`).version);
});
