"""Pure rules of calls: whether a call takes submissions now, the lifecycle guards,
parameter and envelope freezing, envelope arithmetic, deadline reminders, the countdown,
the rules in plain language and the ICS feed; the pre-selection stage in preselection.py.
No writes and no queries here (services.py gathers the facts and does the writes).

Times are aware and compared in UTC; they are shown in Europe/Brussels with the zone
(`format_brussels`). Known limits: the countdown is in whole minutes; the ICS feed has
one event per deadline, without alarms.
"""

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _, ngettext

from programme.formats import format_brussels, format_euro, format_number

from ..enums import CALL_TRANSITIONS, AidCapScope, CallState, ReminderKind, TieBreak
from .preselection import (  # the pre-selection stage, re-exported for callers
    can_preselect as can_preselect,
    can_turn_down_preregistration as can_turn_down_preregistration,
    has_preselection as has_preselection,
    may_start_full_proposal as may_start_full_proposal,
    missing_reasons as missing_reasons,
    preselection_ceiling as preselection_ceiling,
    preselection_fits as preselection_fits,
)

ZERO = Decimal("0")


# --- Taking submissions ---------------------------------------------------------------------


def accepts_submissions(call, now: datetime) -> tuple[bool, str]:
    """Is `call` open for writes by applicants at `now` (aware, UTC)?

    The deadline is enforced here at every write, not only by the beat task that closes
    the call, so a stopped beat never lets a late submission in.
    """
    if call.state != CallState.OPEN:
        return False, _("This call is not open (state: %(state)s).") % {
            "state": call.get_state_display()
        }
    if now < call.opens_at:
        return False, _("This call opens only at %(time)s.") % {
            "time": format_brussels(call.opens_at)
        }
    if now >= call.deadline:
        return False, _("The deadline of this call (%(time)s) has passed.") % {
            "time": format_brussels(call.deadline)
        }
    return True, ""


def can_register(call, now: datetime) -> tuple[bool, str]:
    """May an applicant register interest (pre-register) for `call` at `now`?

    Registration follows the submission window; when the call has a pre-registration
    deadline, registration ends there.
    """
    ok, reason = accepts_submissions(call, now)
    if not ok:
        return ok, reason
    if call.preregistration_deadline is not None and now >= call.preregistration_deadline:
        return False, _("Pre-registration for this call closed at %(time)s.") % {
            "time": format_brussels(call.preregistration_deadline)
        }
    return True, ""


# --- Lifecycle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallFacts:
    """What the guards need to know beyond the call row (counted by services)."""

    has_parameters: bool = True
    criteria_count: int = 0
    envelope_count: int = 0
    envelope_total: Decimal = ZERO
    reserved_total: Decimal = ZERO
    undecided_applications: int = 0  # admissible applications without a funding decision


def can_open(call, now: datetime, facts: CallFacts, reason: str) -> tuple[bool, str]:
    if call.deadline <= now:
        return False, _("The deadline (%(time)s) is already past; move it before opening.") % {
            "time": format_brussels(call.deadline)
        }
    if not facts.has_parameters:
        return False, _("The call has no parameters yet.")
    if facts.criteria_count == 0:
        return False, _("The call needs at least one evaluation criterion before it opens.")
    if facts.envelope_count == 0 or facts.envelope_total <= 0:
        return False, _("The call needs a budget envelope with money before it opens.")
    return True, ""


def can_close(call, now: datetime, facts: CallFacts, reason: str) -> tuple[bool, str]:
    if now < call.deadline and not reason.strip():
        return False, _(
            "The deadline (%(time)s) has not passed yet; closing the call earlier needs a reason."
        ) % {"time": format_brussels(call.deadline)}
    return True, ""


def can_start_evaluation(call, now: datetime, facts: CallFacts, reason: str) -> tuple[bool, str]:
    return True, ""


def can_decide(call, now: datetime, facts: CallFacts, reason: str) -> tuple[bool, str]:
    if facts.undecided_applications:
        return False, ngettext(
            "%(count)s admissible application has no decision yet.",
            "%(count)s admissible applications have no decision yet.",
            facts.undecided_applications,
        ) % {"count": facts.undecided_applications}
    return True, ""


def can_archive(call, now: datetime, facts: CallFacts, reason: str) -> tuple[bool, str]:
    if facts.reserved_total > 0:
        return False, _(
            "%(amount)s is still reserved in the envelopes; commit or lift the reservations "
            "before archiving."
        ) % {"amount": format_euro(facts.reserved_total, cents=True)}
    return True, ""


def transition_guard(
    call, to_state: str, now: datetime, facts: CallFacts, reason: str = ""
) -> tuple[bool, str]:
    """May `call` move to `to_state` now? Looks the move up in enums.CALL_TRANSITIONS and
    runs its guard (one of the can_<x> above, so the guard module is this one)."""
    return CALL_TRANSITIONS.decide(
        call.state,
        to_state,
        guards=sys.modules[__name__],
        call=call,
        now=now,
        facts=facts,
        reason=reason,
    )


def next_states(state: str) -> list[str]:
    """The states a call in `state` may move to, in table order."""
    return CALL_TRANSITIONS.targets(state)


# --- Parameters -----------------------------------------------------------------------------

# Fields of the call row that freeze with the parameters (titles and descriptions stay
# editable: a typo fix changes no rule).
FROZEN_CALL_FIELDS = (
    "programme_year",
    "instrument",
    "opens_at",
    "deadline",
    "preregistration_deadline",
    "action_domains",
    "themes",
    "disease_domains",
)


def can_edit_parameters(call, *, is_admin: bool, justification: str) -> tuple[bool, str]:
    """Parameters freeze when the call opens; afterwards only an administrator may amend
    them, and only with a justification that is recorded."""
    if call.parameters_frozen_at is None:
        return True, ""
    if not is_admin:
        return False, _(
            "The parameters of this call froze when it opened (%(time)s); only an "
            "administrator can amend them, with a justification."
        ) % {"time": format_brussels(call.parameters_frozen_at)}
    if not justification.strip():
        return False, _("Amending the frozen parameters of an open call needs a justification.")
    return True, ""


# VLAIO's own evaluation grid (DOMAIN.md §5), the default criteria of a new call.
DEFAULT_CRITERIA = [
    {
        "name_nl": "Innovatie en wetenschappelijke kwaliteit",
        "name_en": "Innovation and scientific quality",
        "description_nl": "Vernieuwend karakter, wetenschappelijke onderbouwing en ambitie.",
        "description_en": "Novelty, scientific grounding and ambition.",
    },
    {
        "name_nl": "Valorisatie en economische impact",
        "name_en": "Valorisation and economic impact",
        "description_nl": "Valorisatiepotentieel, tewerkstelling en investeringen in Vlaanderen.",
        "description_en": "Valorisation potential, jobs and investment in Flanders.",
    },
    {
        "name_nl": "Kwaliteit van uitvoering en consortium",
        "name_en": "Quality of implementation and consortium",
        "description_nl": "Werkplan, planning, middelen en de complementariteit van de partners.",
        "description_en": "Work plan, planning, resources and complementarity of the partners.",
    },
    {
        "name_nl": "Aansluiting bij de clusterroadmap",
        "name_en": "Fit with the cluster roadmap",
        "description_nl": "Bijdrage aan de roadmap en de prioriteiten van de speerpuntcluster.",
        "description_en": "Contribution to the roadmap and priorities of the spearhead cluster.",
    },
]


def plain_rules(parameters, criteria: Iterable = ()) -> list[str]:
    """The call's parameters as sentences an applicant can read (active language)."""
    p = parameters
    rules = [
        _(
            "A consortium has at least %(companies)s companies that are not linked to each "
            "other and at least %(ros)s Flemish research organisation(s)."
        )
        % {"companies": p.min_companies, "ros": p.min_research_organisations},
        _("No company carries more than %(share)s%% of the cost of the company part.")
        % {"share": format_number(p.max_company_share)},
        _(
            "Each research organisation has a budget of %(min)s to %(max)s per year and at "
            "least %(share)s%% of the research part."
        )
        % {
            "min": format_euro(p.research_budget_min_per_year),
            "max": format_euro(p.research_budget_max_per_year),
            "share": format_number(p.research_min_share),
        },
        _("Companies outside Flanders may take part, without aid.")
        if p.non_flemish_companies_allowed
        else _("Only companies established in Flanders may take part."),
        _(
            "Company aid: %(ir)s%% of the cost for industrial research and %(ed)s%% for "
            "experimental development, plus %(small)s points for a small and %(medium)s "
            "points for a medium-sized enterprise."
        )
        % {
            "ir": format_number(p.industrial_research_base),
            "ed": format_number(p.experimental_development_base),
            "small": format_number(p.small_enterprise_bonus),
            "medium": format_number(p.medium_enterprise_bonus),
        },
        _("A collaboration bonus of %(points)s points applies.")
        % {"points": format_number(p.collaboration_bonus)}
        if p.collaboration_bonus_enabled
        else _("There is no collaboration bonus in this call."),
        _(
            "Aid is capped at %(ir)s%% (industrial research) and %(ed)s%% (experimental "
            "development), never above %(abs)s%%, and at most %(max)s per company."
        )
        % {
            "ir": format_number(p.industrial_research_cap),
            "ed": format_number(p.experimental_development_cap),
            "abs": format_number(p.absolute_cap),
            "max": format_euro(p.max_aid_per_company),
        },
        _("The maximum aid per company counts over all its funded projects of the call.")
        if p.aid_cap_scope == AidCapScope.CALL
        else _("The maximum aid per company counts per application."),
        _("A project lasts at most %(months)s months.") % {"months": p.max_duration_months},
        _(
            "Experts score each criterion from %(min)s to %(max)s in steps of %(step)s; a "
            "proposal needs the threshold on every criterion and %(overall)s overall. "
            "%(reviewers)s experts review each proposal."
        )
        % {
            "min": format_number(p.scale_min),
            "max": format_number(p.scale_max),
            "step": format_number(p.scale_step),
            "overall": format_number(p.overall_threshold),
            "reviewers": p.reviewers_per_application,
        },
    ]
    tie_labels = [str(TieBreak(code).label) for code in p.tie_break_order if code in TieBreak]
    if tie_labels:
        rules.append(
            _("Equal totals are ordered by: %(steps)s.") % {"steps": "; ".join(tie_labels)}
        )
    return rules


# --- Envelopes ------------------------------------------------------------------------------


def _positive(amount: Decimal) -> tuple[bool, str]:
    if amount <= 0:
        return False, _("An amount must be more than zero (got %(amount)s).") % {
            "amount": format_euro(amount, cents=True)
        }
    return True, ""


def can_reserve(envelope, amount: Decimal) -> tuple[bool, str]:
    ok, reason = _positive(amount)
    if not ok:
        return ok, reason
    if amount > envelope.available:
        return False, _(
            "Refused: reserving %(amount)s would exceed envelope “%(envelope)s” (amount "
            "%(total)s, committed %(committed)s, reserved %(reserved)s, available "
            "%(available)s)."
        ) % _figures(envelope, amount)
    return True, ""


def can_unreserve(envelope, amount: Decimal) -> tuple[bool, str]:
    ok, reason = _positive(amount)
    if not ok:
        return ok, reason
    if amount > envelope.reserved:
        return False, _(
            "Refused: only %(reserved)s is reserved in envelope “%(envelope)s”; %(amount)s "
            "cannot be lifted."
        ) % _figures(envelope, amount)
    return True, ""


def can_commit(envelope, amount: Decimal, *, from_reservation: bool = False) -> tuple[bool, str]:
    """A commitment never makes committed + reserved exceed the envelope's amount. With
    `from_reservation`, the amount moves from reserved to committed."""
    ok, reason = _positive(amount)
    if not ok:
        return ok, reason
    if from_reservation:
        if amount > envelope.reserved:
            return False, _(
                "Refused: committing %(amount)s from the reservation of envelope "
                "“%(envelope)s”, but only %(reserved)s is reserved."
            ) % _figures(envelope, amount)
        return True, ""
    if amount > envelope.available:
        return False, _(
            "Refused: committing %(amount)s would exceed envelope “%(envelope)s” (amount "
            "%(total)s, committed %(committed)s, reserved %(reserved)s, available "
            "%(available)s)."
        ) % _figures(envelope, amount)
    return True, ""


def can_release(
    envelope, amount: Decimal, *, committed_for_reference: Decimal | None = None
) -> tuple[bool, str]:
    """A release gives back committed money; never more than was committed (in total, and
    for the reference when one is given)."""
    ok, reason = _positive(amount)
    if not ok:
        return ok, reason
    if amount > envelope.committed:
        return False, _(
            "Refused: releasing %(amount)s from envelope “%(envelope)s”, but only "
            "%(committed)s is committed."
        ) % _figures(envelope, amount)
    if committed_for_reference is not None and amount > committed_for_reference:
        return False, _(
            "Refused: releasing %(amount)s, but only %(for_reference)s is committed for "
            "this reference."
        ) % {
            **_figures(envelope, amount),
            "for_reference": format_euro(committed_for_reference, cents=True),
        }
    return True, ""


def can_pay(
    envelope, amount: Decimal, *, committed_for_reference: Decimal, paid_for_reference: Decimal
) -> tuple[bool, str]:
    """A payment draws on the commitments: paid never exceeds committed, on the envelope
    and for the reference (the funded project)."""
    ok, reason = _positive(amount)
    if not ok:
        return ok, reason
    if envelope.paid + amount > envelope.committed:
        return False, _(
            "Refused: paying %(amount)s from envelope “%(envelope)s” would exceed what is "
            "committed (committed %(committed)s, already paid %(paid)s)."
        ) % {**_figures(envelope, amount), "paid": format_euro(envelope.paid, cents=True)}
    if paid_for_reference + amount > committed_for_reference:
        return False, _(
            "Refused: paying %(amount)s would exceed what is committed for this project "
            "(committed %(for_reference)s, already paid %(paid)s)."
        ) % {
            **_figures(envelope, amount),
            "for_reference": format_euro(committed_for_reference, cents=True),
            "paid": format_euro(paid_for_reference, cents=True),
        }
    return True, ""


def can_transfer(source, target, amount: Decimal, decision_reference: str) -> tuple[bool, str]:
    ok, reason = _positive(amount)
    if not ok:
        return ok, reason
    if source.pk == target.pk:
        return False, _("An envelope cannot transfer to itself.")
    if not decision_reference.strip():
        return False, _(
            "A transfer between envelopes needs the steering group's decision reference."
        )
    if source.call.programme_id != target.call.programme_id:
        return False, _("Transfers are only possible between envelopes of the same programme.")
    if amount > source.available:
        return False, _(
            "Refused: transferring %(amount)s would exceed envelope “%(envelope)s” (amount "
            "%(total)s, committed %(committed)s, reserved %(reserved)s, available "
            "%(available)s)."
        ) % _figures(source, amount)
    return True, ""


def year_envelopes_fit(
    *, year: int, budget_line: Decimal, envelopes_total: Decimal, increase: Decimal
) -> tuple[bool, str]:
    """The envelopes of a programme year never exceed its project-budget line."""
    if envelopes_total + increase > budget_line:
        return False, _(
            "Refused: the envelopes of %(year)s would total %(new_total)s, more than the "
            "project budget of %(line)s (%(free)s still free)."
        ) % {
            "year": year,
            "new_total": format_euro(envelopes_total + increase, cents=True),
            "line": format_euro(budget_line, cents=True),
            "free": format_euro(max(budget_line - envelopes_total, ZERO), cents=True),
        }
    return True, ""


def envelope_is_frozen(call) -> bool:
    """The envelopes of a call freeze with its parameters: from opening on, applicants
    read the call's budget (and its pre-selection ceiling) as published."""
    return call.state != CallState.DRAFT or call.parameters_frozen_at is not None


def can_amend_envelope(
    envelope, *, new_amount: Decimal, is_admin: bool, justification: str
) -> tuple[bool, str]:
    """May the amount or action domain of `envelope` change? In a draft call, yes; in an
    open or later call only an administrator with a justification (as for the frozen
    parameters), and never below what is already reserved and committed."""
    if not envelope_is_frozen(envelope.call):
        return True, ""
    if not is_admin:
        return False, _(
            "The envelopes of this call froze when it opened; only an administrator can "
            "amend them, with a justification."
        )
    if not justification.strip():
        return False, _("Amending an envelope of an open call needs a justification.")
    return envelope_amount_covers_allocations(envelope, new_amount)


def envelope_amount_covers_allocations(envelope, new_amount: Decimal) -> tuple[bool, str]:
    """An envelope's amount never drops below what it has reserved and committed."""
    floor = envelope.reserved + envelope.committed
    if new_amount < floor:
        return False, _(
            "Refused: envelope “%(envelope)s” cannot go down to %(new)s; %(floor)s of it is "
            "already allocated (committed %(committed)s, reserved %(reserved)s)."
        ) % {
            **_figures(envelope, new_amount),
            "new": format_euro(new_amount, cents=True),
            "floor": format_euro(floor, cents=True),
        }
    return True, ""


def _figures(envelope, amount: Decimal) -> dict:
    return {
        "amount": format_euro(amount, cents=True),
        "envelope": envelope.name,
        "total": format_euro(envelope.amount, cents=True),
        "committed": format_euro(envelope.committed, cents=True),
        "reserved": format_euro(envelope.reserved, cents=True),
        "available": format_euro(envelope.available, cents=True),
    }


# --- Reminders and countdown -----------------------------------------------------------------

REMINDER_OFFSETS = {ReminderKind.WEEK: timedelta(days=7), ReminderKind.DAY: timedelta(days=1)}


def due_reminder(deadline: datetime, now: datetime) -> ReminderKind | None:
    """Which reminder is due at `now`: the 1-day one in the last 24 hours, the 7-day one
    in the 6 days before that, none otherwise. A beat that was down during the 7-day
    window sends only the 1-day reminder (never two at once)."""
    left = deadline - now
    if left <= timedelta(0):
        return None
    if left <= REMINDER_OFFSETS[ReminderKind.DAY]:
        return ReminderKind.DAY
    if left <= REMINDER_OFFSETS[ReminderKind.WEEK]:
        return ReminderKind.WEEK
    return None


def time_remaining(deadline: datetime, now: datetime) -> timedelta:
    """Time until the deadline, never negative."""
    return max(deadline - now, timedelta(0))


def countdown_text(deadline: datetime, now: datetime) -> str:
    """'12 days, 3 hours and 5 minutes left' (whole minutes, rounded down)."""
    left = time_remaining(deadline, now)
    if left == timedelta(0):
        return _("The deadline has passed.")
    minutes = int(left.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return _("%(days)s, %(hours)s and %(minutes)s left") % {
        "days": ngettext("%(n)s day", "%(n)s days", days) % {"n": days},
        "hours": ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours},
        "minutes": ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes},
    }


# --- ICS feed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    summary: str
    description: str = ""
    url: str = ""


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines longer than 75 octets continue on a line starting with a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0]] + [" " + part for part in out[1:]]


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def deadlines_ics(events: Iterable[CalendarEvent], *, now: datetime, name: str) -> str:
    """An iCalendar (RFC 5545) feed with one zero-length event per deadline, in UTC."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//VLAIO//ICON calls//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_ics_time(now)}",
            f"DTSTART:{_ics_time(event.start)}",
            f"DTEND:{_ics_time(event.start)}",
            f"SUMMARY:{_ics_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{_ics_text(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _ics_fold(line))
