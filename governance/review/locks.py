"""Phases that lock (issue 18, item 3): the individual reviews lock at the review deadline
or once the consensus is recorded, the consensus once a decision proposal exists, all of
it once the call is decided (domain.phase_locked, selectors.phase_status). Staff reopen a
locked phase with a reason. services.py re-exports these writes; callers use
`governance.review.services`.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.enums import CallState
from programme.models import User
from programme.services import audited_save
from programme.states import Refused
from projects.models import Application

from . import selectors
from .enums import LockCause
from .models import PhaseLock


def phase_lock(*, actor: User | None, application, phase: str, cause: str, now=None) -> PhaseLock:
    """Lock `phase` of `application` for `cause` (consensus recorded, decision proposal).

    Side effects: none when the phase is already locked by an event (that lock is
    returned); else saves a new lock (audited). Runs in the caller's transaction.
    """
    current = selectors.active_lock(application, phase)
    if current is not None:
        return current
    lock = PhaseLock(
        application=application,
        phase=phase,
        cause=cause,
        locked_at=now or timezone.now(),
        locked_by=actor,
    )
    audited_save(lock, actor=actor, reason=f"{phase} locked: {cause}")
    return lock


@transaction.atomic
def phase_reopen(*, actor: User, application, phase: str, reason: str, now=None) -> PhaseLock:
    """Staff reopen a locked phase of one application, with a reason.

    Side effects, in order: locks the application; refuses without a reason, when the
    phase is not locked, or when the call is decided (then it stays locked); marks the
    current lock reopened with who, when and why — for the review deadline, which locks
    without a row, saves a lock of that cause already reopened (audited with the reason).
    The reopening lasts until the consensus is recorded again.
    """
    now = now or timezone.now()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call")
        .get(pk=application.pk)
    )
    if not (reason or "").strip():
        raise Refused({"reason": [_("Say why the phase is reopened.")]})
    locked, _why = selectors.phase_status(application, phase, now=now)
    if not locked:
        raise Refused(_("This phase is not locked."))
    if application.call.state in (CallState.DECIDED, CallState.ARCHIVED):
        raise Refused(_("The call has been decided; its evaluation stays locked."))
    lock = selectors.active_lock(application, phase) or PhaseLock(
        application=application,
        phase=phase,
        cause=LockCause.REVIEW_DEADLINE,
        locked_at=application.call.review_deadline or now,
    )
    lock.reopened_at, lock.reopened_by, lock.reopen_reason = now, actor, reason.strip()
    audited_save(lock, actor=actor, reason=f"reopened: {reason.strip()}")
    return lock
