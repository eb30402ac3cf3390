// Compiled by .ci/wasm-node.sh with `tsc --noEmit --strict` against the built package's
// index.d.ts: every declared function and type used as an application would use it. Never run.
import * as zz from 'zhengzhao';
import * as mp from 'zhengzhao/miniprogram';
import type {
  CheckName, TypedJson, Elements, VerifiedDocument, VerifyResult, CertificateInput, VerifyOptions,
  InitOptions, DocumentRequest, CreateRequestOptions, CreateIssuerOptions, IssueValue, IssueOptions,
  Issuer, Collection, WalletStorage, OpenWalletOptions, PendingCredential, CredentialMetadata,
  RequestedElement, ReaderInfo, RequestedDocumentInfo, PresentationRequest, Consent, DisclosureEvent,
  Presentation, Wallet, LicenceIdentifier, SocialCreditCode, CitizenId, QuestionOptions,
  MiniProgramWorker, Remote, WorkerClient,
} from 'zhengzhao';

declare const bytes: Uint8Array;
declare const pem: string;

async function sync(): Promise<void> {
  const init: InitOptions = { wasmUrl: new URL('https://example.invalid/zhengzhao_bg.wasm') };
  await zz.init(init);
  await zz.init({ module: bytes });
  const v: string = zz.version();
  const cert: CertificateInput = pem;
  const o: VerifyOptions = { response: bytes, transcript: bytes, trust: [cert, bytes], pinned: pem, readerKey: bytes, at: new Date() };
  const r: VerifyResult = zz.verify(o);
  const ok: true = r.verified;
  const checks: CheckName[] = r.checks;
  const doc: VerifiedDocument = r.documents[0];
  const els: Elements = doc.elements;
  const value: TypedJson = els['org.iso.18013.5.1']['family_name'];
  const auth: 'signature' | 'mac' | 'other' = doc.device_auth;
  const s: string[] = [doc.doc_type, doc.issuer, doc.trust_anchor, doc.valid_from, doc.valid_until, ...doc.unchecked];
  const ds: Elements = doc.device_signed;
  try {
    zz.verify({ response: bytes, transcript: bytes });
  } catch (e) {
    if (e instanceof zz.ZhengzhaoError) {
      const code: string = e.code;
      const check: CheckName | null = e.check;
      const index: number | null = e.document;
      const name: 'ZhengzhaoError' = e.name;
      void [code, check, index, name];
    }
  }
  const rt: string | null = zz.runtime();

  const dr: DocumentRequest = { docType: 'org.iso.18013.5.1.mDL', elements: { 'org.iso.18013.5.1': ['family_name'] }, purpose: '租车' };
  const dr2: DocumentRequest = { docType: 'org.iso.18013.5.1.mDL', elements: { 'org.iso.18013.5.1': { portrait: true } } };
  const cro: CreateRequestOptions = { documents: [dr, dr2], transcript: bytes, readerKey: pem, readerChain: [pem] };
  const request: Uint8Array = zz.createRequest(cro);

  const cio: CreateIssuerOptions = { key: pem, chain: pem };
  const issuer: Issuer = zz.createIssuer(cio);
  const iv: IssueValue = { nested: [bytes, 'x', 1, { '$full-date': '1990-05-01' }] };
  const io: IssueOptions = { docType: 'org.iso.18013.5.1.mDL', elements: { ns: { a: iv } }, deviceKey: bytes, signed: new Date(), validFrom: new Date(), validUntil: new Date(), decoys: 2 };
  const credential: Uint8Array = issuer.issue(io);
  issuer.free();

  const c: Collection = 'credentials';
  const storage: WalletStorage = zz.memoryStorage();
  const size: number = zz.memoryStorage().size();
  storage.put(c, 'id', bytes);
  const got: Uint8Array | null | undefined = storage.get('keys', 'id');
  const deleted: boolean = storage.delete('disclosure-log', 'id');
  const ids: string[] = storage.list(c);
  const owo: OpenWalletOptions = { storage, storeKey: bytes, issuerTrust: pem, readerTrust: [pem] };
  const wallet: Wallet = zz.openWallet(owo);
  const pending: PendingCredential = wallet.prepare({ copies: 2 });
  const resumed: PendingCredential = wallet.resume(pending.id, 2);
  wallet.abandon(resumed.id);
  const meta: CredentialMetadata = wallet.add({ id: pending.id, credentials: [credential], name: { zh: '驾驶证', en: 'Driving licence' }, policy: 'one-time', at: new Date() });
  const listed: CredentialMetadata[] = wallet.credentials().credentials;
  const damaged: { id: string; message: string }[] = wallet.credentials().damaged;
  const pr: PresentationRequest = wallet.request({ request, transcript: bytes, at: new Date() });
  const info: RequestedDocumentInfo = pr.documents[0];
  const reader: ReaderInfo = info.reader;
  const re: RequestedElement = info.requested[0];
  const consent: Consent = { document: 0, credential: meta.id, approved: [{ namespace: re.namespace, identifier: re.identifier }] };
  const p: Presentation = wallet.present({ request: pr, consents: [consent], at: new Date() });
  const ev: DisclosureEvent[] = wallet.disclosures({ since: new Date(), docType: 'org.iso.18013.5.1.mDL' });
  const removed: boolean = wallet.remove(meta.id);
  wallet.free();

  const li: LicenceIdentifier = zz.parseLicenceIdentifier('x');
  const sc: SocialCreditCode = zz.parseSocialCreditCode('x');
  const ci: CitizenId = zz.parseCitizenId('x');
  const q: QuestionOptions = { ...o, document: 0 };
  const drive: boolean = zz.mayDrive({ ...q, vehicleClass: 'C1' });
  const over: boolean = zz.ageOver({ ...q, years: 18 });
  void [v, ok, checks, value, auth, s, ds, rt, p.response, p.events, p.runningLow, ev, removed, li, sc, ci, drive, over, size, got, deleted, ids, listed, damaged, reader];
}

// The mini-program entry: init from a package path, then the same functions.
async function miniProgram(): Promise<void> {
  await mp.init({ wasmPath: '/miniprogram_npm/zhengzhao/zhengzhao_bg.wasm.br' });
  const r: VerifyResult = mp.verify({ response: bytes, transcript: bytes, trust: pem });
  const rt: string | null = mp.runtime();
  void [r, rt];
}

// The Worker path: a client on the main thread, the server inside the Worker.
async function worker(w: MiniProgramWorker): Promise<void> {
  const client: WorkerClient = mp.createWorkerClient(w);
  await client.init({ wasmPath: '/zhengzhao/zhengzhao_bg.wasm.br' });
  const rt: string | null = await client.runtime();
  const v: string = await client.version();
  const r: VerifyResult = await client.verify({ response: bytes, transcript: bytes, trust: pem, at: new Date() });
  const drive: boolean = await client.mayDrive({ response: bytes, transcript: bytes, vehicleClass: 'C1' });
  const over: boolean = await client.ageOver({ response: bytes, transcript: bytes, years: 18 });
  const li: LicenceIdentifier = await client.parseLicenceIdentifier('x');
  const sc: SocialCreditCode = await client.parseSocialCreditCode('x');
  const ci: CitizenId = await client.parseCitizenId('x');
  const request: Uint8Array = await client.createRequest({ documents: [], transcript: bytes });
  const issuer: Remote<Issuer> = await client.createIssuer({ key: pem, chain: pem });
  const credential: Uint8Array = await issuer.issue({ docType: 'd', elements: {}, deviceKey: bytes, validUntil: new Date() });
  await issuer.free();
  const wallet: Remote<Wallet> = await client.openWallet({ storage: client.memoryStorage(), storeKey: bytes });
  const pending: PendingCredential = await wallet.prepare({ copies: 1 });
  await wallet.add({ id: pending.id, credentials: credential });
  const pr = await wallet.request({ request, transcript: bytes });
  const p: Presentation = await wallet.present({ request: pr, consents: [] });
  try {
    await client.verify({ response: p.response, transcript: bytes });
  } catch (e) {
    if (e instanceof client.ZhengzhaoError) { const check: CheckName | null = e.check; void check; }
  }
  mp.serveWorker(w);
  mp.serveWorker(w, { storage: () => mp.memoryStorage() });
  void [rt, v, r, drive, over, li, sc, ci];
}

void [sync, miniProgram, worker];
