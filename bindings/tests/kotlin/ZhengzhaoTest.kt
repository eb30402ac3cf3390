// The zhengzhao bindings exercised from Kotlin through the generated code (JNA), as an
// Android app would use them. Run by .ci/bindings.sh with the JUnit 5 console launcher.

import java.io.File
import java.math.BigInteger
import java.security.KeyFactory
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECPoint
import java.security.spec.ECPublicKeySpec
import java.time.Duration
import java.time.Instant
import java.util.Collections
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import javax.crypto.KeyAgreement
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import uniffi.zhengzhao.*

const val MDL = "org.iso.18013.5.1.mDL"
const val NS = "org.iso.18013.5.1"

/** Runs [block], which must throw a [T]; returns it. */
inline fun <reified T : Throwable> assertThrows(block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("expected ${T::class.qualifiedName}, got $e", e)
    }
    throw AssertionError("expected ${T::class.qualifiedName}, nothing was thrown")
}

fun text(s: String): ElementValue = ElementValue.Text(s)

fun element(id: String, value: ElementValue) = Element(NS, id, value)

fun id(identifier: String) = ElementId(NS, identifier)

/**
 * A SecureArea implemented in Kotlin with the JVM's own EC provider, standing in for Android
 * Keystore: it returns DER signatures, as Android does. Counts calls and threads.
 */
class JvmSecureArea : SecureArea {
    private val keys = ConcurrentHashMap<String, KeyPair>()
    val signatures = AtomicInteger()
    val running = AtomicInteger()
    val mostAtOnce = AtomicInteger()
    val threads: MutableSet<String> = Collections.synchronizedSet(mutableSetOf())
    @Volatile var failWith: Exception? = null
    @Volatile var signDelayMillis = 0L

    private fun key(alias: String) = keys[alias] ?: throw ZhengzhaoException.KeyStore("no key $alias")

    override fun createKey(alias: String): ByteArray {
        val generator = KeyPairGenerator.getInstance("EC")
        generator.initialize(ECGenParameterSpec("secp256r1"))
        val pair = generator.generateKeyPair()
        if (keys.putIfAbsent(alias, pair) != null) throw ZhengzhaoException.KeyStore("alias in use")
        return sec1(pair.public as ECPublicKey)
    }

    override fun publicKey(alias: String): ByteArray = sec1(key(alias).public as ECPublicKey)

    override fun sign(alias: String, message: ByteArray): ByteArray {
        val now = running.incrementAndGet()
        mostAtOnce.accumulateAndGet(now) { a, b -> maxOf(a, b) }
        try {
            threads.add(Thread.currentThread().name)
            if (signDelayMillis > 0) Thread.sleep(signDelayMillis)
            failWith?.let { throw it }
            val s = Signature.getInstance("SHA256withECDSA")
            s.initSign(key(alias).private)
            s.update(message)
            signatures.incrementAndGet()
            return s.sign() // DER ECDSA-Sig-Value
        } finally {
            running.decrementAndGet()
        }
    }

    override fun keyAgreement(alias: String, peerPublicKey: ByteArray): ByteArray {
        val own = key(alias)
        val ka = KeyAgreement.getInstance("ECDH")
        ka.init(own.private)
        ka.doPhase(decodePoint(peerPublicKey, own.public as ECPublicKey), true)
        return ka.generateSecret()
    }

    override fun deleteKey(alias: String): Boolean = keys.remove(alias) != null

    fun has(alias: String) = keys.containsKey(alias)

    companion object {
        fun fixed(v: BigInteger): ByteArray {
            val raw = v.toByteArray().dropWhile { it == 0.toByte() }.toByteArray()
            return ByteArray(32 - raw.size) + raw
        }

        fun sec1(k: ECPublicKey): ByteArray = byteArrayOf(4) + fixed(k.w.affineX) + fixed(k.w.affineY)

        fun decodePoint(sec1: ByteArray, like: ECPublicKey): java.security.PublicKey {
            require(sec1.size == 65 && sec1[0] == 4.toByte())
            val point = ECPoint(BigInteger(1, sec1.copyOfRange(1, 33)), BigInteger(1, sec1.copyOfRange(33, 65)))
            return KeyFactory.getInstance("EC").generatePublic(ECPublicKeySpec(point, like.params))
        }
    }
}

/** A CredentialStorage implemented in Kotlin (a map standing in for a database). */
class MapStorage : CredentialStorage {
    val records = ConcurrentHashMap<Pair<RecordCollection, String>, ByteArray>()
    @Volatile var broken = false

    /** Every call on this collection fails while set. */
    @Volatile var brokenCollection: RecordCollection? = null

    private fun check(collection: RecordCollection) {
        if (collection == brokenCollection) throw ZhengzhaoException.Storage("disk unavailable")
    }

    override fun put(collection: RecordCollection, id: String, record: ByteArray) {
        if (broken) throw IllegalStateException("disk full")
        check(collection)
        records[collection to id] = record
    }

    override fun get(collection: RecordCollection, id: String): ByteArray? {
        check(collection)
        return records[collection to id]
    }

    override fun delete(collection: RecordCollection, id: String): Boolean {
        check(collection)
        return records.remove(collection to id) != null
    }

    override fun list(collection: RecordCollection): List<String> {
        check(collection)
        return records.keys.filter { it.first == collection }.map { it.second }
    }

    fun ids(collection: RecordCollection): Set<String> = list(collection).toSet()
}

val LICENCE_NAME = DisplayName("机动车驾驶证", "Driving licence")

fun licenceElements() = listOf(
    element("family_name", text("张")),
    element("given_name", text("伟")),
    element("birth_date", ElementValue.FullDate("1988-07-12")),
    element("age_over_18", ElementValue.Bool(true)),
    element("document_number", text("110105198807120011")),
    element(
        "driving_privileges",
        ElementValue.Array(listOf(ElementValue.Map(listOf(MapEntry(text("vehicle_category_code"), text("C1")))))),
    ),
)

/** An issuer, a verifier trusting it and signing its requests, and a wallet over [area]. */
class Setup(val area: SecureArea = JvmSecureArea(), storage: CredentialStorage? = null) {
    val pki = TestPki.generate()
    val issuer = Issuer.fromTestPki(pki)
    val verifier = Verifier()
    val wallet = if (storage == null) Wallet.inMemory(area) else Wallet(area, storage)
    val transcript = sessionTranscript(text("kotlin test handover"))
    var credentialId: String

    init {
        verifier.addIssuingAuthority(pki.iacaCertificate())
        verifier.setReaderAuthentication(pki.secureArea(), pki.readerKeyAlias(), listOf(pki.readerCertificate()))
        wallet.addReaderAuthority(pki.readerCaCertificate())
        credentialId = addLicence(3u, BatchPolicy.ROTATE).id
    }

    /** Prepares [copies] device keys, has each signed, adds the batch. */
    fun addLicence(copies: UInt, policy: BatchPolicy): CredentialInfo {
        val pending = wallet.prepare(copies)
        return wallet.add(pending, pending.deviceKeys().map { issue(it) }, LICENCE_NAME, policy)
    }

    /** A licence bound to [deviceKey]. */
    fun issue(deviceKey: ByteArray): ByteArray {
        val now = Instant.now()
        return issuer.issue(
            IssuanceRequest(
                docType = MDL,
                elements = licenceElements(),
                devicePublicKey = deviceKey,
                signed = now,
                validFrom = now,
                validUntil = now.plus(Duration.ofDays(365)),
                decoys = 2u,
            ),
        )
    }

    fun documents(vararg ids: String) = listOf(
        DocumentRequest(
            MDL,
            ids.map { RequestedElement(NS, it, false) },
            listOf(MapEntry(text("purposeOfUse"), text("租车资格核验"))),
        ),
    )

    fun request(vararg ids: String): ByteArray = verifier.buildRequest(documents(*ids), transcript)

    /** Requests [ids], approves everything requested and held, presents. */
    fun present(vararg ids: String): ByteArray = presentLogged(*ids).response

    fun presentLogged(vararg ids: String): Presentation {
        val request = wallet.parseRequest(request(*ids), transcript)
        val doc = request.documents()[0]
        val approved = doc.candidates[0].disclosable.map { ElementId(it.namespace, it.identifier) }
        return wallet.present(request, listOf(Approval(0u, credentialId, approved)))
    }
}

class ZhengzhaoTest {
    @Test
    fun wholeFlowWithAKotlinKeyStore() {
        val area = JvmSecureArea()
        val s = Setup(area)
        val request = s.wallet.parseRequest(
            s.request("family_name", "birth_date", "driving_privileges", "portrait"),
            s.transcript,
        )
        val doc = request.documents()[0]
        val reader = doc.reader
        assertTrue(reader is ReaderIdentity.Authenticated && reader.subject.contains("Test Reader"), "$reader")
        assertEquals("租车资格核验", doc.purpose)
        assertEquals(text("租车资格核验"), doc.requestInfo[0].value)
        assertEquals(4, doc.requested.size)
        assertEquals(3, doc.candidates[0].disclosable.size) // no portrait held
        // Consent: everything asked except the birth date.
        val presented = s.wallet.present(
            request,
            listOf(Approval(0u, s.credentialId, listOf(id("family_name"), id("driving_privileges")))),
        )
        val response = presented.response
        assertEquals(listOf("family_name", "driving_privileges"), presented.disclosures[0].elements.map { it.identifier })
        assertEquals(1, area.signatures.get()) // the device signature came from Kotlin
        val verified = s.verifier.verify(response, s.transcript)
        val v = verified.documents[0]
        assertEquals(MDL, v.docType)
        assertEquals(DeviceAuthMethod.SIGNATURE, v.deviceAuth)
        assertEquals(emptyList<String>(), v.unchecked)
        // Only what was approved, ordered by namespace and identifier.
        assertEquals(listOf("driving_privileges", "family_name"), v.issuerSigned.map { it.identifier })
        assertEquals(text("张"), v.issuerSigned[1].value)
        val privileges = v.issuerSigned[0].value as ElementValue.Array
        assertEquals(ElementValue.Map(listOf(MapEntry(text("vehicle_category_code"), text("C1")))), privileges.items[0])
        assertTrue(verified.checks.any { it.check == Check.DEVICE_AUTHENTICATION })
        assertTrue(v.validUntil.isAfter(Instant.now()))
    }

    @Test
    fun tamperedResponseRaisesVerificationFailed() {
        val s = Setup()
        val response = s.present("family_name")
        val zhang = "张".toByteArray()
        val at = (0..response.size - zhang.size).first { i -> zhang.indices.all { response[i + it] == zhang[it] } }
        "李".toByteArray().copyInto(response, at)
        val e = assertThrows<ZhengzhaoException.VerificationFailed> { s.verifier.verify(response, s.transcript) }
        assertEquals(Check.DIGESTS, e.check)
        assertEquals(0u, e.document)
    }

    @Test
    fun otherFailuresMapToTheirVariants() {
        val s = Setup()
        val response = s.present("family_name")
        val other = sessionTranscript(text("another session"))
        val e = assertThrows<ZhengzhaoException.VerificationFailed> { s.verifier.verify(response, other) }
        assertEquals(Check.DEVICE_AUTHENTICATION, e.check)

        // A verifier that trusts another authority (here: one named differently).
        val stranger = Verifier()
        stranger.addIssuingAuthority(s.pki.readerCaCertificate())
        assertThrows<ZhengzhaoException.Untrusted> { stranger.verify(response, s.transcript) }
        // An authority of the same name with another key is no unknown issuer but a forgery.
        val impostor = Verifier()
        impostor.addIssuingAuthority(TestPki.generate().iacaCertificate())
        val forged = assertThrows<ZhengzhaoException.VerificationFailed> { impostor.verify(response, s.transcript) }
        assertEquals(Check.ISSUER_CHAIN, forged.check)

        assertThrows<ZhengzhaoException.Malformed> { s.verifier.verify(byteArrayOf(1, 2, 3), s.transcript) }
        assertThrows<ZhengzhaoException.Malformed> {
            s.wallet.add(s.wallet.prepare(1u), listOf(byteArrayOf(0xa0.toByte())), LICENCE_NAME, BatchPolicy.ROTATE)
        }

        val later = Instant.now().plus(Duration.ofDays(800))
        val expired = assertThrows<ZhengzhaoException.VerificationFailed> { s.verifier.verify(response, s.transcript, later) }
        assertTrue(expired.check == Check.ISSUER_CHAIN || expired.check == Check.VALIDITY)
    }

    @Test
    fun readerOutsideTheTrustListIsRejected() {
        val s = Setup()
        val request = s.request("family_name")
        val picky = Wallet.inMemory(JvmSecureArea())
        picky.addReaderAuthority(TestPki.generate().readerCaCertificate())
        assertThrows<ZhengzhaoException.ReaderAuthentication> { picky.parseRequest(request, s.transcript) }
        val trustingNobody = Wallet.inMemory(JvmSecureArea())
        assertTrue(trustingNobody.parseRequest(request, s.transcript).documents()[0].reader is ReaderIdentity.Unverified)
    }

    @Test
    fun invalidInputIsReportedAsSuch() {
        val s = Setup()
        val now = Instant.now()
        assertThrows<ZhengzhaoException.InvalidInput> {
            s.issuer.issue(
                IssuanceRequest(MDL, listOf(element("birth_date", ElementValue.FullDate("2021-02-29"))), s.wallet.prepare(1u).deviceKeys()[0], now, now, now),
            )
        }
        val request = s.wallet.parseRequest(s.request("family_name"), s.transcript)
        assertThrows<ZhengzhaoException.InvalidInput> {
            s.wallet.present(request, listOf(Approval(7u, s.credentialId, listOf())))
        }
        assertThrows<ZhengzhaoException.InvalidInput> { s.wallet.present(request, listOf()) }
    }

    @Test
    fun failingKeyStoreCallbackBecomesKeyStoreException() {
        val area = JvmSecureArea()
        val s = Setup(area)
        area.failWith = ZhengzhaoException.KeyStore("user cancelled")
        val refused = assertThrows<ZhengzhaoException.KeyStore> { s.present("family_name") }
        assertEquals("user cancelled", refused.reason)
        area.failWith = IllegalStateException("keystore unavailable")
        val unexpected = assertThrows<ZhengzhaoException.KeyStore> { s.present("family_name") }
        assertTrue(unexpected.reason.contains("keystore unavailable"), unexpected.reason)
        area.failWith = null
        s.verifier.verify(s.present("family_name"), s.transcript)
    }

    @Test
    fun concurrentPresentationsCallTheKeyStoreFromManyThreads() {
        val area = JvmSecureArea()
        area.signDelayMillis = 20
        val s = Setup(area)
        val pool = Executors.newFixedThreadPool(6)
        val start = CountDownLatch(1)
        val futures = (1..6).map {
            pool.submit<VerifiedResponse> {
                start.await()
                s.verifier.verify(s.present("family_name", "age_over_18"), s.transcript)
            }
        }
        start.countDown()
        for (f in futures) assertEquals(2, f.get(60, TimeUnit.SECONDS).documents[0].issuerSigned.size)
        pool.shutdown()
        assertTrue(area.mostAtOnce.get() > 1, "signatures never overlapped")
        assertTrue(area.threads.size > 1, "${area.threads}")
    }

    @Test
    fun kotlinStorageHoldsTheCoreRecordsAndRemovalDeletesTheKeys() {
        val area = JvmSecureArea()
        val storage = MapStorage()
        val s = Setup(area, storage)
        assertEquals(setOf(s.credentialId), storage.ids(RecordCollection.CREDENTIALS))
        val listed = s.wallet.credentials()
        assertTrue(listed.damaged.isEmpty())
        val info = listed.credentials.single()
        assertEquals(LICENCE_NAME, info.displayName)
        assertTrue(info.issuer.contains("Test Document Signer"), info.issuer)
        // No issuing authority given to the wallet: the name is only claimed.
        assertFalse(info.issuerVerified)
        assertEquals(3u, info.copies)
        assertEquals(3u, info.freshCopies)
        assertEquals(CredentialStatus.ACTIVE, info.status)
        val shown = s.wallet.credentialElements(s.credentialId)
        assertTrue(shown.contains(element("birth_date", ElementValue.FullDate("1988-07-12"))))
        s.present("family_name")
        assertEquals(1, storage.ids(RecordCollection.DISCLOSURE_LOG).size)
        assertEquals(1uL, s.wallet.metadata(s.credentialId).usageCount)
        storage.broken = true
        val e = assertThrows<ZhengzhaoException.Storage> { s.addLicence(1u, BatchPolicy.ROTATE) }
        assertTrue(e.reason.contains("disk full"), e.reason)
        storage.broken = false
        // A damaged record is listed apart and hides nothing.
        val damaged = "0".repeat(32)
        storage.records[RecordCollection.CREDENTIALS to damaged] = "not a record".toByteArray()
        val again = s.wallet.credentials()
        assertEquals(listOf(damaged), again.damaged.map { it.id })
        assertEquals(1, again.credentials.size)
        storage.records.remove(RecordCollection.CREDENTIALS to damaged)
        assertTrue(s.wallet.removeCredential(s.credentialId))
        assertFalse(s.wallet.removeCredential(s.credentialId))
        assertTrue(storage.ids(RecordCollection.CREDENTIALS).isEmpty())
        assertFalse(area.has("${s.credentialId}-0"))
    }

    @Test
    fun disclosureLogIsQueriedExportedAndDeleted() {
        val s = Setup()
        val event = s.presentLogged("family_name", "age_over_18").disclosures.single()
        s.present("given_name")
        assertEquals("租车资格核验", event.purpose)
        assertEquals(s.credentialId, event.credentialId)
        assertTrue(event.verifier is VerifierIdentity.Authenticated, "${event.verifier}")
        assertEquals(2, s.wallet.disclosures(LogQuery()).events.size)
        assertTrue(s.wallet.disclosures(LogQuery(docType = "org.example.other")).events.isEmpty())
        assertTrue(s.wallet.disclosures(LogQuery(since = Instant.now().plusSeconds(3600))).events.isEmpty())
        val json = s.wallet.exportDisclosuresJson(LogQuery())
        assertTrue(json.startsWith("[") && json.contains("\"age_over_18\""), json)
        assertFalse(json.contains("张")) // identifiers, never values
        assertEquals(3, s.wallet.exportDisclosuresCsv(LogQuery(credentialId = s.credentialId)).lines().count { it.isNotEmpty() })
        assertTrue(s.wallet.deleteDisclosure(event.id))
        assertEquals(1u, s.wallet.deleteDisclosures(LogQuery()))
        assertTrue(s.wallet.disclosures(LogQuery()).events.isEmpty())
    }

    @Test
    fun oneTimeCopiesRunOut() {
        val s = Setup()
        s.wallet.setStatus(s.credentialId, CredentialStatus.SUSPENDED)
        s.credentialId = s.addLicence(1u, BatchPolicy.ONE_TIME_USE).id
        assertEquals(listOf(s.credentialId), s.presentLogged("family_name").runningLow)
        val e = assertThrows<ZhengzhaoException.NoUnusedCopy> { s.present("family_name") }
        assertEquals(s.credentialId, e.credentialId)
    }

    @Test
    fun fileStoreSurvivesReopening() {
        val dir = java.nio.file.Files.createTempDirectory("zhengzhao-kotlin").resolve("wallet").toString()
        val area = JvmSecureArea()
        val key = generateStoreKey()
        val id = Wallet.open(dir, area, key).use { wallet ->
            val pending = wallet.prepare(1u)
            val s = Setup()
            wallet.add(pending, pending.deviceKeys().map { s.issue(it) }, LICENCE_NAME, BatchPolicy.ROTATE).id
        }
        Wallet.open(dir, area, key).use { reopened ->
            assertEquals(listOf(id), reopened.credentials().credentials.map { it.id })
        }
        assertThrows<ZhengzhaoException.Storage> { Wallet.open(dir, area, generateStoreKey()) }
        File(dir).parentFile.deleteRecursively()
    }

    @Test
    fun proximityExchangeThroughBytes() {
        val area = JvmSecureArea()
        val s = Setup(area)
        val holder = HolderSession(s.wallet, listOf(RetrievalMethod.BlePeripheralServer(ByteArray(16) { 0x42 })))
        val qr = holder.qrCode()
        assertTrue(qr.startsWith("mdoc:"), qr)
        // Only bytes cross between the two objects, as over BLE.
        val reader = ReaderSession.fromQr(qr, s.verifier)
        val establishment: ByteArray = reader.sendRequest(s.documents("family_name", "age_over_18"))
        val documents = holder.handleEstablishment(establishment)
        assertEquals("租车资格核验", documents[0].purpose)
        assertTrue(documents[0].reader is ReaderIdentity.Authenticated)
        val candidate = documents[0].candidates[0]
        val approvals = listOf(Approval(0u, candidate.credential.id, candidate.disclosable.map { ElementId(it.namespace, it.identifier) }))
        val answer = holder.respond(approvals)
        assertEquals(1, area.signatures.get()) // the device signature came from Kotlin
        assertEquals(s.credentialId, answer.disclosures.single().credentialId)
        val outcome = reader.handleResponse(answer.message)
        assertTrue(outcome is ReaderOutcome.Response, "$outcome")
        val verified = (outcome as ReaderOutcome.Response).response
        assertEquals(listOf("age_over_18", "family_name"), verified.documents[0].issuerSigned.map { it.identifier })
        // The holder already answered: a second answer is refused and changes nothing.
        assertThrows<ZhengzhaoException.WrongState> { holder.respond(approvals) }
        assertTrue(holder.handleMessage(reader.terminate()) is HolderEvent.Terminated)
        assertTrue(holder.isEnded() && reader.isEnded())
    }

    /** A holder and a reader in one session over [s], the reader's first request answered by [ids]. */
    private fun openSession(s: Setup, vararg ids: String): Triple<HolderSession, ReaderSession, List<Approval>> {
        val holder = HolderSession(s.wallet, listOf(RetrievalMethod.BlePeripheralServer(ByteArray(16) { 0x42 })))
        val reader = ReaderSession.fromQr(holder.qrCode(), s.verifier)
        val documents = holder.handleEstablishment(reader.sendRequest(s.documents(*ids)))
        val candidate = documents[0].candidates[0]
        val approvals = listOf(Approval(0u, candidate.credential.id, candidate.disclosable.map { ElementId(it.namespace, it.identifier) }))
        return Triple(holder, reader, approvals)
    }

    @Test
    fun sessionAnsweredWithDeviceMacVerifiesAtTheReader() {
        val area = JvmSecureArea()
        val s = Setup(area)
        val (holder, reader, approvals) = openSession(s, "family_name")
        // EMacKey is agreed by the Kotlin key store; nothing is signed.
        val answer = holder.respond(approvals, deviceMac = true)
        assertEquals(0, area.signatures.get())
        val outcome = reader.handleResponse(answer.message)
        assertTrue(outcome is ReaderOutcome.Response, "$outcome")
        val document = (outcome as ReaderOutcome.Response).response.documents[0]
        assertEquals(DeviceAuthMethod.MAC, document.deviceAuth)
        assertEquals(listOf("family_name"), document.issuerSigned.map { it.identifier })
        // Wallet.present: deviceMac for a reader key the host passes; refused if not a point.
        val request = s.wallet.parseRequest(s.request("family_name"), s.transcript)
        val consent = listOf(Approval(0u, s.credentialId, listOf(id("family_name"))))
        assertThrows<ZhengzhaoException.InvalidInput> { s.wallet.present(request, consent, ByteArray(65) { 4 }) }
        val readerKey = JvmSecureArea().createKey("e-reader")
        val maced = s.wallet.present(request, consent, readerKey)
        // Only the holder of the reader's private key can check it: this verifier cannot.
        val e = assertThrows<ZhengzhaoException.VerificationFailed> { s.verifier.verify(maced.response, s.transcript) }
        assertEquals(Check.DEVICE_AUTHENTICATION, e.check)
    }

    @Test
    fun twoPhaseSigningInsideASession() {
        val area = JvmSecureArea()
        val s = Setup(area)
        val (holder, reader, approvals) = openSession(s, "family_name", "age_over_18")
        val prepared = holder.prepareResponse(approvals)
        assertEquals(0, area.signatures.get()) // nothing signed in phase one
        val step = prepared.signingRequests().single()
        assertTrue(step.keyAlias.startsWith(s.credentialId), step.keyAlias)
        // The wallet's own path cannot complete it, nor a wrong count: nothing changes.
        assertThrows<ZhengzhaoException.InvalidInput> { s.wallet.completePresentation(prepared, listOf(ByteArray(64))) }
        assertThrows<ZhengzhaoException.InvalidInput> { holder.completeResponse(prepared, listOf()) }
        // The biometric prompt, then the Kotlin key store signs (DER, as Android Keystore).
        val answer = holder.completeResponse(prepared, listOf(area.sign(step.keyAlias, step.message)))
        assertEquals(s.credentialId, answer.disclosures.single().credentialId)
        val outcome = reader.handleResponse(answer.message)
        assertTrue(outcome is ReaderOutcome.Response, "$outcome")
        val document = (outcome as ReaderOutcome.Response).response.documents[0]
        assertEquals(DeviceAuthMethod.SIGNATURE, document.deviceAuth)
        assertEquals(2, document.issuerSigned.size)
        assertThrows<ZhengzhaoException.WrongState> { holder.completeResponse(prepared, listOf(ByteArray(64))) }
        assertTrue(holder.handleMessage(reader.terminate()) is HolderEvent.Terminated)
    }

    @Test
    fun storageFailureAfterTheSessionKeysEndsItWithAReply() {
        val storage = MapStorage()
        val s = Setup(JvmSecureArea(), storage)
        val holder = HolderSession(s.wallet, listOf())
        val reader = ReaderSession.fromQr(holder.qrCode(), s.verifier)
        val establishment = reader.sendRequest(s.documents("family_name"))
        // Listing the candidates fails after the request was decrypted.
        storage.brokenCollection = RecordCollection.CREDENTIALS
        val e = assertThrows<ZhengzhaoException.Storage> { holder.handleEstablishment(establishment) }
        assertTrue(e.reason.contains("disk unavailable"), e.reason)
        storage.brokenCollection = null
        assertTrue(holder.isEnded())
        val reply = holder.errorReply()
        assertTrue(reply != null, "no status reply")
        assertTrue(reader.handleResponse(reply!!) is ReaderOutcome.Terminated) // status 20
        assertTrue(reader.isEnded())
    }

    @Test
    fun keyAgreementMatchesBetweenKotlinAndRust() {
        val jvm = JvmSecureArea()
        val rust = softwareSecureArea()
        val j = jvm.createKey("j")
        val r = rust.createKey("r")
        assertArrayEquals(jvm.keyAgreement("j", r), rust.keyAgreement("r", j))
    }

    @Test
    fun rustPanicBecomesAnException() {
        assertThrows<InternalException> { testHookPanic("deliberate") }
        // The library is still usable afterwards.
        assertEquals(1, Verifier().addIssuingAuthority(TestPki.generate().iacaCertificate()).toInt())
    }

    /** FFI-overhead timing: a measurement, not a test (it asserts nothing), so JUnit does not
     *  run it; `.ci/bindings.sh` runs it after the suite through [main] and prints the line. */
    fun verifyCallOverhead() {
        val s = Setup()
        val response = s.present("family_name", "birth_date", "driving_privileges")
        val at = Instant.now()
        repeat(1000) { s.verifier.verify(response, s.transcript, at) } // JIT warm-up
        val n = 300
        var line = ""
        // Alternate the Kotlin and the in-process Rust measurement, so both see the same load.
        repeat(3) {
            val samples = LongArray(n) {
                val t0 = System.nanoTime()
                s.verifier.verify(response, s.transcript, at)
                System.nanoTime() - t0
            }
            samples.sort()
            val kotlin = samples[n / 2]
            val rust = testHookRustVerifyMedianNanos(s.verifier, response, s.transcript, at, n.toUInt()).toLong()
            val trivial = LongArray(n) {
                val t0 = System.nanoTime()
                s.pki.readerKeyAlias()
                System.nanoTime() - t0
            }
            trivial.sort()
            line = "kotlin verify median ${kotlin / 1000} us, rust ${rust / 1000} us, " +
                "overhead ${(kotlin - rust) / 1000} us (a call doing nothing: ${"%.1f".format(trivial[n / 2] / 1000.0)} us)"
        }
        println(line)
        System.getenv("ZHENGZHAO_TIMINGS")?.let { File(it).appendText("$line\n") }
    }
}

/** Prints the FFI-overhead timings (run by `.ci/bindings.sh` as a non-test perf step). */
fun main() {
    ZhengzhaoTest().verifyCallOverhead()
}
