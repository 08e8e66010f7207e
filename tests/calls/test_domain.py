"""Pure rules of calls, tested on unsaved instances with the clock given explicitly."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils import translation

from calls import domain
from calls.enums import CallState, ReminderKind
from calls.models import Call, CallParameters, Envelope

DEADLINE = datetime(2019, 9, 30, 15, 0, tzinfo=UTC)  # 17:00 in Brussels (CEST)


def make_call(state=CallState.OPEN, **kwargs) -> Call:
    values = {
        "title_nl": "Oproep",
        "title_en": "Call",
        "opens_at": DEADLINE - timedelta(days=90),
        "deadline": DEADLINE,
        "state": state,
    }
    values.update(kwargs)
    return Call(**values)


def test_accepts_submissions_until_the_deadline_exclusive():
    call = make_call()
    assert domain.accepts_submissions(call, DEADLINE - timedelta(seconds=1)) == (True, "")
    ok, reason = domain.accepts_submissions(call, DEADLINE)
    assert ok is False
    with translation.override("en"):
        assert domain.accepts_submissions(call, DEADLINE)[1] == (
            "The deadline of this call (30 September 2019, 17:00 CEST) has passed."
        )


def test_accepts_submissions_refused_when_state_not_open_even_before_deadline():
    for state in (CallState.DRAFT, CallState.CLOSED):
        ok, _ = domain.accepts_submissions(make_call(state=state), DEADLINE - timedelta(days=1))
        assert ok is False


def test_accepts_submissions_refused_before_opening():
    call = make_call()
    ok, _ = domain.accepts_submissions(call, call.opens_at - timedelta(minutes=1))
    assert ok is False


def test_can_register_refused_after_preregistration_deadline():
    call = make_call(preregistration_deadline=DEADLINE - timedelta(days=30))
    assert domain.can_register(call, DEADLINE - timedelta(days=31)) == (True, "")
    assert domain.can_register(call, DEADLINE - timedelta(days=29))[0] is False


FACTS = domain.CallFacts(
    has_parameters=True, criteria_count=4, envelope_count=1, envelope_total=Decimal("4500000")
)


def test_transition_guard_open_ok_with_criteria_envelope_and_future_deadline():
    call = make_call(state=CallState.DRAFT)
    assert domain.transition_guard(call, CallState.OPEN, DEADLINE - timedelta(days=1), FACTS) == (
        True,
        "",
    )


def test_transition_guard_open_refused_without_envelope():
    call = make_call(state=CallState.DRAFT)
    facts = domain.CallFacts(has_parameters=True, criteria_count=4, envelope_count=0)
    with translation.override("en"):
        assert domain.transition_guard(
            call, CallState.OPEN, DEADLINE - timedelta(days=1), facts
        ) == (
            False,
            "The call needs a budget envelope with money before it opens.",
        )


def test_transition_guard_open_refused_without_criteria():
    call = make_call(state=CallState.DRAFT)
    facts = domain.CallFacts(criteria_count=0, envelope_count=1, envelope_total=Decimal("1"))
    ok, _ = domain.transition_guard(call, CallState.OPEN, DEADLINE - timedelta(days=1), facts)
    assert ok is False


def test_transition_guard_open_refused_after_deadline():
    call = make_call(state=CallState.DRAFT)
    ok, _ = domain.transition_guard(call, CallState.OPEN, DEADLINE, FACTS)
    assert ok is False


def test_transition_guard_refuses_moves_outside_the_table():
    with translation.override("en"):
        assert domain.transition_guard(
            make_call(state=CallState.DRAFT), CallState.CLOSED, DEADLINE, FACTS
        ) == (
            False,
            "A call cannot go from “Draft” to “Closed”.",
        )
        ok, _ = domain.transition_guard(
            make_call(state=CallState.ARCHIVED), CallState.OPEN, DEADLINE, FACTS
        )
        assert ok is False


def test_transition_guard_close_before_deadline_needs_a_reason():
    call = make_call()
    early = DEADLINE - timedelta(hours=1)
    assert domain.transition_guard(call, CallState.CLOSED, early, FACTS)[0] is False
    assert domain.transition_guard(call, CallState.CLOSED, early, FACTS, "call withdrawn") == (
        True,
        "",
    )
    assert domain.transition_guard(call, CallState.CLOSED, DEADLINE, FACTS) == (True, "")


def test_transition_guard_archive_refused_while_money_is_reserved():
    call = make_call(state=CallState.DECIDED)
    facts = domain.CallFacts(reserved_total=Decimal("100"))
    assert domain.transition_guard(call, CallState.ARCHIVED, DEADLINE, facts)[0] is False
    assert domain.transition_guard(call, CallState.ARCHIVED, DEADLINE, domain.CallFacts()) == (
        True,
        "",
    )


def test_next_states_follow_the_table():
    assert domain.next_states(CallState.DRAFT) == [CallState.OPEN]
    assert domain.next_states(CallState.ARCHIVED) == []


def test_can_edit_parameters_free_in_draft_frozen_after_opening():
    draft = make_call(state=CallState.DRAFT)
    assert domain.can_edit_parameters(draft, is_admin=False, justification="") == (True, "")
    opened = make_call(parameters_frozen_at=DEADLINE - timedelta(days=90))
    assert domain.can_edit_parameters(opened, is_admin=False, justification="typo")[0] is False
    assert domain.can_edit_parameters(opened, is_admin=True, justification="  ")[0] is False
    assert domain.can_edit_parameters(opened, is_admin=True, justification="SG decision 12") == (
        True,
        "",
    )


def envelope(amount="1000", committed="0", reserved="0") -> Envelope:
    return Envelope(
        name_nl="Envelop",
        name_en="Envelope",
        amount=Decimal(amount),
        initial_amount=Decimal(amount),
        committed=Decimal(committed),
        reserved=Decimal(reserved),
    )


def test_can_commit_up_to_available_exactly():
    env = envelope(committed="600", reserved="100")
    assert domain.can_commit(env, Decimal("300")) == (True, "")
    ok, reason = domain.can_commit(env, Decimal("300.01"))
    assert ok is False
    with translation.override("en"):
        assert domain.can_commit(env, Decimal("300.01"))[1] == (
            "Refused: committing € 300.01 would exceed envelope “Envelope” (amount € 1,000.00, "
            "committed € 600.00, reserved € 100.00, available € 300.00)."
        ).replace("€ ", "€\u00a0")


def test_can_commit_from_reservation_limited_by_reserved():
    env = envelope(committed="900", reserved="100")
    assert domain.can_commit(env, Decimal("100"), from_reservation=True) == (True, "")
    assert domain.can_commit(env, Decimal("100.01"), from_reservation=True)[0] is False


def test_can_commit_refuses_zero_and_negative():
    assert domain.can_commit(envelope(), Decimal("0"))[0] is False
    assert domain.can_commit(envelope(), Decimal("-5"))[0] is False


def test_can_release_limited_by_committed_and_reference():
    env = envelope(committed="500")
    assert domain.can_release(env, Decimal("500")) == (True, "")
    assert domain.can_release(env, Decimal("500.01"))[0] is False
    assert (
        domain.can_release(env, Decimal("300"), committed_for_reference=Decimal("200"))[0] is False
    )


def test_year_envelopes_fit_refuses_with_the_figures():
    assert domain.year_envelopes_fit(
        year=2019,
        budget_line=Decimal("4500000"),
        envelopes_total=Decimal("4000000"),
        increase=Decimal("500000"),
    ) == (True, "")
    with translation.override("en"):
        ok, reason = domain.year_envelopes_fit(
            year=2019,
            budget_line=Decimal("4500000"),
            envelopes_total=Decimal("4000000"),
            increase=Decimal("500000.01"),
        )
    assert ok is False
    assert reason == (
        "Refused: the envelopes of 2019 would total €\u00a04,500,000.01, more than the project "
        "budget of €\u00a04,500,000.00 (€\u00a0500,000.00 still free)."
    )


def test_due_reminder_windows():
    assert domain.due_reminder(DEADLINE, DEADLINE - timedelta(days=8)) is None
    assert domain.due_reminder(DEADLINE, DEADLINE - timedelta(days=7)) == ReminderKind.WEEK
    assert domain.due_reminder(DEADLINE, DEADLINE - timedelta(days=2)) == ReminderKind.WEEK
    assert domain.due_reminder(DEADLINE, DEADLINE - timedelta(hours=24)) == ReminderKind.DAY
    assert domain.due_reminder(DEADLINE, DEADLINE - timedelta(minutes=1)) == ReminderKind.DAY
    assert domain.due_reminder(DEADLINE, DEADLINE) is None


def test_countdown_text_in_whole_minutes():
    with translation.override("en"):
        now = DEADLINE - timedelta(days=12, hours=3, minutes=5, seconds=59)
        assert domain.countdown_text(DEADLINE, now) == "12 days, 3 hours and 5 minutes left"
        assert domain.countdown_text(DEADLINE, DEADLINE - timedelta(hours=1, minutes=1)) == (
            "0 days, 1 hour and 1 minute left"
        )
        assert domain.countdown_text(DEADLINE, DEADLINE) == "The deadline has passed."


def test_plain_rules_follow_the_parameters():
    with translation.override("en"):
        rules = domain.plain_rules(CallParameters())
        assert rules[0] == (
            "A consortium has at least 3 companies that are not linked to each other and at "
            "least 1 Flemish research organisation(s)."
        )
        assert "There is no collaboration bonus in this call." in rules
        on = domain.plain_rules(
            CallParameters(collaboration_bonus_enabled=True, collaboration_bonus=Decimal("10"))
        )
        assert "A collaboration bonus of 10 points applies." in on


def test_deadlines_ics_is_rfc5545_in_utc_with_folding():
    event = domain.CalendarEvent(
        uid="call-1-deadline@icon",
        start=DEADLINE,
        summary="Deadline: ICON call, personalised medicine; " + "x" * 80,
    )
    text = domain.deadlines_ics([event], now=DEADLINE, name="ICON")
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "DTSTART:20190930T150000Z" in lines
    assert lines[-2] == "END:VCALENDAR"
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Deadline: ICON call\\, personalised medicine\\; " + "x" * 80 in unfolded
