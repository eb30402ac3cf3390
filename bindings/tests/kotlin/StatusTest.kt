// Licence status from Kotlin: a credential naming a status list, a resolver written in Kotlin
// serving the Status List Token (as an app would fetch it over HTTP), and each outcome.

import java.time.Duration
import java.time.Instant
import java.util.Collections
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.zhengzhao.*

const val STATUS_URI = "https://dl.example.cn/status/7"

/** A StatusResolver in Kotlin: serves [token], or throws as an offline phone would. */
class KotlinResolver : StatusResolver {
    @Volatile var token: ByteArray? = null
    val calls: MutableList<String> = Collections.synchronizedList(mutableListOf())

    override fun resolve(uri: String): ByteArray {
        calls.add(uri)
        return token ?: throw java.io.IOException("offline: no network")
    }
}

/** [Setup] plus a 2-bit status list, one licence naming an entry of it, and a resolver. */
class StatusSetup {
    val s = Setup()
    val publisher = StatusListPublisher(STATUS_URI, 2u, 4096u)
    val index = publisher.allocate()
    val resolver = KotlinResolver()

    init {
        val pending = s.wallet.prepare(1u)
        val now = Instant.now()
        val credential = s.issuer.issue(
            IssuanceRequest(
                docType = MDL,
                elements = licenceElements(),
                devicePublicKey = pending.deviceKeys()[0],
                signed = now,
                validFrom = now,
                validUntil = now.plus(Duration.ofDays(365)),
                cnStatusList = StatusListReference(STATUS_URI, index),
            ),
        )
        s.credentialId = s.wallet.add(pending, listOf(credential), LICENCE_NAME, BatchPolicy.ROTATE).id
        publish()
    }

    /** Signs the list as it is now (the test PKI's status signer) and serves it. */
    fun publish() {
        resolver.token = publisher.sign(
            s.pki.secureArea(),
            s.pki.statusSignerKeyAlias(),
            listOf(s.pki.statusSignerCertificate()),
        )
    }

    fun verify(acceptUndetermined: Boolean = false): VerifiedResponse =
        s.verifier.verify(
            s.present("family_name"),
            s.transcript,
            status = StatusChecker(resolver, acceptUndetermined = acceptUndetermined),
        )
}

class StatusTest {
    @Test
    fun aListedValidLicenceVerifiesWithStatusValid() {
        val st = StatusSetup()
        val verified = st.verify()
        assertEquals(StatusOutcome.Valid, verified.documents[0].status)
        assertTrue(verified.checks.any { it.check == Check.STATUS })
        assertEquals(listOf(STATUS_URI), st.resolver.calls.toList())
        val unchecked = st.s.verifier.verify(st.s.present("family_name"), st.s.transcript)
        assertEquals(StatusOutcome.NotChecked, unchecked.documents[0].status)
        assertEquals(listOf("status"), unchecked.documents[0].unchecked)
    }

    @Test
    fun revokedAndSuspendedAreTypedErrors() {
        val st = StatusSetup()
        st.publisher.set(st.index, ListStatus.Invalid)
        st.publish()
        val revoked = assertThrows<ZhengzhaoException.Revoked> { st.verify() }
        assertEquals(0u, revoked.document)
        st.publisher.set(st.index, ListStatus.Suspended)
        assertEquals(ListStatus.Suspended, st.publisher.status(st.index))
        st.publish()
        // Accepting undetermined statuses never accepts a definite one.
        assertThrows<ZhengzhaoException.Suspended> { st.verify(acceptUndetermined = true) }
        st.publisher.set(st.index, ListStatus.ApplicationSpecific(3u))
        st.publish()
        val overdue = assertThrows<ZhengzhaoException.StatusApplicationSpecific> { st.verify() }
        assertEquals(3.toUByte(), overdue.value)
    }

    @Test
    fun aThrowingResolverIsUndeterminedAndAcceptedOnlyWhenAsked() {
        val st = StatusSetup()
        st.resolver.token = null
        val e = assertThrows<ZhengzhaoException.StatusUndetermined> { st.verify() }
        assertTrue(e.reason.contains("offline: no network"), e.reason)
        val verified = st.verify(acceptUndetermined = true)
        val status = verified.documents[0].status
        assertTrue(status is StatusOutcome.Undetermined && status.reason.contains("offline: no network"), "$status")
    }

    @Test
    fun aReaderSessionChecksStatusToo() {
        val st = StatusSetup()
        st.publisher.set(st.index, ListStatus.Suspended)
        st.publish()
        val holder = HolderSession(st.s.wallet, listOf(RetrievalMethod.BlePeripheralServer(ByteArray(16) { 0x42 })))
        val reader = ReaderSession.fromQr(holder.qrCode(), st.s.verifier)
        holder.handleEstablishment(reader.sendRequest(st.s.documents("family_name")))
        val answer = holder.respond(listOf(Approval(0u, st.s.credentialId, listOf(id("family_name")))), deviceMac = true)
        val e = assertThrows<ZhengzhaoException.Suspended> {
            reader.handleResponse(answer.message, status = StatusChecker(st.resolver))
        }
        assertEquals(0u, e.document)
        assertTrue(reader.isEnded())
    }

    /** Presents family_name from the status licence, with or without the inactive flag. */
    private fun presentStatusLicence(st: StatusSetup, presentInactive: Boolean? = null): Presentation {
        val elements = listOf(id("family_name"))
        val approval = if (presentInactive == null) {
            Approval(0u, st.s.credentialId, elements)
        } else {
            Approval(0u, st.s.credentialId, elements, presentInactive = presentInactive)
        }
        val request = st.s.wallet.parseRequest(st.s.request("family_name"), st.s.transcript)
        return st.s.wallet.present(request, listOf(approval))
    }

    @Test
    fun theWalletRefreshesStatusAndColoursTheLicence() {
        val st = StatusSetup()
        val wallet = st.s.wallet
        val cid = st.s.credentialId
        wallet.addIssuingAuthority(st.s.pki.iacaCertificate())
        val before = wallet.metadata(cid)
        assertEquals(null, before.statusCheck)
        assertEquals(QrColour.GREEN, before.qrColour)

        val valid = wallet.refreshStatus(cid, StatusChecker(st.resolver))
        assertEquals(CheckedStatus.Valid, valid.statusCheck?.outcome)
        assertEquals(CredentialStatus.ACTIVE to QrColour.GREEN, valid.status to valid.qrColour)

        st.publisher.set(st.index, ListStatus.Suspended)
        st.publish()
        val suspended = wallet.refreshStatus(cid, StatusChecker(st.resolver))
        assertEquals(CheckedStatus.Suspended, suspended.statusCheck?.outcome)
        assertEquals(CredentialStatus.SUSPENDED to QrColour.RED, suspended.status to suspended.qrColour)
        assertEquals(suspended.statusCheck, wallet.metadata(cid).statusCheck)
        assertThrows<ZhengzhaoException.InvalidInput> { presentStatusLicence(st) }
        val presented = presentStatusLicence(st, presentInactive = true)
        assertEquals(cid, presented.disclosures[0].credentialId)
    }

    @Test
    fun aThrowingResolverTurnsTheLicenceGreyAndLeavesItsStatus() {
        val st = StatusSetup()
        st.s.wallet.addIssuingAuthority(st.s.pki.iacaCertificate())
        st.resolver.token = null
        val grey = st.s.wallet.refreshStatus(st.s.credentialId, StatusChecker(st.resolver))
        val outcome = grey.statusCheck?.outcome
        assertTrue(outcome is CheckedStatus.Undetermined && outcome.reason.contains("offline: no network"), "$outcome")
        assertEquals(CredentialStatus.ACTIVE to QrColour.GREY, grey.status to grey.qrColour)
        val results = st.s.wallet.refreshAllStatus(StatusChecker(st.resolver))
        assertEquals(2, results.size)
        val refreshed = results.map { (it as StatusRefresh.Refreshed).credential }
        assertEquals(
            listOf(QrColour.GREY),
            refreshed.filter { it.id == st.s.credentialId }.map { it.qrColour },
        )
    }
}
