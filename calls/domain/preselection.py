"""Pure rules of the pre-selection stage (DOMAIN.md §5): a call with a pre-registration
deadline pre-selects its pre-registrations, up to a multiple (call parameter, default
3×) of the budget still available in its envelopes; the others are turned down with a
reason. No writes and no queries here: services.preselection_record gathers the figures.

Known limits: the ceiling is measured on the estimated aid the applicants typed when
pre-registering (the only figure there is before the full proposal).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from programme.formats import format_brussels, format_euro, format_number, round_cents

from ..enums import CallState

ZERO = Decimal("0")


def has_preselection(call) -> bool:
    """A call has a pre-selection stage when it has a pre-registration deadline."""
    return call.preregistration_deadline is not None


def preselection_ceiling(available: Decimal, factor: Decimal) -> Decimal:
    """What the pre-selected pre-registrations may request together: `factor` × the
    budget still available in the call's envelopes (never negative)."""
    return round_cents(max(available, ZERO) * factor)


def can_preselect(call, now: datetime, reason: str = "") -> tuple[bool, str]:
    """Pre-selection happens in an open call with a pre-selection stage, once its
    pre-registration deadline has passed (so every candidate is known)."""
    if not has_preselection(call):
        return False, _("This call has no pre-selection stage (no pre-registration deadline).")
    if call.state != CallState.OPEN:
        return False, _("Pre-selection happens while the call is open (state: %(state)s).") % {
            "state": call.get_state_display()
        }
    if now < call.preregistration_deadline:
        return False, _(
            "Pre-registration is open until %(time)s; pre-select after that moment."
        ) % {"time": format_brussels(call.preregistration_deadline)}
    return True, ""


def can_turn_down_preregistration(call, now: datetime, reason: str = "") -> tuple[bool, str]:
    """A pre-registration that is not pre-selected is told why."""
    ok, why = can_preselect(call, now)
    if not ok:
        return ok, why
    if not reason.strip():
        return False, _("Every pre-registration that is not pre-selected needs a reason.")
    return True, ""


def preselection_fits(
    *, requested: Decimal, available: Decimal, factor: Decimal
) -> tuple[bool, str]:
    """The pre-selected set (already pre-selected ones included) requests at most the
    ceiling; refused with the figures otherwise."""
    ceiling = preselection_ceiling(available, factor)
    if requested > ceiling:
        return False, _(
            "Refused: the pre-selected pre-registrations request %(requested)s together, "
            "more than %(factor)s× the available budget of %(available)s = %(ceiling)s "
            "(%(over)s too much)."
        ) % {
            "requested": format_euro(requested, cents=True),
            "factor": format_number(factor),
            "available": format_euro(available, cents=True),
            "ceiling": format_euro(ceiling, cents=True),
            "over": format_euro(requested - ceiling, cents=True),
        }
    return True, ""


def missing_reasons(labels_without_reason: Iterable[str]) -> tuple[bool, str]:
    """All turned-down pre-registrations have a reason; else name the ones without."""
    labels = sorted(labels_without_reason)
    if labels:
        return False, _(
            "Give a reason for the pre-registrations that are not pre-selected: %(names)s."
        ) % {"names": ", ".join(labels)}
    return True, ""


def may_start_full_proposal(call, *, preselected: bool) -> tuple[bool, str]:
    """In a call with a pre-selection stage only a pre-selected consortium (one of its
    people pre-registered and was pre-selected) starts a full proposal."""
    if has_preselection(call) and not preselected:
        return False, _(
            "This call has a pre-selection stage: only pre-selected pre-registrations may "
            "submit a full proposal."
        )
    return True, ""
