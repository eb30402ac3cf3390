// Shared helpers of the OpenID4VP interop scripts: loading the npm packages from the tools
// directory (ES modules ignore NODE_PATH), an @owf/mdoc MdocContext on node:crypto, and small
// file and encoding utilities. No zhengzhao code is used here.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const toolsDir = process.env.OID4VP_TOOLS;
if (!toolsDir) {
    console.error('OID4VP_TOOLS (the npm install prefix) is not set');
    process.exit(2);
}
const req = createRequire(path.join(toolsDir, 'package.json'));
export const load = (name) => import(pathToFileURL(req.resolve(name)).href);

export const mdoc = await load('@owf/mdoc');
export const jose = await load('jose');

export function fail(message) {
    console.error(`FAIL: ${message}`);
    process.exit(1);
}

export function args(argv) {
    const out = {};
    for (let i = 0; i < argv.length; i += 2) {
        if (!argv[i].startsWith('--') || argv[i + 1] === undefined) fail(`bad argument ${argv[i]}`);
        out[argv[i].slice(2)] = argv[i + 1];
    }
    return out;
}

export const read = (p) => fs.readFileSync(p);
export const readText = (p) => fs.readFileSync(p, 'utf8');

/** DER certificates of a PEM file, in order. */
export function pemCerts(p) {
    const text = readText(p);
    const out = [];
    for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
        out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
    }
    if (out.length === 0) fail(`${p}: no certificate`);
    return out;
}

/** A private P-256 key of a PEM (PKCS#8 or SEC1) file as a JWK with `d`. */
export function privateJwk(p) {
    return crypto.createPrivateKey(readText(p)).export({ format: 'jwk' });
}

function nameField(name, field) {
    // node prints names one attribute per line, "C=CN\nO=...".
    return name
        .split('\n')
        .map((l) => l.split('='))
        .filter(([k]) => k === field)
        .map(([, ...v]) => v.join('='));
}

function jwkOf(coseKey) {
    const j = { ...coseKey.jwk };
    for (const k of ['kid', 'alg', 'key_ops', 'use']) delete j[k];
    return j;
}

/** An @owf/mdoc context on node:crypto: ES256 COSE, SHA digests, X.509 chain checks. */
export const ctx = {
    crypto: {
        random: (n) => new Uint8Array(crypto.randomBytes(n)),
        digest: ({ digestAlgorithm, bytes }) =>
            new Uint8Array(crypto.createHash(digestAlgorithm.replace('-', '').toLowerCase()).update(bytes).digest()),
        calculateEphemeralMacKey: () => {
            throw new Error('device MAC is not used by these scripts');
        },
    },
    cose: {
        sign1: {
            sign: ({ toBeSigned, key }) =>
                new Uint8Array(
                    crypto.sign('sha256', toBeSigned, { key: jwkOf(key), format: 'jwk', dsaEncoding: 'ieee-p1363' }),
                ),
            verify: ({ key, sign1 }) => {
                const j = jwkOf(key);
                delete j.d;
                return crypto.verify('sha256', sign1.toBeSigned, { key: j, format: 'jwk', dsaEncoding: 'ieee-p1363' }, sign1.signature);
            },
        },
        mac0: {
            sign: () => {
                throw new Error('device MAC is not used by these scripts');
            },
            verify: () => false,
        },
    },
    x509: {
        getIssuerNameField: ({ certificate, field }) => nameField(new crypto.X509Certificate(certificate).issuer, field),
        getPublicKey: ({ certificate }) =>
            mdoc.CoseKey.fromJwk(new crypto.X509Certificate(certificate).publicKey.export({ format: 'jwk' })),
        verifyCertificateChain: ({ trustedCertificates, x5chain, now }) => {
            const at = now ?? new Date();
            const chain = x5chain.map((c) => new crypto.X509Certificate(c));
            const anchors = trustedCertificates.map((c) => new crypto.X509Certificate(c));
            for (const c of chain) {
                if (at < new Date(c.validFrom) || at > new Date(c.validTo)) throw new Error(`certificate ${c.subject} not valid at ${at.toISOString()}`);
            }
            for (let i = 0; i + 1 < chain.length; i++) {
                if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) throw new Error('broken x5chain');
            }
            const top = chain[chain.length - 1];
            const ok = anchors.some(
                (a) => (top.fingerprint256 === a.fingerprint256) || (top.checkIssued(a) && top.verify(a.publicKey)),
            );
            if (!ok) throw new Error('x5chain does not chain to a trusted certificate');
        },
        getCertificateData: ({ certificate }) => {
            const c = new crypto.X509Certificate(certificate);
            return {
                issuerName: c.issuer.split('\n').join(', '),
                subjectName: c.subject.split('\n').join(', '),
                serialNumber: c.serialNumber,
                thumbprint: c.fingerprint256.replace(/:/g, '').toLowerCase(),
                notBefore: new Date(c.validFrom),
                notAfter: new Date(c.validTo),
                pem: c.toString(),
            };
        },
    },
};

/** RFC 7638 SHA-256 thumbprint of a public JWK, as bytes. */
export async function thumbprint(jwk) {
    return new Uint8Array(Buffer.from(await jose.calculateJwkThumbprint(jwk, 'sha256'), 'base64url'));
}

/** Element values of a claims file and of disclosed items made comparable (full-date → tagged). */
export function normalise(v) {
    if (v instanceof mdoc.DateOnly) return { $full_date: v.toISOString ? v.toISOString().slice(0, 10) : String(v) };
    if (v && typeof v === 'object' && '$full-date' in v) return { $full_date: v['$full-date'] };
    if (v instanceof Date) return { $tdate: v.toISOString() };
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('hex') };
    return v;
}
