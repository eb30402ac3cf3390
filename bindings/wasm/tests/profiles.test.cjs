// The Chinese licence profiles through the Node entry: identifiers checked and split, and
// questions answered from a verified licence's disclosed elements only.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { PKG, hex } = require('./common.cjs');
const zz = require(PKG);

const pki = (name) => fs.readFileSync(path.join(__dirname, 'pki', name), 'utf8');
const TRANSCRIPT = hex('iso18013-5-annex-d/session_transcript_bytes.hex');
const NOW = new Date();
// The driving licence's docType (type code 11100000000013127D002); its namespace is the docType.
const DL = '1.2.156.3005.2.11100000000013127D002';

function rejects(f, code) {
  let caught = null;
  try { f(); } catch (e) { caught = e; }
  assert.ok(caught instanceof zz.ZhengzhaoError, `no ZhengzhaoError: ${caught}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

test('identifiers: checked, split, and errors carry no value', () => {
  const cid = zz.parseCitizenId('11010519491231002X');
  assert.deepEqual([cid.birthDate, cid.sex, cid.addressCode], ['1949-12-31', 'female', '110105']);
  const e = rejects(() => zz.parseCitizenId('110105194912310021'), 'InvalidInput');
  assert.ok(!e.message.includes('1949'));
  assert.equal(zz.parseSocialCreditCode('91350100M000100Y43').regionCode, '350100');
  rejects(() => zz.parseSocialCreditCode('91350100M000100Y44'), 'InvalidInput');
  const id = zz.parseLicenceIdentifier('1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0');
  assert.equal(id.docType, '1.2.156.3005.2.11100000000013338W009');
  rejects(() => zz.parseLicenceIdentifier('1.2.156.3005.2.x'), 'InvalidInput');
  rejects(() => zz.parseCitizenId(42), 'InvalidInput');
});

function presentedLicence(elements) {
  const wallet = zz.openWallet({ storage: zz.memoryStorage(), storeKey: new Uint8Array(32) });
  const issuer = zz.createIssuer({ key: pki('ds.key.pem'), chain: pki('ds.pem') });
  const p = wallet.prepare();
  const credential = issuer.issue({
    docType: DL,
    elements: { [DL]: { family_name: '张', vehicle_classes: ['C1'], age_over_18: true } },
    deviceKey: p.deviceKeys[0], signed: NOW, validUntil: new Date(+NOW + 86400e3),
  });
  const { id } = wallet.add({ id: p.id, credentials: credential, at: NOW });
  const request = zz.createRequest({ documents: [{ docType: DL, elements: { [DL]: elements }, purpose: '驾驶资格核验' }], transcript: TRANSCRIPT });
  const parsed = wallet.request({ request, transcript: TRANSCRIPT, at: NOW });
  assert.equal(parsed.documents[0].purpose, '驾驶资格核验');
  const approved = parsed.documents[0].matches[0].disclosable;
  const { response } = wallet.present({ request: parsed, consents: [{ document: 0, credential: id, approved }], at: NOW });
  return { response, transcript: TRANSCRIPT, trust: pki('iaca.pem'), at: NOW };
}

test('predicates answer from disclosed elements; undisclosed is NotDisclosed, never a no', () => {
  const v = presentedLicence(['vehicle_classes']);
  assert.equal(zz.mayDrive(Object.assign({ vehicleClass: 'C2' }, v)), true); // C1 permits C2
  assert.equal(zz.mayDrive(Object.assign({ vehicleClass: 'A1' }, v)), false);
  rejects(() => zz.ageOver(Object.assign({ years: 18 }, v)), 'NotDisclosed');
  rejects(() => zz.mayDrive(Object.assign({ vehicleClass: 'Z9' }, v)), 'InvalidInput');
  rejects(() => zz.mayDrive(Object.assign({ vehicleClass: 'C1', document: 3 }, v)), 'InvalidInput');
  const w = presentedLicence(['age_over_18']);
  assert.equal(zz.ageOver(Object.assign({ years: 18 }, w)), true);
  rejects(() => zz.mayDrive(Object.assign({ vehicleClass: 'C1' }, w)), 'NotDisclosed');
});

test('a predicate is never answered about a response that does not verify', () => {
  const v = presentedLicence(['age_over_18']);
  const e = rejects(() => zz.ageOver(Object.assign({ years: 18 }, v, { trust: pki('reader_ca.pem') })), 'Untrusted');
  assert.equal(e.check, 'issuer_chain');
});
