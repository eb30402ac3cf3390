// The zhengzhao bindings exercised from Swift through the generated code, as an iOS app would use
// them; mirrors bindings/tests/kotlin/ZhengzhaoTest.kt. Runs on macOS with `swift test` after
// `bindings/swift/build-xcframework.sh --test-hooks`. On the CI machines (no Swift toolchain)
// this file is only syntax-checked.

import CryptoKit
import Foundation
import XCTest

@testable import Zhengzhao

let mdl = "org.iso.18013.5.1.mDL"
let ns = "org.iso.18013.5.1"

func text(_ s: String) -> ElementValue { .text(value: s) }

func element(_ id: String, _ value: ElementValue) -> Element {
    Element(namespace: ns, identifier: id, value: value)
}

func eid(_ identifier: String) -> ElementId { ElementId(namespace: ns, identifier: identifier) }

/// Runs `body`, which must throw a `ZhengzhaoError` matching `match`; returns it.
@discardableResult
func assertZhengzhaoError(
    _ body: () throws -> Void,
    file: StaticString = #filePath,
    line: UInt = #line,
    _ match: (ZhengzhaoError) -> Bool
) -> ZhengzhaoError? {
    do {
        try body()
        XCTFail("nothing was thrown", file: file, line: line)
    } catch let error as ZhengzhaoError {
        XCTAssertTrue(match(error), "unexpected \(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
    return nil
}

/// A SecureArea implemented in Swift with CryptoKit, standing in for the Secure Enclave: it
/// returns DER signatures. Counts calls and threads.
final class CryptoKitSecureArea: SecureArea, @unchecked Sendable {
    private let lock = NSLock()
    private var keys: [String: P256.Signing.PrivateKey] = [:]
    private(set) var signatures = 0
    private var running = 0
    private(set) var mostAtOnce = 0
    private(set) var threads = Set<String>()
    var failWith: Error?
    var signDelay: TimeInterval = 0

    private func key(_ alias: String) throws -> P256.Signing.PrivateKey {
        lock.lock()
        defer { lock.unlock() }
        guard let key = keys[alias] else { throw ZhengzhaoError.KeyStore(reason: "no key \(alias)") }
        return key
    }

    func has(_ alias: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return keys[alias] != nil
    }

    func createKey(alias: String) throws -> Data {
        let key = P256.Signing.PrivateKey()
        lock.lock()
        defer { lock.unlock() }
        if keys[alias] != nil { throw ZhengzhaoError.KeyStore(reason: "alias in use") }
        keys[alias] = key
        return key.publicKey.x963Representation
    }

    func publicKey(alias: String) throws -> Data {
        try key(alias).publicKey.x963Representation
    }

    func sign(alias: String, message: Data) throws -> Data {
        lock.lock()
        running += 1
        mostAtOnce = max(mostAtOnce, running)
        threads.insert("\(Thread.current)")
        lock.unlock()
        defer {
            lock.lock()
            running -= 1
            lock.unlock()
        }
        if signDelay > 0 { Thread.sleep(forTimeInterval: signDelay) }
        if let failure = failWith { throw failure }
        let signature = try key(alias).signature(for: message) // SHA-256 inside
        lock.lock()
        signatures += 1
        lock.unlock()
        return signature.derRepresentation
    }

    func keyAgreement(alias: String, peerPublicKey: Data) throws -> Data {
        let own = try P256.KeyAgreement.PrivateKey(rawRepresentation: key(alias).rawRepresentation)
        let peer = try P256.KeyAgreement.PublicKey(x963Representation: peerPublicKey)
        let shared = try own.sharedSecretFromKeyAgreement(with: peer)
        return shared.withUnsafeBytes { Data($0) }
    }

    func deleteKey(alias: String) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return keys.removeValue(forKey: alias) != nil
    }
}

struct DiskFull: Error {}

/// A CredentialStorage implemented in Swift (a dictionary standing in for a database).
final class DictionaryStorage: CredentialStorage, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var records: [String: Data] = [:]
    var broken = false
    /// Every call on this collection fails while set.
    var brokenCollection: RecordCollection?

    private func key(_ collection: RecordCollection, _ id: String) -> String { "\(collection)/\(id)" }

    private func check(_ collection: RecordCollection) throws {
        if collection == brokenCollection { throw ZhengzhaoError.Storage(reason: "disk unavailable") }
    }

    func put(collection: RecordCollection, id: String, record: Data) throws {
        lock.lock()
        defer { lock.unlock() }
        if broken { throw DiskFull() }
        try check(collection)
        records[key(collection, id)] = record
    }

    func get(collection: RecordCollection, id: String) throws -> Data? {
        lock.lock()
        defer { lock.unlock() }
        try check(collection)
        return records[key(collection, id)]
    }

    func delete(collection: RecordCollection, id: String) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        try check(collection)
        return records.removeValue(forKey: key(collection, id)) != nil
    }

    func list(collection: RecordCollection) throws -> [String] {
        lock.lock()
        defer { lock.unlock() }
        try check(collection)
        let prefix = "\(collection)/"
        return records.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    func ids(_ collection: RecordCollection) -> Set<String> { Set((try? list(collection: collection)) ?? []) }
}

let licenceName = DisplayName(zh: "机动车驾驶证", en: "Driving licence")

func licenceElements() -> [Element] {
    [
        element("family_name", text("张")),
        element("given_name", text("伟")),
        element("birth_date", .fullDate(value: "1988-07-12")),
        element("age_over_18", .bool(value: true)),
        element("document_number", text("110105198807120011")),
        element(
            "driving_privileges",
            .array(items: [.map(entries: [MapEntry(key: text("vehicle_category_code"), value: text("C1"))])])
        ),
    ]
}

/// An issuer, a verifier trusting it and signing its requests, and a wallet over `area`.
final class Setup {
    let area: SecureArea
    let pki: TestPki
    let issuer: Issuer
    let verifier: Verifier
    let wallet: Wallet
    let transcript: Data
    var credentialId = ""

    init(area: SecureArea = CryptoKitSecureArea(), storage: CredentialStorage? = nil) throws {
        self.area = area
        pki = try TestPki.generate()
        issuer = try Issuer.fromTestPki(pki: pki)
        verifier = Verifier()
        if let storage = storage {
            wallet = Wallet(secureArea: area, storage: storage)
        } else {
            wallet = Wallet.inMemory(secureArea: area)
        }
        transcript = try sessionTranscript(handover: text("swift test handover"))
        _ = try verifier.addIssuingAuthority(certificate: pki.iacaCertificate())
        try verifier.setReaderAuthentication(
            secureArea: pki.secureArea(), keyAlias: pki.readerKeyAlias(), certificateChain: [pki.readerCertificate()]
        )
        _ = try wallet.addReaderAuthority(certificate: pki.readerCaCertificate())
        credentialId = try addLicence(copies: 3, policy: .rotate).id
    }

    /// Prepares `copies` device keys, has each signed, adds the batch.
    func addLicence(copies: UInt32, policy: BatchPolicy) throws -> CredentialInfo {
        let pending = try wallet.prepare(copies: copies)
        let credentials = try pending.deviceKeys().map { try issue(deviceKey: $0) }
        return try wallet.add(pending: pending, credentials: credentials, displayName: licenceName, policy: policy)
    }

    /// A licence bound to `deviceKey`.
    func issue(deviceKey: Data) throws -> Data {
        let now = Date()
        return try issuer.issue(
            request: IssuanceRequest(
                docType: mdl,
                elements: licenceElements(),
                devicePublicKey: deviceKey,
                signed: now,
                validFrom: now,
                validUntil: now.addingTimeInterval(365 * 86400),
                decoys: 2
            )
        )
    }

    func documents(_ ids: [String]) -> [DocumentRequest] {
        [
            DocumentRequest(
                docType: mdl,
                elements: ids.map { RequestedElement(namespace: ns, identifier: $0, intentToRetain: false) },
                requestInfo: [],
                purpose: "租车资格核验"
            ),
        ]
    }

    func request(_ ids: [String]) throws -> Data {
        try verifier.buildRequest(documents: documents(ids), sessionTranscript: transcript)
    }

    /// Requests `ids`, approves everything requested and held, presents.
    func present(_ ids: String...) throws -> Data {
        try presentLogged(ids).response
    }

    func presentLogged(_ ids: [String]) throws -> Presentation {
        let request = try wallet.parseRequest(request: self.request(ids), sessionTranscript: transcript)
        let doc = request.documents()[0]
        let approved = doc.candidates[0].disclosable.map { ElementId(namespace: $0.namespace, identifier: $0.identifier) }
        return try wallet.present(
            request: request,
            approvals: [Approval(documentIndex: 0, credentialId: credentialId, elements: approved)]
        )
    }
}

final class ZhengzhaoTests: XCTestCase {
    func testWholeFlowWithASwiftKeyStore() throws {
        let area = CryptoKitSecureArea()
        let s = try Setup(area: area)
        let request = try s.wallet.parseRequest(
            request: s.request(["family_name", "birth_date", "driving_privileges", "portrait"]),
            sessionTranscript: s.transcript
        )
        let doc = request.documents()[0]
        guard case let .authenticated(subject, _) = doc.reader else {
            return XCTFail("reader not authenticated: \(doc.reader)")
        }
        XCTAssertTrue(subject.contains("Test Reader"))
        XCTAssertEqual(doc.purpose, "租车资格核验")
        XCTAssertEqual(doc.requestInfo[0].value, text("租车资格核验"))
        XCTAssertEqual(doc.requested.count, 4)
        XCTAssertEqual(doc.candidates[0].disclosable.count, 3) // no portrait held
        // Consent: everything asked except the birth date.
        let presented = try s.wallet.present(
            request: request,
            approvals: [Approval(documentIndex: 0, credentialId: s.credentialId, elements: [eid("family_name"), eid("driving_privileges")])]
        )
        let response = presented.response
        XCTAssertEqual(presented.disclosures[0].elements.map { $0.identifier }, ["family_name", "driving_privileges"])
        XCTAssertEqual(area.signatures, 1) // the device signature came from Swift
        let verified = try s.verifier.verify(response: response, sessionTranscript: s.transcript)
        let v = verified.documents[0]
        XCTAssertEqual(v.docType, mdl)
        XCTAssertEqual(v.deviceAuth, .signature)
        XCTAssertEqual(v.unchecked, [])
        // Only what was approved, ordered by namespace and identifier.
        XCTAssertEqual(v.issuerSigned.map { $0.identifier }, ["driving_privileges", "family_name"])
        XCTAssertEqual(v.issuerSigned[1].value, text("张"))
        guard case let .array(items) = v.issuerSigned[0].value else { return XCTFail("not an array") }
        XCTAssertEqual(items[0], .map(entries: [MapEntry(key: text("vehicle_category_code"), value: text("C1"))]))
        XCTAssertTrue(verified.checks.contains { $0.check == .deviceAuthentication })
        XCTAssertGreaterThan(v.validUntil, Date())
    }

    func testTamperedResponseRaisesVerificationFailed() throws {
        let s = try Setup()
        var response = try s.present("family_name")
        let zhang = Data("张".utf8)
        let range = try XCTUnwrap(response.range(of: zhang))
        response.replaceSubrange(range, with: Data("李".utf8))
        assertZhengzhaoError({ _ = try s.verifier.verify(response: response, sessionTranscript: s.transcript) }) {
            if case let .VerificationFailed(check, document, _) = $0 { return check == .digests && document == 0 }
            return false
        }
    }

    func testOtherFailuresMapToTheirVariants() throws {
        let s = try Setup()
        let response = try s.present("family_name")
        let other = try sessionTranscript(handover: text("another session"))
        assertZhengzhaoError({ _ = try s.verifier.verify(response: response, sessionTranscript: other) }) {
            if case let .VerificationFailed(check, _, _) = $0 { return check == .deviceAuthentication }
            return false
        }
        // A verifier that trusts another authority (here: one named differently).
        let stranger = Verifier()
        _ = try stranger.addIssuingAuthority(certificate: s.pki.readerCaCertificate())
        assertZhengzhaoError({ _ = try stranger.verify(response: response, sessionTranscript: s.transcript) }) {
            if case .Untrusted = $0 { return true }
            return false
        }
        // An authority of the same name with another key is no unknown issuer but a forgery.
        let impostor = Verifier()
        _ = try impostor.addIssuingAuthority(certificate: TestPki.generate().iacaCertificate())
        assertZhengzhaoError({ _ = try impostor.verify(response: response, sessionTranscript: s.transcript) }) {
            if case let .VerificationFailed(check, _, _) = $0 { return check == .issuerChain }
            return false
        }
        assertZhengzhaoError({ _ = try s.verifier.verify(response: Data([1, 2, 3]), sessionTranscript: s.transcript) }) {
            if case .Malformed = $0 { return true }
            return false
        }
        assertZhengzhaoError({
            _ = try s.wallet.add(pending: s.wallet.prepare(copies: 1), credentials: [Data([0xA0])], displayName: licenceName, policy: .rotate)
        }) {
            if case .Malformed = $0 { return true }
            return false
        }
        let later = Date().addingTimeInterval(800 * 86400)
        assertZhengzhaoError({ _ = try s.verifier.verify(response: response, sessionTranscript: s.transcript, at: later) }) {
            if case let .VerificationFailed(check, _, _) = $0 { return check == .issuerChain || check == .validity }
            return false
        }
    }

    func testReaderOutsideTheTrustListIsRejected() throws {
        let s = try Setup()
        let request = try s.request(["family_name"])
        let picky = Wallet.inMemory(secureArea: CryptoKitSecureArea())
        _ = try picky.addReaderAuthority(certificate: TestPki.generate().readerCaCertificate())
        assertZhengzhaoError({ _ = try picky.parseRequest(request: request, sessionTranscript: s.transcript) }) {
            if case .ReaderAuthentication = $0 { return true }
            return false
        }
        let trustingNobody = Wallet.inMemory(secureArea: CryptoKitSecureArea())
        let reader = try trustingNobody.parseRequest(request: request, sessionTranscript: s.transcript).documents()[0].reader
        guard case .unverified = reader else { return XCTFail("\(reader)") }
    }

    func testInvalidInputIsReportedAsSuch() throws {
        let s = try Setup()
        let now = Date()
        let key = try s.wallet.prepare(copies: 1).deviceKeys()[0]
        assertZhengzhaoError({
            _ = try s.issuer.issue(request: IssuanceRequest(
                docType: mdl, elements: [element("birth_date", .fullDate(value: "2021-02-29"))],
                devicePublicKey: key, signed: now, validFrom: now, validUntil: now, decoys: 0
            ))
        }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
        let request = try s.wallet.parseRequest(request: s.request(["family_name"]), sessionTranscript: s.transcript)
        assertZhengzhaoError({
            _ = try s.wallet.present(request: request, approvals: [Approval(documentIndex: 7, credentialId: s.credentialId, elements: [])])
        }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
        assertZhengzhaoError({ _ = try s.wallet.present(request: request, approvals: []) }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
    }

    func testFailingKeyStoreCallbackBecomesKeyStoreError() throws {
        let area = CryptoKitSecureArea()
        let s = try Setup(area: area)
        area.failWith = ZhengzhaoError.KeyStore(reason: "user cancelled")
        assertZhengzhaoError({ _ = try s.present("family_name") }) {
            if case let .KeyStore(reason) = $0 { return reason == "user cancelled" }
            return false
        }
        area.failWith = DiskFull()
        assertZhengzhaoError({ _ = try s.present("family_name") }) {
            if case .KeyStore = $0 { return true }
            return false
        }
        area.failWith = nil
        _ = try s.verifier.verify(response: s.present("family_name"), sessionTranscript: s.transcript)
    }

    func testConcurrentPresentationsCallTheKeyStoreFromManyThreads() throws {
        let area = CryptoKitSecureArea()
        area.signDelay = 0.02
        let s = try Setup(area: area)
        let results = NSMutableArray()
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                let verified = try s.verifier.verify(
                    response: s.present("family_name", "age_over_18"), sessionTranscript: s.transcript
                )
                results.add(verified.documents[0].issuerSigned.count)
            } catch {
                results.add(-1)
            }
        }
        XCTAssertEqual(results.compactMap { $0 as? Int }, Array(repeating: 2, count: 6))
        XCTAssertGreaterThan(area.mostAtOnce, 1, "signatures never overlapped")
        XCTAssertGreaterThan(area.threads.count, 1)
    }

    func testSwiftStorageHoldsTheCoreRecordsAndRemovalDeletesTheKeys() throws {
        let area = CryptoKitSecureArea()
        let storage = DictionaryStorage()
        let s = try Setup(area: area, storage: storage)
        XCTAssertEqual(storage.ids(.credentials), [s.credentialId])
        let listed = try s.wallet.credentials()
        XCTAssertTrue(listed.damaged.isEmpty)
        XCTAssertEqual(listed.credentials.count, 1)
        XCTAssertEqual(listed.credentials[0].displayName, licenceName)
        XCTAssertTrue(listed.credentials[0].issuer.contains("Test Document Signer"))
        XCTAssertEqual(listed.credentials[0].freshCopies, 3)
        let shown = try s.wallet.credentialElements(id: s.credentialId)
        XCTAssertTrue(shown.contains(element("birth_date", .fullDate(value: "1988-07-12"))))
        _ = try s.present("family_name")
        XCTAssertEqual(storage.ids(.disclosureLog).count, 1)
        storage.broken = true
        assertZhengzhaoError({ _ = try s.addLicence(copies: 1, policy: .rotate) }) {
            if case .Storage = $0 { return true }
            return false
        }
        storage.broken = false
        XCTAssertTrue(try s.wallet.removeCredential(id: s.credentialId))
        XCTAssertFalse(try s.wallet.removeCredential(id: s.credentialId))
        XCTAssertTrue(storage.ids(.credentials).isEmpty)
        XCTAssertFalse(area.has("\(s.credentialId)-0"))
    }

    func testDisclosureLogIsQueriedExportedAndDeleted() throws {
        let s = try Setup()
        let event = try s.presentLogged(["family_name", "age_over_18"]).disclosures[0]
        _ = try s.present("given_name")
        XCTAssertEqual(event.purpose, "租车资格核验")
        XCTAssertEqual(try s.wallet.disclosures(query: LogQuery()).events.count, 2)
        XCTAssertTrue(try s.wallet.disclosures(query: LogQuery(docType: "org.example.other")).events.isEmpty)
        let json = try s.wallet.exportDisclosuresJson(query: LogQuery())
        XCTAssertTrue(json.contains("\"age_over_18\""))
        XCTAssertFalse(json.contains("张"))
        XCTAssertTrue(try s.wallet.deleteDisclosure(id: event.id))
        XCTAssertEqual(try s.wallet.deleteDisclosures(query: LogQuery()), 1)
    }

    func testOneTimeCopiesRunOut() throws {
        let s = try Setup()
        _ = try s.wallet.setStatus(id: s.credentialId, status: .suspended)
        s.credentialId = try s.addLicence(copies: 1, policy: .oneTimeUse).id
        XCTAssertEqual(try s.presentLogged(["family_name"]).runningLow, [s.credentialId])
        assertZhengzhaoError({ _ = try s.present("family_name") }) {
            if case let .NoUnusedCopy(id) = $0 { return id == s.credentialId }
            return false
        }
    }

    func testProximityExchangeThroughBytes() throws {
        let area = CryptoKitSecureArea()
        let s = try Setup(area: area)
        let holder = try HolderSession(
            wallet: s.wallet, retrievalMethods: [.blePeripheralServer(uuid: Data(repeating: 0x42, count: 16))]
        )
        let qr = holder.qrCode()
        XCTAssertTrue(qr.hasPrefix("mdoc:"))
        // Only bytes cross between the two objects, as over BLE.
        let reader = try ReaderSession.fromQr(qr: qr, verifier: s.verifier)
        let establishment = try reader.sendRequest(documents: s.documents(["family_name", "age_over_18"]))
        let documents = try holder.handleEstablishment(message: establishment)
        XCTAssertEqual(documents[0].purpose, "租车资格核验")
        let candidate = documents[0].candidates[0]
        let approvals = [Approval(
            documentIndex: 0, credentialId: candidate.credential.id,
            elements: candidate.disclosable.map { ElementId(namespace: $0.namespace, identifier: $0.identifier) }
        )]
        let answer = try holder.respond(approvals: approvals)
        XCTAssertEqual(area.signatures, 1)
        guard case let .response(verified) = try reader.handleResponse(message: answer.message) else {
            return XCTFail("no response")
        }
        XCTAssertEqual(verified.documents[0].issuerSigned.map { $0.identifier }, ["age_over_18", "family_name"])
        assertZhengzhaoError({ _ = try holder.respond(approvals: approvals) }) {
            if case .WrongState = $0 { return true }
            return false
        }
        guard case .terminated = try holder.handleMessage(message: reader.terminate()) else {
            return XCTFail("not terminated")
        }
    }

    func testTwoPhaseSigningWithAPromptBetweenThePhases() throws {
        let area = CryptoKitSecureArea()
        let s = try Setup(area: area)
        let request = try s.wallet.parseRequest(request: s.request(["family_name"]), sessionTranscript: s.transcript)
        let candidate = request.documents()[0].candidates[0]
        let approvals = [Approval(
            documentIndex: 0, credentialId: s.credentialId,
            elements: candidate.disclosable.map { ElementId(namespace: $0.namespace, identifier: $0.identifier) }
        )]
        let prepared = try s.wallet.preparePresentation(request: request, approvals: approvals)
        XCTAssertEqual(area.signatures, 0)
        // The app shows its LocalAuthentication prompt here, then the Secure Enclave signs.
        let signatures = try prepared.signingRequests().map { try area.sign(alias: $0.keyAlias, message: $0.message) }
        let shown = try s.wallet.completePresentation(prepared: prepared, signatures: signatures)
        let verified = try s.verifier.verify(response: shown.response, sessionTranscript: s.transcript)
        XCTAssertEqual(verified.documents[0].issuerSigned.count, 1)
    }

    /// A holder and a reader in one session over `s`; the approvals answering the first request.
    func openSession(_ s: Setup, _ ids: [String]) throws -> (HolderSession, ReaderSession, [Approval]) {
        let holder = try HolderSession(
            wallet: s.wallet, retrievalMethods: [.blePeripheralServer(uuid: Data(repeating: 0x42, count: 16))]
        )
        let reader = try ReaderSession.fromQr(qr: holder.qrCode(), verifier: s.verifier)
        let documents = try holder.handleEstablishment(message: reader.sendRequest(documents: s.documents(ids)))
        let candidate = documents[0].candidates[0]
        let approvals = [Approval(
            documentIndex: 0, credentialId: candidate.credential.id,
            elements: candidate.disclosable.map { ElementId(namespace: $0.namespace, identifier: $0.identifier) }
        )]
        return (holder, reader, approvals)
    }

    func testSessionAnsweredWithDeviceMacVerifiesAtTheReader() throws {
        let area = CryptoKitSecureArea()
        let s = try Setup(area: area)
        let (holder, reader, approvals) = try openSession(s, ["family_name"])
        // EMacKey is agreed by the Swift key store; nothing is signed.
        let answer = try holder.respond(approvals: approvals, deviceMac: true)
        XCTAssertEqual(area.signatures, 0)
        guard case let .response(verified) = try reader.handleResponse(message: answer.message) else {
            return XCTFail("no response")
        }
        XCTAssertEqual(verified.documents[0].deviceAuth, .mac)
        XCTAssertEqual(verified.documents[0].issuerSigned.map { $0.identifier }, ["family_name"])
        // Wallet.present: deviceMac for a reader key the host passes; refused if not a point.
        let request = try s.wallet.parseRequest(request: s.request(["family_name"]), sessionTranscript: s.transcript)
        let consent = [Approval(documentIndex: 0, credentialId: s.credentialId, elements: [eid("family_name")])]
        assertZhengzhaoError({
            _ = try s.wallet.present(request: request, approvals: consent, eReaderKey: Data(repeating: 4, count: 65))
        }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
        let readerKey = P256.KeyAgreement.PrivateKey().publicKey.x963Representation
        let maced = try s.wallet.present(request: request, approvals: consent, eReaderKey: readerKey)
        // Only the holder of the reader's private key can check it: this verifier cannot.
        assertZhengzhaoError({ _ = try s.verifier.verify(response: maced.response, sessionTranscript: s.transcript) }) {
            if case let .VerificationFailed(check, _, _) = $0 { return check == .deviceAuthentication }
            return false
        }
    }

    func testTwoPhaseSigningInsideASession() throws {
        let area = CryptoKitSecureArea()
        let s = try Setup(area: area)
        let (holder, reader, approvals) = try openSession(s, ["family_name", "age_over_18"])
        let prepared = try holder.prepareResponse(approvals: approvals)
        XCTAssertEqual(area.signatures, 0)
        // The wallet's own path cannot complete it, nor a wrong count: nothing changes.
        assertZhengzhaoError({ _ = try s.wallet.completePresentation(prepared: prepared, signatures: [Data(count: 64)]) }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
        assertZhengzhaoError({ _ = try holder.completeResponse(prepared: prepared, signatures: []) }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
        // The app shows its LocalAuthentication prompt here, then the Secure Enclave signs.
        let signatures = try prepared.signingRequests().map { try area.sign(alias: $0.keyAlias, message: $0.message) }
        let answer = try holder.completeResponse(prepared: prepared, signatures: signatures)
        XCTAssertEqual(answer.disclosures.map { $0.credentialId }, [s.credentialId])
        guard case let .response(verified) = try reader.handleResponse(message: answer.message) else {
            return XCTFail("no response")
        }
        XCTAssertEqual(verified.documents[0].deviceAuth, .signature)
        XCTAssertEqual(verified.documents[0].issuerSigned.count, 2)
        assertZhengzhaoError({ _ = try holder.completeResponse(prepared: prepared, signatures: signatures) }) {
            if case .WrongState = $0 { return true }
            return false
        }
        guard case .terminated = try holder.handleMessage(message: reader.terminate()) else {
            return XCTFail("not terminated")
        }
    }

    func testStorageFailureAfterTheSessionKeysEndsItWithAReply() throws {
        let storage = DictionaryStorage()
        let s = try Setup(area: CryptoKitSecureArea(), storage: storage)
        let holder = try HolderSession(wallet: s.wallet, retrievalMethods: [])
        let reader = try ReaderSession.fromQr(qr: holder.qrCode(), verifier: s.verifier)
        let establishment = try reader.sendRequest(documents: s.documents(["family_name"]))
        // Listing the candidates fails after the request was decrypted.
        storage.brokenCollection = .credentials
        assertZhengzhaoError({ _ = try holder.handleEstablishment(message: establishment) }) {
            if case .Storage = $0 { return true }
            return false
        }
        storage.brokenCollection = nil
        XCTAssertTrue(holder.isEnded())
        guard let reply = holder.errorReply() else { return XCTFail("no status reply") }
        guard case .terminated = try reader.handleResponse(message: reply) else { // status 20
            return XCTFail("not terminated")
        }
    }

    func testLicenceIdentifiers() throws {
        let id = try parseCitizenId(number: "11010519491231002X")
        XCTAssertEqual(id.birthDate, "1949-12-31")
        XCTAssertEqual(id.sex, .female)
        assertZhengzhaoError({ _ = try parseCitizenId(number: "110105194912310021") }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
    }

    func testKeyAgreementMatchesBetweenSwiftAndRust() throws {
        let swift = CryptoKitSecureArea()
        let rust = softwareSecureArea()
        let s = try swift.createKey(alias: "s")
        let r = try rust.createKey(alias: "r")
        XCTAssertEqual(try swift.keyAgreement(alias: "s", peerPublicKey: r), try rust.keyAgreement(alias: "r", peerPublicKey: s))
    }

    func testRustPanicBecomesAnError() throws {
        XCTAssertThrowsError(try testHookPanic(message: "deliberate"))
        // The library is still usable afterwards.
        XCTAssertEqual(try Verifier().addIssuingAuthority(certificate: TestPki.generate().iacaCertificate()), 1)
    }

    // FFI-overhead timing: a measurement, not a test (it asserts nothing); without the `test`
    // prefix XCTest does not run it. Call it from a perf harness to print the line.
    func measureVerifyCallOverhead() throws {
        let s = try Setup()
        let response = try s.present("family_name", "birth_date", "driving_privileges")
        let at = Date()
        for _ in 0 ..< 100 { _ = try s.verifier.verify(response: response, sessionTranscript: s.transcript, at: at) }
        let n = 300
        var line = ""
        // Alternate the Swift and the in-process Rust measurement, so both see the same load.
        for _ in 0 ..< 3 {
            var samples: [UInt64] = []
            for _ in 0 ..< n {
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try s.verifier.verify(response: response, sessionTranscript: s.transcript, at: at)
                samples.append(DispatchTime.now().uptimeNanoseconds - t0)
            }
            samples.sort()
            let swift = samples[n / 2]
            let rust = try testHookRustVerifyMedianNanos(
                verifier: s.verifier, response: response, sessionTranscript: s.transcript, at: at, iterations: UInt32(n)
            )
            line = "swift verify median \(swift / 1000) us, rust \(rust / 1000) us, overhead \((Int64(swift) - Int64(rust)) / 1000) us"
        }
        print(line)
    }
}
