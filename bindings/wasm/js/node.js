'use strict';
// Node entry (CommonJS): `require('zhengzhao')`. Instantiates synchronously at require time;
// init() exists for code shared with the other entries and resolves at once.
/*@@GLUE@@*/
/*@@API@@*/
const raw = createGlue(globalThis, WebAssembly, TextDecoder, TextEncoder);
raw.initSync({ module: require('fs').readFileSync(require('path').join(__dirname, 'zhengzhao_bg.wasm')) });
const api = createApi(raw, new TextEncoder());
module.exports = Object.assign({ init: function () { return Promise.resolve(); } }, api);
// Bench builds only (build.sh --bench): the floor exports bench/bench.cjs measures against.
if (raw.benchFloorRaw) module.exports.bench = { floorRaw: raw.benchFloorRaw, floorRun: raw.benchFloorRun, floorDescribe: raw.benchFloorDescribe, verifyRaw: raw.verifyRaw };
