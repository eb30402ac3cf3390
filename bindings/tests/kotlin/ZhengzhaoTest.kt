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

    override fun deleteKey(alias: String) {
        keys.remove(alias)
    }

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
    val records = ConcurrentHashMap<String, ByteArray>()
    @Volatile var broken = false

    override fun save(id: String, record: ByteArray) {
        if (broken) throw IllegalStateException("disk full")
        records[id] = record
    }

    override fun load(id: String): ByteArray? = records[id]

    override fun listIds(): List<String> = records.keys().toList()

    override fun delete(id: String) {
        records.remove(id)
    }
}

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
    val wallet = Wallet(area, storage)
    val transcript = sessionTranscript(text("kotlin test handover"))
    val credentialId: String

    init {
        verifier.addIssuingAuthority(pki.iacaCertificate())
        verifier.setReaderAuthentication(pki.secureArea(), pki.readerKeyAlias(), listOf(pki.readerCertificate()))
        wallet.addReaderAuthority(pki.readerCaCertificate())
        wallet.createDeviceKey("device")
        credentialId = wallet.addCredential(issue("device"), "device").id
    }

    /** A licence bound to the device key under [alias]. */
    fun issue(alias: String): ByteArray {
        val now = Instant.now()
        return issuer.issue(
            IssuanceRequest(
                docType = MDL,
                elements = licenceElements(),
                devicePublicKey = area.publicKey(alias),
                signed = now,
                validFrom = now,
                validUntil = now.plus(Duration.ofDays(365)),
                decoys = 2u,
            ),
        )
    }

    fun request(vararg ids: String): ByteArray = verifier.buildRequest(
        listOf(
            DocumentRequest(
                MDL,
                ids.map { RequestedElement(NS, it, false) },
                listOf(MapEntry(text("purpose"), text("租车资格核验"))),
            ),
        ),
        transcript,
    )

    /** Requests [ids], approves everything requested and held, presents. */
    fun present(vararg ids: String): ByteArray {
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
        assertEquals(text("租车资格核验"), doc.requestInfo[0].value)
        assertEquals(4, doc.requested.size)
        assertEquals(3, doc.candidates[0].disclosable.size) // no portrait held
        // Consent: everything asked except the birth date.
        val response = s.wallet.present(
            request,
            listOf(Approval(0u, s.credentialId, listOf(id("family_name"), id("driving_privileges")))),
        )
        assertEquals(1, area.signatures.get()) // the device signature came from Kotlin
        val verified = s.verifier.verify(response, s.transcript)
        val v = verified.documents[0]
        assertEquals(MDL, v.docType)
        assertEquals(DeviceAuthMethod.SIGNATURE, v.deviceAuth)
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
        assertThrows<ZhengzhaoException.Malformed> { s.wallet.addCredential(byteArrayOf(0xa0.toByte()), "device") }

        val later = Instant.now().plus(Duration.ofDays(800))
        val expired = assertThrows<ZhengzhaoException.VerificationFailed> { s.verifier.verify(response, s.transcript, later) }
        assertTrue(expired.check == Check.ISSUER_CHAIN || expired.check == Check.VALIDITY)
    }

    @Test
    fun readerOutsideTheTrustListIsRejected() {
        val s = Setup()
        val request = s.request("family_name")
        val picky = Wallet(JvmSecureArea(), null)
        picky.addReaderAuthority(TestPki.generate().readerCaCertificate())
        assertThrows<ZhengzhaoException.ReaderAuthentication> { picky.parseRequest(request, s.transcript) }
        val trustingNobody = Wallet(JvmSecureArea(), null)
        assertTrue(trustingNobody.parseRequest(request, s.transcript).documents()[0].reader is ReaderIdentity.Unverified)
    }

    @Test
    fun invalidInputIsReportedAsSuch() {
        val s = Setup()
        val now = Instant.now()
        assertThrows<ZhengzhaoException.InvalidInput> {
            s.issuer.issue(
                IssuanceRequest(MDL, listOf(element("birth_date", ElementValue.FullDate("2021-02-29"))), s.wallet.createDeviceKey("k2"), now, now, now),
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
    fun kotlinStorageHoldsTheCredentialsAndRemovalDeletesTheKey() {
        val area = JvmSecureArea()
        val storage = MapStorage()
        val s = Setup(area, storage)
        assertEquals(setOf(s.credentialId), storage.records.keys)
        val listed = s.wallet.credentials()
        assertEquals(1, listed.size)
        assertEquals("device", listed[0].keyAlias)
        assertTrue(listed[0].issuer!!.contains("Test Document Signer"))
        val shown = s.wallet.credentialElements(s.credentialId)
        assertTrue(shown.contains(element("birth_date", ElementValue.FullDate("1988-07-12"))))
        storage.broken = true
        val e = assertThrows<ZhengzhaoException.Storage> { s.wallet.addCredential(s.issue("device"), "device") }
        assertTrue(e.reason.contains("disk full"), e.reason)
        storage.broken = false
        assertTrue(s.wallet.removeCredential(s.credentialId))
        assertFalse(s.wallet.removeCredential(s.credentialId))
        assertTrue(storage.records.isEmpty())
        assertFalse(area.has("device"))
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

    @Test
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
