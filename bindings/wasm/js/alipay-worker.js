// The Worker script for Alipay mini-programs (MyWebAssembly exists only inside a Worker; it
// serves WeChat Workers, WXWebAssembly, alike). Copy it into the mini-program's worker
// directory; the main thread creates the Worker and talks to it through the entry's
// createWorkerClient:
//
//   const zz = require('zhengzhao/miniprogram');
//   const client = zz.createWorkerClient(my.createWorker('workers/zhengzhao.js'));
//   await client.init({ wasmPath: '/zhengzhao/zhengzhao_bg.wasm.br' });
//   const result = await client.verify({ response, transcript, trust, at });
//
// Inside the Worker, the mini-program entry (embedded below by build.sh) instantiates the
// module from the package path through MyWebAssembly and fills its randomness pool from
// my.getRandomValues; this script answers the client's messages { id, method, args } with
// { id, result } or { id, error: { code, check, document, message } } (js/worker.js).
/* global worker */
const zhengzhaoModule = { exports: {} };
(function (module, exports) { // eslint-disable-line no-unused-vars
/*@@MINIPROGRAM@@*/
})(zhengzhaoModule, zhengzhaoModule.exports);
zhengzhaoModule.exports.serveWorker(worker);
