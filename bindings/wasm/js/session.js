// Proximity sessions (ISO/IEC 18013-5 §9), bytes in and bytes out, over the raw
// HolderSessionRaw / ReaderSessionRaw classes of src/session.rs. build.sh pastes this file into
// each entry after api.js; createApi calls createSessionApi(raw, util) and adds its result to
// the API object. util = { call, bytes, time, fail, certificates } from api.js.
//
//  holder = startHolderSession({ retrievalMethods })      reader = openReaderSession(qr)
//  holder.qrCode() ───────────── "mdoc:…" ──────────────► reader.transcript() (sign readerAuth)
//  holder.handleEstablishment(m) ◄── SessionEstablishment ── reader.sendRequest(deviceRequest)
//    → DeviceRequest bytes; holder.transcript()
//  holder.respond(deviceResponse) ─── SessionData ───────► reader.handleResponse(m)
//                                                            → DeviceResponse bytes;
//                                                            reader.verify({ response, trust })
//
// The host carries the bytes (BLE, NFC, mini-program messaging). A call that does not fit the
// session's state throws a ZhengzhaoError with code WrongState and changes nothing; any other
// failure ends the session and errorReply() gives the message to send the peer, if one is due.

function createSessionApi(raw, util) {
  const call = util.call;
  const bytes = util.bytes;
  const time = util.time;
  const fail = util.fail;
  const out = {};

  function hex(b) {
    let s = '';
    for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }

  // [{ type: 'bleCentralClient' | 'blePeripheralServer', uuid: Uint8Array(16) },
  //  { type: 'nfc', maxCommandDataLength, maxResponseDataLength }] as src/session.rs reads it.
  function methodsJson(methods) {
    if (methods === undefined || methods === null) return '[]';
    if (!Array.isArray(methods)) throw fail('InvalidInput', 'retrievalMethods must be an array');
    return JSON.stringify(methods.map(function (m, i) {
      if (m === null || typeof m !== 'object') throw fail('InvalidInput', 'retrievalMethods[' + i + '] must be an object');
      if (m.type === 'nfc') {
        return { type: 'nfc', maxCommandDataLength: m.maxCommandDataLength, maxResponseDataLength: m.maxResponseDataLength };
      }
      return { type: m.type, uuid: hex(bytes(m.uuid, 'retrievalMethods[' + i + '].uuid')) };
    }));
  }

  function copy(b) { return b === undefined ? undefined : new Uint8Array(b); }

  if (raw.HolderSessionRaw) {
    /** The holder's (wallet's) side: the engagement QR, requests decrypted, responses encrypted. */
    class HolderSession {
      constructor(inner) { this._inner = inner; }
      /** The engagement as QR code text: `mdoc:` + base64url. */
      qrCode() { return this._inner.qrCode(); }
      /** DeviceEngagementBytes (tag 24), e.g. for an NFC handover. */
      deviceEngagement() { return copy(this._inner.deviceEngagement()); }
      /** The reader's SessionEstablishment → the decrypted DeviceRequest bytes. */
      handleEstablishment(message, at) {
        const m = bytes(message, 'message');
        const ms = time(at, 'at');
        const inner = this._inner;
        return copy(call(function () { return inner.handleEstablishment(m, ms); }));
      }
      /** SessionTranscriptBytes, once the establishment was handled. */
      transcript() {
        const inner = this._inner;
        return copy(call(function () { return inner.transcript(); }));
      }
      /** The wallet's DeviceResponse → the SessionData to send (`endSession`: status 20 too). */
      respond(response, options) {
        const r = bytes(response, 'response');
        const end = !!(options && options.endSession);
        const inner = this._inner;
        return copy(call(function () { return inner.respond(r, end); }));
      }
      /** Declines the pending request and ends the session: the SessionData to send. */
      decline() {
        const inner = this._inner;
        return copy(call(function () { return inner.decline(); }));
      }
      /** The reader's next SessionData → a further DeviceRequest's bytes, or null if it ended. */
      handleMessage(message, at) {
        const m = bytes(message, 'message');
        const ms = time(at, 'at');
        const inner = this._inner;
        const r = call(function () { return inner.handleMessage(m, ms); });
        return r === undefined ? null : copy(r);
      }
      /** Ends the session: the SessionData (status 20) to send. */
      terminate() { return copy(this._inner.terminate()); }
      /** Whether the session has ended. */
      isEnded() { return this._inner.isEnded(); }
      /** After a failure: the SessionData to send the reader, or null. */
      errorReply() { const r = this._inner.errorReply(); return r === undefined ? null : copy(r); }
      /** Releases the module memory now (otherwise when garbage-collected). */
      free() { if (this._inner) { this._inner.free(); this._inner = null; } }
    }
    out.HolderSession = HolderSession;
    /** Starts a QR engagement with a fresh ephemeral key. */
    out.startHolderSession = function (options) {
      const json = methodsJson(options && options.retrievalMethods);
      return new HolderSession(call(function () { return new raw.HolderSessionRaw(json); }));
    };
  }

  if (raw.engagementQrSvg) {
    /** The engagement QR code text as an SVG image (string). */
    out.engagementQrSvg = function (text, options) {
      if (typeof text !== 'string') throw fail('InvalidInput', 'text must be a string');
      const px = options && options.modulePx !== undefined ? options.modulePx : 4;
      return call(function () { return raw.engagementQrSvg(text, px); });
    };
  }

  // What this build leaves out (verifier-only: src/session.rs says why) throws a typed error.
  function absent(name) {
    return function () { throw fail('InvalidInput', name + ' is not in this build (verifier-only); use the full package'); };
  }
  if (!out.startHolderSession) out.startHolderSession = absent('startHolderSession');
  if (!raw.engagementQrSvg) out.engagementQrSvg = absent('engagementQrSvg');

  /** The reader's (business's) side: requests encrypted, responses decrypted and verified. */
  class ReaderSession {
    constructor(inner) { this._inner = inner; }
    /** SessionTranscriptBytes: what readerAuth signs and the response is verified against. */
    transcript() { return copy(this._inner.transcript()); }
    /** A DeviceRequest (CBOR) → the SessionEstablishment (first) or SessionData to send. */
    sendRequest(request) {
      const r = bytes(request, 'request');
      const inner = this._inner;
      return copy(call(function () { return inner.sendRequest(r); }));
    }
    /** The holder's SessionData → the DeviceResponse bytes (UNVERIFIED), or null if declined. */
    handleResponse(message) {
      const m = bytes(message, 'message');
      const inner = this._inner;
      const r = call(function () { return inner.handleResponse(m); });
      return r === undefined ? null : copy(r);
    }
    /** Verifies a response of this session (its transcript and, for deviceMac, its key). */
    verify(options) {
      if (options === null || typeof options !== 'object') throw fail('InvalidInput', 'verify needs { response, trust, pinned, at }');
      const response = bytes(options.response, 'response');
      const trust = util.certificates(options.trust, 'trust');
      const pinned = util.certificates(options.pinned, 'pinned');
      const ms = time(options.at, 'at');
      const inner = this._inner;
      return JSON.parse(call(function () { return inner.verify(response, trust, pinned, ms); }));
    }
    /** Ends the session: the SessionData (status 20) to send. */
    terminate() { return copy(this._inner.terminate()); }
    /** Whether the session has ended. */
    isEnded() { return this._inner.isEnded(); }
    /** After a failure: the SessionData to send the holder, or null. */
    errorReply() { const r = this._inner.errorReply(); return r === undefined ? null : copy(r); }
    /** Releases the module memory now (otherwise when garbage-collected). */
    free() { if (this._inner) { this._inner.free(); this._inner = null; } }
  }
  out.ReaderSession = ReaderSession;
  /** Reads the holder's engagement QR code text and opens a session with a fresh key. */
  out.openReaderSession = raw.ReaderSessionRaw ? function (qr) {
    if (typeof qr !== 'string') throw fail('InvalidInput', 'qr must be the mdoc: text');
    return new ReaderSession(call(function () { return raw.ReaderSessionRaw.fromQr(qr); }));
  } : absent('openReaderSession');

  /** The Chinese and English names of a built-in licence profile's docType, or null. */
  out.docTypeName = function (docType) {
    if (typeof docType !== 'string') throw fail('InvalidInput', 'docType must be a string');
    const r = raw.docTypeNameRaw(docType);
    return r === undefined ? null : JSON.parse(r);
  };

  return out;
}
