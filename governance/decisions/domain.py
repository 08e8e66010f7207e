"""Pure rules of the decision side of the evaluation (advice, funding decision, decline)
and who decides an aid. No writes and no queries: every function takes plain values and
returns `(ok, reason)` with the reason the user reads.

The ranking algorithms (ranking, funding cut, scenario figures, optimal selection) are
in ranking.py beside this module.

Known limits: "one month" is a calendar month from the decision time (31 January + one
month = the last day of February), compared in UTC.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from programme.formats import format_euro

from .enums import AdviceOutcome, DecidingLevel, DecisionOutcome


def add_one_month(moment: datetime) -> datetime:
    """The same day and time a calendar month later (clamped to the month's last day)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def can_record_advice(
    *, body_kind: str, quorum: tuple[bool, str], outcome: str
) -> tuple[bool, str]:
    """Advice is given by the strategic advisory council at a meeting with its quorum."""
    if body_kind != "advisory_council":
        return False, _("Advice is given at a meeting of the strategic advisory council.")
    ok, reason = quorum
    if not ok:
        return False, _("The meeting had no quorum, so it cannot give advice: %(reason)s") % {
            "reason": reason
        }
    if outcome not in AdviceOutcome.values:
        return False, _("Choose fund, reserve list or reject.")
    return True, ""


def can_decide(
    *,
    body_kind: str,
    quorum: tuple[bool, str],
    outcome: str,
    amount: Decimal | None,
    requested_aid: Decimal,
    already_decided: bool,
    passes: bool,
) -> tuple[bool, str]:
    """The steering group decides once per application, at a meeting with its quorum; a
    funding decision grants a positive amount up to the requested aid, and only to a
    proposal that reaches every threshold."""
    if already_decided:
        return False, _("This application has already been decided.")
    if body_kind != "steering_group":
        return False, _("Funding decisions are taken at a meeting of the steering group.")
    ok, reason = quorum
    if not ok:
        return False, _("The meeting had no quorum, so it cannot decide: %(reason)s") % {
            "reason": reason
        }
    return can_grant(outcome=outcome, amount=amount, requested_aid=requested_aid, passes=passes)


def amount_granted_ok(amount, requested_aid) -> tuple[bool, str]:
    """A funding decision grants a positive amount of aid, at most the aid requested (from
    a proposal, a direct decision or the reserve list alike)."""
    if amount is None or Decimal(amount) <= 0:
        return False, _("A funding decision needs the amount of aid granted.")
    if Decimal(amount) > Decimal(requested_aid):
        return False, _(
            "The aid granted (%(amount)s) exceeds the aid requested (%(requested)s)."
        ) % {
            "amount": format_euro(amount, cents=True),
            "requested": format_euro(requested_aid, cents=True),
        }
    return True, ""


def can_grant(
    *, outcome: str, amount: Decimal | None, requested_aid: Decimal, passes: bool
) -> tuple[bool, str]:
    """A decision (or a proposed one) funds a positive amount up to the requested aid,
    and only a proposal that reaches every threshold; the other outcomes grant nothing."""
    if outcome not in DecisionOutcome.values:
        return False, _("Choose funded, reserve list or rejected.")
    if outcome == DecisionOutcome.FUND:
        if not passes:
            return False, _("The proposal does not reach every threshold; it cannot be funded.")
        ok, why = amount_granted_ok(amount, requested_aid)
        if not ok:
            return False, why
    elif amount:
        return False, _("Only a funding decision grants an amount.")
    return True, ""


def can_decline(
    *, outcome: str, decided_at: datetime, declined_at: datetime | None, now: datetime
) -> tuple[bool, str]:
    """The applicant may decline granted aid within one month of the decision."""
    if outcome != DecisionOutcome.FUND:
        return False, _("Only granted aid can be declined.")
    if declined_at is not None:
        return False, _("The aid has already been declined.")
    limit = add_one_month(decided_at)
    if now > limit:
        return False, _(
            "The aid can be declined within one month of the decision; that month ended on "
            "%(date)s."
        ) % {"date": limit.date().isoformat()}
    return True, ""


def can_mark_call_decided(*, undecided: list[str]) -> tuple[bool, str]:
    """The call is decided when every admissible application has a decision."""
    if undecided:
        return False, _("Not every admissible application has a decision yet: %(names)s.") % {
            "names": ", ".join(undecided)
        }
    return True, ""


ADMINISTRATOR_GENERAL_LIMIT = Decimal("500000")


def deciding_level(aid_amount: Decimal) -> DecidingLevel:
    """Up to €500,000 aid the administrator-general decides; above, the agency's decision
    committee (DOMAIN.md §2)."""
    if Decimal(aid_amount) <= ADMINISTRATOR_GENERAL_LIMIT:
        return DecidingLevel.ADMINISTRATOR_GENERAL
    return DecidingLevel.DECISION_COMMITTEE


# --- The decision proposal and the steering group's vote (DOMAIN.md §2) -----------------------


def can_put_on_agenda(
    *,
    body_kind: str,
    same_programme: bool,
    items: int,
    over_envelopes: list[tuple[str, Decimal, Decimal]],
) -> tuple[bool, str]:
    """A proposal goes on the agenda of a steering-group meeting of its programme, holds
    at least one application and funds no envelope beyond what it has available
    (`over_envelopes`: (envelope, proposed, available) for each one over)."""
    if body_kind != "steering_group" or not same_programme:
        return False, _("A decision proposal goes to a meeting of the programme's steering group.")
    if not items:
        return False, _("The proposal holds no application.")
    if over_envelopes:
        return False, _("The proposal funds more than the envelopes have available: %(list)s.") % {
            "list": "; ".join(
                _("%(envelope)s: %(proposed)s proposed, %(available)s available")
                % {
                    "envelope": name,
                    "proposed": format_euro(proposed, cents=True),
                    "available": format_euro(available, cents=True),
                }
                for name, proposed, available in over_envelopes
            )
        }
    return True, ""


def can_vote(
    *,
    state: str,
    votes: bool,
    present: bool,
    already_voted: bool,
    quorum: tuple[bool, str],
    choice: str,
    reason: str,
) -> tuple[bool, str]:
    """A voting member present at the meeting votes once per round on a proposal on the
    agenda, when the meeting has its quorum; amending or rejecting says why."""
    if state != "on_agenda":
        return False, _("The proposal is not on the agenda of a meeting; there is nothing to vote.")
    if not votes:
        return False, _("Only the steering group's voting members vote on a decision proposal.")
    if not present:
        return False, _("Only members present at the meeting vote; you are not on its attendance.")
    ok, why = quorum
    if not ok:
        return False, _("The meeting has no quorum, so it cannot vote: %(reason)s") % {
            "reason": why
        }
    if already_voted:
        return False, _("You have already voted on this proposal in this round.")
    if choice not in ("approve", "amend", "reject"):
        return False, _("Choose approve, amend or reject.")
    if choice != "approve" and not (reason or "").strip():
        return False, _("Say why you want the proposal amended or rejected.")
    return True, ""


def vote_outcome(*, present: int, approve: int, amend: int, reject: int) -> str | None:
    """Where the votes send a proposal: "approved" or "rejected" once a majority of the
    voting members present says so, "draft" (back to staff for amendment) once a
    majority asks to amend it or everyone present voted without a majority; None while
    the vote is open."""
    majority = present // 2 + 1
    if approve >= majority:
        return "approved"
    if reject >= majority:
        return "rejected"
    if amend >= majority or approve + amend + reject >= present:
        return "draft"
    return None


def can_record_proposal_decisions(
    *, levels: set[str], administrator_general: str, decision_committee: str
) -> tuple[bool, str]:
    """The funding decisions of an approved proposal are signed: by the
    administrator-general for an aid up to €500,000, by the decision committee above."""
    missing = []
    if DecidingLevel.ADMINISTRATOR_GENERAL in levels and not administrator_general.strip():
        missing.append(str(DecidingLevel.ADMINISTRATOR_GENERAL.label))
    if DecidingLevel.DECISION_COMMITTEE in levels and not decision_committee.strip():
        missing.append(str(DecidingLevel.DECISION_COMMITTEE.label))
    if missing:
        return False, _("Say who signed for: %(levels)s.") % {"levels": ", ".join(missing)}
    return True, ""


# --- The reserve list (DOMAIN.md §6) ----------------------------------------------------------


def can_fund_from_reserve(
    *,
    outcome: str,
    call_state: str,
    amount: Decimal | None,
    requested_aid: Decimal,
    available: Decimal,
    better_ranked: list[str],
    motivation: str,
    decided_by: str,
) -> tuple[bool, str]:
    """Staff fund a reserve proposal when money frees, while the call is not archived:
    an amount up to the aid requested that fits what the envelope has available; a
    better-ranked reserve proposal that also fits is passed over only with a motivation."""
    if outcome != DecisionOutcome.RESERVE:
        return False, _("Only a proposal on the reserve list is funded from it.")
    if call_state == "archived":
        return False, _("The call is archived: its reserve list is closed.")
    ok, why = amount_granted_ok(amount, requested_aid)
    if not ok:
        return False, why
    if Decimal(amount) > Decimal(available):
        return False, _(
            "The aid granted (%(amount)s) does not fit: the envelope has %(available)s available."
        ) % {
            "amount": format_euro(amount, cents=True),
            "available": format_euro(available, cents=True),
        }
    if better_ranked and not motivation.strip():
        return False, _(
            "Better-ranked reserve proposals also fit (%(names)s); say why this one goes first."
        ) % {"names": ", ".join(better_ranked)}
    if not decided_by.strip():
        return False, _("Say who signed the decision.")
    return True, ""


# --- The maximum aid per company (DOMAIN.md §4: a call parameter with a scope) ---------------


@dataclass(frozen=True)
class CompanyAid:
    """One company partner of a proposal at decision time: its aid in the call's other
    funded (not declined) projects and its aid in this proposal."""

    organisation_id: int
    name: str
    earlier: Decimal
    this: Decimal

    @property
    def total(self) -> Decimal:
        return self.earlier + self.this


def company_aid_within_cap(
    *, scope: str, cap: Decimal, companies: Sequence[CompanyAid]
) -> tuple[bool, str]:
    """With the scope "call", no company's aid over all its funded projects of the call
    may exceed the cap; refused with each company's figures. With the scope
    "application" the budget rules already cap each application's aid per company."""
    if scope != "call":
        return True, ""
    over = [c for c in companies if c.total > cap]
    if not over:
        return True, ""
    return False, _(
        "The aid per company in this call would exceed the maximum of %(cap)s: %(companies)s."
    ) % {
        "cap": format_euro(cap, cents=True),
        "companies": "; ".join(
            _("%(name)s %(earlier)s in earlier decisions + %(this)s now = %(total)s")
            % {
                "name": c.name,
                "earlier": format_euro(c.earlier, cents=True),
                "this": format_euro(c.this, cents=True),
                "total": format_euro(c.total, cents=True),
            }
            for c in over
        ),
    }
