from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from calls.enums import CallState, LedgerEntryKind
from calls.models import Envelope, LedgerEntry
from governance.bodies.enums import BodyKind
from governance.decisions import services as decisions
from governance.decisions.domain import add_one_month, can_decline, deciding_level
from governance.decisions.enums import AdviceOutcome, DecidingLevel, DecisionOutcome
from governance.models import FundingDecision
from programme.states import Refused
from projects import services as project_services
from tests.builders import admissible_application, consensus, evaluation_call, meeting_with_quorum
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return evaluation_call(envelope=Decimal("1000000"))


@pytest.fixture
def steering(call):
    return meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP)


def _fundable(call, aid="400000"):
    application = admissible_application(call, aid=aid)
    consensus(application, [4, 4, 4])
    return application


def _fund(application, meeting, amount, **kwargs):
    return decisions.decision_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting,
        outcome=DecisionOutcome.FUND,
        amount=Decimal(amount),
        decided_by="Jan Peeters, administrator-general",
        **kwargs,
    )


def test_decision_fund_commits_the_envelope(call, steering):
    application = _fundable(call)
    decision = _fund(application, steering, "400000")
    envelope = Envelope.objects.get(call=call)
    entry = LedgerEntry.objects.get(envelope=envelope)
    assert (envelope.committed, entry.kind, entry.amount, entry.reference) == (
        Decimal("400000.00"),
        LedgerEntryKind.COMMIT,
        Decimal("400000.00"),
        application.receipt_number,
    )
    assert (decision.ledger_entry_id, decision.envelope_id) == (entry.pk, envelope.pk)
    assert decision.deciding_level == DecidingLevel.ADMINISTRATOR_GENERAL


def test_decision_refused_when_it_would_over_commit_with_the_figures(call, steering):
    first, second, third = (_fundable(call) for _ in range(3))
    _fund(first, steering, "400000")
    _fund(second, steering, "400000")
    with pytest.raises(Refused) as refused:
        _fund(third, steering, "400000")
    assert str(refused.value) == (
        "Refused: committing €\u00a0400,000.00 would exceed envelope “Project budget” (amount "
        "€\u00a01,000,000.00, committed €\u00a0800,000.00, reserved €\u00a00.00, available "
        "€\u00a0200,000.00)."
    )
    envelope = Envelope.objects.get(call=call)
    assert envelope.committed == Decimal("800000.00")
    assert LedgerEntry.objects.filter(envelope=envelope).count() == 2
    assert not FundingDecision.objects.filter(application=third).exists()


def test_decision_amount_above_requested_aid_refused(call, steering):
    application = _fundable(call, aid="300000")
    with pytest.raises(Refused) as refused:
        _fund(application, steering, "300000.01")
    assert str(refused.value) == (
        "The aid granted (€\u00a0300,000.01) exceeds the aid requested (€\u00a0300,000.00)."
    )


def test_decision_below_threshold_cannot_be_funded(call, steering):
    application = admissible_application(call)
    consensus(application, [2.5, 4, 4])
    with pytest.raises(Refused) as refused:
        _fund(application, steering, "100000")
    assert str(refused.value) == "The proposal does not reach every threshold; it cannot be funded."


def test_decision_at_meeting_without_quorum_refused(call):
    meeting = meeting_with_quorum(call.programme, BodyKind.STEERING_GROUP, quorum=False)
    with pytest.raises(Refused) as refused:
        _fund(_fundable(call), meeting, "100000")
    assert str(refused.value) == (
        "The meeting had no quorum, so it cannot decide: 1 of 2 voting members present; "
        "the quorum is 2."
    )


@pytest.mark.parametrize(
    ("amount", "level"),
    [
        ("500000.00", DecidingLevel.ADMINISTRATOR_GENERAL),
        ("500000.01", DecidingLevel.DECISION_COMMITTEE),
    ],
)
def test_decision_deciding_level_at_500000(call, steering, amount, level):
    application = _fundable(call, aid="600000")
    decision = _fund(application, steering, amount)
    assert (decision.deciding_level, deciding_level(Decimal(amount))) == (level, level)


def test_reserve_and_reject_commit_nothing(call, steering):
    for outcome in (DecisionOutcome.RESERVE, DecisionOutcome.REJECT):
        decisions.decision_record(
            actor=StaffFactory(),
            application=_fundable(call),
            meeting=steering,
            outcome=outcome,
            decided_by="Jan Peeters",
        )
    assert LedgerEntry.objects.count() == 0


def test_decision_twice_refused(call, steering):
    application = _fundable(call)
    _fund(application, steering, "100000")
    with pytest.raises(Refused) as refused:
        _fund(application, steering, "100000")
    assert str(refused.value) == "This application has already been decided."


def test_advice_at_meeting_without_quorum_refused_with_the_reason(call):
    meeting = meeting_with_quorum(call.programme, quorum=False)
    with pytest.raises(Refused) as refused:
        decisions.advice_record(
            actor=StaffFactory(),
            application=_fundable(call),
            meeting=meeting,
            outcome=AdviceOutcome.FUND,
        )
    assert str(refused.value) == (
        "The meeting had no quorum, so it cannot give advice: 1 of 2 voting members present; "
        "the quorum is 2."
    )


def test_advice_recorded_at_council_meeting_with_quorum(call):
    meeting = meeting_with_quorum(call.programme)
    application = _fundable(call)
    advice = decisions.advice_record(
        actor=StaffFactory(),
        application=application,
        meeting=meeting,
        outcome=AdviceOutcome.RESERVE,
        motivation="Good, but the budget is short.",
    )
    assert (advice.outcome, advice.meeting_id, application.advice.pk) == (
        AdviceOutcome.RESERVE,
        meeting.pk,
        advice.pk,
    )


def test_advice_at_steering_group_meeting_refused(call, steering):
    with pytest.raises(Refused) as refused:
        decisions.advice_record(
            actor=StaffFactory(),
            application=_fundable(call),
            meeting=steering,
            outcome=AdviceOutcome.FUND,
        )
    assert str(refused.value) == "Advice is given at a meeting of the strategic advisory council."


def test_decline_within_a_month_releases_the_envelope(call, steering):
    application = _fundable(call)
    decided_at = timezone.now() - timedelta(days=20)
    decision = _fund(application, steering, "400000", now=decided_at)
    declined = decisions.decision_decline(
        actor=application.created_by, decision=decision, reason="Partner left"
    )
    envelope = Envelope.objects.get(call=call)
    release = LedgerEntry.objects.get(envelope=envelope, kind=LedgerEntryKind.RELEASE)
    assert (envelope.committed, release.amount, release.reference, declined.release_entry_id) == (
        Decimal("0.00"),
        Decimal("400000.00"),
        application.receipt_number,
        release.pk,
    )


def test_decline_after_a_month_refused(call, steering):
    application = _fundable(call)
    decided_at = timezone.now() - timedelta(days=40)
    decision = _fund(application, steering, "400000", now=decided_at)
    with pytest.raises(Refused) as refused:
        decisions.decision_decline(actor=application.created_by, decision=decision)
    assert str(refused.value).startswith("The aid can be declined within one month of the decision")
    assert Envelope.objects.get(call=call).committed == Decimal("400000.00")


def test_decline_month_is_a_calendar_month():
    decided = timezone.datetime(2019, 1, 31, 12, tzinfo=timezone.UTC)
    assert add_one_month(decided) == timezone.datetime(2019, 2, 28, 12, tzinfo=timezone.UTC)
    assert (
        can_decline(
            outcome="fund",
            decided_at=decided,
            declined_at=None,
            now=timezone.datetime(2019, 2, 28, 12, tzinfo=timezone.UTC),
        )[0]
        is True
    )
    assert (
        can_decline(
            outcome="fund",
            decided_at=decided,
            declined_at=None,
            now=timezone.datetime(2019, 2, 28, 12, 0, 1, tzinfo=timezone.UTC),
        )[0]
        is False
    )


def test_withdrawal_refused_once_decided(call, steering):
    application = _fundable(call)
    _fund(application, steering, "100000")
    with pytest.raises(Refused) as refused:
        project_services.application_withdraw(actor=application.created_by, application=application)
    assert str(refused.value).startswith("The steering group has decided on this application")


def test_call_marked_decided_only_when_every_application_is_decided(call, steering):
    first, second = _fundable(call), _fundable(call)
    _fund(first, steering, "100000")
    with pytest.raises(Refused) as refused:
        decisions.call_mark_decided(actor=StaffFactory(), call=call)
    assert str(refused.value) == (
        f"Not every admissible application has a decision yet: {second.acronym}."
    )
    decisions.decision_record(
        actor=StaffFactory(),
        application=second,
        meeting=steering,
        outcome=DecisionOutcome.REJECT,
        decided_by="Jan Peeters",
    )
    decisions.call_mark_decided(actor=StaffFactory(), call=call)
    call.refresh_from_db()
    assert call.state == CallState.DECIDED


def test_call_transition_to_decided_refused_while_an_application_is_undecided(call):
    """The calls service itself refuses, not only the governance button."""
    from calls import services as call_services

    undecided = admissible_application(call, acronym="OPEN-Q")
    with translation.override("en"), pytest.raises(Refused) as refused:
        call_services.call_transition(
            actor=StaffFactory(), call=call, to_state=CallState.DECIDED, reason="try"
        )
    call.refresh_from_db()
    assert (str(refused.value), call.state) == (
        "1 admissible application has no decision yet.",
        CallState.IN_EVALUATION,
    )
    assert undecided.state == "admissible"
