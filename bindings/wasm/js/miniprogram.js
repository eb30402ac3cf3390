'use strict';
// Mini-program entry (CommonJS): `const zz = require('zhengzhao/miniprogram')`, then
// `await zz.init({ wasmPath: '/miniprogram_npm/zhengzhao/zhengzhao_bg.wasm.br' })`, then the
// same functions as the other entries.
//
// It needs none of WebAssembly, TextDecoder, TextEncoder, crypto or fetch (WeChat has none of
// them; shared/TOOLCHAIN.md §10):
// - the module is instantiated from a path inside the code package by WXWebAssembly (WeChat) or
//   MyWebAssembly (Alipay, only inside a Worker), `.wasm` or `.wasm.br`;
// - strings cross into the module through the UTF-8 codec below;
// - randomness comes from a pool that wx.getRandomValues (my.getRandomValues) fills
//   asynchronously: init() waits for the first fill, every draw consumes (and zeroes) what it
//   takes and starts a refill, and a draw never waits: if the pool cannot cover it, the call
//   fails with a typed error instead of blocking or reusing bytes.
/*@@GLUE@@*/
/*@@API@@*/
/*@@WORKER@@*/

// ---- UTF-8 (what the glue uses of TextEncoder/TextDecoder) -----------------------------------
function Utf8Encoder() {}
Utf8Encoder.prototype.encode = function (s) {
  s = s === undefined ? '' : String(s);
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder writes it
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
};
Utf8Encoder.prototype.encodeInto = function (s, view) {
  const b = this.encode(s);
  view.set(b);
  return { read: s.length, written: b.length };
};

function Utf8Decoder() {}
Utf8Decoder.prototype.decode = function (b) {
  if (b === undefined) return '';
  let s = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    let cp = 0xfffd;
    if (c < 0x80) { cp = c; n = 1; }
    else if (c >= 0xc2 && c < 0xe0 && i + 1 < b.length && (b[i + 1] & 0xc0) === 0x80) {
      cp = ((c & 31) << 6) | (b[i + 1] & 63); n = 2;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < b.length && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
      cp = ((c & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63); n = 3;
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    } else if (c >= 0xf0 && c < 0xf5 && i + 3 < b.length && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80) {
      cp = ((c & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63); n = 4;
      if (cp < 0x10000 || cp > 0x10ffff) cp = 0xfffd;
    }
    if (n === 0) n = 1; // an invalid byte: one replacement character, as TextDecoder does
    if (cp > 0xffff) { cp -= 0x10000; s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023)); }
    else s += String.fromCharCode(cp);
    i += n;
  }
  return s;
};

// ---- randomness pool ---------------------------------------------------------------------------
const POOL_SIZE = 4096;

function RandomPool(source) {
  this.source = source; // { getRandomValues({ length, success, fail }) }
  this.bytes = new Uint8Array(0);
  this.pending = null;
}
RandomPool.prototype.refill = function () {
  const self = this;
  if (self.pending) return self.pending;
  self.pending = new Promise(function (resolve, reject) {
    self.source.getRandomValues({
      length: POOL_SIZE,
      success: function (res) {
        const fresh = new Uint8Array(res.randomValues);
        const merged = new Uint8Array(self.bytes.length + fresh.length);
        merged.set(self.bytes, 0);
        merged.set(fresh, self.bytes.length);
        fresh.fill(0);
        self.bytes.fill(0);
        self.bytes = merged;
        self.pending = null;
        resolve();
      },
      fail: function (err) {
        self.pending = null;
        reject(new ZhengzhaoError({ code: 'Internal', message: 'getRandomValues failed: ' + (err && err.errMsg ? err.errMsg : String(err)) }));
      },
    });
  });
  return self.pending;
};
// crypto.getRandomValues as the glue calls it: synchronous, from the pool, never waiting.
RandomPool.prototype.getRandomValues = function (view) {
  if (view.length > this.bytes.length) {
    this.refill().catch(function () {});
    throw new Error('random pool exhausted: ' + view.length + ' bytes asked, ' + this.bytes.length + ' ready (it refills asynchronously; retry)');
  }
  view.set(this.bytes.subarray(0, view.length));
  this.bytes.fill(0, 0, view.length);
  this.bytes = this.bytes.subarray(view.length);
  if (this.bytes.length < POOL_SIZE / 2) this.refill().catch(function () {});
  return view;
};

// ---- the host runtime --------------------------------------------------------------------------
function hostRuntime() {
  /* global wx, WXWebAssembly, my, MyWebAssembly */
  if (typeof WXWebAssembly !== 'undefined' && typeof wx !== 'undefined') {
    return { name: 'wechat', wasm: WXWebAssembly, random: wx };
  }
  if (typeof MyWebAssembly !== 'undefined' && typeof my !== 'undefined') {
    return { name: 'alipay', wasm: MyWebAssembly, random: my };
  }
  return null;
}

// The `WebAssembly` the glue sees: instantiate() from a path only, as WXWebAssembly allows.
function PackagePath(path) { this.path = path; }
function pathOnlyWebAssembly(host) {
  function Instance() {}
  function Module() {}
  return {
    Instance: Instance,
    Module: Module,
    instantiate: function (source, imports) {
      if (!(source instanceof PackagePath)) {
        return Promise.reject(new Error('only a path inside the code package can be instantiated'));
      }
      return Promise.resolve(host.instantiate(source.path, imports)).then(function (r) {
        return r && r.instance ? { instance: r.instance, module: r.module } : { instance: r, module: null };
      });
    },
  };
}

let api = null;
let loading = null;
let runtimeName = null;

function init(options) {
  if (api) return Promise.resolve();
  if (loading) return loading;
  const wasmPath = options && options.wasmPath;
  if (typeof wasmPath !== 'string' || wasmPath.charAt(0) !== '/') {
    return Promise.reject(new ZhengzhaoError({ code: 'InvalidInput', message: 'init needs { wasmPath }: an absolute path inside the code package, e.g. /miniprogram_npm/zhengzhao/zhengzhao_bg.wasm.br' }));
  }
  const host = (options && options.runtime) || hostRuntime();
  if (!host) {
    return Promise.reject(new ZhengzhaoError({ code: 'InvalidInput', message: 'no WXWebAssembly (WeChat) or MyWebAssembly (Alipay, inside a Worker) in this runtime' }));
  }
  const pool = new RandomPool(host.random);
  const scope = { crypto: pool };
  const raw = createGlue(scope, pathOnlyWebAssembly(host.wasm), Utf8Decoder, Utf8Encoder);
  loading = pool.refill().then(function () {
    return raw({ module_or_path: new PackagePath(wasmPath) });
  }).then(function () {
    api = createApi(raw, new Utf8Encoder());
    runtimeName = host.name || 'custom';
  }, function (e) {
    loading = null;
    throw e instanceof ZhengzhaoError ? e : new ZhengzhaoError({ code: 'Internal', message: 'loading the WebAssembly module failed: ' + (e && e.message ? e.message : e) });
  });
  return loading;
}

function ready() {
  if (!api) throw new ZhengzhaoError({ code: 'WrongState', message: 'call (and await) init({ wasmPath }) first' });
  return api;
}

module.exports = {
  init: init,
  runtime: function () { return runtimeName; },
  verify: function (options) { return ready().verify(options); },
  version: function () { return ready().version(); },
  mayDrive: function (options) { return ready().mayDrive(options); },
  ageOver: function (options) { return ready().ageOver(options); },
  parseLicenceIdentifier: function (options) { return ready().parseLicenceIdentifier(options); },
  parseSocialCreditCode: function (options) { return ready().parseSocialCreditCode(options); },
  parseCitizenId: function (options) { return ready().parseCitizenId(options); },
  createRequest: function (options) { return ready().createRequest(options); },
  createIssuer: function (options) { return ready().createIssuer(options); },
  openWallet: function (options) { return ready().openWallet(options); },
  memoryStorage: memoryStorage,
  startHolderSession: function (options) { return ready().startHolderSession(options); },
  openReaderSession: function (qr) { return ready().openReaderSession(qr); },
  engagementQrSvg: function (text, options) { return ready().engagementQrSvg(text, options); },
  docTypeName: function (docType) { return ready().docTypeName(docType); },
  ZhengzhaoError: ZhengzhaoError,
};
// The Worker path (js/worker.js): the client on the main thread, the server in the Worker
// (alipay-worker.js calls it).
module.exports.createWorkerClient = function (worker) { return createWorkerClient(worker, Object.keys(module.exports)); };
module.exports.serveWorker = function (endpoint, options) { serveWorker(endpoint, module.exports, options); };
