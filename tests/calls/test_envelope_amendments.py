"""Envelopes of an open (or later) call are part of the published call: only an
administrator changes their amount or action domain, with a justification, never below
what is reserved and committed; the change is audited and shown on the call page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from calls import services
from calls.enums import CallState
from calls.models import EnvelopeAmendment
from programme.states import Refused
from tests import factories
from tests.factories import CallFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return factories.AdminFactory()


def _update(envelope, actor, **kwargs):
    values = {"name_nl": envelope.name_nl, "name_en": envelope.name_en}
    return services.envelope_update(actor=actor, envelope=envelope, **values, **kwargs)


def test_staff_cannot_change_the_amount_of_an_open_call(staff_user):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.OPEN))
    with translation.override("en"), pytest.raises(Refused) as refused:
        _update(envelope, staff_user, amount=Decimal("900000"), justification="Cut")
    assert str(refused.value) == (
        "The envelopes of this call froze when it opened; only an administrator can amend "
        "them, with a justification."
    )
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("1000000")
    assert EnvelopeAmendment.objects.count() == 0


def test_staff_may_still_rename_an_envelope_of_an_open_call(staff_user):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.OPEN))
    services.envelope_update(
        actor=staff_user, envelope=envelope, name_nl="Data", name_en="Data", amount=None
    )
    envelope.refresh_from_db()
    assert (envelope.name_en, envelope.amount) == ("Data", Decimal("1000000"))
    assert EnvelopeAmendment.objects.count() == 0


def test_admin_amendment_needs_a_justification(admin_user):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.OPEN))
    with translation.override("en"), pytest.raises(Refused) as refused:
        _update(envelope, admin_user, amount=Decimal("900000"), justification="  ")
    assert str(refused.value) == "Amending an envelope of an open call needs a justification."


def test_admin_amendment_refused_below_reserved_and_committed_with_figures(admin_user, staff_user):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.CLOSED))
    services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("600000"), reason="ACRO"
    )
    services.envelope_reserve(
        actor=staff_user, envelope=envelope, amount=Decimal("150000.50"), reason="BETA"
    )
    with translation.override("en"), pytest.raises(Refused) as refused:
        _update(envelope, admin_user, amount=Decimal("750000.49"), justification="Cut")
    assert str(refused.value) == (
        f"Refused: envelope “{envelope.name_en}” cannot go down to €\u00a0750,000.49; "
        "€\u00a0750,000.50 of it is already allocated (committed €\u00a0600,000.00, reserved "
        "€\u00a0150,000.50)."
    )
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("1000000")


def test_admin_amendment_with_ledger_keeps_totals_and_records_the_amendment(admin_user, staff_user):
    call = CallFactory(state=CallState.OPEN)
    envelope = EnvelopeFactory(call=call, initial_amount=Decimal("1000000"))
    other = EnvelopeFactory(call=call, initial_amount=Decimal("500000"))
    services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("600000"), reason="ACRO"
    )
    services.envelope_transfer(
        actor=staff_user,
        source=other,
        target=envelope,
        amount=Decimal("100000"),
        decision_reference="SG-1",
        reason="move",
    )
    envelope.refresh_from_db()
    _update(
        envelope,
        admin_user,
        amount=Decimal("800000"),
        justification="Steering group decision SG-2020-04: budget shifted to 2021",
    )
    envelope.refresh_from_db()
    # amount = initial amount ± transfers still holds: the amendment moved the initial one.
    assert (envelope.amount, envelope.initial_amount, envelope.committed) == (
        Decimal("800000"),
        Decimal("700000"),
        Decimal("600000"),
    )
    amendment = EnvelopeAmendment.objects.get()
    assert (
        amendment.call,
        amendment.envelope,
        amendment.actor,
        amendment.amount_before,
        amendment.amount_after,
        amendment.justification,
    ) == (
        call,
        envelope,
        admin_user,
        Decimal("1100000"),
        Decimal("800000"),
        "Steering group decision SG-2020-04: budget shifted to 2021",
    )
    latest = envelope.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        admin_user,
        "Steering group decision SG-2020-04: budget shifted to 2021",
    )


def test_admin_amendment_raise_checked_against_the_year_budget(admin_user):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.OPEN))  # year: 4,500,000
    with translation.override("en"), pytest.raises(Refused) as refused:
        _update(envelope, admin_user, amount=Decimal("4500000.01"), justification="More")
    assert str(refused.value).startswith("Refused: the envelopes of 2019 would total")
    _update(envelope, admin_user, amount=Decimal("4500000"), justification="More")
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("4500000")


def test_action_domain_of_an_open_call_frozen_too(staff_user, admin_user):
    call = CallFactory(state=CallState.OPEN)
    envelope = EnvelopeFactory(call=call)
    domain = factories.ActionDomainFactory(programme=call.programme)
    with pytest.raises(Refused):
        _update(envelope, staff_user, action_domain=domain)
    _update(envelope, admin_user, action_domain=domain, justification="Data only")
    amendment = EnvelopeAmendment.objects.get()
    assert (amendment.action_domain_before, amendment.action_domain_after) == (None, domain)
    assert (amendment.amount_changed, amendment.action_domain_changed) == (False, True)


# --- Pages ------------------------------------------------------------------------------------


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def test_staff_form_disables_amount_of_open_call(client, staff_user, english):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.OPEN))
    client.force_login(staff_user)
    response = client.post(
        reverse("envelope_edit", args=[envelope.pk]),
        {"name_nl": "Nieuw", "name_en": "New", "amount": "1", "action_domain": ""},
    )
    assert response.status_code == 302
    envelope.refresh_from_db()
    assert (envelope.name_en, envelope.amount) == ("New", Decimal("1000000"))


def test_admin_refusal_on_the_form_keeps_what_was_typed(client, admin_user, staff_user, english):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.OPEN))
    services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("600000"), reason="ACRO"
    )
    client.force_login(admin_user)
    data = {
        "name_nl": envelope.name_nl,
        "name_en": envelope.name_en,
        "amount": "500000",
        "action_domain": "",
        "justification": "Budget cut by the minister",
    }
    response = client.post(reverse("envelope_edit", args=[envelope.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Refused: envelope “{envelope.name_en}” cannot go down to €\u00a0500,000.00; "
        "€\u00a0600,000.00 of it is already allocated (committed €\u00a0600,000.00, reserved "
        "€\u00a00.00)."
    ]
    assert ">\nBudget cut by the minister</textarea>" in response.content.decode()


def test_amendment_shown_on_the_public_call_page(client, admin_user, english, settings):
    call = CallFactory(state=CallState.OPEN)
    envelope = EnvelopeFactory(call=call, initial_amount=Decimal("5000000"))
    client.force_login(admin_user)
    response = client.post(
        reverse("envelope_edit", args=[envelope.pk]),
        {
            "name_nl": envelope.name_nl,
            "name_en": envelope.name_en,
            "amount": "4500000",
            "action_domain": "",
            "justification": "Budget year 2020 reduced by the government",
        },
    )
    assert response.status_code == 302
    client.logout()  # the public page, anonymous (logout also drops the cookies)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("call_detail", args=[call.pk])).content.decode()
    assert "Amendments of the budget" in page
    assert "Amount changed from €\u00a05,000,000 to €\u00a04,500,000." in page
    assert "Budget year 2020 reduced by the government" in page
    assert "Amended by" not in page  # the public page names no administrator
