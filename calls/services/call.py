"""Writes of a call: creation and edits, parameters and criteria (frozen once the call
opens), the lifecycle (enums.CALL_TRANSITIONS), registrations, documents and the
deadline reminders.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import uploads
from programme.enums import Role
from programme.formats import format_brussels, round_cents
from programme.models import ProgrammeYear, User
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused

from .. import domain
from ..enums import CALL_TRANSITIONS, CallState, ReminderKind
from ..models import (
    Call,
    CallDocument,
    CallParameters,
    CallRegistration,
    Criterion,
    Envelope,
    ParameterAmendment,
    ReminderSent,
)

ZERO = Decimal("0")


# --- Calls ----------------------------------------------------------------------------------

CALL_FIELDS = (
    "programme_year",
    "title_nl",
    "title_en",
    "description_nl",
    "description_en",
    "instrument",
    "opens_at",
    "deadline",
    "preregistration_deadline",
    "review_deadline",
)
CALL_M2M = ("action_domains", "themes", "disease_domains")


@transaction.atomic
def call_create(
    *,
    actor: User | None,
    programme_year: ProgrammeYear,
    title_nl: str,
    title_en: str,
    opens_at: datetime,
    deadline: datetime,
    criteria: Iterable[dict] | None = None,
    **fields,
) -> Call:
    """Create a draft call with default parameters (DOMAIN.md §4) and criteria (§5).

    Side effects, in order: saves the call (audited), sets its eligible domains, themes
    and disease domains, creates its parameters with the defaults and its criteria
    (VLAIO's grid unless `criteria` is given).
    """
    m2m = {name: fields.pop(name) for name in CALL_M2M if name in fields}
    _check_fields(fields)
    call = Call(
        programme=programme_year.programme,
        programme_year=programme_year,
        title_nl=title_nl,
        title_en=title_en,
        opens_at=opens_at,
        deadline=deadline,
        **fields,
    )
    audited_save(call, actor=actor, reason="call created")
    for name, values in m2m.items():
        getattr(call, name).set(values)
    audited_save(CallParameters(call=call), actor=actor, reason="default parameters")
    rows = domain.DEFAULT_CRITERIA if criteria is None else list(criteria)
    for position, row in enumerate(rows, start=1):
        audited_save(
            Criterion(call=call, position=position, **row), actor=actor, reason="default criteria"
        )
    return call


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(CALL_FIELDS) - set(CALL_M2M)
    if unknown:
        raise TypeError(f"unknown call fields: {sorted(unknown)}")


def _lock_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _freeze_check(*, actor: User | None, call: Call, justification: str, changes: dict) -> None:
    """Refuse a change of frozen parameters unless an administrator justifies it; record
    the amendment (full justification and the changes) when one does."""
    if not changes or call.parameters_frozen_at is None:
        return
    is_admin = actor is not None and actor.has_role(Role.ADMIN)
    ok, reason = domain.can_edit_parameters(call, is_admin=is_admin, justification=justification)
    if not ok:
        raise Refused(reason)
    audited_save(
        ParameterAmendment(call=call, actor=actor, justification=justification, changes=changes),
        actor=actor,
        reason="parameters amended",
    )


def _jsonable(value) -> str:
    if hasattr(value, "all"):
        return ", ".join(str(item.pk) for item in value.all())
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(str(getattr(item, "pk", item)) for item in value)
    return str(getattr(value, "pk", value))


@transaction.atomic
def call_update(*, actor: User | None, call: Call, justification: str = "", **fields) -> Call:
    """Change a call's fields.

    Side effects, in order: locks the call row; when a frozen field changes (dates,
    budget year, eligibility: domain.FROZEN_CALL_FIELDS) refuses unless an administrator
    gives a justification, which is recorded as a ParameterAmendment; saves (audited);
    sets the many-to-many fields.
    """
    _check_fields(fields)
    locked = _lock_call(call)
    changes = {}
    for name, value in fields.items():
        if name in CALL_M2M:
            old = {item.pk for item in getattr(locked, name).all()}
            new = {item.pk for item in value}
            if old != new and name in domain.FROZEN_CALL_FIELDS:
                changes[name] = [_jsonable(sorted(old)), _jsonable(sorted(new))]
        elif getattr(locked, name) != value and name in domain.FROZEN_CALL_FIELDS:
            changes[name] = [_jsonable(getattr(locked, name)), _jsonable(value)]
    _freeze_check(actor=actor, call=locked, justification=justification, changes=changes)
    for name, value in fields.items():
        if name not in CALL_M2M:
            setattr(locked, name, value)
    if "programme_year" in fields:
        locked.programme = locked.programme_year.programme
    audited_save(locked, actor=actor, reason=(justification or "call edited"))
    for name in CALL_M2M:
        if name in fields:
            getattr(locked, name).set(fields[name])
    return locked


PARAMETER_FIELDS = tuple(
    f.name
    for f in CallParameters._meta.concrete_fields
    if f.name not in ("id", "call") and f.editable
)


@transaction.atomic
def call_parameters_update(
    *, actor: User | None, call: Call, justification: str = "", **values
) -> CallParameters:
    """Change the parameters of a call.

    Side effects, in order: locks the call row; refuses after the call opened unless an
    administrator justifies the amendment (recorded as a ParameterAmendment with the
    old and new values); saves the parameters (audited).
    """
    unknown = set(values) - set(PARAMETER_FIELDS)
    if unknown:
        raise TypeError(f"unknown parameter fields: {sorted(unknown)}")
    locked = _lock_call(call)
    parameters = CallParameters.objects.get(call=locked)
    changes = {
        name: [_jsonable(getattr(parameters, name)), _jsonable(value)]
        for name, value in values.items()
        if getattr(parameters, name) != value
    }
    _freeze_check(actor=actor, call=locked, justification=justification, changes=changes)
    for name, value in values.items():
        setattr(parameters, name, value)
    audited_save(parameters, actor=actor, reason=(justification or "parameters edited"))
    return parameters


CRITERION_FIELDS = (
    "position",
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "weight",
    "threshold",
)


@transaction.atomic
def criterion_save(
    *,
    actor: User | None,
    call: Call,
    criterion: Criterion | None = None,
    justification: str = "",
    **fields,
) -> Criterion:
    """Add or change an evaluation criterion; frozen like the parameters once the call
    opened (side effects as call_parameters_update)."""
    unknown = set(fields) - set(CRITERION_FIELDS)
    if unknown:
        raise TypeError(f"unknown criterion fields: {sorted(unknown)}")
    locked = _lock_call(call)
    criterion = criterion or Criterion(call=locked)
    if criterion.pk is None:
        changes = {"criterion added": ["", str(fields.get("name_en", ""))]}
    else:
        changes = {
            f"criterion {criterion.pk} {name}": [_jsonable(getattr(criterion, name)), _jsonable(v)]
            for name, v in fields.items()
            if getattr(criterion, name) != v
        }
    _freeze_check(actor=actor, call=locked, justification=justification, changes=changes)
    for name, value in fields.items():
        setattr(criterion, name, value)
    audited_save(criterion, actor=actor, reason=(justification or "criterion saved"))
    return criterion


@transaction.atomic
def criterion_delete(*, actor: User | None, criterion: Criterion, justification: str = "") -> None:
    """Remove a criterion; frozen like the parameters once the call opened."""
    locked = _lock_call(criterion.call)
    _freeze_check(
        actor=actor,
        call=locked,
        justification=justification,
        changes={f"criterion {criterion.pk} removed": [criterion.name_en, ""]},
    )
    criterion._history_user = actor
    criterion._change_reason = (justification or "criterion removed")[:100]
    criterion.delete()


# --- Lifecycle ------------------------------------------------------------------------------


def call_facts(call: Call) -> domain.CallFacts:
    """Count what the transition guards need to know about `call`."""
    totals = Envelope.objects.filter(call=call).aggregate(
        total=Sum("amount"), reserved=Sum("reserved")
    )
    return domain.CallFacts(
        has_parameters=CallParameters.objects.filter(call=call).exists(),
        criteria_count=Criterion.objects.filter(call=call).count(),
        envelope_count=Envelope.objects.filter(call=call).count(),
        envelope_total=totals["total"] or ZERO,
        reserved_total=totals["reserved"] or ZERO,
        # The applications and decisions apps hang off the call by these reverse names.
        undecided_applications=call.applications.filter(
            state="admissible", decision__isnull=True
        ).count(),
    )


# Who hears of a transition by e-mail: staff always; registered applicants when the
# call closes and when its decisions are taken.
APPLICANTS_NOTIFIED = {CallState.CLOSED, CallState.DECIDED}


def call_transition(
    *,
    actor: User | None,
    call: Call,
    to_state: str,
    reason: str = "",
    now: datetime | None = None,
) -> Call:
    """Move `call` to `to_state` if enums.CALL_TRANSITIONS allows it and its guard passes
    (else Refused with the reason).

    Side effects, in order: locks the call row (so two beats or two clicks cannot both
    apply a move); checks the move and its guard with fresh facts; on opening, freezes
    the parameters (parameters_frozen_at = now); saves the state with who and why in the
    audit trail; on commit, e-mails staff and, on closing and deciding, the applicants
    registered for the call. `call` is updated in place and returned.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_call(call)
        CALL_TRANSITIONS.check(
            locked.state,
            to_state,
            guards=domain,
            service="call_transition",
            call=locked,
            now=now,
            facts=call_facts(locked),
            reason=reason,
        )
        from_state = locked.state
        locked.state = to_state
        if to_state == CallState.OPEN and locked.parameters_frozen_at is None:
            locked.parameters_frozen_at = now
        audit = f"{from_state} → {to_state}" + (f": {reason}" if reason else "")
        audited_save(locked, actor=actor, reason=audit)
        recipients = User.objects.filter(groups__name__in=[Role.STAFF, Role.ADMIN], is_active=True)
        if to_state in APPLICANTS_NOTIFIED:
            recipients = User.objects.filter(
                Q(pk__in=recipients.values("pk"))
                | Q(call_registrations__call=locked, is_active=True)
            )
        queue_email_to_users(
            users=recipients.distinct(),
            subject=_("Call “%(title)s” is now %(state)s")
            % {"title": locked.title, "state": CallState(to_state).label.lower()},
            template="calls/email/call_transition.txt",
            context={
                "call": locked,
                "from_state": CallState(from_state).label,
                "to_state": CallState(to_state).label,
                "reason": reason,
                "actor": actor,
            },
        )
    call.state = locked.state
    call.parameters_frozen_at = locked.parameters_frozen_at
    return call


def calls_close_at_deadline(*, now: datetime | None = None) -> list[int]:
    """Close every open call whose deadline has passed; returns the closed call ids.

    Each call closes in its own transaction through call_transition, so a second beat
    running at the same moment finds it closed and does nothing.
    """
    now = now or timezone.now()
    closed = []
    for call in Call.objects.filter(state=CallState.OPEN, deadline__lte=now).order_by("pk"):
        try:
            call_transition(
                actor=None, call=call, to_state=CallState.CLOSED, reason="deadline passed", now=now
            )
        except Refused:
            continue
        closed.append(call.pk)
    return closed


# --- Registrations and reminders ---------------------------------------------------------------


@transaction.atomic
def call_register(
    *,
    actor: User,
    call: Call,
    now: datetime | None = None,
    acronym: str = "",
    project_title: str = "",
    requested_aid: Decimal | None = None,
) -> CallRegistration:
    """Register `actor`'s interest in `call`; refused outside the registration window
    (domain.can_register), which follows the deadline exactly.

    In a call with a pre-selection stage (domain.has_preselection) this is the
    pre-registration: it needs the project's acronym and its estimated aid, which staff
    weigh against the pre-selection ceiling; registering again before the
    pre-registration deadline updates that sketch. Elsewhere it is idempotent.
    Side effects: saves the registration (audited).
    """
    ok, reason = domain.can_register(call, now or timezone.now())
    if not ok:
        raise Refused(reason)
    sketch = {}
    if domain.has_preselection(call):
        errors = {}
        if not acronym.strip():
            errors["acronym"] = _("A pre-registration needs the project's acronym.")
        if requested_aid is None or requested_aid <= 0:
            errors["requested_aid"] = _(
                "A pre-registration needs the estimated aid the project will request."
            )
        if errors:
            raise Refused(errors)
        sketch = {
            "acronym": acronym.strip(),
            "project_title": project_title.strip(),
            "requested_aid": round_cents(requested_aid),
        }
    existing = CallRegistration.objects.select_for_update().filter(call=call, user=actor).first()
    if existing is not None:
        if sketch and any(getattr(existing, k) != v for k, v in sketch.items()):
            for name, value in sketch.items():
                setattr(existing, name, value)
            audited_save(existing, actor=actor, reason="pre-registration updated")
        return existing
    registration = CallRegistration(call=call, user=actor, **sketch)
    try:
        with transaction.atomic():
            audited_save(registration, actor=actor, reason="registered for the call")
    except IntegrityError:  # the same person clicked twice at once
        return CallRegistration.objects.get(call=call, user=actor)
    return registration


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Queue the deadline reminders that are due (7 days and 1 day before); returns how
    many were queued.

    Side effects, per person, in one transaction: inserts ReminderSent(call, user, kind)
    (unique), then queues the e-mail on commit. A second run, even concurrent, hits the
    unique constraint and sends nothing again.
    """
    now = now or timezone.now()
    horizon = now + domain.REMINDER_OFFSETS[ReminderKind.WEEK]
    sent = 0
    calls = Call.objects.filter(state=CallState.OPEN, deadline__gt=now, deadline__lte=horizon)
    for call in calls.order_by("deadline"):
        kind = domain.due_reminder(call.deadline, now)
        if kind is None:
            continue
        already = ReminderSent.objects.filter(call=call, kind=kind).values("user_id")
        registrations = (
            CallRegistration.objects.filter(call=call, user__is_active=True)
            .exclude(user_id__in=already)
            .select_related("user")
        )
        for registration in registrations:
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(call=call, user=registration.user, kind=kind)
                    queue_email_to_users(
                        users=[registration.user],
                        subject=_("Reminder: the deadline of “%(title)s” is %(when)s")
                        % {"title": call.title, "when": format_brussels(call.deadline)},
                        template="calls/email/deadline_reminder.txt",
                        context={"call": call, "kind": kind, "now": now},
                    )
            except IntegrityError:
                continue  # another run sent this one
            sent += 1
    return sent


# --- Documents ------------------------------------------------------------------------------


@transaction.atomic
def call_document_add(
    *, actor: User, call: Call, title_nl: str, title_en: str, file
) -> CallDocument:
    """Publish a document with a call (public once the call is published), stored under
    a name of ours with the extension of its checked type (programme.uploads)."""
    try:
        file_type = uploads.check_upload(file, allowed=uploads.DOCUMENTS)
    except ValidationError as error:
        raise Refused(error.messages) from None
    file.name = uploads.stored_name(file_type)
    document = CallDocument(
        call=call, title_nl=title_nl, title_en=title_en, file=file, uploaded_by=actor
    )
    audited_save(document, actor=actor, reason="document added")
    return document
