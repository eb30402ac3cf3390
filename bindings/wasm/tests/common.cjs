// Shared by the Node test files: where the built package is and how to read the vectors.
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../../..');
// The package bindings/wasm/build.sh built (ZZ_WASM_PKG overrides, e.g. the verifier-only one).
const PKG = process.env.ZZ_WASM_PKG || path.join(ROOT, 'target/wasm-pkg');
if (!fs.existsSync(path.join(PKG, 'package.json'))) {
  throw new Error(`no package in ${PKG}: run bash bindings/wasm/build.sh first`);
}

function vectorPath(rel) { return path.join(ROOT, 'tests/vectors', rel); }
function hex(rel) {
  return new Uint8Array(Buffer.from(fs.readFileSync(vectorPath(rel), 'utf8').trim(), 'hex'));
}
function text(rel) { return fs.readFileSync(vectorPath(rel), 'utf8'); }
function expected(name) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, 'expected', name + '.json'), 'utf8'));
}

// Each published vector as the native tests/tools.rs verifies it.
const VECTORS = [
  { dir: 'iso18013-5-annex-d', trust: 'iaca_root_cert.pem', readerKey: 'ephemeral_reader_key.d.hex', at: '2021-01-01T00:00:00Z' },
  { dir: 'animo-paradym-oid4vp1', trust: 'iaca_root_cert.pem', at: '2026-01-12T00:00:00Z' },
  { dir: 'animo-google-dcapi', pinned: 'ds_cert_digitalcredentials_dev.pem', at: '2025-02-20T00:00:00Z' },
  { dir: 'auth0-mdl-example1', pinned: 'issuer_root_cert.pem', at: '2024-01-01T00:00:00Z' },
];

function options(v) {
  const o = {
    response: hex(`${v.dir}/device_response.hex`),
    transcript: hex(`${v.dir}/session_transcript_bytes.hex`),
    at: new Date(v.at),
  };
  if (v.trust) o.trust = text(`${v.dir}/${v.trust}`);
  if (v.pinned) o.pinned = [text(`${v.dir}/${v.pinned}`)];
  if (v.readerKey) o.readerKey = hex(`${v.dir}/${v.readerKey}`);
  return o;
}

module.exports = { ROOT, PKG, hex, text, expected, VECTORS, options };
