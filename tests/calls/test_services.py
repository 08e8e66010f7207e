"""Writes of the calls app against real PostgreSQL: lifecycle, parameter freeze, budget
envelopes and their ledger, registrations and deadline reminders."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from calls import services
from calls.enums import CallState, LedgerEntryKind, ReminderKind
from calls.models import (
    Call,
    CallParameters,
    Envelope,
    LedgerEntry,
    ParameterAmendment,
    ReminderSent,
)
from programme.states import Refused
from tests import factories
from tests.factories import CallFactory, CallRegistrationFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


def open_call(**kwargs) -> Call:
    call = CallFactory(state=CallState.DRAFT, **kwargs)
    EnvelopeFactory(call=call)
    services.call_transition(actor=factories.StaffFactory(), call=call, to_state=CallState.OPEN)
    return call


# --- Calls and lifecycle ----------------------------------------------------------------------


def test_call_create_gives_default_parameters_and_vlaio_criteria(staff_user):
    year = factories.BudgetLineFactory().programme_year
    now = timezone.now()
    call = services.call_create(
        actor=staff_user,
        programme_year=year,
        title_nl="Oproep 2019",
        title_en="Call 2019",
        opens_at=now,
        deadline=now + timedelta(days=60),
    )
    assert call.programme == year.programme
    assert call.state == CallState.DRAFT
    assert call.parameters.min_companies == 3
    assert call.parameters.max_company_share == Decimal("70")
    assert call.parameters.max_aid_per_company == Decimal("3000000")
    assert call.parameters.preselection_factor == Decimal("3")
    assert [c.name_en for c in call.criteria.all()] == [
        "Innovation and scientific quality",
        "Valorisation and economic impact",
        "Quality of implementation and consortium",
        "Fit with the cluster roadmap",
    ]
    assert call.history.first().history_user == staff_user


def test_call_transition_open_freezes_parameters_and_audits(
    staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = CallFactory(state=CallState.DRAFT)
    EnvelopeFactory(call=call)
    with django_capture_on_commit_callbacks(execute=True):
        services.call_transition(
            actor=staff_user, call=call, to_state=CallState.OPEN, reason="approved by SG"
        )
    call.refresh_from_db()
    assert call.state == CallState.OPEN
    assert call.parameters_frozen_at is not None
    record = call.history.first()
    assert (record.history_user, record.history_change_reason) == (
        staff_user,
        "draft → open: approved by SG",
    )
    assert [m.to for m in mailoutbox] == [[staff_user.email]]


def test_call_transition_refused_changes_nothing_and_says_why(
    staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    call = CallFactory(state=CallState.DRAFT)  # no envelope
    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Refused) as refused,
    ):
        services.call_transition(actor=staff_user, call=call, to_state=CallState.OPEN)
    assert str(refused.value) == "The call needs a budget envelope with money before it opens."
    call.refresh_from_db()
    assert (call.state, call.parameters_frozen_at, mailoutbox) == (CallState.DRAFT, None, [])


def test_call_transition_full_lifecycle_to_archived(staff_user):
    call = open_call(deadline=timezone.now() + timedelta(days=1))
    with time_machine.travel(call.deadline + timedelta(minutes=1)):
        for state in (
            CallState.CLOSED,
            CallState.IN_EVALUATION,
            CallState.DECIDED,
            CallState.ARCHIVED,
        ):
            services.call_transition(actor=staff_user, call=call, to_state=state)
    call.refresh_from_db()
    assert call.state == CallState.ARCHIVED


def test_call_transition_close_early_needs_reason(staff_user):
    call = open_call()
    with pytest.raises(Refused):
        services.call_transition(actor=staff_user, call=call, to_state=CallState.CLOSED)
    services.call_transition(
        actor=staff_user, call=call, to_state=CallState.CLOSED, reason="withdrawn by SG"
    )
    call.refresh_from_db()
    assert call.state == CallState.CLOSED


def test_calls_close_at_deadline_closes_only_past_deadline_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    due = open_call(deadline=timezone.now() + timedelta(hours=2))
    later = open_call(deadline=timezone.now() + timedelta(days=5))
    registration = CallRegistrationFactory(call=due)
    mailoutbox.clear()
    with time_machine.travel(due.deadline + timedelta(seconds=5)):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.calls_close_at_deadline() == [due.pk]
            assert services.calls_close_at_deadline() == []
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, later.state) == (CallState.CLOSED, CallState.OPEN)
    assert due.history.first().history_change_reason == "open → closed: deadline passed"
    assert registration.user.email in [m.to[0] for m in mailoutbox]


def test_deadline_enforced_at_write_when_beat_stopped(applicant):
    call = open_call(deadline=timezone.now() + timedelta(hours=1))
    with time_machine.travel(call.deadline + timedelta(minutes=1)):
        call.refresh_from_db()
        assert call.state == CallState.OPEN  # no beat ran
        with pytest.raises(Refused):
            services.call_register(actor=applicant, call=call)


# --- Parameter freeze -------------------------------------------------------------------------


def test_parameters_editable_in_draft(staff_user):
    call = CallFactory(state=CallState.DRAFT)
    services.call_parameters_update(actor=staff_user, call=call, min_companies=4)
    assert CallParameters.objects.get(call=call).min_companies == 4


def test_parameters_edit_refused_after_opening_with_reason(staff_user):
    call = open_call()
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.call_parameters_update(actor=staff_user, call=call, min_companies=4)
    assert str(refused.value).startswith("The parameters of this call froze when it opened (")
    assert CallParameters.objects.get(call=call).min_companies == 3


def test_parameters_admin_amendment_needs_and_records_justification():
    admin = factories.AdminFactory()
    call = open_call()
    with pytest.raises(Refused):
        services.call_parameters_update(actor=admin, call=call, min_companies=4)
    services.call_parameters_update(
        actor=admin, call=call, min_companies=4, justification="Steering group decision 2019/07"
    )
    assert CallParameters.objects.get(call=call).min_companies == 4
    amendment = ParameterAmendment.objects.get(call=call)
    assert (amendment.actor, amendment.justification, amendment.changes) == (
        admin,
        "Steering group decision 2019/07",
        {"min_companies": ["3", "4"]},
    )


def test_call_update_deadline_frozen_but_title_editable(staff_user):
    call = open_call()
    services.call_update(actor=staff_user, call=call, title_en="Fixed typo")
    with pytest.raises(Refused):
        services.call_update(
            actor=staff_user, call=call, deadline=call.deadline + timedelta(days=1)
        )
    call.refresh_from_db()
    assert call.title_en == "Fixed typo"


def test_criterion_save_frozen_after_opening(staff_user):
    call = open_call()
    criterion = call.criteria.first()
    with pytest.raises(Refused):
        services.criterion_save(
            actor=staff_user, call=call, criterion=criterion, threshold=Decimal("4")
        )


# --- Envelopes ----------------------------------------------------------------------------------


def test_envelopes_of_a_year_never_exceed_the_project_budget(staff_user):
    call = CallFactory()  # its year has a project budget of 4,500,000
    other_call = CallFactory(programme_year=call.programme_year, programme=call.programme)
    services.envelope_create(
        actor=staff_user, call=call, name_nl="Data", name_en="Data", amount=Decimal("3000000")
    )
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.envelope_create(
            actor=staff_user,
            call=other_call,
            name_nl="Tech",
            name_en="Tech",
            amount=Decimal("1500000.01"),
        )
    assert str(refused.value) == (
        "Refused: the envelopes of 2019 would total €\u00a04,500,000.01, more than the project "
        "budget of €\u00a04,500,000.00 (€\u00a01,500,000.00 still free)."
    )
    services.envelope_create(
        actor=staff_user,
        call=other_call,
        name_nl="Tech",
        name_en="Tech",
        amount=Decimal("1500000"),
    )
    assert Envelope.objects.filter(call__programme_year=call.programme_year).count() == 2


def test_envelope_update_amount_only_while_ledger_empty(staff_user):
    call = CallFactory(state=CallState.DRAFT)  # open calls: tests/calls/test_envelope_amendments
    envelope = services.envelope_create(
        actor=staff_user, call=call, name_nl="A", name_en="A", amount=Decimal("1000")
    )
    services.envelope_update(
        actor=staff_user, envelope=envelope, name_nl="A", name_en="A", amount=Decimal("2000")
    )
    assert (envelope.amount, envelope.initial_amount) == (Decimal("2000"), Decimal("2000"))
    services.envelope_commit(actor=staff_user, envelope=envelope, amount=Decimal("10"), reason="x")
    with pytest.raises(Refused):
        services.envelope_update(
            actor=staff_user, envelope=envelope, name_nl="A", name_en="A", amount=Decimal("3000")
        )


def test_envelope_commit_and_release_keep_ledger_and_totals(staff_user):
    envelope = EnvelopeFactory(initial_amount=Decimal("1000000"))
    services.envelope_reserve(
        actor=staff_user,
        envelope=envelope,
        amount=Decimal("200000"),
        reason="ranked",
        reference="R-1",
    )
    services.envelope_commit(
        actor=staff_user,
        envelope=envelope,
        amount=Decimal("200000"),
        reason="decided",
        reference="R-1",
        from_reservation=True,
    )
    services.envelope_commit(
        actor=staff_user,
        envelope=envelope,
        amount=Decimal("700000"),
        reason="decided",
        reference="R-2",
    )
    services.envelope_release(
        actor=staff_user,
        envelope=envelope,
        amount=Decimal("50000"),
        reason="declined",
        reference="R-2",
    )
    envelope.refresh_from_db()
    assert (envelope.committed, envelope.reserved, envelope.available) == (
        Decimal("850000"),
        Decimal("0"),
        Decimal("150000"),
    )
    assert list(envelope.ledger.values_list("kind", "amount", "reference")) == [
        (LedgerEntryKind.RESERVE, Decimal("200000"), "R-1"),
        (LedgerEntryKind.COMMIT, Decimal("200000"), "R-1"),
        (LedgerEntryKind.COMMIT, Decimal("700000"), "R-2"),
        (LedgerEntryKind.RELEASE, Decimal("50000"), "R-2"),
    ]
    assert envelope.ledger.first().created_by == staff_user


def test_envelope_commit_over_available_refused_with_figures(staff_user):
    envelope = EnvelopeFactory(initial_amount=Decimal("1000"))
    services.envelope_commit(actor=staff_user, envelope=envelope, amount=Decimal("900"), reason="a")
    with translation.override("en"), pytest.raises(Refused) as refused:
        services.envelope_commit(
            actor=staff_user, envelope=envelope, amount=Decimal("100.01"), reason="b"
        )
    assert str(refused.value) == (
        f"Refused: committing €\u00a0100.01 would exceed envelope “{envelope.name_en}” (amount "
        "€\u00a01,000.00, committed €\u00a0900.00, reserved €\u00a00.00, available €\u00a0100.00)."
    )
    assert isinstance(refused.value, ValidationError)  # forms show it as they show any
    envelope.refresh_from_db()
    assert (envelope.committed, envelope.ledger.count()) == (Decimal("900"), 1)


def test_envelope_commit_from_a_stale_instance_still_refused(staff_user):
    envelope = EnvelopeFactory(initial_amount=Decimal("1000"))
    stale = Envelope.objects.get(pk=envelope.pk)
    services.envelope_commit(actor=staff_user, envelope=envelope, amount=Decimal("800"), reason="a")
    with pytest.raises(Refused):
        services.envelope_commit(
            actor=staff_user, envelope=stale, amount=Decimal("800"), reason="b"
        )


def test_envelope_release_more_than_committed_for_reference_refused(staff_user):
    envelope = EnvelopeFactory()
    services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("100"), reason="a", reference="A"
    )
    services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("100"), reason="b", reference="B"
    )
    with pytest.raises(Refused):
        services.envelope_release(
            actor=staff_user, envelope=envelope, amount=Decimal("150"), reason="c", reference="A"
        )


def test_envelope_transfer_needs_decision_and_moves_amounts(staff_user):
    call = CallFactory()
    source = EnvelopeFactory(call=call, initial_amount=Decimal("1000"))
    target = EnvelopeFactory(call=call, initial_amount=Decimal("500"))
    with pytest.raises(Refused):
        services.envelope_transfer(
            actor=staff_user,
            source=source,
            target=target,
            amount=Decimal("100"),
            decision_reference="",
            reason="rebalance",
        )
    out, into = services.envelope_transfer(
        actor=staff_user,
        source=source,
        target=target,
        amount=Decimal("300"),
        decision_reference="SG-2019-04",
        reason="rebalance",
    )
    source.refresh_from_db()
    target.refresh_from_db()
    assert (source.amount, target.amount) == (Decimal("700"), Decimal("800"))
    assert (out.kind, into.kind, into.counterpart) == (
        LedgerEntryKind.TRANSFER_OUT,
        LedgerEntryKind.TRANSFER_IN,
        out,
    )
    with pytest.raises(Refused):
        services.envelope_transfer(
            actor=staff_user,
            source=source,
            target=target,
            amount=Decimal("700.01"),
            decision_reference="SG-2019-05",
            reason="too much",
        )


def test_envelope_constraint_refuses_over_allocation_without_python():
    envelope = EnvelopeFactory(initial_amount=Decimal("1000"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.filter(pk=envelope.pk).update(committed=F("amount") + 1)


def test_ledger_entries_cannot_be_edited_or_deleted(staff_user):
    envelope = EnvelopeFactory()
    entry = services.envelope_commit(
        actor=staff_user, envelope=envelope, amount=Decimal("5"), reason="a"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("5")


def test_envelope_movements_refused_on_archived_call(staff_user):
    envelope = EnvelopeFactory(call=CallFactory(state=CallState.ARCHIVED))
    with pytest.raises(Refused):
        services.envelope_commit(
            actor=staff_user, envelope=envelope, amount=Decimal("1"), reason="a"
        )


# --- Registrations and reminders -------------------------------------------------------------


def test_call_register_idempotent_and_refused_for_drafts(applicant):
    call = open_call()
    first = services.call_register(actor=applicant, call=call)
    assert services.call_register(actor=applicant, call=call) == first
    with pytest.raises(Refused):
        services.call_register(actor=applicant, call=CallFactory(state=CallState.DRAFT))


def test_reminders_sent_once_each_even_when_beat_runs_twice(
    django_capture_on_commit_callbacks, mailoutbox
):
    call = open_call(deadline=timezone.now() + timedelta(days=10))
    registrations = [CallRegistrationFactory(call=call) for _ in range(2)]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(call.deadline - timedelta(days=6, hours=23)):
            assert services.reminders_send_due() == 2
            assert services.reminders_send_due() == 0
        with time_machine.travel(call.deadline - timedelta(hours=20)):
            assert services.reminders_send_due() == 2
            assert services.reminders_send_due() == 0
        with time_machine.travel(call.deadline + timedelta(hours=1)):
            assert services.reminders_send_due() == 0
    assert sorted(ReminderSent.objects.values_list("user__email", "kind")) == sorted(
        (r.user.email, kind)
        for r in registrations
        for kind in (ReminderKind.WEEK, ReminderKind.DAY)
    )
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == sorted([r.user.email for r in registrations] * 2)


def test_envelope_commit_by_the_system_without_actor():
    envelope = EnvelopeFactory(initial_amount=Decimal("1000"))
    entry = services.envelope_commit(
        actor=None, envelope=envelope, amount=Decimal("10"), reason="task"
    )
    assert (entry.created_by, envelope.committed) == (None, Decimal("10"))
