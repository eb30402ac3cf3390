// Direction B: a foreign WALLET (jose + @owf/mdoc, no zhengzhao code) answering zhengzhao's
// `mdoc-tool oid4vp request`. It verifies the signed request object (x5c leaf chained to the
// reader CA, dNSName SAN = the x509_san_dns client_id), builds a DeviceResponse from the
// credential's IssuerSigned for the DCQL query's elements, device-signed over the OpenID4VP 1.0
// B.2.6.1 transcript (client_id with its prefix, nonce, JWK thumbprint of the request's
// encryption key, response_uri), encrypts {vp_token, state} as a compact JWE (ECDH-ES, A128GCM,
// kid of that key) and writes the form body `response=<JWE>`.
//
// usage: wallet.mjs --request request.jwt --credential cred.cbor --device-key dev.key.pem
//                   --verifier-trust reader_ca.pem --out body.txt [--tamper-out body.bad.txt]
import crypto from 'node:crypto';
import fs from 'node:fs';
import { args, ctx, fail, jose, mdoc, pemCerts, privateJwk, read, readText, thumbprint } from './lib.mjs';
import { callbacks, vp } from './openid4vc.mjs';

const a = args(process.argv.slice(2));
const jar = readText(a.request).trim();

// 1. The request object: header, x5c chain to the verifier trust anchor, SAN = client_id.
const header = jose.decodeProtectedHeader(jar);
if (header.typ !== 'oauth-authz-req+jwt') fail(`request typ ${header.typ}`);
if (header.alg !== 'ES256') fail(`request alg ${header.alg}`);
if (!Array.isArray(header.x5c) || header.x5c.length === 0) fail('request without x5c');
const leafDer = Buffer.from(header.x5c[0], 'base64');
const leaf = new crypto.X509Certificate(leafDer);
const anchors = pemCerts(a['verifier-trust']).map((d) => new crypto.X509Certificate(d));
const chain = header.x5c.map((c) => new crypto.X509Certificate(Buffer.from(c, 'base64')));
for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].verify(chain[i + 1].publicKey)) fail('request x5c: broken chain');
}
const top = chain[chain.length - 1];
if (!anchors.some((t) => top.checkIssued(t) && top.verify(t.publicKey))) fail('request x5c does not chain to the verifier trust anchor');
const { payload: request } = await jose.jwtVerify(jar, leaf.publicKey, { typ: 'oauth-authz-req+jwt', algorithms: ['ES256'] });
const clientId = request.client_id;
if (!clientId?.startsWith('x509_san_dns:')) fail(`client_id ${clientId}`);
const dns = clientId.slice('x509_san_dns:'.length);
if (leaf.checkHost(dns, { subject: 'never' }) !== dns) fail(`leaf certificate SAN does not name ${dns}`);
if (request.response_type !== 'vp_token') fail(`response_type ${request.response_type}`);
if (request.response_mode !== 'direct_post.jwt') fail(`response_mode ${request.response_mode}`);
for (const k of ['nonce', 'state', 'response_uri']) if (typeof request[k] !== 'string') fail(`request without ${k}`);
// The same request through @openid4vc/openid4vp's own resolution (JAR, client_id prefix, SAN).
const resolved = await vp
    .resolveOpenid4vpAuthorizationRequest({ authorizationRequestPayload: { client_id: clientId, request: jar }, callbacks: callbacks() })
    .catch((e) => fail(`@openid4vc/openid4vp resolveOpenid4vpAuthorizationRequest refused the request: ${e.message}`));
if (resolved.client.prefix !== 'x509_san_dns' || resolved.client.identifier !== dns) fail(`resolved client ${JSON.stringify(resolved.client.effective)}`);
if (resolved.version !== 100) fail(`@openid4vc/openid4vp sees OpenID4VP version ${resolved.version}, not 1.0 final (100)`);
if (resolved.authorizationRequestPayload.nonce !== request.nonce) fail('resolved nonce differs');
console.log(`wallet: request from ${leaf.subject.split('\n').join(', ')} (${clientId}) verified with jose and resolveOpenid4vpAuthorizationRequest (version 1.0)`);

// 2. The encryption key of the verifier and the transcript.
const encJwk = request.client_metadata?.jwks?.keys?.find((k) => k.use === 'enc' || k.alg === 'ECDH-ES');
if (!encJwk || encJwk.kty !== 'EC' || encJwk.crv !== 'P-256') fail('no P-256 encryption key in client_metadata.jwks');
const encs = request.client_metadata.encrypted_response_enc_values_supported ?? ['A128GCM'];
if (!encs.includes('A128GCM')) fail(`enc values ${encs}`);
const transcript = await mdoc.SessionTranscript.forOid4Vp(
    { clientId, nonce: request.nonce, jwkThumbprint: await thumbprint(encJwk), responseUri: request.response_uri },
    ctx,
);

// 3. The DeviceResponse: the credential file is {"docType", "issuerSigned"}; take IssuerSigned.
const cred = mdoc.cborDecode(read(a.credential));
const get = (m, k) => (m instanceof Map ? m.get(k) : m?.[k]);
const docType = get(cred, 'docType');
const issuerSigned = mdoc.IssuerSigned.fromEncodedStructure(get(cred, 'issuerSigned'));
const query = request.dcql_query?.credentials?.[0];
if (!query || query.format !== 'mso_mdoc' || query.meta?.doctype_value !== docType) fail('DCQL query does not ask for this credential');
const namespaces = {};
for (const c of query.claims ?? []) {
    const [ns, id] = c.path;
    (namespaces[ns] ??= {})[id] = c.intent_to_retain ?? false;
}
const deviceRequest = mdoc.DeviceRequest.create({
    docRequests: [mdoc.DocRequest.create({ itemsRequest: mdoc.ItemsRequest.create({ docType, namespaces }) })],
});
const deviceResponse = await mdoc.DeviceResponse.createWithDeviceRequest(
    {
        deviceRequest,
        sessionTranscript: transcript,
        issuerSigned: [issuerSigned],
        // The key's alg goes into the protected header (without it @owf/mdoc writes no alg).
        signature: { signingKey: mdoc.CoseKey.fromJwk({ ...privateJwk(a['device-key']), alg: 'ES256' }) },
    },
    ctx,
);

// 4. The encrypted response.
// Encrypted by @openid4vc/openid4vp createOpenid4vpAuthorizationResponse (its encryptJwe callback
// runs jose CompactEncrypt with the header the library chose).
let usedHeader;
const created = await vp.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: resolved.authorizationRequestPayload,
    authorizationResponsePayload: { vp_token: { [query.id]: [deviceResponse.encodedForOid4Vp] } },
    jarm: {
        encryption: { nonce: request.nonce },
        serverMetadata: {
            authorization_signing_alg_values_supported: ['ES256'],
            authorization_encryption_alg_values_supported: ['ECDH-ES'],
            authorization_encryption_enc_values_supported: ['A128GCM'],
        },
    },
    callbacks: {
        encryptJwe: async (encryptor, data) => {
            usedHeader = { alg: encryptor.alg, enc: encryptor.enc, kid: encryptor.kid ?? encryptor.publicJwk.kid };
            let e = new jose.CompactEncrypt(new TextEncoder().encode(data)).setProtectedHeader(usedHeader);
            // jose refuses equal apu and apv; pass them only when they differ.
            if (encryptor.apu && encryptor.apv && encryptor.apu !== encryptor.apv) {
                e = e.setKeyManagementParameters({ apu: Buffer.from(encryptor.apu, 'base64url'), apv: Buffer.from(encryptor.apv, 'base64url') });
            }
            return { encryptionJwk: encryptor.publicJwk, jwe: await e.encrypt(await jose.importJWK(encryptor.publicJwk, 'ECDH-ES')) };
        },
    },
});
const jwe = created.jarm?.responseJwt;
if (!jwe) fail('createOpenid4vpAuthorizationResponse made no encrypted response');
if (usedHeader.alg !== 'ECDH-ES' || usedHeader.enc !== 'A128GCM' || usedHeader.kid !== encJwk.kid) fail(`library JWE header ${JSON.stringify(usedHeader)}`);
// The library copies the request's state into the response; the verifier checks it.
const { apu, apv } = jose.decodeProtectedHeader(jwe);
console.log(`wallet: JWE by createOpenid4vpAuthorizationResponse (alg ECDH-ES, enc A128GCM, kid${apu ? ', apu' : ''}${apv ? ', apv' : ''})`);
fs.writeFileSync(a.out, `response=${encodeURIComponent(jwe)}`);
console.log(`wallet: ${Object.values(namespaces).map((n) => Object.keys(n).length).reduce((x, y) => x + y, 0)} elements of ${docType}, JWE written to ${a.out}`);
if (a['tamper-out']) {
    // One character of the ciphertext (4th part) changed.
    const parts = jwe.split('.');
    const c = parts[3];
    parts[3] = (c[0] === 'A' ? 'B' : 'A') + c.slice(1);
    fs.writeFileSync(a['tamper-out'], `response=${encodeURIComponent(parts.join('.'))}`);
}
