"""Licence status from Python: a credential naming a status list, a resolver written in
Python serving the Status List Token, and each outcome. Mirrors bindings/tests/kotlin/StatusTest.kt.
"""
import datetime
import threading

import pytest

import zhengzhao as zz
from test_zhengzhao import LICENCE_NAME, MDL, Setup, licence_elements, now

STATUS_URI = "https://dl.example.cn/status/7"


class PyResolver(zz.StatusResolver):
    """Serves `token`, or raises as an offline phone would."""

    def __init__(self):
        self.token = None
        self.calls = []
        self.lock = threading.Lock()

    def resolve(self, uri):
        with self.lock:
            self.calls.append(uri)
        if self.token is None:
            raise OSError("offline: no network")
        return self.token


class StatusSetup:
    """`Setup` plus a 2-bit status list, one licence naming an entry of it, and a resolver."""

    def __init__(self):
        self.s = Setup()
        self.publisher = zz.StatusListPublisher(STATUS_URI, 2, 4096)
        self.index = self.publisher.allocate()
        self.resolver = PyResolver()
        pending = self.s.wallet.prepare(1)
        t = now()
        credential = self.s.issuer.issue(
            zz.IssuanceRequest(
                doc_type=MDL,
                elements=licence_elements(),
                device_public_key=pending.device_keys()[0],
                signed=t,
                valid_from=t,
                valid_until=t + datetime.timedelta(days=365),
                cn_status_list=zz.StatusListReference(uri=STATUS_URI, index=self.index),
            )
        )
        self.s.credential_id = self.s.wallet.add(
            pending, [credential], LICENCE_NAME, zz.BatchPolicy.ROTATE
        ).id
        self.publish()

    def publish(self):
        """Signs the list as it is now (the test PKI's status signer) and serves it."""
        pki = self.s.pki
        self.resolver.token = self.publisher.sign(
            pki.secure_area(), pki.status_signer_key_alias(), [pki.status_signer_certificate()]
        )

    def verify(self, accept_undetermined=False):
        checker = zz.StatusChecker(self.resolver, accept_undetermined=accept_undetermined)
        return self.s.verifier.verify(
            self.s.present("family_name"), self.s.transcript, status=checker
        )


def test_a_listed_valid_licence_verifies_with_status_valid():
    st = StatusSetup()
    verified = st.verify()
    assert verified.documents[0].status == zz.StatusOutcome.VALID()
    assert any(c.check == zz.Check.STATUS for c in verified.checks)
    assert st.resolver.calls == [STATUS_URI]
    unchecked = st.s.verifier.verify(st.s.present("family_name"), st.s.transcript)
    assert unchecked.documents[0].status == zz.StatusOutcome.NOT_CHECKED()
    assert unchecked.documents[0].unchecked == ["status"]


def test_revoked_and_suspended_are_typed_errors():
    st = StatusSetup()
    st.publisher.set(st.index, zz.ListStatus.INVALID())
    st.publish()
    with pytest.raises(zz.ZhengzhaoError.Revoked) as e:
        st.verify()
    assert e.value.document == 0
    st.publisher.set(st.index, zz.ListStatus.SUSPENDED())
    assert st.publisher.status(st.index) == zz.ListStatus.SUSPENDED()
    st.publish()
    # Accepting undetermined statuses never accepts a definite one.
    with pytest.raises(zz.ZhengzhaoError.Suspended):
        st.verify(accept_undetermined=True)
    st.publisher.set(st.index, zz.ListStatus.APPLICATION_SPECIFIC(value=3))
    st.publish()
    with pytest.raises(zz.ZhengzhaoError.StatusApplicationSpecific) as e:
        st.verify()
    assert e.value.value == 3


def test_a_raising_resolver_is_undetermined_and_accepted_only_when_asked():
    st = StatusSetup()
    st.resolver.token = None
    with pytest.raises(zz.ZhengzhaoError.StatusUndetermined) as e:
        st.verify()
    assert "offline: no network" in e.value.reason
    verified = st.verify(accept_undetermined=True)
    status = verified.documents[0].status
    assert isinstance(status, zz.StatusOutcome.UNDETERMINED)
    assert "offline: no network" in status.reason


def test_a_reader_session_checks_status_too():
    st = StatusSetup()
    st.publisher.set(st.index, zz.ListStatus.SUSPENDED())
    st.publish()
    holder = zz.HolderSession(st.s.wallet, [zz.RetrievalMethod.BLE_PERIPHERAL_SERVER(uuid=bytes([0x42] * 16))])
    reader = zz.ReaderSession.from_qr(holder.qr_code(), st.s.verifier)
    holder.handle_establishment(reader.send_request(st.s.documents("family_name")))
    approval = zz.Approval(
        document_index=0,
        credential_id=st.s.credential_id,
        elements=[zz.ElementId(namespace="org.iso.18013.5.1", identifier="family_name")],
    )
    answer = holder.respond([approval], device_mac=True)
    with pytest.raises(zz.ZhengzhaoError.Suspended) as e:
        reader.handle_response(answer.message, status=zz.StatusChecker(st.resolver))
    assert e.value.document == 0
    assert reader.is_ended()


def present_status_licence(st, present_inactive=None):
    """Presents family_name from the status licence (the flag left at its default if None)."""
    extra = {} if present_inactive is None else {"present_inactive": present_inactive}
    approval = zz.Approval(
        document_index=0,
        credential_id=st.s.credential_id,
        elements=[zz.ElementId(namespace="org.iso.18013.5.1", identifier="family_name")],
        **extra,
    )
    request = st.s.wallet.parse_request(st.s.request("family_name"), st.s.transcript)
    return st.s.wallet.present(request, [approval])


def test_the_wallet_refreshes_status_and_colours_the_licence():
    st = StatusSetup()
    wallet, cid = st.s.wallet, st.s.credential_id
    wallet.add_issuing_authority(st.s.pki.iaca_certificate())
    before = wallet.metadata(cid)
    assert before.status_check is None
    assert before.qr_colour == zz.QrColour.GREEN

    valid = wallet.refresh_status(cid, zz.StatusChecker(st.resolver))
    assert valid.status_check.outcome == zz.CheckedStatus.VALID()
    assert (valid.status, valid.qr_colour) == (zz.CredentialStatus.ACTIVE, zz.QrColour.GREEN)

    st.publisher.set(st.index, zz.ListStatus.SUSPENDED())
    st.publish()
    suspended = wallet.refresh_status(cid, zz.StatusChecker(st.resolver))
    assert suspended.status_check.outcome == zz.CheckedStatus.SUSPENDED()
    assert (suspended.status, suspended.qr_colour) == (zz.CredentialStatus.SUSPENDED, zz.QrColour.RED)
    assert wallet.metadata(cid).status_check == suspended.status_check
    with pytest.raises(zz.ZhengzhaoError.InvalidInput):
        present_status_licence(st)
    presented = present_status_licence(st, present_inactive=True)
    assert presented.disclosures[0].credential_id == cid


def test_a_raising_resolver_turns_the_licence_grey_and_leaves_its_status():
    st = StatusSetup()
    st.s.wallet.add_issuing_authority(st.s.pki.iaca_certificate())
    st.resolver.token = None
    at = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)
    grey = st.s.wallet.refresh_status(st.s.credential_id, zz.StatusChecker(st.resolver), at=at)
    outcome = grey.status_check.outcome
    assert isinstance(outcome, zz.CheckedStatus.UNDETERMINED)
    assert "offline: no network" in outcome.reason
    assert grey.status == zz.CredentialStatus.ACTIVE
    assert grey.status_check.at == at
    results = st.s.wallet.refresh_all_status(zz.StatusChecker(st.resolver))
    assert len(results) == 2
    assert all(isinstance(r, zz.StatusRefresh.REFRESHED) for r in results)
    mine = [r.credential for r in results if r.credential.id == st.s.credential_id]
    assert [(c.status, c.qr_colour) for c in mine] == [(zz.CredentialStatus.ACTIVE, zz.QrColour.GREY)]
