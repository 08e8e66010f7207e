"""Pure rules of funded projects (DOMAIN.md §6): when a decision becomes a project, the
agreement's dates, the aid per partner and year, the payment schedule, the conditions of
a payment, of a change and of the project's moves. No writes and no queries: plain
values in, `(ok, reason)` or figures out, with the reason the user reads.

Known limits: "previous reports in" is a condition of the reports issue; until reports
exist, a payment waits for its due date, the signed agreement, the accepted
collaboration agreement and the previous payment of the schedule.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from programme.formats import format_euro, round_cents
from projects import domain as project_domain

from .enums import ChangeKind, CollaborationState, PaymentKind, ProjectState

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (clamped to the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (1 Jan → 1 Jan next year = 12)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if end.day >= start.day else months - 1


def can_become_project(
    *, outcome: str, declined_at: datetime | None, decline_until: datetime, now: datetime
) -> tuple[bool, str]:
    """A funding decision becomes a project when the month to decline has passed and
    the consortium did not decline."""
    if outcome != "fund":
        return False, _("Only a funding decision becomes a project.")
    if declined_at is not None:
        return False, _("The consortium declined the aid.")
    if now <= decline_until:
        return False, _(
            "The consortium may still decline the aid until %(date)s; the project starts "
            "after that."
        ) % {"date": decline_until.date().isoformat()}
    return True, ""


def can_set_dates(*, start: date, end: date, max_months: int) -> tuple[bool, str]:
    """The project ends after it starts, within the call's maximum duration (4 years)."""
    if end <= start:
        return False, _("The end date must come after the start date.")
    if end > add_months(start, max_months):
        return False, _(
            "A project lasts at most %(months)s months: from %(start)s it ends on %(limit)s at "
            "the latest."
        ) % {
            "months": max_months,
            "start": start.isoformat(),
            "limit": add_months(start, max_months).isoformat(),
        }
    return True, ""


def split_aid(granted: Decimal, planned: dict[tuple[int, int], Decimal]) -> dict:
    """The granted aid over (partner id, year) in proportion to the aid planned in the
    budget; largest remainders get the leftover cents, so the parts add up to `granted`
    exactly. With no planned aid at all, everything goes to the first key."""
    granted = round_cents(granted)
    keys = sorted(planned)
    if not keys:
        return {}
    total = sum(planned.values(), ZERO)
    if total <= 0:
        return {k: (granted if i == 0 else ZERO) for i, k in enumerate(keys)}
    exact = {k: granted * planned[k] / total for k in keys}
    parts = {k: exact[k].quantize(CENT, rounding="ROUND_DOWN") for k in keys}
    left = int((granted - sum(parts.values(), ZERO)) / CENT)
    for k in sorted(keys, key=lambda k: (parts[k] - exact[k], k))[:left]:
        parts[k] += CENT
    return parts


@dataclass(frozen=True)
class ScheduledPayment:
    kind: str
    year: int
    due_on: date
    amount: Decimal


def payment_schedule(
    *, aid_by_year: dict[int, Decimal], start: date, end: date, advance_share: Decimal
) -> list[ScheduledPayment]:
    """Annual advances in proportion to each project year's aid, together at most
    `advance_share` % of the aid, each due at the start of its year; the balance (the
    rest) is due after the end, once the final reports are approved (due date: the end
    date plus the 3 months of the financial report)."""
    total = sum(aid_by_year.values(), ZERO)
    advances_total = round_cents(total * advance_share / HUNDRED)
    years = sorted(y for y, a in aid_by_year.items() if a > 0)
    split = split_aid(advances_total, {(0, y): aid_by_year[y] for y in years})
    schedule = [
        ScheduledPayment(PaymentKind.ADVANCE, y, add_months(start, 12 * (y - 1)), split[(0, y)])
        for y in years
        if split[(0, y)] > 0
    ]
    balance = total - sum((p.amount for p in schedule), ZERO)
    if balance > 0:
        schedule.append(
            ScheduledPayment(
                PaymentKind.BALANCE, max(years, default=1), add_months(end, 3), balance
            )
        )
    return schedule


def can_start(*, signed_on: date | None) -> tuple[bool, str]:
    """The project runs once its support agreement is signed."""
    if signed_on is None:
        return False, _("Record the date the support agreement was signed first.")
    return True, ""


def can_end(*, end_date: date | None, today: date) -> tuple[bool, str]:
    """Final reporting starts when the project period is over."""
    if end_date is None or today <= end_date:
        return False, _("The project runs until %(date)s; final reporting starts after that.") % {
            "date": end_date.isoformat() if end_date else "?"
        }
    return True, ""


def can_pay(
    *,
    project_state: str,
    agreement_signed: bool,
    collaboration_state: str,
    kind: str,
    due_on: date,
    today: date,
    earlier_unpaid: int,
) -> tuple[bool, str]:
    """A payment is approved when its conditions hold (DOMAIN.md §6); otherwise the
    first missing condition is the reason."""
    if not agreement_signed:
        return False, _("The support agreement is not signed yet.")
    if collaboration_state != CollaborationState.ACCEPTED:
        return False, _(
            "The collaboration agreement has not been accepted yet; nothing is paid before."
        )
    if kind == PaymentKind.ADVANCE and project_state != ProjectState.RUNNING:
        return False, _("Advances are paid while the project runs.")
    if kind == PaymentKind.BALANCE and project_state != ProjectState.CLOSING:
        return False, _("The balance is paid after the final and financial reports are approved.")
    if earlier_unpaid:
        return False, _("An earlier payment of the schedule has not been paid yet.")
    if due_on > today:
        return False, _("This payment is due on %(date)s, not before.") % {
            "date": due_on.isoformat()
        }
    return True, ""


def can_approve_change(
    *,
    kind: str,
    start: date,
    new_end: date | None,
    max_months: int,
    aid_before: Decimal,
    aid_after: Decimal,
    paid: Decimal,
    available: Decimal,
) -> tuple[bool, str]:
    """An extension stays within the maximum duration; a change of aid keeps the aid at
    or above what was paid and an increase must fit the envelope's available money."""
    if kind == ChangeKind.EXTENSION:
        if new_end is None:
            return False, _("An extension needs the new end date.")
        return can_set_dates(start=start, end=new_end, max_months=max_months)
    if aid_after < paid:
        return False, _(
            "The new aid (%(after)s) is less than what was already paid (%(paid)s)."
        ) % {"after": format_euro(aid_after, cents=True), "paid": format_euro(paid, cents=True)}
    if aid_after - aid_before > available:
        return False, _(
            "The change adds %(more)s of aid, but the envelope has only %(available)s available."
        ) % {
            "more": format_euro(aid_after - aid_before, cents=True),
            "available": format_euro(available, cents=True),
        }
    return True, ""


@dataclass(frozen=True)
class JoiningAid:
    """The aid of a partner joining a running project: at most its cost × its aid
    intensity (projects.domain.partner_budget_totals), the aid it asks if less, spread
    over the project years in proportion to its cost per year."""

    eligible: "project_domain.Figure"
    total_cost: Decimal
    aid: Decimal
    by_year: dict[int, Decimal]


def joining_aid(
    *,
    params,
    partner: "project_domain.PartnerFacts",
    lines: list["project_domain.CostLine"],
    asked: Decimal | None,
    years: int,
) -> tuple[JoiningAid | None, str]:
    """The aid of a joining partner, or None and the reason it is refused: no cost, a
    cost outside the project's `years`, or more aid asked than its cost and intensity
    allow (with the figures)."""
    if any(line.year < 1 or line.year > years for line in lines):
        return None, _("The project has %(years)s years; enter the costs in those years.") % {
            "years": years
        }
    totals = project_domain.partner_budget_totals(params=params, partner=partner, lines=lines)
    if totals.total_cost <= 0:
        return None, _("Enter the joining partner's costs per year and category.")
    eligible = totals.aid
    aid = eligible.value if asked is None else round_cents(asked)
    if aid < 0:
        return None, _("The aid asked cannot be negative.")
    if aid > eligible.value:
        return None, _(
            "%(name)s asks %(asked)s of aid, but its costs allow at most %(eligible)s: %(reason)s"
        ) % {
            "name": partner.name,
            "asked": format_euro(aid, cents=True),
            "eligible": format_euro(eligible.value, cents=True),
            "reason": eligible.reason,
        }
    split = split_aid(aid, {(0, y): c for y, c in totals.cost_by_year.items() if c > 0})
    by_year = {year: amount for (_zero, year), amount in split.items()}
    return JoiningAid(eligible, totals.total_cost, aid, by_year), ""


def next_obligation(
    *, state: str, signed: bool, collaboration_state: str, next_payment_due: date | None, end_date
) -> str:
    """What the project waits for next, in words (the dashboard's column)."""
    if state == ProjectState.AGREEMENT_PENDING:
        return _("Support agreement to be signed") if not signed else _("Start the project")
    if collaboration_state != CollaborationState.ACCEPTED:
        return _("Collaboration agreement to be accepted")
    if state == ProjectState.RUNNING:
        if next_payment_due:
            return _("Payment due on %(date)s") % {"date": next_payment_due.isoformat()}
        return _("Project ends on %(date)s") % {"date": end_date.isoformat() if end_date else "?"}
    if state == ProjectState.REPORTING:
        return _("Final and financial reports")
    if state == ProjectState.CLOSING:
        return _("Balance and closing")
    return ""
