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
      const message = e && e.message ? String(e.message) : String(e);
      // What the wasm-bindgen glue says for an object whose memory was released.
      if (message === 'null pointer passed to rust') throw fail('WrongState', 'this object was freed');
      throw fail('Internal', message);
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
    const args = verifyArgs(options, 'verify');
    return JSON.parse(call(function () { return raw.verifyRaw.apply(null, args); }));
  }

  // The raw arguments of a verification: response, transcript, trust, pinned, readerKey, at.
  function verifyArgs(options, name) {
    if (options === null || typeof options !== 'object') {
      throw fail('InvalidInput', name + ' takes one object: { response, transcript, trust, pinned, readerKey, at }');
    }
    const response = bytes(options.response, 'response');
    const transcript = bytes(options.transcript, 'transcript');
    const trust = certificates(options.trust, 'trust');
    const pinned = certificates(options.pinned, 'pinned');
    let readerKey = new Uint8Array(0);
    if (typeof options.readerKey === 'string') readerKey = codec.encode(options.readerKey);
    else if (options.readerKey !== undefined && options.readerKey !== null) readerKey = bytes(options.readerKey, 'readerKey');
    const at = time(options.at, 'at');
    return [response, transcript, trust, pinned, readerKey, at];
  }

  // A question about one verified document (profiles): verifies, then answers from the
  // disclosed elements only; not disclosed throws NotDisclosed.
  function ask(options, name, question, argument) {
    const args = verifyArgs(options, name);
    const document = options.document === undefined ? 0 : options.document;
    if (!Number.isInteger(document) || document < 0) throw fail('InvalidInput', 'document must be an index');
    return call(function () { return raw.askRaw.apply(null, args.concat([document, question, argument])); });
  }

  function mayDrive(options) {
    return ask(options, 'mayDrive', 'mayDrive', text(options && options.vehicleClass, 'vehicleClass'));
  }

  function ageOver(options) {
    const years = options && options.years;
    if (!Number.isInteger(years) || years < 0 || years > 99) throw fail('InvalidInput', 'years must be an integer from 0 to 99');
    return ask(options, 'ageOver', 'ageOver', String(years));
  }

  function parser(f) {
    return function (value) {
      const s = text(value, 'the identifier');
      return JSON.parse(call(function () { return f(s); }));
    };
  }

  function object(value, name) {
    if (value === null || typeof value !== 'object') throw fail('InvalidInput', name + ' must be an object');
    return value;
  }

  function text(value, name) {
    if (typeof value !== 'string') throw fail('InvalidInput', name + ' must be a string');
    return value;
  }

  // A private key: PKCS#8 PEM text or the 32-byte scalar.
  function privateKey(value, name) {
    if (typeof value === 'string') return codec.encode(value);
    return bytes(value, name);
  }

  // Typed JSON (the verify --json grammar) from the application's values: a Uint8Array
  // becomes {"$bytes": …}; everything else must already be in the grammar.
  function typed(value) {
    if (value instanceof Uint8Array) return { $bytes: base64(value) };
    if (Array.isArray(value)) return value.map(typed);
    if (value !== null && typeof value === 'object') {
      const out = {};
      for (const k of Object.keys(value)) out[k] = typed(value[k]);
      return out;
    }
    return value;
  }

  /** A DeviceRequest (reader side), signed when readerKey and readerChain are given. */
  function createRequest(options) {
    object(options, 'createRequest options');
    if (!raw.deviceRequestRaw) throw fail('InvalidInput', 'this is the verifier-only build: no createRequest');
    const documents = options.documents;
    if (!Array.isArray(documents) || documents.length === 0) throw fail('InvalidInput', 'documents must be a non-empty array');
    const docs = documents.map(function (d, i) {
      object(d, 'documents[' + i + ']');
      const elements = {};
      for (const ns of Object.keys(object(d.elements, 'documents[' + i + '].elements'))) {
        const items = d.elements[ns];
        elements[ns] = {};
        if (Array.isArray(items)) items.forEach(function (id) { elements[ns][text(id, 'element identifier')] = false; });
        else for (const id of Object.keys(object(items, 'elements.' + ns))) elements[ns][id] = items[id] === true;
      }
      return { docType: text(d.docType, 'docType'), elements: elements, purpose: d.purpose === undefined ? null : d.purpose };
    });
    const transcript = bytes(options.transcript, 'transcript');
    const key = options.readerKey === undefined || options.readerKey === null ? new Uint8Array(0) : privateKey(options.readerKey, 'readerKey');
    const chain = certificates(options.readerChain, 'readerChain');
    return call(function () { return raw.deviceRequestRaw(JSON.stringify(docs), transcript, key, chain); });
  }

  /** A document signer over the key and chain given (tests, authorities' web tools). */
  function createIssuer(options) {
    object(options, 'createIssuer options');
    if (!raw.IssuerRaw) throw fail('InvalidInput', 'this is the verifier-only build: no issuer');
    const key = privateKey(options.key, 'key');
    const chain = certificates(options.chain, 'chain');
    const inner = call(function () { return new raw.IssuerRaw(key, chain); });
    return {
      issue: function (o) {
        object(o, 'issue options');
        const docType = text(o.docType, 'docType');
        const elements = JSON.stringify(typed(object(o.elements, 'elements')));
        const deviceKey = bytes(o.deviceKey, 'deviceKey');
        const signed = time(o.signed, 'signed');
        const validFrom = o.validFrom === undefined ? signed : time(o.validFrom, 'validFrom');
        if (!(o.validUntil instanceof Date)) throw fail('InvalidInput', 'validUntil must be a Date');
        const validUntil = o.validUntil.getTime();
        const decoys = o.decoys === undefined ? 0 : o.decoys;
        if (!Number.isInteger(decoys) || decoys < 0 || decoys > 1000) throw fail('InvalidInput', 'decoys must be an integer from 0 to 1000');
        return call(function () { return inner.issue(docType, elements, deviceKey, signed, validFrom, validUntil, decoys); });
      },
      free: function () { inner.free(); },
    };
  }

  // The application's storage object, checked and adapted for the raw wallet: put(collection,
  // id, bytes), get(collection, id) → Uint8Array | null, delete(collection, id) → boolean,
  // list(collection) → string[], each synchronous. What a callback throws reaches the caller
  // as a Storage error with its message.
  function hostStorage(storage) {
    object(storage, 'storage');
    for (const m of ['put', 'get', 'delete', 'list']) {
      if (typeof storage[m] !== 'function') throw fail('InvalidInput', 'storage.' + m + ' must be a function');
    }
    function guard(name, f) {
      try {
        return f();
      } catch (e) {
        throw 'storage.' + name + ' failed: ' + (e && e.message ? e.message : String(e));
      }
    }
    return {
      put: function (c, id, record) { guard('put', function () { storage.put(c, id, record.slice()); }); },
      get: function (c, id) {
        return guard('get', function () {
          const r = storage.get(c, id);
          if (r === null || r === undefined) return undefined;
          if (!(r instanceof Uint8Array)) throw new Error('returned neither a Uint8Array nor null');
          return r;
        });
      },
      delete: function (c, id) { return guard('delete', function () { return storage.delete(c, id) === true; }); },
      list: function (c) {
        return guard('list', function () {
          const ids = storage.list(c);
          if (!Array.isArray(ids) || ids.some(function (i) { return typeof i !== 'string'; })) throw new Error('returned no array of strings');
          return ids;
        });
      },
    };
  }

  function json(f) { return JSON.parse(call(f)); }

  /** The holder's wallet over the host's storage; device keys sealed under storeKey. */
  function openWallet(options) {
    object(options, 'openWallet options');
    if (!raw.WalletRaw) throw fail('InvalidInput', 'this is the verifier-only build: no wallet');
    const storage = hostStorage(options.storage);
    const storeKey = bytes(options.storeKey, 'storeKey');
    const issuerTrust = certificates(options.issuerTrust, 'issuerTrust');
    const readerTrust = certificates(options.readerTrust, 'readerTrust');
    const inner = call(function () { return new raw.WalletRaw(storage, storeKey, issuerTrust, readerTrust); });
    function copies(n) {
      const c = n === undefined ? 1 : n;
      if (!Number.isInteger(c) || c < 1 || c > 1000) throw fail('InvalidInput', 'copies must be an integer from 1 to 1000');
      return c;
    }
    return {
      prepare: function (o) {
        const n = copies(o && o.copies);
        const id = call(function () { return inner.prepare(n); });
        return { id: id, deviceKeys: call(function () { return inner.pendingKeys(id); }) };
      },
      resume: function (id, n) {
        const c = copies(n);
        call(function () { inner.resume(text(id, 'id'), c); });
        return { id: id, deviceKeys: call(function () { return inner.pendingKeys(id); }) };
      },
      abandon: function (id) { call(function () { inner.abandon(text(id, 'id')); }); },
      add: function (o) {
        object(o, 'add options');
        const id = text(o.id, 'id');
        const list = Array.isArray(o.credentials) ? o.credentials : [o.credentials];
        const creds = list.map(function (c, i) { return bytes(c, 'credentials[' + i + ']'); });
        const name = o.name || {};
        const zh = name.zh === undefined ? '' : text(name.zh, 'name.zh');
        const en = name.en === undefined ? '' : text(name.en, 'name.en');
        const policy = o.policy === undefined ? 'one-time' : text(o.policy, 'policy');
        const at = time(o.at, 'at');
        return json(function () { return inner.add(id, creds, zh, en, policy, at); });
      },
      credentials: function () { return json(function () { return inner.credentials(); }); },
      remove: function (id) { return call(function () { return inner.remove(text(id, 'id')); }); },
      request: function (o) {
        object(o, 'request options');
        const request = bytes(o.request, 'request');
        const transcript = bytes(o.transcript, 'transcript');
        const at = time(o.at, 'at');
        const parsed = call(function () { return inner.request(request, transcript, at); });
        return { documents: JSON.parse(parsed.describe()), raw: parsed, free: function () { parsed.free(); } };
      },
      present: function (o) {
        object(o, 'present options');
        const request = object(o.request, 'request');
        if (!request.raw || typeof request.raw.describe !== 'function') throw fail('InvalidInput', 'request must come from wallet.request()');
        if (!Array.isArray(o.consents)) throw fail('InvalidInput', 'consents must be an array');
        const consents = JSON.stringify(o.consents.map(function (c, i) {
          object(c, 'consents[' + i + ']');
          if (!Array.isArray(c.approved)) throw fail('InvalidInput', 'consents[' + i + '].approved must be an array');
          return {
            document: c.document,
            credential: c.credential,
            approved: c.approved.map(function (e) { return { namespace: e.namespace, identifier: e.identifier }; }),
          };
        }));
        const readerKey = o.readerKey === undefined || o.readerKey === null ? new Uint8Array(0) : bytes(o.readerKey, 'readerKey');
        const at = time(o.at, 'at');
        const p = call(function () { return inner.present(request.raw, consents, readerKey, at); });
        const summary = JSON.parse(p.summary());
        const result = { response: p.response(), events: summary.events, runningLow: summary.runningLow };
        p.free();
        return result;
      },
      disclosures: function (o) {
        const q = o || {};
        const since = q.since === undefined ? NaN : time(q.since, 'since');
        const until = q.until === undefined ? NaN : time(q.until, 'until');
        const docType = q.docType === undefined ? '' : text(q.docType, 'docType');
        return json(function () { return inner.disclosures(since, until, docType); });
      },
      free: function () { inner.free(); },
    };
  }

  return {
    ZhengzhaoError: ZhengzhaoError,
    verify: verify,
    mayDrive: mayDrive,
    ageOver: ageOver,
    parseLicenceIdentifier: parser(raw.parseLicenceIdentifierRaw),
    parseSocialCreditCode: parser(raw.parseSocialCreditCodeRaw),
    parseCitizenId: parser(raw.parseCitizenIdRaw),
    createRequest: createRequest,
    createIssuer: createIssuer,
    openWallet: openWallet,
    memoryStorage: memoryStorage,
    version: function () { return raw.version(); },
    ...createSessionApi(raw, { call: call, bytes: bytes, time: time, fail: fail, certificates: certificates }),
  };
}

/** Storage in memory (tests, pages that keep nothing): the interface openWallet takes. */
function memoryStorage() {
  const records = new Map();
  function key(c, id) { return c + '\u0000' + id; }
  return {
    put: function (c, id, record) { records.set(key(c, id), record.slice()); },
    get: function (c, id) { const r = records.get(key(c, id)); return r === undefined ? null : r.slice(); },
    delete: function (c, id) { return records.delete(key(c, id)); },
    list: function (c) {
      const out = [];
      for (const k of records.keys()) if (k.startsWith(c + '\u0000')) out.push(k.slice(c.length + 1));
      return out;
    },
    size: function () { return records.size; },
  };
}
