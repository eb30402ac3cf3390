// ES-module entry for browsers and bundlers: `import { init, verify } from 'zhengzhao'`.
// `await init()` first: it fetches zhengzhao_bg.wasm beside this file (or `options.wasmUrl`,
// or compiles `options.module`, a WebAssembly.Module or the bytes).
/*@@GLUE@@*/
/*@@API@@*/
let api = null;
let loading = null;

export function init(options) {
  if (api) return Promise.resolve();
  if (!loading) {
    const raw = createGlue(globalThis, WebAssembly, TextDecoder, TextEncoder);
    const source = (options && (options.module || options.wasmUrl)) ||
      new URL('./zhengzhao_bg.wasm', import.meta.url);
    loading = raw({ module_or_path: source }).then(function () {
      api = createApi(raw, new TextEncoder());
    }, function (e) {
      loading = null;
      throw new ZhengzhaoError({ code: 'Internal', message: 'loading the WebAssembly module failed: ' + (e && e.message ? e.message : e) });
    });
  }
  return loading;
}

function ready() {
  if (!api) throw new ZhengzhaoError({ code: 'WrongState', message: 'call (and await) init() first' });
  return api;
}

export function verify(options) { return ready().verify(options); }
export function version() { return ready().version(); }
export function mayDrive(options) { return ready().mayDrive(options); }
export function ageOver(options) { return ready().ageOver(options); }
export function parseLicenceIdentifier(options) { return ready().parseLicenceIdentifier(options); }
export function parseSocialCreditCode(options) { return ready().parseSocialCreditCode(options); }
export function parseCitizenId(options) { return ready().parseCitizenId(options); }
export function createRequest(options) { return ready().createRequest(options); }
export function createIssuer(options) { return ready().createIssuer(options); }
export function openWallet(options) { return ready().openWallet(options); }
export function startHolderSession(options) { return ready().startHolderSession(options); }
export function openReaderSession(qr) { return ready().openReaderSession(qr); }
export function engagementQrSvg(text, options) { return ready().engagementQrSvg(text, options); }
export function docTypeName(docType) { return ready().docTypeName(docType); }
export { ZhengzhaoError, memoryStorage };
