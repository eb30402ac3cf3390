// The JavaScript API of zhengzhao, over the raw wasm-bindgen exports (src/lib.rs).
// build.sh pastes this file into each entry (zhengzhao.mjs, node.cjs, miniprogram.js) after the
// glue; it defines createApi(raw, codec) and nothing global.

/** The one error type: `code` (kind), `check` (failed verification check or null),
 *  `document` (index or null), `message`. */
class ZhengzhaoError extends Error {
  constructor(fields) {
    super(fields.message);
    this.name = 'ZhengzhaoError';
    this.code = fields.code;
    this.check = fields.check === undefined ? null : fields.check;
    this.document = fields.document === undefined ? null : fields.document;
  }
}

function createApi(raw, codec) {
  function fail(code, message) {
    return new ZhengzhaoError({ code: code, check: null, document: null, message: message });
  }

  // Every raw export throws its error as JSON text (src/error.rs); anything else thrown
  // (a trap, a host error) becomes an Internal error with its message.
  function call(f) {
    try {
      return f();
    } catch (e) {
      if (typeof e === 'string') {
        let fields;
        try { fields = JSON.parse(e); } catch (_) { fields = null; }
        if (fields && typeof fields.code === 'string') throw new ZhengzhaoError(fields);
        throw fail('Internal', e);
      }
      if (e instanceof ZhengzhaoError) throw e;
      throw fail('Internal', e && e.message ? String(e.message) : String(e));
    }
  }

  function bytes(value, name) {
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    throw fail('InvalidInput', name + ' must be a Uint8Array');
  }

  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function base64(b) {
    let s = '';
    for (let i = 0; i < b.length; i += 3) {
      const n = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] +
        (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
    }
    return s;
  }

  // Certificates: a PEM string (one or more certificates), a DER Uint8Array, or an array of them.
  function certificates(value, name) {
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map(function (c, i) {
      if (typeof c === 'string') return c;
      const der = bytes(c, name + '[' + i + ']');
      return '-----BEGIN CERTIFICATE-----\n' + base64(der).replace(/(.{64})/g, '$1\n') +
        '\n-----END CERTIFICATE-----\n';
    });
  }

  function time(at, name) {
    if (at === undefined || at === null) return Date.now();
    if (at instanceof Date) return at.getTime();
    throw fail('InvalidInput', name + ' must be a Date');
  }

  /**
   * Verifies a DeviceResponse. Returns the object `verify --json` prints for a verified
   * response; a response that fails a check throws a ZhengzhaoError whose `check` names it.
   */
  function verify(options) {
    if (options === null || typeof options !== 'object') {
      throw fail('InvalidInput', 'verify takes one object: { response, transcript, trust, pinned, readerKey, at }');
    }
    const response = bytes(options.response, 'response');
    const transcript = bytes(options.transcript, 'transcript');
    const trust = certificates(options.trust, 'trust');
    const pinned = certificates(options.pinned, 'pinned');
    let readerKey = new Uint8Array(0);
    if (typeof options.readerKey === 'string') readerKey = codec.encode(options.readerKey);
    else if (options.readerKey !== undefined && options.readerKey !== null) readerKey = bytes(options.readerKey, 'readerKey');
    const at = time(options.at, 'at');
    return JSON.parse(call(function () {
      return raw.verifyRaw(response, transcript, trust, pinned, readerKey, at);
    }));
  }

  return {
    ZhengzhaoError: ZhengzhaoError,
    verify: verify,
    version: function () { return raw.version(); },
    ...createSessionApi(raw, { call: call, bytes: bytes, time: time, fail: fail, certificates: certificates }),
  };
}
