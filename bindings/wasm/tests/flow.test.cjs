// The holder's whole flow through the Node entry of the built package, as the Kotlin and
// Python suites run it: issue, store (in JavaScript storage), request, consent, present,
// verify; tampering; every error kind the flow can raise; a failing storage callback.
//
// The PKI in pki/ is a test PKI (`mdoc-tool pki --valid-days 3650`): its private keys are
// published on purpose and trusted nowhere.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { PKG, hex } = require('./common.cjs');
const zz = require(PKG);

const MDL = 'org.iso.18013.5.1.mDL';
const NS = 'org.iso.18013.5.1';
const pki = (name) => fs.readFileSync(path.join(__dirname, 'pki', name), 'utf8');
// Any SessionTranscriptBytes will do for a flow; a second one plays "another session".
const TRANSCRIPT = hex('iso18013-5-annex-d/session_transcript_bytes.hex');
const OTHER_TRANSCRIPT = hex('animo-paradym-oid4vp1/session_transcript_bytes.hex');
const NOW = new Date();
const DAY = 86400e3;

function rejects(f, fields) {
  let caught = null;
  try { f(); } catch (e) { caught = e; }
  assert.ok(caught, 'returned instead of throwing');
  assert.ok(caught instanceof zz.ZhengzhaoError, `not a ZhengzhaoError: ${caught && caught.stack}`);
  for (const [k, want] of Object.entries(fields)) assert.equal(caught[k], want, `${k}: ${caught.message}`);
  return caught;
}

const ELEMENTS = {
  [NS]: {
    family_name: '张',
    given_name: '伟',
    birth_date: { '$full-date': '1990-05-01' },
    document_number: '440100199005011234',
    driving_privileges: [{ vehicle_category_code: 'C1' }],
    portrait: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]),
  },
};

// A wallet over `storage` holding one credential of `copies` one-time copies.
function setup(options) {
  const o = options || {};
  const storage = o.storage || zz.memoryStorage();
  const storeKey = o.storeKey || new Uint8Array(32).fill(7);
  const wallet = zz.openWallet({ storage, storeKey, issuerTrust: pki('iaca.pem'), readerTrust: pki('reader_ca.pem') });
  const issuer = zz.createIssuer({ key: pki('ds.key.pem'), chain: pki('ds.pem') });
  const pending = wallet.prepare({ copies: o.copies || 2 });
  assert.equal(pending.deviceKeys.length, o.copies || 2);
  const credentials = pending.deviceKeys.map((deviceKey) => issuer.issue({
    docType: MDL, elements: ELEMENTS, deviceKey,
    signed: NOW, validFrom: new Date(NOW - DAY), validUntil: new Date(+NOW + 30 * DAY), decoys: 2,
  }));
  const added = wallet.add({ id: pending.id, credentials, name: { zh: '驾驶证', en: 'Driving licence' }, policy: o.policy, at: NOW });
  return { storage, wallet, issuer, id: added.id, added };
}

function request(elements, o) {
  const opts = o || {};
  return zz.createRequest({
    documents: [{ docType: MDL, elements: { [NS]: elements }, purpose: opts.purpose }],
    transcript: opts.transcript || TRANSCRIPT,
    readerKey: opts.unsigned ? undefined : pki('reader.key.pem'),
    readerChain: opts.unsigned ? undefined : pki('reader.pem'),
  });
}

function present(s, ids, o) {
  const opts = o || {};
  const req = s.wallet.request({ request: request(ids, opts), transcript: TRANSCRIPT, at: NOW });
  return s.wallet.present({
    request: req,
    consents: [{ document: 0, credential: s.id, approved: ids.map((identifier) => ({ namespace: NS, identifier })) }],
    readerKey: opts.readerPublic,
    at: NOW,
  });
}

const verifyOptions = (response, extra) => Object.assign({ response, transcript: TRANSCRIPT, trust: pki('iaca.pem'), at: NOW }, extra);

test('issue, store, request, consent, present, verify', () => {
  const s = setup();
  assert.equal(s.added.docType, MDL);
  assert.equal(s.added.issuerVerified, true);
  assert.match(s.added.issuer, /Test Document Signer/);
  assert.deepEqual(s.added.name, { zh: '驾驶证', en: 'Driving licence' });
  assert.equal(s.added.copies, 2);
  const req = s.wallet.request({
    request: request({ family_name: false, birth_date: false, driving_privileges: true, age_over_18: false }, { purpose: '租车资格核验' }),
    transcript: TRANSCRIPT, at: NOW,
  });
  const doc = req.documents[0];
  assert.equal(doc.docType, MDL);
  assert.equal(doc.reader.kind, 'authenticated');
  assert.match(doc.reader.subject, /Test Reader/);
  assert.equal(doc.purpose, '租车资格核验');
  assert.equal(doc.requested.length, 4);
  assert.equal(doc.matches.length, 1);
  assert.equal(doc.matches[0].credential.id, s.id);
  // age_over_18 is not held: three of the four can be disclosed.
  assert.deepEqual(doc.matches[0].disclosable.map((e) => e.identifier).sort(), ['birth_date', 'driving_privileges', 'family_name']);
  // Consent: everything asked except the birth date.
  const p = s.wallet.present({
    request: req,
    consents: [{ document: 0, credential: s.id, approved: [{ namespace: NS, identifier: 'family_name' }, { namespace: NS, identifier: 'driving_privileges' }] }],
    at: NOW,
  });
  assert.ok(p.response instanceof Uint8Array);
  assert.equal(p.events.length, 1);
  assert.deepEqual(p.events[0].elements.map((e) => e.identifier).sort(), ['driving_privileges', 'family_name']);
  assert.equal(p.events[0].verifier.kind, 'authenticated');
  assert.equal(p.events[0].purpose, '租车资格核验');
  const v = zz.verify(verifyOptions(p.response));
  assert.equal(v.verified, true);
  assert.equal(v.documents[0].doc_type, MDL);
  assert.equal(v.documents[0].device_auth, 'signature');
  assert.deepEqual(v.documents[0].elements, { [NS]: { driving_privileges: [{ vehicle_category_code: 'C1' }], family_name: '张' } });
  assert.ok(v.checks.includes('device_authentication'));
});

test('a bytes element and a date round-trip in the typed grammar', () => {
  const s = setup();
  const v = zz.verify(verifyOptions(present(s, ['portrait', 'birth_date']).response));
  assert.deepEqual(v.documents[0].elements[NS], { birth_date: { '$full-date': '1990-05-01' }, portrait: { $bytes: '/9j/2Q==' } });
});

test('deviceMac for the reader whose ephemeral key is given, checked with its private key', () => {
  const s = setup();
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const p = present(s, ['family_name'], { readerPublic: new Uint8Array(ecdh.getPublicKey()) });
  const v = zz.verify(verifyOptions(p.response, { readerKey: new Uint8Array(ecdh.getPrivateKey()) }));
  assert.equal(v.documents[0].device_auth, 'mac');
  rejects(() => zz.verify(verifyOptions(p.response)), { code: 'VerificationFailed', check: 'device_authentication' });
});

test('a tampered response throws VerificationFailed naming the check', () => {
  const s = setup();
  const response = Buffer.from(present(s, ['family_name']).response);
  const at = response.indexOf(Buffer.from('张'));
  assert.ok(at > 0);
  Buffer.from('李').copy(response, at);
  rejects(() => zz.verify(verifyOptions(new Uint8Array(response))), { code: 'VerificationFailed', check: 'digests', document: 0 });
});

test('another session, another issuer, a late clock: each its own check', () => {
  const s = setup({ copies: 3 });
  const response = present(s, ['family_name']).response;
  rejects(() => zz.verify(verifyOptions(response, { transcript: OTHER_TRANSCRIPT })), { code: 'VerificationFailed', check: 'device_authentication' });
  rejects(() => zz.verify(verifyOptions(response, { trust: pki('reader_ca.pem') })), { code: 'Untrusted', check: 'issuer_chain' });
  rejects(() => zz.verify(verifyOptions(response, { at: new Date(+NOW + 60 * DAY) })), { code: 'VerificationFailed', check: 'validity' });
  rejects(() => zz.verify(verifyOptions(response.slice(0, 40))), { code: 'Malformed', check: 'well_formed' });
});

test('a reader outside the reader trust list is ReaderAuthentication', () => {
  const s = setup();
  // Signed by the document signer's key and certificate: a chain to no reader anchor.
  const bytes = zz.createRequest({
    documents: [{ docType: MDL, elements: { [NS]: ['family_name'] } }],
    transcript: TRANSCRIPT, readerKey: pki('ds.key.pem'), readerChain: pki('ds.pem'),
  });
  rejects(() => s.wallet.request({ request: bytes, transcript: TRANSCRIPT, at: NOW }), { code: 'ReaderAuthentication' });
  // A request signed for another session does not verify either.
  rejects(() => s.wallet.request({ request: request(['family_name'], { transcript: OTHER_TRANSCRIPT }), transcript: TRANSCRIPT, at: NOW }), { code: 'ReaderAuthentication' });
  // Unsigned: anonymous.
  const anon = s.wallet.request({ request: request(['family_name'], { unsigned: true }), transcript: TRANSCRIPT, at: NOW });
  assert.equal(anon.documents[0].reader.kind, 'anonymous');
});

test('invalid input is InvalidInput, garbage is Malformed', () => {
  const s = setup();
  rejects(() => zz.openWallet({ storage: zz.memoryStorage(), storeKey: new Uint8Array(31) }), { code: 'InvalidInput' });
  rejects(() => zz.openWallet({ storage: { put() {} }, storeKey: new Uint8Array(32) }), { code: 'InvalidInput' });
  rejects(() => zz.createIssuer({ key: pki('reader.key.pem'), chain: pki('ds.pem') }), { code: 'InvalidInput' });
  rejects(() => s.issuer.issue({ docType: MDL, elements: { [NS]: { x: { $nope: 1 } } }, deviceKey: new Uint8Array(65), validUntil: NOW }), { code: 'InvalidInput' });
  rejects(() => s.issuer.issue({ docType: MDL, elements: {}, deviceKey: s.wallet.prepare().deviceKeys[0], validUntil: new Date(+NOW + DAY) }), { code: 'InvalidInput' });
  rejects(() => s.issuer.issue({ docType: MDL, elements: ELEMENTS, deviceKey: s.wallet.prepare().deviceKeys[0], signed: NOW, validUntil: new Date(NOW - DAY) }), { code: 'InvalidInput' });
  rejects(() => s.wallet.add({ id: 'nope', credentials: [] }), { code: 'InvalidInput' });
  const p = s.wallet.prepare();
  rejects(() => s.wallet.add({ id: p.id, credentials: [new Uint8Array([1, 2, 3])] }), { code: 'Malformed' });
  rejects(() => s.wallet.request({ request: new Uint8Array([0xa0]), transcript: TRANSCRIPT, at: NOW }), { code: 'Malformed' });
  rejects(() => zz.createRequest({ documents: [], transcript: TRANSCRIPT }), { code: 'InvalidInput' });
  const req = s.wallet.request({ request: request(['family_name']), transcript: TRANSCRIPT, at: NOW });
  rejects(() => s.wallet.present({ request: req, consents: [{ document: 5, credential: s.id, approved: [] }], at: NOW }), { code: 'InvalidInput' });
  rejects(() => s.wallet.present({ request: req, consents: [{ document: 0, credential: 'not an id', approved: [] }], at: NOW }), { code: 'InvalidInput' });
  rejects(() => s.wallet.present({ request: req, consents: [], readerKey: new Uint8Array(65), at: NOW }), { code: 'InvalidInput' });
});

test('a batch the issuer signed for other keys is refused and the keys stay pending', () => {
  const s = setup();
  const p = s.wallet.prepare({ copies: 1 });
  const stranger = crypto.createECDH('prime256v1');
  stranger.generateKeys();
  const wrong = s.issuer.issue({ docType: MDL, elements: ELEMENTS, deviceKey: new Uint8Array(stranger.getPublicKey()), validUntil: new Date(+NOW + DAY) });
  rejects(() => s.wallet.add({ id: p.id, credentials: [wrong], at: NOW }), { code: 'InvalidInput' });
  const right = s.issuer.issue({ docType: MDL, elements: ELEMENTS, deviceKey: p.deviceKeys[0], validUntil: new Date(+NOW + DAY) });
  assert.equal(s.wallet.add({ id: p.id, credentials: [right], at: NOW }).id, p.id);
});

test('one-time copies run out: NoUnusedCopy', () => {
  const s = setup({ copies: 2 });
  present(s, ['family_name']);
  const second = present(s, ['family_name']);
  assert.deepEqual(second.runningLow, [s.id]);
  rejects(() => present(s, ['family_name']), { code: 'NoUnusedCopy' });
  assert.equal(s.wallet.credentials().credentials[0].freshCopies, 0);
});

test('JavaScript storage holds the records; a reopened wallet presents with the sealed keys', () => {
  const s = setup();
  const collections = (c) => s.storage.list(c).length;
  assert.equal(collections('credentials'), 1);
  assert.equal(collections('keys'), 2);
  // No key or element value in the clear: the sealed key record is not the raw scalar, and
  // the family name is only inside the credential record.
  for (const id of s.storage.list('keys')) assert.ok(s.storage.get('keys', id).length > 32);
  const reopened = zz.openWallet({ storage: s.storage, storeKey: new Uint8Array(32).fill(7), issuerTrust: pki('iaca.pem') });
  assert.equal(reopened.credentials().credentials[0].id, s.id);
  const req = reopened.request({ request: request(['family_name']), transcript: TRANSCRIPT, at: NOW });
  const p = reopened.present({ request: req, consents: [{ document: 0, credential: s.id, approved: [{ namespace: NS, identifier: 'family_name' }] }], at: NOW });
  assert.equal(zz.verify(verifyOptions(p.response)).verified, true);
  assert.equal(collections('disclosure-log'), 1);
  // Under another store key the sealed device keys do not open.
  const wrongKey = zz.openWallet({ storage: s.storage, storeKey: new Uint8Array(32).fill(8) });
  const req2 = wrongKey.request({ request: request(['family_name']), transcript: TRANSCRIPT, at: NOW });
  rejects(() => wrongKey.present({ request: req2, consents: [{ document: 0, credential: s.id, approved: [{ namespace: NS, identifier: 'family_name' }] }], at: NOW }), { code: 'Storage' });
  assert.equal(s.wallet.remove(s.id), true);
  assert.equal(collections('credentials'), 0);
  assert.equal(collections('keys'), 0);
  assert.equal(s.wallet.remove(s.id), false);
});

test('a failing storage callback is a Storage error with its message, and nothing is presented', () => {
  const inner = zz.memoryStorage();
  let failPuts = false;
  const storage = {
    put(c, id, r) { if (failPuts) throw new Error('disk full'); inner.put(c, id, r); },
    get: (c, id) => inner.get(c, id),
    delete: (c, id) => inner.delete(c, id),
    list: (c) => inner.list(c),
  };
  const s = setup({ storage });
  failPuts = true;
  const e = rejects(() => present(s, ['family_name']), { code: 'Storage' });
  assert.match(e.message, /disk full/);
  assert.equal(inner.list('disclosure-log').length, 0);
  // A get that returns the wrong type makes that record damaged, listed with the reason.
  const bad = zz.openWallet({ storage: { put() {}, get: () => 'text', delete: () => false, list: () => ['x'] }, storeKey: new Uint8Array(32) });
  const listed = bad.credentials();
  assert.deepEqual(listed.credentials, []);
  assert.equal(listed.damaged.length, 1);
  assert.equal(listed.damaged[0].id, 'x');
  // A list that fails fails the call.
  const broken = zz.openWallet({ storage: { put() {}, get: () => null, delete: () => false, list: () => { throw new Error('offline'); } }, storeKey: new Uint8Array(32) });
  assert.match(rejects(() => broken.credentials(), { code: 'Storage' }).message, /offline/);
});

test('the disclosure log: one entry per presented document, filtered by time and docType', () => {
  const s = setup({ copies: 3 });
  present(s, ['family_name']);
  present(s, ['given_name', 'birth_date']);
  const all = s.wallet.disclosures();
  assert.equal(all.length, 2);
  // Both at the same second: their order in the log is not defined.
  const seen = all.map((e) => e.elements.map((el) => el.identifier).sort().join(',')).sort();
  assert.deepEqual(seen, ['birth_date,given_name', 'family_name']);
  assert.equal(all[0].docType, MDL);
  assert.equal(all[0].credential, s.id);
  assert.equal(s.wallet.disclosures({ docType: 'other' }).length, 0);
  assert.equal(s.wallet.disclosures({ since: new Date(+NOW + DAY) }).length, 0);
  // The log holds which elements, never their values.
  assert.ok(!JSON.stringify(all).includes('张'));
});

test('rotate policy presents without running out', () => {
  const s = setup({ copies: 1, policy: 'rotate' });
  for (let i = 0; i < 3; i++) present(s, ['family_name']);
  assert.equal(s.wallet.credentials().credentials[0].usageCount, 3);
});

test('a device key gone from storage is KeyStore; a freed wallet is WrongState', () => {
  const s = setup();
  for (const id of s.storage.list('keys')) s.storage.delete('keys', id);
  // The open wallet holds its keys in memory; a wallet opened afterwards has none.
  const reopened = Object.assign({}, s, { wallet: zz.openWallet({ storage: s.storage, storeKey: new Uint8Array(32).fill(7) }) });
  rejects(() => present(reopened, ['family_name']), { code: 'KeyStore' });
  s.wallet.free();
  rejects(() => s.wallet.credentials(), { code: 'WrongState' });
});
