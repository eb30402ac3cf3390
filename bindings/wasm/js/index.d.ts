// TypeScript declarations of the zhengzhao JavaScript API (all three entries: zhengzhao.mjs,
// node.cjs, miniprogram.js). Checked in CI by `tsc --noEmit` on tests/usage.ts.

/** The one error type. */
export class ZhengzhaoError extends Error {
  name: 'ZhengzhaoError';
  /** The kind; the same names as the Kotlin/Python `ZhengzhaoError` variants. */
  code:
    | 'Malformed' | 'VerificationFailed' | 'Untrusted' | 'ReaderAuthentication' | 'KeyStore'
    | 'Storage' | 'NoUnusedCopy' | 'Session' | 'WrongState' | 'NotDisclosed' | 'InvalidInput'
    | 'Internal';
  /** For a response that failed verification, the failed check (as `verify --json` names it). */
  check: CheckName | null;
  /** The index of the offending document, if the failure is specific to one. */
  document: number | null;
}

/** A verification check, in the order they run. */
export type CheckName =
  | 'well_formed' | 'response_status' | 'issuer_chain' | 'issuer_signature' | 'doc_type'
  | 'validity' | 'digests' | 'device_authentication' | 'key_authorizations';

/**
 * An element value in typed JSON: plain JSON where JSON is exact, otherwise a `$`-object
 * (`{"$bytes": base64}`, `{"$full-date": "1988-07-12"}`, `{"$tdate": …}`, `{"$float": …}`,
 * `{"$bigint": "…"}`, `{"$tag": n, "$value": …}`, `{"$map": [[k, v], …]}`,
 * `{"$undefined": true}`, `{"$simple": n}`).
 */
export type TypedJson =
  | string | number | boolean | null | TypedJson[] | { [key: string]: TypedJson };

/** `{namespace: {identifier: value}}`. */
export type Elements = { [namespace: string]: { [identifier: string]: TypedJson } };

/** One verified document, as `verify --json` prints it. */
export interface VerifiedDocument {
  doc_type: string;
  /** The document signer's subject. */
  issuer: string;
  /** The trust anchor's subject. */
  trust_anchor: string;
  device_auth: 'signature' | 'mac' | 'other';
  /** RFC 3339, UTC. */
  valid_from: string;
  valid_until: string;
  /** Issuer-signed elements. */
  elements: Elements;
  /** Elements the device signed rather than the issuer. */
  device_signed: Elements;
  /** MSO keys the verifier did not process (e.g. "status"); empty if none. */
  unchecked: string[];
}

/** What `verify` returns: the object `verify --json` prints for a verified response. */
export interface VerifyResult {
  verified: true;
  documents: VerifiedDocument[];
  checks: CheckName[];
}

/** A certificate: PEM text (one or more certificates) or DER bytes. */
export type CertificateInput = string | Uint8Array;

export interface VerifyOptions {
  /** The DeviceResponse (CBOR). */
  response: Uint8Array;
  /** SessionTranscriptBytes (tag 24) or the bare SessionTranscript. */
  transcript: Uint8Array;
  /** Issuing authority certificates (IACA). */
  trust?: CertificateInput | CertificateInput[];
  /** Document-signer certificates trusted as they are, without their CA (only for issuers whose CA is unpublished). */
  pinned?: CertificateInput | CertificateInput[];
  /** The reader's ephemeral P-256 private key for a MAC'd response: the 32-byte scalar or PKCS#8 PEM. */
  readerKey?: Uint8Array | string;
  /** The verification time (default: now). */
  at?: Date;
}

/**
 * Verifies a DeviceResponse offline. Returns the `verify --json` object; a response that fails
 * a check throws a `ZhengzhaoError` whose `check` names it.
 */
export function verify(options: VerifyOptions): VerifyResult;

/** The package version. */
export function version(): string;

/**
 * Loads the module. ES-module entry: fetches zhengzhao_bg.wasm beside the script (or
 * `wasmUrl`, or compiles `module`). Node entry: already loaded, resolves at once. Mini-program
 * entry: `wasmPath` is required, an absolute path inside the code package (`.wasm` or `.wasm.br`).
 */
export function init(options?: InitOptions): Promise<void>;

export interface InitOptions {
  /** Mini-program entry: the module's path inside the code package. */
  wasmPath?: string;
  /** ES-module entry: where to fetch the module from. */
  wasmUrl?: string | URL;
  /** ES-module entry: the module itself (compiled or bytes). */
  module?: WebAssembly.Module | BufferSource;
}

/** Mini-program entry: which runtime init() found ("wechat", "alipay"), or null before init. */
export function runtime(): string | null;
