// ---- the Worker protocol (Alipay: MyWebAssembly exists only inside a Worker) ------------------
// build.sh pastes this file into miniprogram.js (and so into alipay-worker.js, which embeds it).
//
// Messages, main thread → Worker: { id, method, args, handle? }; Worker → main thread:
// { id, result } or { id, error: { code, check, document, message } }. A mini-program's
// postMessage promises only a serializable object (not structured clone), so values cross as
// JSON: Uint8Array / ArrayBuffer / Date become tagged objects, and an object with methods (an
// issuer, a wallet, a parsed request) stays in the Worker behind a numbered handle whose
// methods the client calls by message. `free()` on a handle releases it.
const WIRE = '__zhengzhaoWire';
const WIRE_B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function wireBase64(b) {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
    s += WIRE_B64[(n >> 18) & 63] + WIRE_B64[(n >> 12) & 63] +
      (i + 1 < b.length ? WIRE_B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? WIRE_B64[n & 63] : '=');
  }
  return s;
}
function wireUnbase64(s) {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor(clean.length * 3 / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = WIRE_B64.indexOf(clean.charAt(i));
    if (v < 0) throw new ZhengzhaoError({ code: 'InvalidInput', message: 'bad base64 on the worker channel' });
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[j++] = (acc >> bits) & 255; }
  }
  return out;
}

function isPlain(v) {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
function methodNames(v) {
  const names = [];
  for (let o = v; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) {
      if (k !== 'constructor' && typeof v[k] === 'function' && names.indexOf(k) < 0) names.push(k);
    }
  }
  return names;
}

// `handleOf(object)` → a handle id for an object with methods (the Worker side), or undefined
// to refuse (the main-thread side refuses to send functions).
function toWire(v, handleOf) {
  if (v === null || v === undefined || typeof v !== 'object') {
    if (typeof v === 'function') throw new ZhengzhaoError({ code: 'InvalidInput', message: 'a function cannot cross to the Worker' });
    return v;
  }
  if (v instanceof Uint8Array) return { [WIRE]: 'bytes', b64: wireBase64(v) };
  if (v instanceof ArrayBuffer) return { [WIRE]: 'bytes', b64: wireBase64(new Uint8Array(v)) };
  if (ArrayBuffer.isView(v)) return { [WIRE]: 'bytes', b64: wireBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (v instanceof Date) return { [WIRE]: 'date', ms: String(v.getTime()) };
  if (v[WIRE + 'Handle'] !== undefined) return { [WIRE]: 'ref', handle: v[WIRE + 'Handle'] };
  if (Array.isArray(v)) return v.map(function (x) { return toWire(x, handleOf); });
  const methods = methodNames(v);
  if (methods.length > 0 || !isPlain(v)) {
    const h = handleOf ? handleOf(v) : undefined;
    if (h === undefined) throw new ZhengzhaoError({ code: 'InvalidInput', message: 'an object with methods cannot cross to the Worker' });
    const data = {};
    for (const k of Object.keys(v)) if (typeof v[k] !== 'function' && k.indexOf('__wbg') !== 0) data[k] = toWire(v[k], handleOf);
    return { [WIRE]: 'handle', handle: h, methods: methods, data: data };
  }
  const out = {};
  for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = toWire(v[k], handleOf);
  return out;
}

// `resolve(tagged)` maps 'handle' (main thread: a proxy) and 'ref' (Worker: the object).
function fromWire(v, resolve) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(function (x) { return fromWire(x, resolve); });
  const tag = v[WIRE];
  if (tag === 'bytes') return wireUnbase64(v.b64);
  if (tag === 'date') return new Date(Number(v.ms));
  if (tag === 'handle' || tag === 'ref') return resolve(v);
  const out = {};
  for (const k of Object.keys(v)) out[k] = fromWire(v[k], resolve);
  return out;
}

function wireError(e) {
  if (e instanceof ZhengzhaoError) return { code: e.code, check: e.check, document: e.document, message: e.message };
  return { code: 'Internal', check: null, document: null, message: e && e.message ? String(e.message) : String(e) };
}

// Not callable by message: the client's own helpers and the error class.
const WORKER_PRIVATE = ['createWorkerClient', 'serveWorker', 'ZhengzhaoError', 'memoryStorage'];

/**
 * Inside the Worker: answers the client's messages with the functions of `zz` (the mini-program
 * entry). `endpoint` is the Worker's global `worker` ({ onMessage(cb), postMessage(msg) }).
 * `openWallet({ storage: 'memory' })` opens the wallet over memoryStorage() inside the Worker
 * (functions cannot cross; a persistent store in the Worker is the application's to pass here
 * as `options.storage`).
 */
function serveWorker(endpoint, zz, options) {
  const handles = new Map();
  let next = 1;
  const storage = options && options.storage;
  function handleOf(object) { const h = next++; handles.set(h, object); return h; }
  function resolve(tagged) {
    if (tagged[WIRE] !== 'ref' || !handles.has(tagged.handle)) {
      throw new ZhengzhaoError({ code: 'WrongState', message: 'the object is gone from the Worker (freed, or the Worker restarted)' });
    }
    return handles.get(tagged.handle);
  }
  endpoint.onMessage(function (msg) {
    if (!msg || typeof msg.id !== 'number') return;
    Promise.resolve().then(function () {
      const args = fromWire(Array.isArray(msg.args) ? msg.args : [], resolve);
      let target = zz;
      if (msg.handle !== undefined) target = resolve({ [WIRE]: 'ref', handle: msg.handle });
      const name = msg.method;
      const known = target === zz ? (WORKER_PRIVATE.indexOf(name) < 0 && Object.prototype.hasOwnProperty.call(zz, name)) : methodNames(target).indexOf(name) >= 0;
      if (typeof name !== 'string' || !known || typeof target[name] !== 'function') {
        throw new ZhengzhaoError({ code: 'InvalidInput', message: 'no such function in the Worker: ' + name });
      }
      if (target === zz && name === 'openWallet' && args[0] && args[0].storage === 'memory') {
        args[0] = Object.assign({}, args[0], { storage: storage ? storage() : zz.memoryStorage() });
      }
      const r = target[name].apply(target, args);
      if (msg.handle !== undefined && name === 'free') handles.delete(msg.handle);
      return r;
    }).then(function (result) {
      endpoint.postMessage({ id: msg.id, result: toWire(result, handleOf) });
    }, function (e) {
      endpoint.postMessage({ id: msg.id, error: wireError(e) });
    });
  });
}

/**
 * On the main thread: the API over a Worker that runs alipay-worker.js. `worker` is what
 * my.createWorker (wx.createWorker) returns ({ postMessage(msg), onMessage(cb) }). Every
 * function of the entry is there under the same name and returns a Promise; errors are
 * ZhengzhaoError with code/check/document as the Worker threw them.
 */
function createWorkerClient(worker, names) {
  if (!worker || typeof worker.postMessage !== 'function' || typeof worker.onMessage !== 'function') {
    throw new ZhengzhaoError({ code: 'InvalidInput', message: 'createWorkerClient needs a Worker: { postMessage(msg), onMessage(callback) }' });
  }
  const pending = new Map();
  let next = 1;
  function proxy(tagged) {
    const o = fromWire(tagged.data || {}, proxy);
    Object.defineProperty(o, WIRE + 'Handle', { value: tagged.handle, enumerable: false });
    (tagged.methods || []).forEach(function (m) {
      o[m] = function () { return send(m, Array.prototype.slice.call(arguments), tagged.handle); };
    });
    return o;
  }
  worker.onMessage(function (msg) {
    const p = msg && pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new ZhengzhaoError(msg.error));
    else {
      try { p.resolve(fromWire(msg.result, proxy)); } catch (e) { p.reject(e); }
    }
  });
  function send(method, args, handle) {
    return new Promise(function (resolve, reject) {
      const id = next++;
      const msg = { id: id, method: method, args: toWire(args) };
      if (handle !== undefined) msg.handle = handle;
      pending.set(id, { resolve: resolve, reject: reject });
      try { worker.postMessage(msg); } catch (e) {
        pending.delete(id);
        reject(new ZhengzhaoError({ code: 'Internal', message: 'postMessage to the Worker failed: ' + (e && e.message ? e.message : e) }));
      }
    });
  }
  const client = { ZhengzhaoError: ZhengzhaoError, memoryStorage: function () { return 'memory'; } };
  names.forEach(function (name) {
    if (WORKER_PRIVATE.indexOf(name) < 0) client[name] = function () { return send(name, Array.prototype.slice.call(arguments)); };
  });
  return client;
}
