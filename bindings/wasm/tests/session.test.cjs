// Proximity sessions through the Node entry: a holder and a reader session talk to each other
// purely through bytes (src/session.rs, js/session.js). The request and the response cross
// unchanged; a flipped ciphertext byte, a request signed for another session and a call in the
// wrong state are typed ZhengzhaoErrors.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { PKG, hex, VECTORS, options } = require('./common.cjs');
const zz = require(PKG);
// The verifier-only package has no sessions (src/session.rs says why): there, only that they
// throw a typed error is tested.
const FULL = JSON.parse(require('fs').readFileSync(require('path').join(PKG, 'sizes.json'), 'utf8')).build === 'full';
const full = { skip: FULL ? false : 'verifier-only package: no sessions' };

const annexD = VECTORS[0];
const AT = new Date('2021-01-01T00:00:00Z');

// A minimal CBOR encoder for the request the tests send (text maps, booleans, tag 24).
function cbor(v) {
  const head = (major, n) => (n < 24 ? [major << 5 | n] : n < 256 ? [major << 5 | 24, n] : [major << 5 | 25, n >> 8, n & 255]);
  if (v === false) return [0xf4];
  if (v === true) return [0xf5];
  if (typeof v === 'string') { const b = [...Buffer.from(v, 'utf8')]; return [...head(3, b.length), ...b]; }
  if (v instanceof Uint8Array) return [...head(2, v.length), ...v];
  if (v && v.tag24) { const inner = cbor(v.tag24); return [0xd8, 24, ...head(2, inner.length), ...inner]; }
  const entries = Object.entries(v);
  return [...head(5, entries.length), ...entries.flatMap(([k, x]) => [...cbor(k), ...cbor(x)])];
}
// An array of already encoded items (the encoder above writes objects as maps).
function cborArray(items) { return [0x80 | items.length, ...items.flat()]; }
function mdlRequest() {
  const items = cbor({ docType: 'org.iso.18013.5.1.mDL', nameSpaces: { 'org.iso.18013.5.1': { family_name: false, age_over_18: true } } });
  const docRequest = [0xa1, ...cbor('itemsRequest'), 0xd8, 24, 0x58, items.length, ...items];
  return new Uint8Array([0xa2, ...cbor('version'), ...cbor('1.0'), ...cbor('docRequests'), ...cborArray([docRequest])]);
}

function typed(f, fields) {
  let caught = null;
  try { f(); } catch (e) { caught = e; }
  assert.ok(caught, 'returned instead of throwing');
  assert.ok(caught instanceof zz.ZhengzhaoError, `not a ZhengzhaoError: ${caught && caught.stack}`);
  for (const [k, want] of Object.entries(fields)) assert.equal(caught[k], want, `${k}: ${caught.message}`);
  return caught;
}

function engaged() {
  const holder = zz.startHolderSession({ retrievalMethods: [{ type: 'bleCentralClient', uuid: new Uint8Array(16).fill(0x42) }] });
  const reader = zz.openReaderSession(holder.qrCode());
  return { holder, reader };
}

test('the engagement QR text and bytes', full, () => {
  const { holder, reader } = engaged();
  assert.match(holder.qrCode(), /^mdoc:[A-Za-z0-9_-]+$/);
  const engagement = holder.deviceEngagement();
  assert.ok(engagement instanceof Uint8Array);
  assert.deepEqual([...engagement.subarray(0, 2)], [0xd8, 0x18], 'DeviceEngagementBytes is tag 24');
  // The transcript starts with the engagement bytes exactly as shown.
  const transcript = reader.transcript();
  assert.ok(Buffer.from(transcript).includes(Buffer.from(engagement)));
  const svg = zz.engagementQrSvg(holder.qrCode());
  assert.match(svg, /^<\?xml[^>]*>\s*<svg[^>]*>[\s\S]*<\/svg>\s*$/);
  assert.match(svg, /<path [^>]*d="M/);
  typed(() => zz.engagementQrSvg(holder.qrCode(), { modulePx: 0 }), { code: 'InvalidInput' });
});

test('request and response bytes cross the session unchanged', full, () => {
  const { holder, reader } = engaged();
  const request = mdlRequest();
  const establishment = reader.sendRequest(request);
  const received = holder.handleEstablishment(establishment, AT);
  assert.deepEqual(received, request, 'the holder decrypts the exact DeviceRequest');
  assert.deepEqual(holder.transcript(), reader.transcript(), 'both ends build one transcript');

  // The Annex D DeviceResponse as the wallet's answer: its bytes reach the reader unchanged.
  const response = hex('iso18013-5-annex-d/device_response.hex');
  const message = holder.respond(response);
  assert.equal(holder.isEnded(), false);
  const got = reader.handleResponse(message);
  assert.deepEqual(got, response);
  assert.equal(reader.isEnded(), false);

  // Ready for verify(): with its own transcript and reader key the response verifies...
  const o = options(annexD);
  assert.equal(zz.verify({ ...o, response: got }).verified, true);
  // ...and against this session it is refused at device authentication (it was made for
  // Annex D's session, not this one), through the session's verify as through verify().
  typed(() => reader.verify({ response: got, trust: o.trust, at: AT }),
    { code: 'VerificationFailed', check: 'device_authentication' });
  typed(() => zz.verify({ response: got, transcript: reader.transcript(), trust: o.trust, at: AT }),
    { code: 'VerificationFailed', check: 'device_authentication' });

  // A second request in the same session, then the reader ends it.
  const again = reader.sendRequest(request);
  assert.deepEqual(holder.handleMessage(again, AT), request);
  const last = holder.respond(response, { endSession: true });
  assert.equal(holder.isEnded(), true);
  assert.deepEqual(reader.handleResponse(last), response);
  assert.equal(reader.isEnded(), true, 'the holder ended the session with its response');
});

test('the reader ends the session; the holder declines', full, () => {
  let { holder, reader } = engaged();
  holder.handleEstablishment(reader.sendRequest(mdlRequest()), AT);
  reader.handleResponse(holder.respond(hex('iso18013-5-annex-d/device_response.hex')));
  assert.equal(holder.handleMessage(reader.terminate(), AT), null);
  assert.equal(holder.isEnded(), true);

  ({ holder, reader } = engaged());
  holder.handleEstablishment(reader.sendRequest(mdlRequest()), AT);
  assert.equal(reader.handleResponse(holder.decline()), null);
  assert.equal(holder.isEnded(), true);
});

test('a flipped ciphertext byte is a Session error and ends the session with status 10', full, () => {
  // Establishment: the last byte is inside the encrypted DeviceRequest's tag.
  let { holder, reader } = engaged();
  const establishment = reader.sendRequest(mdlRequest());
  establishment[establishment.length - 1] ^= 1;
  const e = typed(() => holder.handleEstablishment(establishment, AT), { code: 'Session', check: null });
  assert.match(e.message, /does not decrypt/);
  assert.equal(holder.isEnded(), true);
  assert.deepEqual([...holder.errorReply()], [0xa1, 0x66, ...Buffer.from('status'), 0x0a]);

  // Response: the same for the reader.
  ({ holder, reader } = engaged());
  holder.handleEstablishment(reader.sendRequest(mdlRequest()), AT);
  const message = holder.respond(hex('iso18013-5-annex-d/device_response.hex'));
  message[message.length - 1] ^= 1;
  typed(() => reader.handleResponse(message), { code: 'Session' });
  assert.equal(reader.isEnded(), true);
  assert.deepEqual([...reader.errorReply()], [0xa1, 0x66, ...Buffer.from('status'), 0x0a]);
});

test('a request whose readerAuth signs another session is a ReaderAuthentication error', full, () => {
  // Annex D's DeviceRequest carries a readerAuth over Annex D's transcript.
  const { holder, reader } = engaged();
  const establishment = reader.sendRequest(hex('iso18013-5-annex-d/device_request.hex'));
  typed(() => holder.handleEstablishment(establishment, AT), { code: 'ReaderAuthentication' });
});

test('calls in the wrong state are WrongState errors and change nothing', full, () => {
  const { holder, reader } = engaged();
  const response = hex('iso18013-5-annex-d/device_response.hex');
  typed(() => holder.respond(response), { code: 'WrongState' });
  typed(() => holder.transcript(), { code: 'WrongState' });
  typed(() => holder.handleMessage(new Uint8Array([0xa0]), AT), { code: 'WrongState' });
  typed(() => reader.handleResponse(new Uint8Array([0xa0])), { code: 'WrongState' });
  // Nothing changed: the session still works.
  const request = mdlRequest();
  assert.deepEqual(holder.handleEstablishment(reader.sendRequest(request), AT), request);
  typed(() => holder.handleEstablishment(new Uint8Array([0xa0]), AT), { code: 'WrongState' });
  typed(() => reader.sendRequest(request), { code: 'WrongState' });
  assert.deepEqual(reader.handleResponse(holder.respond(response)), response);
  holder.terminate();
  typed(() => holder.respond(response), { code: 'WrongState' });
});

test('bad arguments are InvalidInput or Malformed errors', full, () => {
  typed(() => zz.openReaderSession('mdoc:AAAA'), { code: 'Malformed' });
  typed(() => zz.openReaderSession(42), { code: 'InvalidInput' });
  typed(() => zz.startHolderSession({ retrievalMethods: [{ type: 'bleCentralClient', uuid: new Uint8Array(3) }] }), { code: 'InvalidInput' });
  typed(() => zz.startHolderSession({ retrievalMethods: [{ type: 'wifi' }] }), { code: 'InvalidInput' });
  const { holder, reader } = engaged();
  typed(() => reader.sendRequest(new Uint8Array([1, 2, 3])), { code: 'Malformed' });
  typed(() => holder.handleEstablishment('nope', AT), { code: 'InvalidInput' });
  typed(() => holder.handleEstablishment(new Uint8Array([0xa0]), 'yesterday'), { code: 'InvalidInput' });
});

test('docTypeName gives the built-in profiles names and null for others', () => {
  assert.equal(zz.docTypeName('org.iso.18013.5.1.mDL'), null);
  typed(() => zz.docTypeName(1), { code: 'InvalidInput' });
});

test('the verifier-only package says sessions are not in it', { skip: FULL ? 'full package' : false }, () => {
  typed(() => zz.startHolderSession(), { code: 'InvalidInput' });
  typed(() => zz.openReaderSession('mdoc:AAAA'), { code: 'InvalidInput' });
  typed(() => zz.engagementQrSvg('mdoc:AAAA'), { code: 'InvalidInput' });
});
