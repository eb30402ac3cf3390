"""The zhengzhao bindings exercised from Python through the generated code (ctypes).

Run by .ci/bindings.sh with pytest; mirrors bindings/tests/kotlin/ZhengzhaoTest.kt.
"""
import datetime
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import zhengzhao as zz

MDL = "org.iso.18013.5.1.mDL"
NS = "org.iso.18013.5.1"


def text(s):
    return zz.ElementValue.TEXT(value=s)


def element(identifier, value):
    return zz.Element(namespace=NS, identifier=identifier, value=value)


def eid(identifier):
    return zz.ElementId(namespace=NS, identifier=identifier)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class PySecureArea(zz.SecureArea):
    """A SecureArea implemented in Python with `cryptography`; returns DER signatures."""

    def __init__(self):
        self.keys = {}
        self.lock = threading.Lock()
        self.signatures = 0
        self.running = 0
        self.most_at_once = 0
        self.threads = set()
        self.fail_with = None
        self.sign_delay = 0.0

    def _key(self, alias):
        with self.lock:
            key = self.keys.get(alias)
        if key is None:
            raise zz.ZhengzhaoError.KeyStore(reason=f"no key {alias}")
        return key

    @staticmethod
    def _sec1(public_key):
        return public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def create_key(self, alias):
        key = ec.generate_private_key(ec.SECP256R1())
        with self.lock:
            if alias in self.keys:
                raise zz.ZhengzhaoError.KeyStore(reason="alias in use")
            self.keys[alias] = key
        return self._sec1(key.public_key())

    def public_key(self, alias):
        return self._sec1(self._key(alias).public_key())

    def sign(self, alias, message):
        with self.lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.threads.add(threading.get_ident())
        try:
            if self.sign_delay:
                time.sleep(self.sign_delay)
            if self.fail_with is not None:
                raise self.fail_with
            signature = self._key(alias).sign(message, ec.ECDSA(hashes.SHA256()))
            with self.lock:
                self.signatures += 1
            return signature  # DER ECDSA-Sig-Value
        finally:
            with self.lock:
                self.running -= 1

    def key_agreement(self, alias, peer_public_key):
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), peer_public_key)
        return self._key(alias).exchange(ec.ECDH(), peer)

    def delete_key(self, alias):
        with self.lock:
            self.keys.pop(alias, None)


class DictStorage(zz.CredentialStorage):
    """A CredentialStorage implemented in Python."""

    def __init__(self):
        self.records = {}
        self.broken = False

    def save(self, id, record):
        if self.broken:
            raise OSError("disk full")
        self.records[id] = record

    def load(self, id):
        return self.records.get(id)

    def list_ids(self):
        return list(self.records)

    def delete(self, id):
        self.records.pop(id, None)


def licence_elements():
    return [
        element("family_name", text("张")),
        element("given_name", text("伟")),
        element("birth_date", zz.ElementValue.FULL_DATE(value="1988-07-12")),
        element("age_over_18", zz.ElementValue.BOOL(value=True)),
        element("document_number", text("110105198807120011")),
        element(
            "driving_privileges",
            zz.ElementValue.ARRAY(
                items=[
                    zz.ElementValue.MAP(
                        entries=[zz.MapEntry(key=text("vehicle_category_code"), value=text("C1"))]
                    )
                ]
            ),
        ),
    ]


class Setup:
    """An issuer, a verifier trusting it and signing its requests, and a wallet over `area`."""

    def __init__(self, area=None, storage=None):
        self.area = area if area is not None else PySecureArea()
        self.pki = zz.TestPki.generate()
        self.issuer = zz.Issuer.from_test_pki(self.pki)
        self.verifier = zz.Verifier()
        self.verifier.add_issuing_authority(self.pki.iaca_certificate())
        self.verifier.set_reader_authentication(
            self.pki.secure_area(), self.pki.reader_key_alias(), [self.pki.reader_certificate()]
        )
        self.wallet = zz.Wallet(self.area, storage)
        self.wallet.add_reader_authority(self.pki.reader_ca_certificate())
        self.transcript = zz.session_transcript(text("python test handover"))
        self.wallet.create_device_key("device")
        self.credential_id = self.wallet.add_credential(self.issue("device"), "device").id

    def issue(self, alias):
        """A licence bound to the device key under `alias`."""
        t = now()
        return self.issuer.issue(
            zz.IssuanceRequest(
                doc_type=MDL,
                elements=licence_elements(),
                device_public_key=self.area.public_key(alias),
                signed=t,
                valid_from=t,
                valid_until=t + datetime.timedelta(days=365),
                decoys=2,
            )
        )

    def request(self, *ids):
        return self.verifier.build_request(
            [
                zz.DocumentRequest(
                    doc_type=MDL,
                    elements=[
                        zz.RequestedElement(namespace=NS, identifier=i, intent_to_retain=False)
                        for i in ids
                    ],
                    request_info=[zz.MapEntry(key=text("purpose"), value=text("租车资格核验"))],
                )
            ],
            self.transcript,
        )

    def present(self, *ids):
        request = self.wallet.parse_request(self.request(*ids), self.transcript)
        doc = request.documents()[0]
        approved = [
            zz.ElementId(namespace=e.namespace, identifier=e.identifier)
            for e in doc.candidates[0].disclosable
        ]
        return self.wallet.present(
            request,
            [zz.Approval(document_index=0, credential_id=self.credential_id, elements=approved)],
        )


def test_whole_flow_with_a_python_key_store():
    area = PySecureArea()
    s = Setup(area)
    request = s.wallet.parse_request(
        s.request("family_name", "birth_date", "driving_privileges", "portrait"), s.transcript
    )
    doc = request.documents()[0]
    assert isinstance(doc.reader, zz.ReaderIdentity.AUTHENTICATED)
    assert "Test Reader" in doc.reader.subject
    assert doc.request_info[0].value == text("租车资格核验")
    assert len(doc.requested) == 4
    assert len(doc.candidates[0].disclosable) == 3  # no portrait held
    # Consent: everything asked except the birth date.
    response = s.wallet.present(
        request,
        [
            zz.Approval(
                document_index=0,
                credential_id=s.credential_id,
                elements=[eid("family_name"), eid("driving_privileges")],
            )
        ],
    )
    assert area.signatures == 1  # the device signature came from Python
    verified = s.verifier.verify(response, s.transcript)
    v = verified.documents[0]
    assert v.doc_type == MDL
    assert v.device_auth == zz.DeviceAuthMethod.SIGNATURE
    # Only what was approved, ordered by namespace and identifier.
    assert [e.identifier for e in v.issuer_signed] == ["driving_privileges", "family_name"]
    assert v.issuer_signed[1].value == text("张")
    assert v.issuer_signed[0].value.items[0] == zz.ElementValue.MAP(
        entries=[zz.MapEntry(key=text("vehicle_category_code"), value=text("C1"))]
    )
    assert any(c.check == zz.Check.DEVICE_AUTHENTICATION for c in verified.checks)
    assert v.valid_until > now()


def test_tampered_response_raises_verification_failed():
    s = Setup()
    response = bytearray(s.present("family_name"))
    zhang = "张".encode()
    at = response.index(zhang)
    response[at : at + len(zhang)] = "李".encode()
    with pytest.raises(zz.ZhengzhaoError.VerificationFailed) as e:
        s.verifier.verify(bytes(response), s.transcript)
    assert e.value.check == zz.Check.DIGESTS
    assert e.value.document == 0


def test_other_failures_map_to_their_variants():
    s = Setup()
    response = s.present("family_name")
    with pytest.raises(zz.ZhengzhaoError.VerificationFailed) as e:
        s.verifier.verify(response, zz.session_transcript(text("another session")))
    assert e.value.check == zz.Check.DEVICE_AUTHENTICATION

    # A verifier that trusts another authority (here: one named differently).
    stranger = zz.Verifier()
    stranger.add_issuing_authority(s.pki.reader_ca_certificate())
    with pytest.raises(zz.ZhengzhaoError.Untrusted):
        stranger.verify(response, s.transcript)
    # An authority of the same name with another key is no unknown issuer but a forgery.
    impostor = zz.Verifier()
    impostor.add_issuing_authority(zz.TestPki.generate().iaca_certificate())
    with pytest.raises(zz.ZhengzhaoError.VerificationFailed) as e:
        impostor.verify(response, s.transcript)
    assert e.value.check == zz.Check.ISSUER_CHAIN

    with pytest.raises(zz.ZhengzhaoError.Malformed):
        s.verifier.verify(b"\x01\x02\x03", s.transcript)
    with pytest.raises(zz.ZhengzhaoError.Malformed):
        s.wallet.add_credential(b"\xa0", "device")

    later = now() + datetime.timedelta(days=800)
    with pytest.raises(zz.ZhengzhaoError.VerificationFailed) as e:
        s.verifier.verify(response, s.transcript, later)
    assert e.value.check in (zz.Check.ISSUER_CHAIN, zz.Check.VALIDITY)


def test_reader_outside_the_trust_list_is_rejected():
    s = Setup()
    request = s.request("family_name")
    picky = zz.Wallet(PySecureArea(), None)
    picky.add_reader_authority(zz.TestPki.generate().reader_ca_certificate())
    with pytest.raises(zz.ZhengzhaoError.ReaderAuthentication):
        picky.parse_request(request, s.transcript)
    trusting_nobody = zz.Wallet(PySecureArea(), None)
    reader = trusting_nobody.parse_request(request, s.transcript).documents()[0].reader
    assert isinstance(reader, zz.ReaderIdentity.UNVERIFIED)


def test_invalid_input_is_reported_as_such():
    s = Setup()
    t = now()
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        s.issuer.issue(
            zz.IssuanceRequest(
                doc_type=MDL,
                elements=[element("birth_date", zz.ElementValue.FULL_DATE(value="2021-02-29"))],
                device_public_key=s.wallet.create_device_key("k2"),
                signed=t,
                valid_from=t,
                valid_until=t,
            )
        )
    request = s.wallet.parse_request(s.request("family_name"), s.transcript)
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        s.wallet.present(
            request,
            [zz.Approval(document_index=7, credential_id=s.credential_id, elements=[])],
        )
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        s.wallet.present(request, [])


def test_failing_key_store_callback_becomes_key_store_error():
    area = PySecureArea()
    s = Setup(area)
    area.fail_with = zz.ZhengzhaoError.KeyStore(reason="user cancelled")
    with pytest.raises(zz.ZhengzhaoError.KeyStore) as e:
        s.present("family_name")
    assert e.value.reason == "user cancelled"
    area.fail_with = RuntimeError("keystore unavailable")
    with pytest.raises(zz.ZhengzhaoError.KeyStore) as e:
        s.present("family_name")
    assert "keystore unavailable" in e.value.reason
    area.fail_with = None
    s.verifier.verify(s.present("family_name"), s.transcript)


def test_concurrent_presentations_call_the_key_store_from_many_threads():
    area = PySecureArea()
    area.sign_delay = 0.02
    s = Setup(area)
    start = threading.Barrier(6)

    def one(_):
        start.wait()
        return s.verifier.verify(s.present("family_name", "age_over_18"), s.transcript)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(one, range(6), timeout=60))
    assert all(len(r.documents[0].issuer_signed) == 2 for r in results)
    assert area.most_at_once > 1, "signatures never overlapped"
    assert len(area.threads) > 1


def test_python_storage_holds_the_credentials_and_removal_deletes_the_key():
    area = PySecureArea()
    storage = DictStorage()
    s = Setup(area, storage)
    assert set(storage.records) == {s.credential_id}
    listed = s.wallet.credentials()
    assert len(listed) == 1
    assert listed[0].key_alias == "device"
    assert "Test Document Signer" in listed[0].issuer
    shown = s.wallet.credential_elements(s.credential_id)
    assert element("birth_date", zz.ElementValue.FULL_DATE(value="1988-07-12")) in shown
    storage.broken = True
    with pytest.raises(zz.ZhengzhaoError.Storage) as e:
        s.wallet.add_credential(s.issue("device"), "device")
    assert "disk full" in e.value.reason
    storage.broken = False
    assert s.wallet.remove_credential(s.credential_id)
    assert not s.wallet.remove_credential(s.credential_id)
    assert storage.records == {}
    assert "device" not in area.keys


def test_key_agreement_matches_between_python_and_rust():
    py = PySecureArea()
    rust = zz.software_secure_area()
    p = py.create_key("p")
    r = rust.create_key("r")
    assert py.key_agreement("p", r) == rust.key_agreement("r", p)


def test_rust_panic_becomes_an_exception():
    with pytest.raises(zz.InternalError):
        zz.test_hook_panic("deliberate")
    # The library is still usable afterwards.
    assert zz.Verifier().add_issuing_authority(zz.TestPki.generate().iaca_certificate()) == 1


def test_verify_call_overhead():
    s = Setup()
    response = s.present("family_name", "birth_date", "driving_privileges")
    at = now()
    for _ in range(100):
        s.verifier.verify(response, s.transcript, at)
    n = 300
    line = ""
    # Alternate the Python and the in-process Rust measurement, so both see the same load.
    for _ in range(3):
        samples = []
        for _ in range(n):
            t0 = time.perf_counter_ns()
            s.verifier.verify(response, s.transcript, at)
            samples.append(time.perf_counter_ns() - t0)
        samples.sort()
        python = samples[n // 2]
        rust = zz.test_hook_rust_verify_median_nanos(s.verifier, response, s.transcript, at, n)
        trivial = []
        for _ in range(n):
            t0 = time.perf_counter_ns()
            s.pki.reader_key_alias()
            trivial.append(time.perf_counter_ns() - t0)
        trivial.sort()
        line = (
            f"python verify median {python // 1000} us, rust {rust // 1000} us, "
            f"overhead {(python - rust) // 1000} us "
            f"(a call doing nothing: {trivial[n // 2] / 1000:.1f} us)"
        )
    print(line)
    path = os.environ.get("ZHENGZHAO_TIMINGS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
