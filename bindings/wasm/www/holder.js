// The holder page: a fresh proximity session and its device engagement QR code (SVG made by
// the module's engagementQrSvg, the qrcode crate) with the mdoc: text under it.
import { init, startHolderSession, engagementQrSvg } from './pkg/zhengzhao.mjs';

const status = document.getElementById('status');
try {
  await init();
  const uuid = crypto.getRandomValues(new Uint8Array(16));
  const session = startHolderSession({ retrievalMethods: [{ type: 'bleCentralClient', uuid }] });
  const qr = session.qrCode();
  // The SVG is the module's own output (no input of ours but the mdoc: text).
  document.getElementById('qr').innerHTML = engagementQrSvg(qr, { modulePx: 8 });
  document.getElementById('uri').textContent = qr;
  status.textContent = '等待读取方 · Waiting for the reader';
  window.zzHolderSession = session; // for a host page that carries the bytes
} catch (e) {
  status.textContent = '出错 Error: ' + (e && e.message ? e.message : e);
}
