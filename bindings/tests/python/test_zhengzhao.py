"""The zhengzhao bindings exercised from Python through the generated code (ctypes).

Run by .ci/bindings.sh with pytest; mirrors bindings/tests/kotlin/ZhengzhaoTest.kt.
"""
import datetime
import json
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
            return self.keys.pop(alias, None) is not None


class DictStorage(zz.CredentialStorage):
    """A CredentialStorage implemented in Python: the core wallet's records in a dict."""

    def __init__(self):
        self.records = {}
        self.lock = threading.Lock()
        self.broken = False
        self.broken_collection = None  # every call on it fails while set

    def _check(self, collection):
        if collection == self.broken_collection:
            raise zz.ZhengzhaoError.Storage(reason="disk unavailable")

    def put(self, collection, id, record):
        if self.broken:
            raise OSError("disk full")
        self._check(collection)
        with self.lock:
            self.records[(collection, id)] = record

    def get(self, collection, id):
        self._check(collection)
        with self.lock:
            return self.records.get((collection, id))

    def delete(self, collection, id):
        self._check(collection)
        with self.lock:
            return self.records.pop((collection, id), None) is not None

    def list(self, collection):
        self._check(collection)
        with self.lock:
            return [i for (c, i) in self.records if c == collection]

    def ids(self, collection):
        return {i for (c, i) in self.records if c == collection}


LICENCE_NAME = zz.DisplayName(zh="机动车驾驶证", en="Driving licence")


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
        if storage is None:
            self.wallet = zz.Wallet.in_memory(self.area)
        else:
            self.wallet = zz.Wallet(self.area, storage)
        self.wallet.add_reader_authority(self.pki.reader_ca_certificate())
        self.transcript = zz.session_transcript(text("python test handover"))
        self.credential_id = self.add_licence(3, zz.BatchPolicy.ROTATE).id

    def add_licence(self, copies, policy):
        """Prepares `copies` device keys, has each signed, adds the batch."""
        pending = self.wallet.prepare(copies)
        credentials = [self.issue(key) for key in pending.device_keys()]
        return self.wallet.add(pending, credentials, LICENCE_NAME, policy)

    def issue(self, device_key):
        """A licence bound to `device_key`."""
        t = now()
        return self.issuer.issue(
            zz.IssuanceRequest(
                doc_type=MDL,
                elements=licence_elements(),
                device_public_key=device_key,
                signed=t,
                valid_from=t,
                valid_until=t + datetime.timedelta(days=365),
                decoys=2,
            )
        )

    @staticmethod
    def documents(*ids):
        return [
            zz.DocumentRequest(
                doc_type=MDL,
                elements=[
                    zz.RequestedElement(namespace=NS, identifier=i, intent_to_retain=False)
                    for i in ids
                ],
                request_info=[zz.MapEntry(key=text("purposeOfUse"), value=text("租车资格核验"))],
            )
        ]

    def request(self, *ids):
        return self.verifier.build_request(self.documents(*ids), self.transcript)

    def present(self, *ids):
        return self.present_logged(*ids).response

    def present_logged(self, *ids):
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
    assert doc.purpose == "租车资格核验"
    assert doc.request_info[0].value == text("租车资格核验")
    assert len(doc.requested) == 4
    assert len(doc.candidates[0].disclosable) == 3  # no portrait held
    # Consent: everything asked except the birth date.
    presented = s.wallet.present(
        request,
        [
            zz.Approval(
                document_index=0,
                credential_id=s.credential_id,
                elements=[eid("family_name"), eid("driving_privileges")],
            )
        ],
    )
    response = presented.response
    assert [e.identifier for e in presented.disclosures[0].elements] == [
        "family_name",
        "driving_privileges",
    ]
    assert area.signatures == 1  # the device signature came from Python
    verified = s.verifier.verify(response, s.transcript)
    v = verified.documents[0]
    assert v.doc_type == MDL
    assert v.device_auth == zz.DeviceAuthMethod.SIGNATURE
    assert v.unchecked == []  # every MSO key of our issuer is one the verifier checks
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
        s.wallet.add(s.wallet.prepare(1), [b"\xa0"], LICENCE_NAME, zz.BatchPolicy.ROTATE)

    later = now() + datetime.timedelta(days=800)
    with pytest.raises(zz.ZhengzhaoError.VerificationFailed) as e:
        s.verifier.verify(response, s.transcript, later)
    assert e.value.check in (zz.Check.ISSUER_CHAIN, zz.Check.VALIDITY)


def test_reader_outside_the_trust_list_is_rejected():
    s = Setup()
    request = s.request("family_name")
    picky = zz.Wallet.in_memory(PySecureArea())
    picky.add_reader_authority(zz.TestPki.generate().reader_ca_certificate())
    with pytest.raises(zz.ZhengzhaoError.ReaderAuthentication):
        picky.parse_request(request, s.transcript)
    trusting_nobody = zz.Wallet.in_memory(PySecureArea())
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
                device_public_key=s.wallet.prepare(1).device_keys()[0],
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


def test_python_storage_holds_the_core_records_and_removal_deletes_the_keys():
    area = PySecureArea()
    storage = DictStorage()
    s = Setup(area, storage)
    assert storage.ids(zz.RecordCollection.CREDENTIALS) == {s.credential_id}
    listed = s.wallet.credentials()
    assert listed.damaged == []
    [info] = listed.credentials
    assert info.display_name == LICENCE_NAME
    assert "Test Document Signer" in info.issuer
    # No issuing authority given to the wallet: the name is only claimed.
    assert not info.issuer_verified
    assert (info.copies, info.fresh_copies, info.status) == (3, 3, zz.CredentialStatus.ACTIVE)
    assert info.valid_until > now()
    shown = s.wallet.credential_elements(s.credential_id)
    assert element("birth_date", zz.ElementValue.FULL_DATE(value="1988-07-12")) in shown
    s.present("family_name")
    assert len(storage.ids(zz.RecordCollection.DISCLOSURE_LOG)) == 1
    assert s.wallet.metadata(s.credential_id).usage_count == 1
    storage.broken = True
    with pytest.raises(zz.ZhengzhaoError.Storage) as e:
        s.add_licence(1, zz.BatchPolicy.ROTATE)
    assert "disk full" in e.value.reason
    storage.broken = False
    # A damaged record is listed apart and hides nothing.
    storage.records[(zz.RecordCollection.CREDENTIALS, "0" * 32)] = b"not a record"
    listed = s.wallet.credentials()
    assert [d.id for d in listed.damaged] == ["0" * 32]
    assert len(listed.credentials) == 1
    del storage.records[(zz.RecordCollection.CREDENTIALS, "0" * 32)]
    assert s.wallet.remove_credential(s.credential_id)
    assert not s.wallet.remove_credential(s.credential_id)
    assert storage.ids(zz.RecordCollection.CREDENTIALS) == set()
    assert not any(alias.startswith(s.credential_id) for alias in area.keys)


def test_disclosure_log_query_export_delete():
    s = Setup()
    shown = s.present_logged("family_name", "age_over_18")
    s.present("given_name")
    [event] = shown.disclosures
    assert event.purpose == "租车资格核验"
    assert event.credential_id == s.credential_id
    assert isinstance(event.verifier, zz.VerifierIdentity.AUTHENTICATED)
    assert len(s.wallet.disclosures(zz.LogQuery()).events) == 2
    assert s.wallet.disclosures(zz.LogQuery(doc_type="org.example.other")).events == []
    later = now() + datetime.timedelta(hours=1)
    assert s.wallet.disclosures(zz.LogQuery(since=later)).events == []
    exported = s.wallet.export_disclosures_json(zz.LogQuery())
    rows = json.loads(exported)
    assert sorted(len(r["elements"]) for r in rows) == [1, 2]
    assert "张" not in exported  # identifiers, never values
    csv = s.wallet.export_disclosures_csv(zz.LogQuery(credential_id=s.credential_id))
    assert len(csv.splitlines()) == 3
    assert s.wallet.delete_disclosure(event.id)
    assert s.wallet.delete_disclosures(zz.LogQuery()) == 1
    assert s.wallet.disclosures(zz.LogQuery()).events == []


def test_one_time_copies_run_out():
    s = Setup()
    s.wallet.set_status(s.credential_id, zz.CredentialStatus.SUSPENDED)
    s.credential_id = s.add_licence(1, zz.BatchPolicy.ONE_TIME_USE).id
    assert s.present_logged("family_name").running_low == [s.credential_id]
    with pytest.raises(zz.ZhengzhaoError.NoUnusedCopy) as e:
        s.present("family_name")
    assert e.value.credential_id == s.credential_id


def test_file_store_survives_reopening(tmp_path):
    area = PySecureArea()
    key = zz.generate_store_key()
    wallet = zz.Wallet.open(str(tmp_path / "wallet"), area, key)
    s = Setup(area)
    s.wallet = wallet
    s.wallet.add_reader_authority(s.pki.reader_ca_certificate())
    s.credential_id = s.add_licence(2, zz.BatchPolicy.ROTATE).id
    s.verifier.verify(s.present("family_name"), s.transcript)
    del s.wallet, wallet
    reopened = zz.Wallet.open(str(tmp_path / "wallet"), area, key)
    assert [c.id for c in reopened.credentials().credentials] == [s.credential_id]
    assert len(reopened.disclosures(zz.LogQuery()).events) == 1
    with pytest.raises(zz.ZhengzhaoError.Storage):
        zz.Wallet.open(str(tmp_path / "wallet"), area, zz.generate_store_key())


def test_proximity_exchange_through_bytes():
    area = PySecureArea()
    s = Setup(area)
    holder = zz.HolderSession(
        s.wallet, [zz.RetrievalMethod.BLE_PERIPHERAL_SERVER(uuid=b"\x42" * 16)]
    )
    qr = holder.qr_code()
    assert qr.startswith("mdoc:")
    # Only bytes cross between the two objects, as over BLE.
    reader = zz.ReaderSession.from_qr(qr, s.verifier)
    establishment = reader.send_request(s.documents("family_name", "age_over_18"))
    assert isinstance(establishment, bytes)
    documents = holder.handle_establishment(establishment)
    assert documents[0].purpose == "租车资格核验"
    candidate = documents[0].candidates[0]
    approvals = [
        zz.Approval(
            document_index=0,
            credential_id=candidate.credential.id,
            elements=[eid(e.identifier) for e in candidate.disclosable],
        )
    ]
    answer = holder.respond(approvals)
    assert area.signatures == 1  # the device signature came from Python
    assert [d.credential_id for d in answer.disclosures] == [s.credential_id]
    outcome = reader.handle_response(answer.message)
    assert isinstance(outcome, zz.ReaderOutcome.RESPONSE)
    issued = [e.identifier for e in outcome.response.documents[0].issuer_signed]
    assert issued == ["age_over_18", "family_name"]
    # The holder already answered: a second answer is refused and changes nothing.
    with pytest.raises(zz.ZhengzhaoError.WrongState):
        holder.respond(approvals)
    # A second request, which the holder declines.
    event = holder.handle_message(reader.send_request(s.documents("given_name")))
    assert isinstance(event, zz.HolderEvent.REQUEST)
    assert isinstance(reader.handle_response(holder.decline()), zz.ReaderOutcome.TERMINATED)
    assert holder.is_ended() and reader.is_ended()
    # A tampered message ends a fresh session with a reply for the peer.
    holder = zz.HolderSession(s.wallet, [])
    reader = zz.ReaderSession.from_qr(holder.qr_code(), s.verifier)
    tampered = bytearray(reader.send_request(s.documents("family_name")))
    tampered[-1] ^= 1
    with pytest.raises(zz.ZhengzhaoError.Session):
        holder.handle_establishment(bytes(tampered))
    assert holder.error_reply() is not None


def test_two_phase_signing_with_a_prompt_between_the_phases():
    area = PySecureArea()
    s = Setup(area)
    request = s.wallet.parse_request(s.request("family_name", "age_over_18"), s.transcript)
    candidate = request.documents()[0].candidates[0]
    approvals = [
        zz.Approval(
            document_index=0,
            credential_id=s.credential_id,
            elements=[eid(e.identifier) for e in candidate.disclosable],
        )
    ]
    prepared = s.wallet.prepare_presentation(request, approvals)
    assert area.signatures == 0  # nothing signed in phase one
    [step] = prepared.signing_requests()
    assert step.key_alias.startswith(s.credential_id)
    prompted = []  # the host's biometric prompt, then the key store signs (DER, as Android)
    prompted.append(step.key_alias)
    signature = area.sign(step.key_alias, step.message)
    shown = s.wallet.complete_presentation(prepared, [signature])
    assert prompted == [step.key_alias] and area.signatures == 1
    assert [d.credential_id for d in shown.disclosures] == [s.credential_id]
    verified = s.verifier.verify(shown.response, s.transcript)
    assert len(verified.documents[0].issuer_signed) == 2
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        s.wallet.complete_presentation(prepared, [signature])  # once only
    # A signature over other bytes is refused as the key store's failure.
    again = s.wallet.prepare_presentation(
        s.wallet.parse_request(s.request("family_name"), s.transcript), approvals
    )
    [step] = again.signing_requests()
    with pytest.raises(zz.ZhengzhaoError.KeyStore):
        s.wallet.complete_presentation(again, [area.sign(step.key_alias, b"other bytes")])


def open_session(s, *ids):
    """A holder and a reader in one session; the approvals answering the first request."""
    holder = zz.HolderSession(
        s.wallet, [zz.RetrievalMethod.BLE_PERIPHERAL_SERVER(uuid=b"\x42" * 16)]
    )
    reader = zz.ReaderSession.from_qr(holder.qr_code(), s.verifier)
    documents = holder.handle_establishment(reader.send_request(s.documents(*ids)))
    candidate = documents[0].candidates[0]
    approvals = [
        zz.Approval(
            document_index=0,
            credential_id=candidate.credential.id,
            elements=[eid(e.identifier) for e in candidate.disclosable],
        )
    ]
    return holder, reader, approvals


def test_session_answered_with_device_mac_verifies_at_the_reader():
    area = PySecureArea()
    s = Setup(area)
    holder, reader, approvals = open_session(s, "family_name")
    answer = holder.respond(approvals, device_mac=True)
    assert area.signatures == 0  # EMacKey agreed by the Python key store, nothing signed
    outcome = reader.handle_response(answer.message)
    assert isinstance(outcome, zz.ReaderOutcome.RESPONSE)
    document = outcome.response.documents[0]
    assert document.device_auth == zz.DeviceAuthMethod.MAC
    assert [e.identifier for e in document.issuer_signed] == ["family_name"]
    # Wallet.present with the reader's ephemeral key the host knows: deviceMac.
    request = s.wallet.parse_request(s.request("family_name"), s.transcript)
    consent = [zz.Approval(document_index=0, credential_id=s.credential_id, elements=[eid("family_name")])]
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        s.wallet.present(request, consent, e_reader_key=b"\x04" * 65)
    e_reader = ec.generate_private_key(ec.SECP256R1())
    shown = s.wallet.present(request, consent, e_reader_key=PySecureArea._sec1(e_reader.public_key()))
    with pytest.raises(zz.ZhengzhaoError.VerificationFailed) as failed:
        s.verifier.verify(shown.response, s.transcript)  # it lacks the reader's private key
    assert failed.value.check == zz.Check.DEVICE_AUTHENTICATION


def test_two_phase_signing_inside_a_session():
    area = PySecureArea()
    s = Setup(area)
    holder, reader, approvals = open_session(s, "family_name", "age_over_18")
    prepared = holder.prepare_response(approvals)
    assert area.signatures == 0
    [step] = prepared.signing_requests()
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        s.wallet.complete_presentation(prepared, [b"\0" * 64])  # prepared for the session
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        holder.complete_response(prepared, [])
    # The biometric prompt, then the Python key store signs outside the library.
    answer = holder.complete_response(prepared, [area.sign(step.key_alias, step.message)])
    assert [d.credential_id for d in answer.disclosures] == [s.credential_id]
    outcome = reader.handle_response(answer.message)
    assert isinstance(outcome, zz.ReaderOutcome.RESPONSE)
    assert outcome.response.documents[0].device_auth == zz.DeviceAuthMethod.SIGNATURE
    assert len(outcome.response.documents[0].issuer_signed) == 2
    with pytest.raises(zz.ZhengzhaoError.WrongState):
        holder.complete_response(prepared, [b"\0" * 64])
    # The next request: a bad signature leaves it pending; prepare again and complete.
    event = holder.handle_message(reader.send_request(s.documents("given_name")))
    assert isinstance(event, zz.HolderEvent.REQUEST)
    again = holder.prepare_response(approvals)
    with pytest.raises(zz.ZhengzhaoError.KeyStore):
        holder.complete_response(again, [area.sign(again.signing_requests()[0].key_alias, b"x")])
    assert not holder.is_ended()
    retry = holder.prepare_response(approvals)
    [step] = retry.signing_requests()
    # The last answer ends the session in the same message (end_session defaults to False).
    answer = holder.complete_response(retry, [area.sign(step.key_alias, step.message)], end_session=True)
    assert holder.is_ended()
    assert isinstance(reader.handle_response(answer.message), zz.ReaderOutcome.FINAL_RESPONSE)


def test_storage_failures_after_the_session_keys_end_it_with_status_20():
    storage = DictStorage()
    s = Setup(PySecureArea(), storage)
    # Listing the candidates fails after the request was decrypted.
    holder = zz.HolderSession(s.wallet, [])
    reader = zz.ReaderSession.from_qr(holder.qr_code(), s.verifier)
    establishment = reader.send_request(s.documents("family_name"))
    storage.broken_collection = zz.RecordCollection.CREDENTIALS
    with pytest.raises(zz.ZhengzhaoError.Storage, match="disk unavailable"):
        holder.handle_establishment(establishment)
    storage.broken_collection = None
    assert holder.is_ended() and holder.error_reply() is not None
    assert isinstance(reader.handle_response(holder.error_reply()), zz.ReaderOutcome.TERMINATED)
    # Recording the disclosure fails after the response was encrypted: it is not handed out.
    holder, reader, approvals = open_session(s, "family_name")
    storage.broken_collection = zz.RecordCollection.DISCLOSURE_LOG
    with pytest.raises(zz.ZhengzhaoError.Storage):
        holder.respond(approvals)
    storage.broken_collection = None
    assert holder.is_ended()
    assert isinstance(reader.handle_response(holder.error_reply()), zz.ReaderOutcome.TERMINATED)
    assert s.wallet.disclosures(zz.LogQuery()).events == []


def test_licence_identifiers_and_predicates():
    cid = zz.parse_citizen_id("11010519491231002X")
    assert (cid.birth_date, cid.sex) == ("1949-12-31", zz.Sex.FEMALE)
    with pytest.raises(zz.ZhengzhaoError.InvalidInput) as e:
        zz.parse_citizen_id("110105194912310021")
    assert "1949" not in e.value.reason  # no values in errors
    assert zz.parse_social_credit_code("91350100M000100Y43").region_code == "350100"
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        zz.parse_licence_identifier("1.2.156.3005.2.x")
    # The purpose of use travels in the request and is shown to the holder.
    s = Setup()
    documents = s.documents("family_name")
    documents[0].request_info = []
    documents[0].purpose = "驾驶资格核验"
    request = s.wallet.parse_request(
        s.verifier.build_request(documents, s.transcript), s.transcript
    )
    assert request.documents()[0].purpose == "驾驶资格核验"
    verified = s.verifier.verify(s.present("family_name"), s.transcript)
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):  # an mDL is no Chinese licence
        verified.documents[0].predicates.age_over(18)


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


def measure_verify_call_overhead():
    """FFI-overhead timing: a measurement, not a test (it asserts nothing), so pytest does not
    collect it; `.ci/bindings.sh` runs this file as a script after the suite to print it."""
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


if __name__ == "__main__":
    measure_verify_call_overhead()
