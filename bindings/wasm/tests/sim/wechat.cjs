// A simulated WeChat mini-program runtime, for running the package's mini-program entry in Node
// (shared/TOOLCHAIN.md §10). Used by ../miniprogram.test.cjs in a child process of its own:
//
// - `WebAssembly`, `TextDecoder`, `TextEncoder`, `crypto` and `fetch` are deleted from
//   globalThis before the entry is loaded (and with them `Buffer`, `URL`, `Request`,
//   `Response`, `Headers`, `atob`, `btoa`, which WeChat lacks too), so anything in the entry
//   that reaches for one of them throws;
// - `WXWebAssembly.instantiate(path, imports)` takes only a string, an absolute path inside the
//   code package (a directory on disk); it rejects bytes, ArrayBuffers and Modules, reads the
//   file, brotli-decompresses `.wasm.br` and instantiates with the real WebAssembly, captured
//   here privately before it is deleted;
// - `wx.getRandomValues({ length, success, fail })` answers from setTimeout (never
//   synchronously), refuses more than 1,048,576 bytes a call, and logs every call.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const nodeCrypto = require('node:crypto');

// Ours, before they go.
const RealWebAssembly = globalThis.WebAssembly;
const RealBuffer = globalThis.Buffer;

const DELETED = ['WebAssembly', 'TextDecoder', 'TextEncoder', 'crypto', 'fetch',
  'Buffer', 'URL', 'Request', 'Response', 'Headers', 'atob', 'btoa'];
const RANDOM_LIMIT = 1048576;

/** Installs the simulated runtime on globalThis; returns what the test reads back. */
function install(codePackage) {
  const root = path.resolve(codePackage);
  const log = { random: [], instantiate: [] };

  function resolveInPackage(p) {
    if (typeof p !== 'string') throw new TypeError('WXWebAssembly.instantiate: the first argument must be a string path');
    if (!p.startsWith('/')) throw new TypeError('WXWebAssembly.instantiate: the path must be absolute inside the code package');
    const file = path.resolve(root, '.' + p);
    if (file !== root && !file.startsWith(root + path.sep)) throw new TypeError('WXWebAssembly.instantiate: the path leaves the code package');
    if (!/\.wasm(\.br)?$/.test(file)) throw new TypeError('WXWebAssembly.instantiate: only .wasm and .wasm.br files');
    return file;
  }

  const WXWebAssembly = {
    instantiate(p, imports) {
      log.instantiate.push(typeof p === 'string' ? p : Object.prototype.toString.call(p));
      let bytes;
      try {
        const file = resolveInPackage(p);
        if (!fs.existsSync(file)) throw new Error(`WXWebAssembly.instantiate: no file ${p} in the code package`);
        bytes = fs.readFileSync(file);
        if (file.endsWith('.br')) bytes = zlib.brotliDecompressSync(bytes);
      } catch (e) {
        return Promise.reject(e);
      }
      return RealWebAssembly.instantiate(new Uint8Array(bytes), imports);
    },
    Memory: RealWebAssembly.Memory,
    Table: RealWebAssembly.Table,
    Global: RealWebAssembly.Global,
  };

  const wx = {
    getRandomValues(o) {
      const entry = { length: o && o.length, answered: false };
      log.random.push(entry);
      const returnedAt = { done: false };
      setTimeout(() => {
        entry.afterReturn = returnedAt.done; // answered after the call had returned
        entry.answered = true;
        const n = o && o.length;
        if (!Number.isInteger(n) || n <= 0 || n > RANDOM_LIMIT) {
          if (o && typeof o.fail === 'function') o.fail({ errMsg: `getRandomValues:fail length must be 1..${RANDOM_LIMIT}` });
          return;
        }
        const buf = nodeCrypto.randomBytes(n);
        const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + n);
        if (o && typeof o.success === 'function') o.success({ randomValues: ab, errMsg: 'getRandomValues:ok' });
      }, 0);
      returnedAt.done = true;
    },
  };

  for (const name of DELETED) delete globalThis[name];
  globalThis.WXWebAssembly = WXWebAssembly;
  globalThis.wx = wx;
  return { log, RANDOM_LIMIT, deleted: DELETED };
}

// Test data, decoded with the Buffer captured above (the entry never sees it).
function hexFile(file) {
  return new Uint8Array(RealBuffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'));
}

/** A code package on disk: <dir>/zhengzhao/ holding the built package's files. */
function makeCodePackage(pkg, dir) {
  const into = path.join(dir, 'zhengzhao');
  fs.mkdirSync(into, { recursive: true });
  for (const f of fs.readdirSync(pkg)) fs.copyFileSync(path.join(pkg, f), path.join(into, f));
  return dir;
}

module.exports = { install, hexFile, makeCodePackage, RANDOM_LIMIT, DELETED };
