#!/usr/bin/env node
// Writes a DeviceResponse that the WebAssembly wallet produced, in the artefact layout of the
// native demo's `--out DIR`, so that examples/interop/auth0-verify.js (@auth0/mdl, a verifier
// nobody on this team wrote) checks the wasm wallet's output as it checks the native one's:
//
//   node bindings/wasm/tests/interop/wallet-artefacts.cjs --session DEMO_DIR --out DIR
//
// DEMO_DIR is a native `demo --out` directory: its session_transcript.cbor (and, for a deviceMac
// run, ephemeral_reader_key.d.hex, the reader's ephemeral private key) is the session answered.
// DIR gets device_response.cbor (two documents: the ISO mDL, then the Chinese driving licence,
// issued by the test PKI in ../pki and presented by the wasm wallet, device-signed, or MAC'd
// for that reader key), session_transcript.cbor, issuer_ca.pem and verification.json (what the
// wasm verify() says, which the harness compares @auth0/mdl's values with).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const PKG = process.env.ZZ_WASM_PKG || path.resolve(__dirname, '../../../../target/wasm-pkg');
const zz = require(PKG);

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) throw new Error(`usage: ${name} is required`);
  return process.argv[i + 1];
}
const session = arg('--session');
const out = arg('--out');
const pki = (f) => fs.readFileSync(path.join(__dirname, '../pki', f), 'utf8');
const transcript = new Uint8Array(fs.readFileSync(path.join(session, 'session_transcript.cbor')));
const keyFile = path.join(session, 'ephemeral_reader_key.d.hex');
const readerD = fs.existsSync(keyFile) ? Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'hex') : null;

const MDL = 'org.iso.18013.5.1.mDL';
const ISO = 'org.iso.18013.5.1';
const DL = '1.2.156.3005.2.11100000000013127D002';
const now = new Date();
const DAY = 86400e3;
const documents = [
  { docType: MDL, elements: { [ISO]: { family_name: '张', given_name: '伟', birth_date: { '$full-date': '1990-05-01' }, issuing_country: 'CN', driving_privileges: [{ vehicle_category_code: 'C1', issue_date: { '$full-date': '2015-03-02' } }] } } },
  { docType: DL, elements: { [DL]: { family_name: '张', vehicle_classes: ['C1'], age_over_18: true } } },
];

const wallet = zz.openWallet({ storage: zz.memoryStorage(), storeKey: crypto.randomBytes(32), issuerTrust: pki('iaca.pem') });
const issuer = zz.createIssuer({ key: pki('ds.key.pem'), chain: pki('ds.pem') });
const ids = documents.map((d) => {
  const p = wallet.prepare();
  const credential = issuer.issue({ docType: d.docType, elements: d.elements, deviceKey: p.deviceKeys[0], signed: now, validFrom: new Date(now - DAY), validUntil: new Date(+now + 30 * DAY), decoys: 2 });
  return wallet.add({ id: p.id, credentials: credential, at: now }).id;
});
const request = zz.createRequest({
  documents: documents.map((d) => ({ docType: d.docType, elements: Object.fromEntries(Object.entries(d.elements).map(([ns, els]) => [ns, Object.keys(els)])) })),
  transcript,
});
const parsed = wallet.request({ request, transcript, at: now });
let readerPublic;
if (readerD) {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(readerD);
  readerPublic = new Uint8Array(ecdh.getPublicKey());
}
const consents = parsed.documents.map((d, i) => ({ document: i, credential: ids[i], approved: d.matches[0].disclosable }));
const { response } = wallet.present({ request: parsed, consents, readerKey: readerPublic, at: now });
const verification = zz.verify({ response, transcript, trust: pki('iaca.pem'), readerKey: readerD ? new Uint8Array(readerD) : undefined, at: now });

fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'device_response.cbor'), response);
fs.writeFileSync(path.join(out, 'session_transcript.cbor'), transcript);
fs.writeFileSync(path.join(out, 'issuer_ca.pem'), pki('iaca.pem'));
fs.writeFileSync(path.join(out, 'verification.json'), JSON.stringify(verification, null, 2) + '\n');
if (readerD) fs.copyFileSync(keyFile, path.join(out, 'ephemeral_reader_key.d.hex'));
console.log(`wasm wallet: ${verification.documents.length} documents, ${readerD ? 'deviceMac' : 'deviceSignature'}, written to ${out}`);
