#!/usr/bin/env node
// Independent interoperability check: verify zhengzhao's DeviceResponse with @auth0/mdl 3.x,
// a verifier nobody on this team wrote.
//
//   node examples/interop/auth0-verify.js --demo DIR [--demo DIR ...] [--annex-d DIR]
//
// --demo DIR     the artefacts of `cargo run --example demo -- --out DIR [--device-mac]`:
//                device_response.cbor (three documents: the ISO mDL first, then the Chinese driving
//                licence and the resident ID card), session_transcript.cbor (SessionTranscriptBytes,
//                tag 24), issuer_ca.pem, verification.json (what zhengzhao's `verify --json` said, to
//                compare values with) and, for a deviceMac response, ephemeral_reader_key.d.hex (the
//                reader's ephemeral private key, which @auth0/mdl needs to derive EMacKey).
//                Repeatable: CI passes a deviceSignature and a deviceMac run.
// --annex-d DIR  optional control: tests/vectors/iso18013-5-annex-d. @auth0/mdl checks certificate and
//                MSO validity against the current clock only, and the Annex D certificates expired in
//                2021, so for the control (and only there) failures of those two time checks are
//                tolerated; every other check, the device MAC included, must pass.
//
// @auth0/mdl must be resolvable (e.g. NODE_PATH=<tools>/node_modules). Exit status 0 only if every
// check below held; each step prints what @auth0/mdl reported.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Verifier, MDLError } = require('@auth0/mdl');

function args(name) {
  const out = [];
  process.argv.forEach((a, i) => {
    if (a === name && i + 1 < process.argv.length) out.push(process.argv[i + 1]);
  });
  return out;
}

// ── CBOR values as @auth0/mdl decodes them → the typed JSON of zhengzhao's `verify --json`
// (examples/src/json.rs). auth0's decoder gives one JS number for a CBOR integer and an
// integral float, so an integral float would compare as an integer here (none is disclosed).
function toJson(v) {
  if (v instanceof Date) {
    // full-date (tag 1004) decodes to auth0's DateOnly, whose toISOString is the date alone;
    // tdate (tag 0) to a Date, printed without fractional seconds.
    const s = v.toISOString();
    return s.length === 10 ? { '$full-date': s } : { $tdate: `${s.split('.')[0]}Z` };
  }
  if (typeof v === 'bigint') {
    return Number.isSafeInteger(Number(v)) ? Number(v) : { $bigint: v.toString() };
  }
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    if (Number.isNaN(v)) return { $float: 'NaN' };
    if (!Number.isFinite(v)) return { $float: v > 0 ? 'Infinity' : '-Infinity' };
    return { $float: v };
  }
  if (v === undefined) return { $undefined: true };
  const entries = (pairs) => {
    if (pairs.every(([k]) => typeof k === 'string' && !k.startsWith('$'))) {
      const o = {};
      for (const [k, val] of pairs) o[k] = toJson(val);
      return o;
    }
    return { $map: pairs.map(([k, val]) => [toJson(k), toJson(val)]) };
  };
  if (v instanceof Map) return entries([...v]);
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object' && 'tag' in v && 'value' in v) return { $tag: v.tag, $value: toJson(v.value) };
  if (v && typeof v === 'object') return entries(Object.entries(v));
  return v;
}

// JSON with object keys sorted, so that equal values print equally.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function elementsOf(mdoc) {
  const out = {};
  for (const doc of mdoc.documents) {
    for (const [ns, items] of Object.entries(doc.issuerSigned.nameSpaces || {})) {
      out[ns] = out[ns] || {};
      for (const item of items) out[ns][item.elementIdentifier] = toJson(item.elementValue);
    }
  }
  return out;
}

let failures = 0;
function fail(msg) {
  failures += 1;
  console.log(`  FAIL: ${msg}`);
}

// Runs verify with every check recorded. `tolerate(check)` says which FAILED checks not to throw on.
async function verify(trustedPems, response, options, tolerate = () => false) {
  const checks = [];
  const verifier = new Verifier(trustedPems);
  try {
    const mdoc = await verifier.verify(response, {
      ...options,
      onCheck: (check, original) => {
        checks.push(check);
        if (!tolerate(check)) original(check);
      },
    });
    return { mdoc, checks };
  } catch (error) {
    return { error, checks };
  }
}

function summarise(checks) {
  const failed = checks.filter((c) => c.status === 'FAILED');
  console.log(`  @auth0/mdl ran ${checks.length} checks, ${failed.length} failed`);
  for (const c of failed) console.log(`    FAILED ${c.id}: ${c.reason || c.check}`);
}

// The reader's ephemeral private key (hex scalar d) as the COSE_Key @auth0/mdl takes.
function coseKeyFromScalar(d) {
  const { encode } = require('cbor-x');
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const pub = ecdh.getPublicKey(); // 0x04 ‖ x ‖ y
  return encode(new Map([[1, 2], [-1, 1], [-2, pub.subarray(1, 33)], [-3, pub.subarray(33, 65)], [-4, d]]));
}

let step = 0;

async function demo(dir) {
  const read = (f) => fs.readFileSync(path.join(dir, f));
  const response = read('device_response.cbor');
  const transcript = read('session_transcript.cbor');
  const ca = read('issuer_ca.pem').toString('utf8');
  const ours = JSON.parse(read('verification.json').toString('utf8'));
  const keyFile = path.join(dir, 'ephemeral_reader_key.d.hex');
  const mac = fs.existsSync(keyFile);
  const deviceCheck = mac ? 'DEVICE_MAC_VALIDITY' : 'DEVICE_SIGNATURE_VALIDITY';
  const options = { encodedSessionTranscript: transcript };
  if (mac) options.ephemeralReaderKey = coseKeyFromScalar(Buffer.from(read('ephemeral_reader_key.d.hex').toString('utf8').trim(), 'hex'));

  step += 1;
  console.log(`[${step}] zhengzhao demo response (${dir}), ${mac ? 'deviceMac' : 'deviceSignature'}, trusting issuer_ca.pem, default (strict) callback`);
  const r = await verify([ca], response, options);
  summarise(r.checks);
  if (r.error) {
    fail(`@auth0/mdl rejected our response: ${r.error.name} ${r.error.code || ''}: ${r.error.message}`);
    return;
  }
  // Every document passed each of these (the digest check: once per disclosed element).
  const docs = ours.documents.length;
  const elements = ours.documents.reduce((a, d) => a + Object.values(d.elements).reduce((b, e) => b + Object.keys(e).length, 0), 0);
  const expected = {
    ISSUER_CERTIFICATE_VALIDITY: docs,
    ISSUER_SIGNATURE_VALIDITY: docs,
    MSO_VALIDITY_AT_VERIFICATION_TIME: docs,
    [deviceCheck]: docs,
    ATTRIBUTE_DIGEST_MATCH: elements,
  };
  for (const [id, n] of Object.entries(expected)) {
    const passed = r.checks.filter((c) => c.id === id && c.status === 'PASSED').length;
    if (passed !== n) fail(`check ${id} passed ${passed} times, expected ${n}`);
  }
  if (r.mdoc.documents.length !== docs) {
    fail(`@auth0/mdl read ${r.mdoc.documents.length} documents, zhengzhao ${docs}`);
  }
  ours.documents.forEach((d, i) => {
    const doc = r.mdoc.documents[i];
    if (!doc) return;
    const theirs = elementsOf({ documents: [doc] });
    if (doc.docType !== d.doc_type) {
      fail(`document ${i}: docType ${doc.docType}, zhengzhao ${d.doc_type}`);
    } else if (canonical(theirs) === canonical(d.elements)) {
      console.log(`  document ${i} (${doc.docType}): disclosed elements agree with zhengzhao's verify: ${canonical(theirs)}`);
    } else {
      fail(`document ${i}: disclosed elements differ:\n    @auth0/mdl: ${canonical(theirs)}\n    zhengzhao : ${canonical(d.elements)}`);
    }
  });
  if (ours.documents[0] && ours.documents[0].doc_type !== 'org.iso.18013.5.1.mDL') {
    fail('the first document should be the ISO mDL');
  }

  // Negative controls: the check is not vacuous.
  step += 1;
  console.log(`[${step}] control: one byte of a disclosed value changed (vehicle_classes ["C1"] → ["C2"]) must fail a digest`);
  // text(12) "elementValue", array(1), text(2) "C1": the Chinese driving licence's vehicle classes.
  const needle = Buffer.concat([Buffer.from([0x6c]), Buffer.from('elementValue'), Buffer.from([0x81, 0x62, 0x43, 0x31])]);
  const at = response.indexOf(needle);
  if (at < 0 || response.indexOf(needle, at + 1) >= 0) {
    fail('could not find the disclosed value ["C1"] exactly once in the response');
  } else {
    const tampered = Buffer.from(response);
    tampered[at + needle.length - 1] = 0x32;
    expectFailure(await verify([ca], tampered, options), 'ATTRIBUTE_DIGEST_MATCH');
  }

  step += 1;
  console.log(`[${step}] control: another session transcript must fail the device ${mac ? 'MAC' : 'signature'}`);
  // The transcript ends with the QR handover, null (0xf6); undefined (0xf7) there makes it the
  // transcript of another session.
  if (transcript[transcript.length - 1] !== 0xf6) {
    fail('the session transcript does not end with the QR handover (null)');
  } else {
    const other = Buffer.from(transcript);
    other[other.length - 1] = 0xf7;
    expectFailure(await verify([ca], response, { ...options, encodedSessionTranscript: other }), deviceCheck);
  }

  if (mac) {
    step += 1;
    console.log(`[${step}] control: another reader key must fail the device MAC`);
    const other = crypto.createECDH('prime256v1');
    other.generateKeys();
    const d = Buffer.alloc(32);
    other.getPrivateKey().copy(d, 32 - other.getPrivateKey().length);
    expectFailure(await verify([ca], response, { ...options, ephemeralReaderKey: coseKeyFromScalar(d) }), deviceCheck);
  }
}

function expectFailure(result, id) {
  if (!result.error) {
    fail(`expected ${id} to fail, but @auth0/mdl accepted it`);
  } else if (result.error.code !== id) {
    fail(`expected ${id} to fail, got ${result.error.code}: ${result.error.message}`);
  } else {
    console.log(`  rejected as expected: ${id}`);
  }
}

async function annexD(dir) {
  const { encode } = require('cbor-x');
  const hex = (f) => Buffer.from(fs.readFileSync(path.join(dir, f), 'utf8').replace(/\s+/g, ''), 'hex');
  const response = hex('device_response.hex');
  const transcript = hex('session_transcript_bytes.hex');
  const ca = fs.readFileSync(path.join(dir, 'iaca_root_cert.pem'), 'utf8');
  // The reader's ephemeral private key as a COSE_Key, as @auth0/mdl takes it.
  const readerKey = encode(new Map([
    [1, 2], [-1, 1],
    [-2, hex('ephemeral_reader_key.x.hex')],
    [-3, hex('ephemeral_reader_key.y.hex')],
    [-4, hex('ephemeral_reader_key.d.hex')],
  ]));
  step += 1;
  console.log(`[${step}] control: ISO 18013-5 Annex D (${dir}), device MAC, time checks tolerated (expired 2021)`);
  // Only the clock may fail: an expired certificate (pkijs says exactly this), an MSO out of date.
  const timeOnly = (c) => c.status === 'FAILED' && (c.id === 'MSO_VALIDITY_AT_VERIFICATION_TIME'
    || (c.id === 'ISSUER_CERTIFICATE_VALIDITY' && /not yet valid or expired/.test(c.reason || '')));
  const r = await verify([ca], response, { encodedSessionTranscript: transcript, ephemeralReaderKey: readerKey },
    timeOnly);
  summarise(r.checks);
  if (r.error) {
    fail(`@auth0/mdl rejected Annex D: ${r.error.code}: ${r.error.message}`);
    return;
  }
  const mac = r.checks.find((c) => c.id === 'DEVICE_MAC_VALIDITY');
  if (!mac || mac.status !== 'PASSED') fail('DEVICE_MAC_VALIDITY did not pass');
  const n = Object.values(elementsOf(r.mdoc)).reduce((a, e) => a + Object.keys(e).length, 0);
  if (n !== 6) fail(`expected 6 elements, got ${n}`);
  else console.log('  device MAC and all 6 element digests verified');
}

(async () => {
  const demoDirs = args('--demo');
  const annex = args('--annex-d');
  if (demoDirs.length === 0 || annex.length > 1) {
    console.error('usage: node auth0-verify.js --demo DIR [--demo DIR ...] [--annex-d DIR]');
    process.exit(2);
  }
  console.log(`@auth0/mdl ${require('@auth0/mdl/package.json').version}`);
  for (const dir of demoDirs) await demo(dir);
  if (annex.length === 1) await annexD(annex[0]);
  if (failures > 0) {
    console.log(`interop: ${failures} failure(s)`);
    process.exit(1);
  }
  console.log('interop: @auth0/mdl agrees with zhengzhao');
})().catch((e) => {
  console.error(e instanceof MDLError ? `${e.code}: ${e.message}` : e);
  process.exit(1);
});
