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

// ---- proximity sessions (ISO/IEC 18013-5 §9): bytes in, bytes out; js/session.js ----------

/** How the reader reaches the holder's device after the engagement. */
export type RetrievalMethod =
  | { type: 'bleCentralClient' | 'blePeripheralServer'; /** 16-byte service UUID */ uuid: Uint8Array }
  | { type: 'nfc'; maxCommandDataLength: number; maxResponseDataLength: number };

export interface HolderSessionOptions {
  /** The retrieval methods the engagement names (default none). */
  retrievalMethods?: RetrievalMethod[];
}

/**
 * The holder's (wallet's) side of a proximity session. A call that does not fit the state
 * throws `WrongState` and changes nothing; any other failure ends the session and
 * `errorReply()` gives the message to send the reader.
 */
export interface HolderSession {
  /** The engagement as QR code text: `mdoc:` + base64url. */
  qrCode(): string;
  /** DeviceEngagementBytes (tag 24). */
  deviceEngagement(): Uint8Array;
  /** The reader's SessionEstablishment → the decrypted DeviceRequest bytes (readerAuth signatures checked by their own certificates; reader trust is the wallet's). */
  handleEstablishment(message: Uint8Array, at?: Date): Uint8Array;
  /** SessionTranscriptBytes, once the establishment was handled: what the response is built for. */
  transcript(): Uint8Array;
  /** The wallet's DeviceResponse → the SessionData to send; `endSession` ends the session in the same message. */
  respond(response: Uint8Array, options?: { endSession?: boolean }): Uint8Array;
  /** Declines the pending request and ends the session: the SessionData to send. */
  decline(): Uint8Array;
  /** The reader's next SessionData → a further DeviceRequest's bytes, or null if the reader ended the session. */
  handleMessage(message: Uint8Array, at?: Date): Uint8Array | null;
  /** Ends the session: the SessionData (status 20) to send. */
  terminate(): Uint8Array;
  isEnded(): boolean;
  /** After a failure ended the session: the SessionData to send the reader, if one is due. */
  errorReply(): Uint8Array | null;
  /** Releases the module memory now (otherwise when garbage-collected). */
  free(): void;
}

/** The reader's (business's) side of a proximity session. */
export interface ReaderSession {
  /** SessionTranscriptBytes: what a request's readerAuth signs and the response is verified against. */
  transcript(): Uint8Array;
  /** A DeviceRequest (CBOR) → the SessionEstablishment (first request) or SessionData to send. */
  sendRequest(request: Uint8Array): Uint8Array;
  /** The holder's SessionData → the DeviceResponse bytes, UNVERIFIED (or null if the holder declined). */
  handleResponse(message: Uint8Array): Uint8Array | null;
  /** Verifies a response of this session: its transcript and, for deviceMac, its ephemeral key. */
  verify(options: { response: Uint8Array; trust?: CertificateInput | CertificateInput[]; pinned?: CertificateInput | CertificateInput[]; at?: Date }): VerifyResult;
  /** Ends the session: the SessionData (status 20) to send. */
  terminate(): Uint8Array;
  isEnded(): boolean;
  /** After a failure ended the session: the SessionData to send the holder, if one is due. */
  errorReply(): Uint8Array | null;
  free(): void;
}

/** Starts a QR engagement with a fresh ephemeral key (full build only). */
export function startHolderSession(options?: HolderSessionOptions): HolderSession;

/** Reads the holder's engagement QR code text and opens a session with a fresh ephemeral key (full build only). */
export function openReaderSession(qr: string): ReaderSession;

/** The engagement QR code text as an SVG document (full build only). `modulePx` 1–32, default 4. */
export function engagementQrSvg(text: string, options?: { modulePx?: number }): string;

/** The Chinese (simplified) and English names of a built-in licence profile's docType, or null (ISO docTypes have none). */
export function docTypeName(docType: string): { zh: string; en: string } | null;
