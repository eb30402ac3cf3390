// Direction A: a foreign VERIFIER (@openid4vc/openid4vp + jose + @owf/mdoc, no zhengzhao code) of zhengzhao's wallet.
//
//   verifier.mjs request --signer-cert verifier.pem --signer-key verifier.key.pem --doc-type DT
//                        --element NS/ID --element2 NS/ID --out DIR
//     writes DIR/request.jwt (RFC 9101 request object, typ oauth-authz-req+jwt, ES256 with x5c,
//     client_id x509_san_dns:verifier.example.cn, response_mode direct_post.jwt, an ephemeral
//     ECDH-ES P-256 key in client_metadata.jwks, a DCQL query) and DIR/state.json (private).
//   verifier.mjs check --state DIR --response BODY --trust iaca.pem --claims claims.json
//     decrypts `response=<JWE>`, checks the JWE header and state, rebuilds the OpenID4VP 1.0
//     B.2.6.1 transcript (client_id, nonce, thumbprint of its own key, response_uri) with
//     @owf/mdoc SessionTranscript.forOid4Vp, verifies the DeviceResponse (issuer chain to
//     iaca.pem, issuer signature, digests, device signature) and compares the disclosed values
//     with the claims file. The negative control: the same response under another nonce must
//     fail device authentication.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { args, ctx, fail, jose, mdoc, normalise, pemCerts, readText, thumbprint } from './lib.mjs';
import { callbacks, vp } from './openid4vc.mjs';

const CLIENT_ID = 'x509_san_dns:verifier.example.cn';
const RESPONSE_URI = 'https://verifier.example.cn/response';
const [cmd, ...rest] = process.argv.slice(2);
const a = args(rest);
const b64u = (n) => crypto.randomBytes(n).toString('base64url');

if (cmd === 'request') {
    const { publicKey, privateKey } = await jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    const encPublic = { ...(await jose.exportJWK(publicKey)), kid: b64u(8), use: 'enc', alg: 'ECDH-ES' };
    const encPrivate = { ...(await jose.exportJWK(privateKey)), kid: encPublic.kid };
    const [ns1, id1] = a.element.split('/');
    const [ns2, id2] = a.element2.split('/');
    const nonce = b64u(16);
    const state = b64u(16);
    const payload = {
        client_id: CLIENT_ID,
        response_type: 'vp_token',
        response_mode: 'direct_post.jwt',
        response_uri: RESPONSE_URI,
        nonce,
        state,
        dcql_query: {
            credentials: [
                { id: 'q0', format: 'mso_mdoc', meta: { doctype_value: a['doc-type'] }, claims: [{ path: [ns1, id1] }, { path: [ns2, id2] }] },
            ],
        },
        client_metadata: {
            vp_formats_supported: { mso_mdoc: { issuerauth_alg_values: [-7, -9], deviceauth_alg_values: [-7, -9] } },
            jwks: { keys: [encPublic] },
            encrypted_response_enc_values_supported: ['A128GCM'],
        },
    };
    const x5c = pemCerts(a['signer-cert']).map((d) => Buffer.from(d).toString('base64'));
    const key = crypto.createPrivateKey(readText(a['signer-key']));
    // The request object is built and signed by @openid4vc/openid4vp (its signJwt callback
    // signs with jose); `aud` is added as OpenID4VP 1.0 §5.8 asks for signed requests.
    const created = await vp.createOpenid4vpAuthorizationRequest({
        authorizationRequestPayload: payload,
        jar: {
            jwtSigner: { method: 'x5c', x5c, alg: 'ES256' },
            expiresInSeconds: 300,
            additionalJwtPayload: { aud: 'https://self-issued.me/v2' },
        },
        callbacks: {
            signJwt: async (_signer, { header, payload: claims }) => ({
                jwt: await new jose.SignJWT(claims).setProtectedHeader(header).sign(key),
                signerJwk: crypto.createPublicKey(key).export({ format: 'jwk' }),
            }),
        },
    });
    const jwt = created.jar.authorizationRequestJwt;
    const header = jose.decodeProtectedHeader(jwt);
    if (header.typ !== 'oauth-authz-req+jwt' || header.alg !== 'ES256') fail(`created JAR header ${JSON.stringify({ typ: header.typ, alg: header.alg })}`);
    fs.mkdirSync(a.out, { recursive: true });
    fs.writeFileSync(path.join(a.out, 'request.jwt'), jwt);
    fs.writeFileSync(path.join(a.out, 'request_uri.txt'), created.authorizationRequest);
    fs.writeFileSync(path.join(a.out, 'state.json'), JSON.stringify({ nonce, state, encPrivate, encPublic, queryId: 'q0', elements: [[ns1, id1], [ns2, id2]] }));
    console.log(`verifier: request object (createOpenid4vpAuthorizationRequest, x5c ${x5c.length} cert) written to ${a.out}/request.jwt`);
} else if (cmd === 'check') {
    const st = JSON.parse(readText(path.join(a.state, 'state.json')));
    const body = readText(a.response).trim();
    const form = new URLSearchParams(body);
    const jwe = form.get('response');
    if (!jwe || [...form.keys()].length !== 1) fail(`form body is not exactly response=<JWE> (keys: ${[...form.keys()]})`);
    const hdr = jose.decodeProtectedHeader(jwe);
    if (hdr.alg !== 'ECDH-ES' || hdr.enc !== 'A128GCM') fail(`JWE alg/enc ${hdr.alg}/${hdr.enc}`);
    if (hdr.kid !== st.encPublic.kid) fail(`JWE kid ${hdr.kid}, expected ${st.encPublic.kid}`);
    if (hdr.epk?.crv !== 'P-256') fail('JWE epk is not P-256');
    const { plaintext } = await jose.compactDecrypt(jwe, await jose.importJWK(st.encPrivate, 'ECDH-ES'));
    const response = JSON.parse(new TextDecoder().decode(plaintext));
    if (response.state !== st.state) fail('state differs');
    const entries = response.vp_token?.[st.queryId];
    if (!Array.isArray(entries) || entries.length !== 1 || typeof entries[0] !== 'string') fail('vp_token is not {query id: [one string]}');
    // The same body through @openid4vc/openid4vp's own response parsing (decrypt, state, DCQL shape).
    const jarPayload = jose.decodeJwt(readText(path.join(a.state, 'request.jwt')));
    const parsed = await vp
        .parseOpenid4vpAuthorizationResponse({
            authorizationResponse: Object.fromEntries(form),
            authorizationRequestPayload: jarPayload,
            callbacks: callbacks({ decryptJwk: st.encPrivate }),
        })
        .catch((e) => fail(`@openid4vc/openid4vp parseOpenid4vpAuthorizationResponse refused the response: ${e.message}`));
    if (parsed.type !== 'dcql' || parsed.dcql.presentations[st.queryId]?.[0] !== entries[0]) fail('parseOpenid4vpAuthorizationResponse: another vp_token');
    if (parsed.expectedNonce !== st.nonce) fail('parseOpenid4vpAuthorizationResponse: another nonce');
    console.log('verifier: parseOpenid4vpAuthorizationResponse decrypted and accepted the same response');
    console.log(`verifier: JWE (alg ${hdr.alg}, enc ${hdr.enc}, kid, epk${hdr.apu ? ', apu' : ''}${hdr.apv ? ', apv' : ''}) decrypted with jose; state matches`);

    const trusted = pemCerts(a.trust);
    const verifyWith = async (nonce) => {
        const sessionTranscript = await mdoc.SessionTranscript.forOid4Vp(
            { clientId: CLIENT_ID, nonce, jwkThumbprint: await thumbprint(st.encPublic), responseUri: RESPONSE_URI },
            ctx,
        );
        const deviceResponse = mdoc.DeviceResponse.fromEncodedForOid4Vp(entries[0]);
        const failed = [];
        await mdoc.Verifier.verifyDeviceResponse(
            {
                deviceResponse,
                sessionTranscript,
                trustedCertificates: trusted,
                onCheck: (c) => {
                    if (c.status === 'FAILED') failed.push(`${c.category}/${c.check}: ${c.reason ?? ''}`);
                },
            },
            ctx,
        );
        if (failed.length) throw new Error(failed.join('; '));
        return deviceResponse;
    };
    const dr = await verifyWith(st.nonce).catch((e) => fail(`@owf/mdoc rejected the DeviceResponse: ${e.message}`));
    const claims = JSON.parse(readText(a.claims));
    const docs = dr.documents ?? [];
    if (docs.length !== 1 || docs[0].docType !== claims.doc_type) fail('not one document of the claims doc type');
    let n = 0;
    for (const [ns, items] of docs[0].issuerSigned.issuerNamespaces.issuerNamespaces) {
        for (const item of items) {
            const want = claims.namespaces?.[ns]?.[item.elementIdentifier];
            if (!st.elements.some(([x, y]) => x === ns && y === item.elementIdentifier)) fail(`${ns}/${item.elementIdentifier} disclosed but not asked for`);
            if (JSON.stringify(normalise(item.elementValue)) !== JSON.stringify(normalise(want))) fail(`${ns}/${item.elementIdentifier}: disclosed value differs from the claims file`);
            n++;
        }
    }
    if (n !== st.elements.length) fail(`${n} elements disclosed, ${st.elements.length} asked`);
    console.log(`verifier: @owf/mdoc verified issuer chain, signature, digests and device signature over forOid4Vp; ${n} values equal the claims file`);
    const wrong = await verifyWith(`${st.nonce}x`).then(() => null, (e) => e);
    if (!wrong) fail('the same response verified under another nonce');
    if (!/DEVICE_AUTH/.test(wrong.message)) fail(`under another nonce a check other than device authentication failed: ${wrong.message}`);
    console.log('verifier: under another nonce the device signature fails, as it must');
} else {
    fail('usage: verifier.mjs request|check ...');
}
