// Licence status from Swift: a credential naming a status list, a resolver written in Swift
// serving the Status List Token (as an app would fetch it with URLSession), and each outcome.
// Mirrors bindings/tests/kotlin/StatusTest.kt; syntax-checked only on the CI machines.

import Foundation
import XCTest

@testable import Zhengzhao

let statusUri = "https://dl.example.cn/status/7"

/// A StatusResolver in Swift: serves `token`, or throws as an offline phone would.
final class SwiftResolver: StatusResolver, @unchecked Sendable {
    private let lock = NSLock()
    private var served: Data?
    private(set) var calls: [String] = []

    var token: Data? {
        get { lock.lock(); defer { lock.unlock() }; return served }
        set { lock.lock(); served = newValue; lock.unlock() }
    }

    func resolve(uri: String) throws -> Data {
        lock.lock()
        calls.append(uri)
        let token = served
        lock.unlock()
        guard let token = token else { throw ZhengzhaoError.Internal(reason: "offline: no network") }
        return token
    }
}

/// `Setup` plus a 2-bit status list, one licence naming an entry of it, and a resolver.
final class StatusSetup {
    let s: Setup
    let publisher: StatusListPublisher
    let index: UInt64
    let resolver = SwiftResolver()

    init() throws {
        s = try Setup()
        publisher = try StatusListPublisher(uri: statusUri, bits: 2, size: 4096)
        index = try publisher.allocate()
        let pending = try s.wallet.prepare(copies: 1)
        let now = Date()
        let credential = try s.issuer.issue(
            request: IssuanceRequest(
                docType: mdl,
                elements: licenceElements(),
                devicePublicKey: pending.deviceKeys()[0],
                signed: now,
                validFrom: now,
                validUntil: now.addingTimeInterval(365 * 86400),
                cnStatusList: StatusListReference(uri: statusUri, index: index)
            )
        )
        s.credentialId = try s.wallet.add(
            pending: pending, credentials: [credential], displayName: licenceName, policy: .rotate
        ).id
        try publish()
    }

    /// Signs the list as it is now (the test PKI's status signer) and serves it.
    func publish() throws {
        resolver.token = try publisher.sign(
            secureArea: s.pki.secureArea(),
            keyAlias: s.pki.statusSignerKeyAlias(),
            certificateChain: [s.pki.statusSignerCertificate()]
        )
    }

    func verify(acceptUndetermined: Bool = false) throws -> VerifiedResponse {
        try s.verifier.verify(
            response: s.present("family_name"),
            sessionTranscript: s.transcript,
            status: StatusChecker(resolver: resolver, acceptUndetermined: acceptUndetermined)
        )
    }
}

final class StatusTests: XCTestCase {
    func testAListedValidLicenceVerifiesWithStatusValid() throws {
        let st = try StatusSetup()
        let verified = try st.verify()
        XCTAssertEqual(verified.documents[0].status, .valid)
        XCTAssertTrue(verified.checks.contains { $0.check == .status })
        XCTAssertEqual(st.resolver.calls, [statusUri])
        let unchecked = try st.s.verifier.verify(response: st.s.present("family_name"), sessionTranscript: st.s.transcript)
        XCTAssertEqual(unchecked.documents[0].status, .notChecked)
        XCTAssertEqual(unchecked.documents[0].unchecked, ["status"])
    }

    func testRevokedAndSuspendedAreTypedErrors() throws {
        let st = try StatusSetup()
        try st.publisher.set(index: st.index, status: .invalid)
        try st.publish()
        assertZhengzhaoError({ _ = try st.verify() }) {
            if case let .Revoked(document) = $0 { return document == 0 }
            return false
        }
        try st.publisher.set(index: st.index, status: .suspended)
        XCTAssertEqual(try st.publisher.status(index: st.index), .suspended)
        try st.publish()
        // Accepting undetermined statuses never accepts a definite one.
        assertZhengzhaoError({ _ = try st.verify(acceptUndetermined: true) }) {
            if case .Suspended = $0 { return true }
            return false
        }
        try st.publisher.set(index: st.index, status: .applicationSpecific(value: 3))
        try st.publish()
        assertZhengzhaoError({ _ = try st.verify() }) {
            if case let .StatusApplicationSpecific(_, value) = $0 { return value == 3 }
            return false
        }
    }

    func testAThrowingResolverIsUndeterminedAndAcceptedOnlyWhenAsked() throws {
        let st = try StatusSetup()
        st.resolver.token = nil
        assertZhengzhaoError({ _ = try st.verify() }) {
            if case let .StatusUndetermined(_, reason) = $0 { return reason.contains("offline: no network") }
            return false
        }
        let verified = try st.verify(acceptUndetermined: true)
        guard case let .undetermined(reason) = verified.documents[0].status else {
            return XCTFail("expected undetermined, got \(verified.documents[0].status)")
        }
        XCTAssertTrue(reason.contains("offline: no network"), reason)
    }

    func testAReaderSessionChecksStatusToo() throws {
        let st = try StatusSetup()
        try st.publisher.set(index: st.index, status: .suspended)
        try st.publish()
        let holder = try HolderSession(
            wallet: st.s.wallet, retrievalMethods: [.blePeripheralServer(uuid: Data(repeating: 0x42, count: 16))]
        )
        let reader = try ReaderSession.fromQr(qr: holder.qrCode(), verifier: st.s.verifier)
        _ = try holder.handleEstablishment(message: reader.sendRequest(documents: st.s.documents(["family_name"])))
        let approval = Approval(documentIndex: 0, credentialId: st.s.credentialId, elements: [eid("family_name")])
        let answer = try holder.respond(approvals: [approval], deviceMac: true)
        assertZhengzhaoError({
            _ = try reader.handleResponse(message: answer.message, status: StatusChecker(resolver: st.resolver))
        }) {
            if case let .Suspended(document) = $0 { return document == 0 }
            return false
        }
        XCTAssertTrue(reader.isEnded())
    }

    /// Presents family_name from the status licence, with or without the inactive flag.
    private func presentStatusLicence(_ st: StatusSetup, presentInactive: Bool = false) throws -> Presentation {
        let approval = Approval(
            documentIndex: 0, credentialId: st.s.credentialId, elements: [eid("family_name")],
            presentInactive: presentInactive
        )
        let request = try st.s.wallet.parseRequest(request: st.s.request(["family_name"]), sessionTranscript: st.s.transcript)
        return try st.s.wallet.present(request: request, approvals: [approval])
    }

    func testTheWalletRefreshesStatusAndColoursTheLicence() throws {
        let st = try StatusSetup()
        let wallet = st.s.wallet
        let cid = st.s.credentialId
        _ = try wallet.addIssuingAuthority(certificate: st.s.pki.iacaCertificate())
        let before = try wallet.metadata(id: cid)
        XCTAssertNil(before.statusCheck)
        XCTAssertEqual(before.qrColour, .green)

        let valid = try wallet.refreshStatus(credentialId: cid, checker: StatusChecker(resolver: st.resolver))
        XCTAssertEqual(valid.statusCheck?.outcome, .valid)
        XCTAssertEqual(valid.status, .active)
        XCTAssertEqual(valid.qrColour, .green)

        try st.publisher.set(index: st.index, status: .suspended)
        try st.publish()
        let suspended = try wallet.refreshStatus(credentialId: cid, checker: StatusChecker(resolver: st.resolver))
        XCTAssertEqual(suspended.statusCheck?.outcome, .suspended)
        XCTAssertEqual(suspended.status, .suspended)
        XCTAssertEqual(suspended.qrColour, .red)
        assertZhengzhaoError({ _ = try self.presentStatusLicence(st) }) {
            if case .InvalidInput = $0 { return true }
            return false
        }
        let presented = try presentStatusLicence(st, presentInactive: true)
        XCTAssertEqual(presented.disclosures[0].credentialId, cid)
    }

    func testAThrowingResolverTurnsTheLicenceGreyAndLeavesItsStatus() throws {
        let st = try StatusSetup()
        _ = try st.s.wallet.addIssuingAuthority(certificate: st.s.pki.iacaCertificate())
        st.resolver.token = nil
        let grey = try st.s.wallet.refreshStatus(credentialId: st.s.credentialId, checker: StatusChecker(resolver: st.resolver))
        guard case let .undetermined(reason) = grey.statusCheck?.outcome else {
            return XCTFail("expected undetermined, got \(String(describing: grey.statusCheck))")
        }
        XCTAssertTrue(reason.contains("offline: no network"), reason)
        XCTAssertEqual(grey.status, .active)
        XCTAssertEqual(grey.qrColour, .grey)
        let results = try st.s.wallet.refreshAllStatus(checker: StatusChecker(resolver: st.resolver))
        XCTAssertEqual(results.count, 2)
        for result in results {
            guard case let .refreshed(credential) = result else {
                return XCTFail("expected refreshed, got \(result)")
            }
            if credential.id == st.s.credentialId { XCTAssertEqual(credential.qrColour, .grey) }
        }
    }
}
