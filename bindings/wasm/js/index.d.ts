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

// ---- the reader's request ------------------------------------------------------------------

export interface DocumentRequest {
  docType: string;
  /** `{namespace: {identifier: intentToRetain}}`, or `{namespace: [identifier, …]}` (not retained). */
  elements: { [namespace: string]: { [identifier: string]: boolean } | string[] };
  /** The purpose of use (用证事由, at most 200 characters), carried in requestInfo. */
  purpose?: string | null;
}

export interface CreateRequestOptions {
  documents: DocumentRequest[];
  /** The session's SessionTranscriptBytes: readerAuth signs over it. */
  transcript: Uint8Array;
  /** The reader's P-256 private key (PKCS#8 PEM or the 32-byte scalar); with `readerChain`, the request is signed. */
  readerKey?: Uint8Array | string;
  /** The reader certificate (and intermediates), leaf first. */
  readerChain?: CertificateInput | CertificateInput[];
}

/** A DeviceRequest (CBOR), signed (readerAuth) when a reader key and chain are given. Throws InvalidInput in the verifier-only build. */
export function createRequest(options: CreateRequestOptions): Uint8Array;

// ---- the issuer (full build only) -----------------------------------------------------------

export interface CreateIssuerOptions {
  /** The document signer's P-256 private key: PKCS#8 PEM or the 32-byte scalar. */
  key: Uint8Array | string;
  /** Its certificate chain, leaf (document signer) first. */
  chain: CertificateInput | CertificateInput[];
}

/** Element values to issue: typed JSON; a `Uint8Array` is taken as a byte string. */
export type IssueValue = TypedJson | Uint8Array | IssueValue[] | { [key: string]: IssueValue };

export interface IssueOptions {
  docType: string;
  elements: { [namespace: string]: { [identifier: string]: IssueValue } };
  /** The holder's device public key (SEC 1), from `wallet.prepare().deviceKeys`. */
  deviceKey: Uint8Array;
  /** When the MSO is signed (default: now). */
  signed?: Date;
  /** Start of validity (default: `signed`). */
  validFrom?: Date;
  validUntil: Date;
  /** Decoy digests per namespace (default 0). */
  decoys?: number;
}

export interface Issuer {
  /** Salts, digests and signs one credential; the bytes go to `wallet.add`. */
  issue(options: IssueOptions): Uint8Array;
  /** Releases the module memory it holds. */
  free(): void;
}

/** A document signer (tests, authorities' web tools). Throws InvalidInput in the verifier-only build. */
export function createIssuer(options: CreateIssuerOptions): Issuer;

// ---- the holder's wallet (full build only) --------------------------------------------------

/** The collections the wallet stores records in. */
export type Collection = 'credentials' | 'disclosure-log' | 'keys';

/**
 * Where the wallet keeps its records: four synchronous functions. `put` must be atomic and
 * durable when it returns; what a function throws reaches the caller as a `Storage` error.
 * Records of `keys` are sealed device keys; the others hold personal data: keep them in
 * storage the platform protects.
 */
export interface WalletStorage {
  put(collection: Collection, id: string, record: Uint8Array): void;
  get(collection: Collection, id: string): Uint8Array | null | undefined;
  delete(collection: Collection, id: string): boolean;
  list(collection: Collection): string[];
}

/** Storage in memory: nothing survives the page. */
export function memoryStorage(): WalletStorage & { size(): number };

export interface OpenWalletOptions {
  storage: WalletStorage;
  /** 32 bytes the host keeps (its keystore, or its server): device keys are sealed under it. */
  storeKey: Uint8Array;
  /** Issuing authorities: a credential whose signer chains to one has `issuerVerified`. */
  issuerTrust?: CertificateInput | CertificateInput[];
  /** Reader authorities: a request signed by a reader that chains to one is `authenticated`. */
  readerTrust?: CertificateInput | CertificateInput[];
}

export interface PendingCredential {
  /** The ID the credential will have. */
  id: string;
  /** One device public key (SEC 1) per copy: send them to the issuer. */
  deviceKeys: Uint8Array[];
}

export interface CredentialMetadata {
  id: string;
  docType: string;
  issuer: string;
  issuerVerified: boolean;
  name: { zh: string; en: string };
  /** RFC 3339, UTC. */
  validity: { signed: string; validFrom: string; validUntil: string };
  status: 'active' | 'suspended' | 'revoked';
  policy: 'one-time' | 'rotate';
  copies: number;
  freshCopies: number;
  usageCount: number;
  added: string;
}

export interface RequestedElement {
  namespace: string;
  identifier: string;
  intentToRetain: boolean;
}

export interface ReaderInfo {
  kind: 'anonymous' | 'unverified' | 'authenticated';
  /** The reader certificate's subject (claimed, for `unverified`). */
  subject: string | null;
}

export interface RequestedDocumentInfo {
  docType: string;
  reader: ReaderInfo;
  purpose: string | null;
  requested: RequestedElement[];
  /** The credentials that can answer, each with what it could disclose: show it, ask the holder. */
  matches: { credential: CredentialMetadata; disclosable: RequestedElement[] }[];
}

/** A parsed request, for `wallet.present`. */
export interface PresentationRequest {
  documents: RequestedDocumentInfo[];
  /** The module object behind it. */
  readonly raw: unknown;
  /** Releases its module memory (also done by the garbage collector where FinalizationRegistry exists). */
  free(): void;
}

export interface Consent {
  /** Index into `request.documents`. */
  document: number;
  /** The credential that answers it. */
  credential: string;
  /** What the holder approved (only what was also requested and is held is disclosed). */
  approved: { namespace: string; identifier: string }[];
}

export interface DisclosureEvent {
  id: string;
  /** RFC 3339, UTC. */
  time: string;
  verifier: ReaderInfo;
  purpose: string | null;
  docType: string;
  credential: string;
  /** Which elements were disclosed (never their values). */
  elements: RequestedElement[];
}

export interface Presentation {
  /** The DeviceResponse to send. */
  response: Uint8Array;
  /** The disclosure-log entries recorded, one per document. */
  events: DisclosureEvent[];
  /** Credentials with few fresh copies left: time to ask the issuer for a new batch. */
  runningLow: string[];
}

export interface Wallet {
  /** Creates device keys for a credential to come (default one copy). */
  prepare(options?: { copies?: number }): PendingCredential;
  /** After a reload: the pending credential `id` again, from its stored keys. */
  resume(id: string, copies: number): PendingCredential;
  /** Deletes a pending credential's keys. */
  abandon(id: string): void;
  /** Adds the issuer's copies of a pending credential in one commit. */
  add(options: {
    id: string;
    credentials: Uint8Array | Uint8Array[];
    name?: { zh?: string; en?: string };
    policy?: 'one-time' | 'rotate';
    at?: Date;
  }): CredentialMetadata;
  /** Every credential, and the records that could not be read. */
  credentials(): { credentials: CredentialMetadata[]; damaged: { id: string; message: string }[] };
  /** Removes a credential and its keys; false if there was none. */
  remove(id: string): boolean;
  /** Reads a DeviceRequest received in the session: reader authentication, matching credentials. */
  request(options: { request: Uint8Array; transcript: Uint8Array; at?: Date }): PresentationRequest;
  /**
   * Answers with the holder's consents: commits each copy's use, device-authenticates
   * (deviceSignature, or deviceMac for `readerKey`, the reader's ephemeral public key),
   * records the disclosures, then returns the response.
   */
  present(options: { request: PresentationRequest; consents: Consent[]; readerKey?: Uint8Array; at?: Date }): Presentation;
  /** The disclosure log, oldest first. */
  disclosures(query?: { since?: Date; until?: Date; docType?: string }): DisclosureEvent[];
  /** Releases the module memory it holds. */
  free(): void;
}

/** The holder's wallet over `storage`. Throws InvalidInput in the verifier-only build. */
export function openWallet(options: OpenWalletOptions): Wallet;

// ---- Chinese licence profiles ---------------------------------------------------------------

/** An electronic licence identifier (电子证照标识, GB/T 36904), checked. */
export interface LicenceIdentifier {
  identifier: string;
  /** The licence type code (21 characters). */
  typeCode: string;
  /** The issuing authority's unified social credit code. */
  issuer: string;
  serial: string;
  version: number;
  /** `1.2.156.3005.2.<type code>`. */
  docType: string;
}

/** A unified social credit code (统一社会信用代码, GB 32100), checked. */
export interface SocialCreditCode {
  code: string;
  registrationDepartment: string;
  organisationCategory: string;
  /** Six digits. */
  regionCode: string;
  /** Nine characters. */
  organisationCode: string;
}

/** A citizen ID number (公民身份号码, GB 11643), checked: check character and a real birth date. */
export interface CitizenId {
  number: string;
  addressCode: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  sex: 'male' | 'female';
}

/** Throws InvalidInput naming the failed check (never the value). */
export function parseLicenceIdentifier(identifier: string): LicenceIdentifier;
export function parseSocialCreditCode(code: string): SocialCreditCode;
export function parseCitizenId(number: string): CitizenId;

/** A question about one document of a response, which is verified first. */
export interface QuestionOptions extends VerifyOptions {
  /** The document's index in the response (default 0). */
  document?: number;
}

/**
 * Whether the licence's disclosed vehicle classes permit `vehicleClass` (C1 permits C2, …).
 * Verifies first; an undisclosed `vehicle_classes` throws NotDisclosed, never a "no".
 */
export function mayDrive(options: QuestionOptions & { vehicleClass: string }): boolean;

/** Whether the holder is `years` or older, from the disclosed `age_over_NN` (NotDisclosed otherwise). */
export function ageOver(options: QuestionOptions & { years: number }): boolean;

// ---- mini-programs: the Worker path (mini-program entry only) -------------------------------
// Alipay's MyWebAssembly exists only inside a Worker: the package's alipay-worker.js runs there
// and the main thread calls it through createWorkerClient. Values cross as JSON (bytes and
// dates tagged); objects with methods (an issuer, a wallet, a parsed request) stay in the
// Worker and come back as proxies whose methods return Promises.

/** What my.createWorker / wx.createWorker return (main thread), or the Worker's global `worker`. */
export interface MiniProgramWorker {
  postMessage(message: object): void;
  onMessage(callback: (message: any) => void): void;
}

/** `T` as it comes back from the Worker: every method returns a Promise. */
export type Remote<T> =
  T extends Uint8Array ? T :
  T extends Date ? T :
  T extends (infer U)[] ? Remote<U>[] :
  T extends (...args: infer A) => infer R ? (...args: A) => Promise<Remote<Awaited<R>>> :
  T extends object ? { [K in keyof T]: Remote<T[K]> } :
  T;

/** The API over a Worker: the same names, each returning a Promise. */
export interface WorkerClient {
  init(options: InitOptions): Promise<void>;
  runtime(): Promise<string | null>;
  version(): Promise<string>;
  verify(options: VerifyOptions): Promise<VerifyResult>;
  mayDrive(options: QuestionOptions & { vehicleClass: string }): Promise<boolean>;
  ageOver(options: QuestionOptions & { years: number }): Promise<boolean>;
  parseLicenceIdentifier(identifier: string): Promise<LicenceIdentifier>;
  parseSocialCreditCode(code: string): Promise<SocialCreditCode>;
  parseCitizenId(number: string): Promise<CitizenId>;
  createRequest(options: CreateRequestOptions): Promise<Uint8Array>;
  createIssuer(options: CreateIssuerOptions): Promise<Remote<Issuer>>;
  /** `storage: 'memory'` (what the client's memoryStorage() returns): a memoryStorage() inside the Worker,
   *  or the storage serveWorker was given; functions cannot cross to the Worker. */
  openWallet(options: Omit<OpenWalletOptions, 'storage'> & { storage: 'memory' }): Promise<Remote<Wallet>>;
  memoryStorage(): 'memory';
  ZhengzhaoError: typeof ZhengzhaoError;
}

/** Mini-program entry, main thread: the client of a Worker running alipay-worker.js. */
export function createWorkerClient(worker: MiniProgramWorker): WorkerClient;

/** Mini-program entry, inside a Worker: answer a client's messages (alipay-worker.js calls it). */
export function serveWorker(endpoint: MiniProgramWorker, options?: { storage?: () => WalletStorage }): void;

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
