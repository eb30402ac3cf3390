// Callbacks for @openid4vc/openid4vp 0.4.6 on jose and node:crypto, used by both scripts to run
// the library's own request and response handling next to the hand-written checks.
import crypto from 'node:crypto';
import { jose, load } from './lib.mjs';

export const vp = await load('@openid4vc/openid4vp');

export function callbacks({ decryptJwk } = {}) {
    return {
        hash: (data, alg) => new Uint8Array(crypto.createHash(alg.replace('-', '')).update(data).digest()),
        verifyJwt: async (signer, jwt) => {
            try {
                let key;
                if (signer.method === 'x5c') key = new crypto.X509Certificate(Buffer.from(signer.x5c[0], 'base64')).publicKey;
                else if (signer.method === 'jwk') key = await jose.importJWK(signer.publicJwk, signer.alg);
                else return { verified: false };
                await jose.compactVerify(jwt.compact, key);
                const signerJwk = key instanceof crypto.KeyObject ? key.export({ format: 'jwk' }) : signer.publicJwk;
                return { verified: true, signerJwk };
            } catch {
                return { verified: false };
            }
        },
        getX509CertificateMetadata: (certificate) => {
            const c = new crypto.X509Certificate(Buffer.from(certificate, 'base64'));
            const san = c.subjectAltName ?? '';
            const names = san.split(', ');
            return {
                sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
                sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
            };
        },
        decryptJwe: async (jwe) => {
            try {
                const { plaintext } = await jose.compactDecrypt(jwe, await jose.importJWK(decryptJwk, 'ECDH-ES'));
                return { decrypted: true, decryptionJwk: decryptJwk, payload: new TextDecoder().decode(plaintext) };
            } catch {
                return { decrypted: false };
            }
        },
        fetch: () => {
            throw new Error('no network in this check');
        },
    };
}
