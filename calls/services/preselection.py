"""Writes of the pre-selection stage: staff pre-select a call's pre-registrations up to
the ceiling (domain.preselection_fits) and turn the others down with a reason; every
pre-registrant is told by e-mail.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.models import User
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused

from .. import domain
from ..enums import PREREGISTRATION_TRANSITIONS, PreregistrationState
from ..models import Call, CallParameters, CallRegistration, Envelope

ZERO = Decimal("0")


@dataclass(frozen=True)
class PreselectionFigures:
    """The figures the pre-selection page shows and the service checks."""

    available: Decimal  # still available in the call's envelopes
    factor: Decimal
    ceiling: Decimal
    preselected: Decimal  # requested by the pre-registrations already pre-selected


def preselection_figures(call: Call) -> PreselectionFigures:
    """Available budget, ceiling and what is already pre-selected, in two queries."""
    available = (
        Envelope.objects.filter(call=call).aggregate(
            total=Sum(F("amount") - F("reserved") - F("committed"))
        )["total"]
        or ZERO
    )
    factor = CallParameters.objects.filter(call=call).values_list(
        "preselection_factor", flat=True
    ).first() or Decimal("3")
    preselected = (
        CallRegistration.objects.filter(
            call=call, state=PreregistrationState.PRESELECTED
        ).aggregate(total=Sum("requested_aid"))["total"]
        or ZERO
    )
    return PreselectionFigures(
        available=available,
        factor=factor,
        ceiling=domain.preselection_ceiling(available, factor),
        preselected=preselected,
    )


def _label(registration: CallRegistration) -> str:
    return registration.acronym or str(registration.user)


@transaction.atomic
def preselection_record(
    *,
    actor: User,
    call: Call,
    preselected: Iterable[int],
    reasons: Mapping[int, str] | None = None,
    common_reason: str = "",
    now: datetime | None = None,
) -> list[CallRegistration]:
    """Pre-select the registrations `preselected` (ids) of `call` and turn down every
    other registration still waiting, each with its reason (`reasons[id]`, else
    `common_reason`). Returns the registrations it decided.

    Side effects, in order: locks the call row and the waiting registrations; refuses
    (nothing saved) when the call is not at its pre-selection moment
    (PREREGISTRATION_TRANSITIONS guards), when a turned-down registration has no
    reason (named), or when the pre-selected ones, with those pre-selected before,
    request more than the ceiling (with the figures); saves each registration's state,
    reason, who and when (audited with the reason); on commit, e-mails each
    pre-registrant the outcome and, when turned down, the reason.
    """
    now = now or timezone.now()
    reasons = reasons or {}
    locked = Call.objects.select_for_update().get(pk=call.pk)
    ok, why = domain.can_preselect(locked, now)
    if not ok:
        raise Refused(why)
    waiting = list(
        CallRegistration.objects.select_for_update(of=("self",))
        .filter(call=locked, state=PreregistrationState.REGISTERED)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    chosen = set(preselected)
    unknown = chosen - {r.pk for r in waiting}
    if unknown:
        raise Refused(_("Only waiting pre-registrations of this call can be pre-selected."))
    reason_of = {
        r.pk: (reasons.get(r.pk) or common_reason).strip() for r in waiting if r.pk not in chosen
    }
    without_reason = [_label(r) for r in waiting if r.pk in reason_of and not reason_of[r.pk]]
    _refuse_unless(domain.missing_reasons(without_reason))
    figures = preselection_figures(locked)
    requested = figures.preselected + sum(
        (r.requested_aid or ZERO for r in waiting if r.pk in chosen), ZERO
    )
    _refuse_unless(
        domain.preselection_fits(
            requested=requested, available=figures.available, factor=figures.factor
        )
    )
    for registration in waiting:
        target = (
            PreregistrationState.PRESELECTED
            if registration.pk in chosen
            else PreregistrationState.NOT_PRESELECTED
        )
        reason = reason_of.get(registration.pk, "")
        PREREGISTRATION_TRANSITIONS.check(
            registration.state,
            target,
            guards=domain,
            service="preselection_record",
            call=locked,
            now=now,
            reason=reason,
        )
        registration.state = target
        registration.preselection_reason = reason
        registration.preselected_at = now
        registration.preselected_by = actor
        audited_save(
            registration,
            actor=actor,
            reason=f"{target}: {reason}" if reason else str(target),
        )
        _tell(locked, registration)
    return waiting


def _tell(call: Call, registration: CallRegistration) -> None:
    preselected = registration.state == PreregistrationState.PRESELECTED
    subject = (
        _("Your pre-registration for “%(title)s” is pre-selected")
        if preselected
        else _("Your pre-registration for “%(title)s” is not pre-selected")
    )
    queue_email_to_users(
        users=[registration.user],
        subject=subject % {"title": call.title},
        template="calls/email/preselection.txt",
        context={"call": call, "registration": registration, "preselected": preselected},
    )


def _refuse_unless(ok_reason: tuple[bool, str]) -> None:
    ok, reason = ok_reason
    if not ok:
        raise Refused(reason)
