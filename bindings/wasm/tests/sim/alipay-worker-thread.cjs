// A simulated Alipay Worker on a worker_threads thread (../alipay.test.cjs): the mini-program
// runtime's globals deleted as in wechat.cjs, `MyWebAssembly` (path-only, the real WebAssembly
// behind it) instead of WXWebAssembly, `my.getRandomValues` asynchronous, and the Worker's
// global `worker` ({ onMessage, postMessage }) over the thread's port, with every message
// passed as JSON text: a mini-program promises only a serializable object, not structured clone.
'use strict';
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const sim = require('./wechat.cjs');

const { log } = sim.install(workerData.codePackage);
globalThis.MyWebAssembly = globalThis.WXWebAssembly;
globalThis.my = globalThis.wx;
delete globalThis.WXWebAssembly;
delete globalThis.wx;

const listeners = [];
parentPort.on('message', (text) => {
  const msg = JSON.parse(text);
  if (msg && msg.simLog) { parentPort.postMessage(JSON.stringify({ simLog: log })); return; }
  for (const l of listeners) l(msg);
});
globalThis.worker = {
  onMessage(cb) { listeners.push(cb); },
  postMessage(msg) { parentPort.postMessage(JSON.stringify(msg)); },
};
require(path.join(workerData.codePackage, 'zhengzhao/alipay-worker.js'));
