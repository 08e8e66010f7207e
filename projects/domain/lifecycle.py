"""The receipt number of a submitted application and the guards of its lifecycle
(enums.APPLICATION_TRANSITIONS), each returning `(ok, reason)`.
"""

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _

from calls.domain import accepts_submissions

from ..enums import AdmissibilityOutcome
from .consortium import RuleCheck, ready_to_submit

# --- Receipt --------------------------------------------------------------------------------


def receipt_number(*, call_year: int, call_id: int, application_id: int) -> str:
    """The receipt number of a submission: ICON-<year>-<call>-<application>."""
    return f"ICON-{call_year}-{call_id:03d}-{application_id:05d}"


# --- Lifecycle: the guards of enums.APPLICATION_TRANSITIONS ----------------------------------


def can_submit(*, call, now: datetime, checks: Sequence[RuleCheck]) -> tuple[bool, str]:
    """A draft is submitted while the call takes submissions and when every rule passes."""
    ok, reason = accepts_submissions(call, now)
    if not ok:
        return ok, reason
    return ready_to_submit(checks)


def can_record_admissibility(
    *,
    outcome: str,
    reason: str,
    completion_items: Sequence[str],
    completion_deadline: datetime | None,
    now: datetime,
) -> tuple[bool, str]:
    """Staff's outcome of the admissibility check: a completion request names at least
    one item and a deadline in the future; inadmissibility gives its reason."""
    if outcome == AdmissibilityOutcome.COMPLETION:
        if not completion_items:
            return False, _("Name at least one item to complete.")
        if completion_deadline is None or completion_deadline <= now:
            return False, _("The completion deadline must lie in the future.")
    if outcome == AdmissibilityOutcome.INADMISSIBLE and not reason.strip():
        return False, _("Give the reason why the application is inadmissible.")
    return True, ""


def can_complete(*, completion_deadline: datetime | None, now: datetime) -> tuple[bool, str]:
    """The completed application is handed in before the completion deadline."""
    if completion_deadline is None or now >= completion_deadline:
        return False, _("The deadline for completing the application has passed.")
    return True, ""


def can_withdraw(*, has_decision: bool) -> tuple[bool, str]:
    """An application can be withdrawn until the steering group decides on it."""
    if has_decision:
        return False, _(
            "The steering group has decided on this application; it can no longer be "
            "withdrawn. Granted aid can be declined within one month of the decision."
        )
    return True, ""
