// The verifier page: reads the chosen files, calls verify() from the ES-module entry and shows
// the licence card (docType names in Chinese and English, the disclosed values, each check)
// or, for a rejected response, the failed check in words. Everything stays in the page.
import { init, verify, docTypeName } from './pkg/zhengzhao.mjs';

// ISO and EU docTypes have no licence profile in the core (docTypeName() covers the Chinese
// licences from core/src/profiles); their names are kept here.
const ISO_DOC_TYPES = {
  'org.iso.18013.5.1.mDL': { zh: '驾驶证', en: 'Mobile driving licence' },
  'eu.europa.ec.eudi.pid.1': { zh: '个人身份数据', en: 'Person identification data' },
};

// Each verification check (core verifier::Check, as verify --json names it), in words.
const CHECKS = {
  well_formed: { zh: '格式正确', en: 'Well formed', fail: ['响应格式不正确', 'The response is not well formed'] },
  response_status: { zh: '响应状态正常', en: 'Response status OK', fail: ['响应状态表示出错或不含证照', 'The response reports an error or holds no document'] },
  issuer_chain: { zh: '发证机构证书链可信', en: 'Issuer certificate chain trusted', fail: ['发证机构证书链不可信或已过期', 'The issuer\'s certificate chain is not trusted or not valid at this time'] },
  issuer_signature: { zh: '发证机构签名有效', en: 'Issuer signature valid', fail: ['发证机构签名无效', 'The issuer\'s signature does not verify'] },
  doc_type: { zh: '证照类型一致', en: 'Document type matches', fail: ['证照类型与签名内容不一致', 'The document type differs from the signed one'] },
  validity: { zh: '在有效期内', en: 'Within its validity period', fail: ['证照不在有效期内', 'The licence is not valid at this time'] },
  digests: { zh: '数据未被篡改', en: 'Values match their digests', fail: ['出示的数据与签名摘要不符（数据被篡改）', 'A disclosed value does not match its signed digest (tampered)'] },
  device_authentication: { zh: '持证设备认证通过', en: 'Device authenticated', fail: ['持证设备认证失败（不属于本次会话）', 'Device authentication failed (not made for this session)'] },
  key_authorizations: { zh: '设备签名数据已授权', en: 'Device-signed data authorised', fail: ['设备签名的数据未获授权', 'Device-signed data is not authorised'] },
};

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : String(c));
  return e;
}

// A file as bytes: hex text (as in tests/vectors/) is decoded, anything else is taken as is.
async function fileBytes(input) {
  const file = input.files[0];
  if (!file) return null;
  const buf = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buf).trim();
  if (text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F\s]+$/.test(text)) {
    const clean = text.replace(/\s+/g, '');
    const out = new Uint8Array(clean.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
    return out;
  }
  return buf;
}

// An element value in the verify --json typed grammar, as text.
function show(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(show).join('; ');
  if (typeof v !== 'object') return String(v);
  if ('$full-date' in v) return v['$full-date'];
  if ('$tdate' in v) return v['$tdate'];
  if ('$bytes' in v) return '(' + Math.floor(v['$bytes'].length * 3 / 4) + ' bytes)';
  if ('$float' in v) return String(v['$float']);
  if ('$bigint' in v) return v['$bigint'];
  if ('$tag' in v) return 'tag ' + v['$tag'] + ': ' + show(v['$value']);
  if ('$map' in v) return v['$map'].map(([k, x]) => show(k) + ': ' + show(x)).join(', ');
  if ('$undefined' in v) return 'undefined';
  if ('$simple' in v) return 'simple(' + v['$simple'] + ')';
  return Object.entries(v).map(([k, x]) => k + ': ' + show(x)).join(', ');
}

function names(docType) {
  return docTypeName(docType) || ISO_DOC_TYPES[docType] || { zh: '电子证照', en: docType };
}

function card(result) {
  const box = el('div', { id: 'card' });
  for (const doc of result.documents) {
    const n = names(doc.doc_type);
    const c = el('div', { class: 'card' },
      el('h2', { class: 'zh' }, n.zh),
      el('p', { class: 'en' }, n.en + ' · ' + doc.doc_type));
    const table = el('table', { class: 'elements' });
    for (const [ns, elements] of Object.entries(doc.elements)) {
      for (const [id, value] of Object.entries(elements)) {
        let cell;
        if (id === 'portrait' && value && value['$bytes']) {
          cell = el('img', { alt: 'portrait', src: 'data:image/jpeg;base64,' + value['$bytes'], height: '96' });
        } else cell = show(value);
        table.append(el('tr', { 'data-namespace': ns }, el('td', { class: 'name' }, id), el('td', { class: 'value' }, cell)));
      }
    }
    c.append(table,
      el('p', {}, '签发 Issuer: ' + doc.issuer + ' · 信任根 Trust anchor: ' + doc.trust_anchor),
      el('p', {}, '有效期 Valid: ' + doc.valid_from + ' – ' + doc.valid_until));
    box.append(c);
  }
  const checks = el('ul', { class: 'checks' });
  for (const name of result.checks) {
    const words = CHECKS[name] || { zh: name, en: name };
    checks.append(el('li', { class: 'ok', 'data-check': name }, words.zh + ' · ' + words.en));
  }
  box.append(el('h3', {}, '核验项目 Checks'), checks);
  return box;
}

function rejected(e) {
  const words = e.check && CHECKS[e.check] ? CHECKS[e.check].fail : ['无法核验', 'Could not verify'];
  return el('div', { class: 'rejected', id: 'rejected', 'data-check': e.check || '' },
    el('h2', {}, '核验未通过 · Rejected'),
    el('p', { class: 'words' }, words[0] + ' · ' + words[1]),
    el('p', { class: 'detail' }, (e.code || 'Error') + (e.check ? ' (' + e.check + ')' : '') + ': ' + e.message));
}

const result = document.getElementById('result');
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  result.replaceChildren();
  document.body.removeAttribute('data-state');
  try {
    await init();
    const at = document.getElementById('at').value;
    const readerKeyInput = document.getElementById('readerKey');
    const options = {
      response: await fileBytes(document.getElementById('response')),
      transcript: await fileBytes(document.getElementById('transcript')),
      trust: await document.getElementById('trust').files[0].text(),
    };
    if (readerKeyInput.files[0]) {
      const text = (await readerKeyInput.files[0].text()).trim();
      options.readerKey = text.startsWith('-----BEGIN') ? text : await fileBytes(readerKeyInput);
    }
    if (at) options.at = new Date(at + 'Z');
    result.append(card(verify(options)));
    document.body.setAttribute('data-state', 'verified');
  } catch (e) {
    result.append(rejected(e));
    document.body.setAttribute('data-state', 'rejected');
  }
});
document.body.setAttribute('data-ready', 'true');
