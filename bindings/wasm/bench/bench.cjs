'use strict';
// Performance of the wasm verifier, in one Node process (issue 16, item 6):
//
//   node bindings/wasm/bench/bench.cjs [--quick] [--pkg DIR] [--node-modules DIR]
//
// (a) for each published vector, the median time of `verify` through the package ÷ its ES256
//     floor measured in the same run, in wasm: the public-key operations that verification
//     cannot avoid, recorded from the response itself by the `bench` build's benchFloorRaw
//     (src/bench.rs) and replayed by benchFloorRun — 3 ES256 verifies for an IACA-issued
//     document signer with deviceSignature, 2 verifies + 1 ECDH for a deviceMac response
//     (Annex D), one verify fewer for a pinned document signer.
// (b) the same responses verified by @auth0/mdl 3.0.1 and by @owf/mdoc 0.6.0 (its crypto
//     callbacks on node:crypto), with their ratios to ours. A library that cannot verify a
//     vector is reported as such, never timed.
//
// Rounds interleave every measurement (so load from other processes hits all alike); each
// sample is a batch long enough for the clock; the median of the rounds is reported, after
// warm-up rounds. Prints a table, then one JSON line. It reports; it never fails on a ratio.
//
// --pkg: the bench package (default target/wasm-pkg-bench, from `build.sh --bench`).
// --node-modules: where @auth0/mdl and @owf/mdoc are installed (default $ZZ_BENCH_NODE_MODULES,
// else .ci-tools/npm/bench/node_modules); a missing library is reported and skipped.
const fs = require('fs');
const path = require('path');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '../../..');
const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const QUICK = argv.includes('--quick');
const PKG = path.resolve(arg('--pkg', process.env.ZZ_WASM_PKG || path.join(ROOT, 'target/wasm-pkg-bench')));
const NODE_MODULES = path.resolve(arg('--node-modules', process.env.ZZ_BENCH_NODE_MODULES || path.join(ROOT, '.ci-tools/npm/bench/node_modules')));
const ROUNDS = QUICK ? 5 : 21;
const WARMUP = QUICK ? 2 : 5;
const SAMPLE_MS = QUICK ? 20 : 60;

const zz = require(path.join(PKG, 'node.cjs'));
if (!zz.bench) throw new Error(`${PKG} is not a bench build: run bash bindings/wasm/build.sh --bench`);

// ---- vectors (as bindings/wasm/tests/common.cjs reads them) ----
const vec = (rel) => path.join(ROOT, 'tests/vectors', rel);
const hex = (rel) => new Uint8Array(Buffer.from(fs.readFileSync(vec(rel), 'utf8').replace(/\s+/g, ''), 'hex'));
const text = (rel) => fs.readFileSync(vec(rel), 'utf8');
const VECTORS = [
  { name: 'annex-d', dir: 'iso18013-5-annex-d', trust: 'iaca_root_cert.pem', readerKey: 'ephemeral_reader_key', at: '2021-01-01T00:00:00Z' },
  { name: 'paradym', dir: 'animo-paradym-oid4vp1', trust: 'iaca_root_cert.pem', at: '2026-01-12T00:00:00Z' },
  { name: 'google', dir: 'animo-google-dcapi', pinned: 'ds_cert_digitalcredentials_dev.pem', at: '2025-02-20T00:00:00Z' },
  { name: 'auth0', dir: 'auth0-mdl-example1', pinned: 'issuer_root_cert.pem', at: '2024-01-01T00:00:00Z' },
].map((v) => {
  const o = {
    response: hex(`${v.dir}/device_response.hex`),
    transcript: hex(`${v.dir}/session_transcript_bytes.hex`),
    at: new Date(v.at),
  };
  if (v.trust) o.trust = text(`${v.dir}/${v.trust}`);
  if (v.pinned) o.pinned = [text(`${v.dir}/${v.pinned}`)];
  if (v.readerKey) {
    o.readerKey = hex(`${v.dir}/${v.readerKey}.d.hex`);
    v.readerXY = [hex(`${v.dir}/${v.readerKey}.x.hex`), hex(`${v.dir}/${v.readerKey}.y.hex`)];
  }
  return { ...v, options: o, anchors: [...(o.trust ? [o.trust] : []), ...(o.pinned || [])] };
});

// ---- timing ----
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
// A measured thing: `run(n)` does n iterations (sync or async); `batch` grows until a sample
// lasts SAMPLE_MS.
function thing(name, run) { return { name, run, batch: 1, samples: [] }; }
async function sample(t, keep) {
  for (;;) {
    const start = process.hrtime.bigint();
    await t.run(t.batch);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms < SAMPLE_MS && t.batch < 1e6) { t.batch *= 2; continue; }
    if (keep) t.samples.push((ms * 1000) / t.batch); // µs per iteration
    return;
  }
}
async function measure(things) {
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    for (const t of things) await sample(t, r >= WARMUP);
  }
  for (const t of things) t.median = median(t.samples);
}

// ---- @auth0/mdl ----
function loadAuth0() {
  try {
    return require(require.resolve('@auth0/mdl', { paths: [NODE_MODULES] }));
  } catch (e) {
    return { missing: `@auth0/mdl not found under ${NODE_MODULES} (${e.code || e.message})` };
  }
}
function cborEncode(value) {
  const { encode } = require(require.resolve('cbor-x', { paths: [NODE_MODULES] }));
  return encode(value);
}
// Their verify, with the same inputs; time checks tolerated only where ours is told the time
// (@auth0/mdl takes no verification time: it uses the clock, so expired vectors fail there).
function auth0Verifier(lib, v) {
  const options = { encodedSessionTranscript: v.options.transcript };
  if (v.readerXY) {
    options.ephemeralReaderKey = cborEncode(new Map([[1, 2], [-1, 1], [-2, v.readerXY[0]], [-3, v.readerXY[1]], [-4, v.options.readerKey]]));
  }
  // Only the clock may fail (the vectors are verified at a fixed past time by us).
  const timeOnly = (c) => c.status === 'FAILED' && (c.id === 'MSO_VALIDITY_AT_VERIFICATION_TIME'
    || (c.id === 'ISSUER_CERTIFICATE_VALIDITY' && /not yet valid or expired/.test(c.reason || '')));
  const verifier = new lib.Verifier(v.anchors);
  return async () => {
    const failed = [];
    await verifier.verify(v.options.response, {
      ...options,
      onCheck: (check, original) => {
        if (check.status === 'FAILED') failed.push(`${check.id}: ${check.reason || ''}`);
        if (!timeOnly(check)) original(check);
      },
    });
    return failed;
  };
}

// ---- @owf/mdoc (ESM) with its callbacks on node:crypto ----
async function loadOwf() {
  try {
    const file = require.resolve('@owf/mdoc', { paths: [NODE_MODULES] });
    return await import(require('url').pathToFileURL(file).href);
  } catch (e) {
    try {
      const dir = path.join(NODE_MODULES, '@owf/mdoc/dist/index.mjs');
      return await import(require('url').pathToFileURL(dir).href);
    } catch (e2) {
      return { missing: `@owf/mdoc not found under ${NODE_MODULES} (${e2.code || e2.message})` };
    }
  }
}
function owfContext(m) {
  const jwkOf = (coseKey) => {
    const jwk = coseKey.jwk;
    return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ...(jwk.d ? { d: jwk.d } : {}) };
  };
  const cert = (der) => new crypto.X509Certificate(Buffer.from(der));
  const coseKeyOf = (keyObject) => m.CoseKey.fromJwk(keyObject.export({ format: 'jwk' }));
  return {
    crypto: {
      random: (n) => new Uint8Array(crypto.randomBytes(n)),
      digest: ({ digestAlgorithm, bytes }) => new Uint8Array(crypto.createHash(digestAlgorithm.replace('-', '').toLowerCase()).update(bytes).digest()),
      calculateEphemeralMacKey: ({ privateKey, publicKey, sessionTranscriptBytes, info }) => {
        const ecdh = crypto.createECDH('prime256v1');
        ecdh.setPrivateKey(Buffer.from(privateKey));
        const shared = ecdh.computeSecret(Buffer.from(publicKey));
        const salt = crypto.createHash('sha256').update(sessionTranscriptBytes).digest();
        const k = new Uint8Array(crypto.hkdfSync('sha256', shared, salt, Buffer.from(info), 32));
        return m.CoseKey.create({ keyType: m.KeyType.Oct, k });
      },
    },
    cose: {
      sign1: {
        sign: () => { throw new Error('not used by the bench'); },
        verify: ({ key, sign1 }) => crypto.verify('sha256', Buffer.from(sign1.toBeSigned),
          { key: jwkOf(key), format: 'jwk', dsaEncoding: 'ieee-p1363' }, Buffer.from(sign1.signature)),
      },
      mac0: {
        sign: () => { throw new Error('not used by the bench'); },
        verify: ({ mac0, key }) => {
          const tag = crypto.createHmac('sha256', Buffer.from(key.privateKey)).update(mac0.toBeAuthenticated).digest();
          return crypto.timingSafeEqual(tag, Buffer.from(mac0.tag));
        },
      },
    },
    x509: {
      getIssuerNameField: ({ certificate, field }) => cert(certificate).issuer.split('\n')
        .filter((l) => l.startsWith(`${field}=`)).map((l) => l.slice(field.length + 1)),
      getPublicKey: ({ certificate }) => coseKeyOf(cert(certificate).publicKey),
      verifyCertificateChain: ({ trustedCertificates, x5chain, now }) => {
        const chain = x5chain.map(cert);
        const at = now || new Date();
        for (let i = 0; i < chain.length; i++) {
          const c = chain[i];
          if (at < new Date(c.validFrom) || at > new Date(c.validTo)) throw new Error('certificate not valid at that time');
          if (i + 1 < chain.length && !c.verify(chain[i + 1].publicKey)) throw new Error('chain signature');
        }
        const last = chain[chain.length - 1];
        const anchors = trustedCertificates.map(cert);
        const ok = anchors.some((a) => a.fingerprint256 === last.fingerprint256 || (last.checkIssued(a) && last.verify(a.publicKey)));
        if (!ok) throw new Error('no trusted anchor');
      },
      getCertificateData: ({ certificate }) => {
        const c = cert(certificate);
        return { issuerName: c.issuer, subjectName: c.subject, serialNumber: c.serialNumber, thumbprint: c.fingerprint256.replace(/:/g, '').toLowerCase(), notBefore: new Date(c.validFrom), notAfter: new Date(c.validTo), pem: c.toString() };
      },
    },
  };
}
function owfVerifier(m, v) {
  const ctx = owfContext(m);
  const der = (pem) => new Uint8Array(new crypto.X509Certificate(pem).raw);
  const options = {
    deviceResponse: v.options.response,
    sessionTranscript: v.options.transcript,
    trustedCertificates: v.anchors.map(der),
    now: v.options.at,
  };
  if (v.readerXY) {
    options.ephemeralReaderKey = m.CoseKey.fromJwk({
      kty: 'EC', crv: 'P-256',
      x: Buffer.from(v.readerXY[0]).toString('base64url'),
      y: Buffer.from(v.readerXY[1]).toString('base64url'),
      d: Buffer.from(v.options.readerKey).toString('base64url'),
    });
  }
  return async () => {
    const failed = [];
    await m.Verifier.verifyDeviceResponse({
      ...options,
      onCheck: (c) => { if (c.status === 'FAILED') failed.push(`${c.check}: ${c.reason || ''}`); },
    }, ctx);
    if (failed.length) throw new Error(failed.join('; '));
    return failed;
  };
}

// Runs `once` a first time; a library that throws or reports failed checks (beyond the clock
// for @auth0/mdl) cannot verify this vector.
async function probe(once) {
  try {
    const failed = await once();
    return { ok: true, note: failed.length ? `clock checks tolerated: ${failed.join('; ')}` : undefined };
  } catch (e) {
    return { ok: false, note: String(e && (e.code ? `${e.code}: ${e.message}` : e.message || e)).slice(0, 200) };
  }
}

(async () => {
  const auth0 = loadAuth0();
  const owf = await loadOwf();
  const things = [];
  const rows = [];
  for (const v of VECTORS) {
    const o = v.options;
    const handle = zz.bench.floorRaw(o.response, o.transcript, o.trust ? [o.trust] : [], o.pinned || [], o.readerKey || new Uint8Array(0), o.at.getTime());
    const floorIs = JSON.parse(zz.bench.floorDescribe(handle));
    const row = { vector: v.name, floor: floorIs, others: {} };
    rows.push(row);
    zz.verify(o); // throws if ours does not verify it
    row.ours = thing(`${v.name}/zhengzhao-wasm`, (n) => { for (let i = 0; i < n; i++) zz.verify(o); });
    row.floorThing = thing(`${v.name}/floor`, (n) => zz.bench.floorRun(handle, n));
    things.push(row.ours, row.floorThing);
    for (const [lib, make] of [['@auth0/mdl', auth0.missing ? null : () => auth0Verifier(auth0, v)], ['@owf/mdoc', owf.missing ? null : () => owfVerifier(owf, v)]]) {
      if (!make) { row.others[lib] = { ok: false, note: (lib === '@auth0/mdl' ? auth0 : owf).missing }; continue; }
      let once;
      try { once = make(); } catch (e) { row.others[lib] = { ok: false, note: `setup: ${e.message}` }; continue; }
      const p = await probe(once);
      row.others[lib] = p;
      if (p.ok) {
        p.thing = thing(`${v.name}/${lib}`, async (n) => { for (let i = 0; i < n; i++) await once(); });
        things.push(p.thing);
      }
    }
  }
  await measure(things);

  const us = (x) => x.toFixed(0).padStart(8);
  console.log(`zhengzhao wasm bench (${QUICK ? 'quick: ' : ''}${ROUNDS} rounds after ${WARMUP} warm-up, median µs per verify; package ${path.relative(ROOT, PKG) || PKG}; node ${process.version})`);
  console.log('vector     ours µs  floor µs  ratio  floor is                 @auth0/mdl µs (×ours)   @owf/mdoc µs (×ours)');
  const json = { rounds: ROUNDS, warm_up: WARMUP, node: process.version, vectors: [] };
  for (const r of rows) {
    const floorText = `${r.floor.es256_verify} ES256 verify${r.floor.ecdh ? ` + ${r.floor.ecdh} ECDH` : ''}`;
    const ratio = r.ours.median / r.floorThing.median;
    const cell = (lib) => {
      const o = r.others[lib];
      if (!o.ok) return 'cannot verify'.padStart(22);
      return `${us(o.thing.median)} (×${(o.thing.median / r.ours.median).toFixed(2)})`.padStart(22);
    };
    console.log(`${r.vector.padEnd(9)} ${us(r.ours.median)}  ${us(r.floorThing.median)}  ${ratio.toFixed(2).padStart(5)}  ${floorText.padEnd(24)} ${cell('@auth0/mdl')}  ${cell('@owf/mdoc')}`);
    const entry = { vector: r.vector, zhengzhao_us: +r.ours.median.toFixed(1), floor_us: +r.floorThing.median.toFixed(1), floor: r.floor, ratio_to_floor: +ratio.toFixed(3), others: {} };
    for (const [lib, o] of Object.entries(r.others)) {
      entry.others[lib] = o.ok
        ? { us: +o.thing.median.toFixed(1), ratio_to_zhengzhao: +(o.thing.median / r.ours.median).toFixed(3), ...(o.note ? { note: o.note } : {}) }
        : { verified: false, reason: o.note };
    }
    json.vectors.push(entry);
  }
  for (const r of rows) {
    for (const [lib, o] of Object.entries(r.others)) {
      if (!o.ok) console.log(`  ${r.vector}: ${lib} cannot verify it: ${o.note}`);
      else if (o.note) console.log(`  ${r.vector}: ${lib}: ${o.note}`);
    }
  }
  console.log(JSON.stringify(json));
})().catch((e) => { console.error(e); process.exit(2); });
