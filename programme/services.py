"""All writes of the programme app. Every function is keyword-only, runs in a transaction,
validates with full_clean(), records who and why in the audit trail, and queues e-mails
on commit (never inside the transaction, so a rollback sends nothing).

The outbox: every e-mail and every follow-up task of every app goes through
`outbox_enqueue`, which writes an Outbox row in the caller's transaction and dispatches it
once that transaction commits. A broker that is down leaves the row undelivered (the
state change stands; the user is told the follow-up will come) and the beat task
`programme.tasks.sweep_outbox` dispatches it again; an e-mail row is delivered only once
the SMTP server accepted the mail.
"""

import logging
import smtplib
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import domain, selectors, uploads
from .enums import MEMBERSHIP_TRANSITIONS, LinkKind, MembershipState, Role
from .models import (
    Kpi,
    MilestoneRecord,
    Organisation,
    OrganisationLink,
    OrganisationMembership,
    Outbox,
    OutboxKind,
    User,
)
from .states import Refused

logger = logging.getLogger(__name__)


def audited_save(instance, *, actor: User | None, reason: str) -> None:
    """Validate and save `instance`, recording actor and reason in its history row."""
    instance.full_clean()
    instance._history_user = actor if actor is not None and actor.pk else None
    instance._change_reason = reason[:100]
    instance.save()


# --- The outbox -------------------------------------------------------------------------


# Errors of a broker that cannot be reached (kombu wraps most in OperationalError; redis-py
# raises its own ConnectionError/TimeoutError; a refused socket is an OSError).
def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError
    from redis.exceptions import RedisError

    return (OperationalError, RedisError, OSError)


# The sweep waits this long after a dispatch before trying again, doubling per attempt.
OUTBOX_FIRST_RETRY = timedelta(minutes=2)
OUTBOX_MAX_RETRY = timedelta(hours=1)


def outbox_enqueue(
    *,
    task,
    kwargs: dict,
    kind: str = OutboxKind.TASK,
    dispatch: bool = True,
    unique: bool = False,
) -> Outbox:
    """Record follow-up work (the Celery `task` with keyword arguments `kwargs`, JSON) in
    the current transaction.

    Side effects, in order: writes an Outbox row (rolled back with the caller's
    transaction, so a refused change queues nothing) — with `unique`, not when the same
    work is already waiting undelivered (a page that asks again while the broker is
    down); unless `dispatch` is False (the caller dispatches itself), on commit,
    `outbox_dispatch` of that row."""
    payload = {"task": task.name, "kwargs": kwargs}
    waiting = unique and Outbox.objects.filter(delivered_at__isnull=True, payload=payload).first()
    row = waiting or Outbox.objects.create(kind=kind, payload=payload)
    if dispatch:
        transaction.on_commit(lambda: outbox_dispatch(outbox_id=row.pk))
    return row


def outbox_dispatch(*, outbox_id: int) -> bool:
    """Hand one undelivered Outbox row to the broker. True when the broker took it.

    Side effects, in order: counts the attempt (dispatched_at, attempts); publishes the
    task (an e-mail row passes its id, so the task marks it delivered after SMTP); a task
    row is delivered once published. A broker that cannot be reached records the error
    and returns False (the sweep tries again): it never fails the request that made the
    change. Tasks that run in-process (no broker configured) run here; their failure is
    recorded on the row, marked delivered (the task's own record says what failed, and
    running it again would not help) and raised, as before the outbox."""
    from celery import current_app

    row = Outbox.objects.filter(pk=outbox_id, delivered_at__isnull=True).first()
    if row is None:
        return True
    Outbox.objects.filter(pk=row.pk).update(
        dispatched_at=timezone.now(), attempts=F("attempts") + 1
    )
    task = current_app.tasks[row.payload["task"]]
    kwargs = dict(row.payload.get("kwargs", {}))
    if row.kind == OutboxKind.EMAIL:
        kwargs["outbox_id"] = row.pk
    eager = bool(current_app.conf.task_always_eager)
    try:
        task.apply_async(kwargs=kwargs)
    except Exception as exc:
        if not eager and isinstance(exc, _broker_errors()):
            logger.warning("outbox %s not dispatched (broker unreachable): %s", row.pk, exc)
            Outbox.objects.filter(pk=row.pk).update(last_error=_error_text(exc))
            return False
        Outbox.objects.filter(pk=row.pk).update(
            delivered_at=timezone.now(), last_error=_error_text(exc)
        )
        raise
    if row.kind == OutboxKind.TASK:
        Outbox.objects.filter(pk=row.pk).update(delivered_at=timezone.now(), last_error="")
    return True


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def outbox_deliver_email(*, outbox_id: int) -> bool:
    """Send the e-mail of one Outbox row (the send_email task calls this). True when sent.

    Side effects, in order: locks the row (a second delivery of the same message waits,
    then finds it delivered and sends nothing); sends the mail; marks the row delivered.
    An SMTP server that refuses or cannot be reached leaves the row undelivered with the
    error, for the sweep."""
    error = None
    with transaction.atomic():
        row = Outbox.objects.select_for_update().get(pk=outbox_id)
        if row.delivered_at is not None:
            return False
        message = row.payload["kwargs"]
        try:
            send_mail(
                message["subject"], message["body"], settings.DEFAULT_FROM_EMAIL, message["to"]
            )
        except (OSError, smtplib.SMTPException) as exc:
            error = exc
        else:
            row.delivered_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["delivered_at", "last_error"])
            return True
    logger.warning("outbox %s: mail not accepted: %s", outbox_id, error)
    Outbox.objects.filter(pk=outbox_id).update(last_error=_error_text(error))
    return False


def outbox_due(*, now=None, limit: int = 500) -> list[int]:
    """Ids of undelivered rows whose last dispatch is older than their backoff (2 min,
    doubling per attempt, at most 1 h), oldest first."""
    now = now or timezone.now()
    due = []
    rows = Outbox.objects.filter(delivered_at__isnull=True).order_by("created_at", "pk")
    for pk, dispatched_at, attempts in rows.values_list("pk", "dispatched_at", "attempts")[
        : limit * 4
    ]:
        wait = min(OUTBOX_FIRST_RETRY * 2 ** max(attempts - 1, 0), OUTBOX_MAX_RETRY)
        if dispatched_at is None or dispatched_at <= now - wait:
            due.append(pk)
        if len(due) >= limit:
            break
    return due


def outbox_sweep(*, now=None) -> int:
    """Dispatch again what is due (outbox_due); stops at the first unreachable broker.
    Returns how many rows the broker took."""
    sent = 0
    for pk in outbox_due(now=now):
        if not outbox_dispatch(outbox_id=pk):
            break
        sent += 1
    return sent


def queue_email(*, to: list[str], subject: str, body: str) -> None:
    """Send an e-mail through the Celery worker once the current transaction commits
    (through the outbox: kept when the broker or the mail server is down)."""
    from .tasks import send_email

    outbox_enqueue(
        task=send_email,
        kind=OutboxKind.EMAIL,
        kwargs={"to": list(to), "subject": str(subject), "body": str(body)},
    )


def queue_email_to_users(*, users, subject: str, template: str, context: dict) -> None:
    """Render `template` per recipient in that person's language and queue it."""
    for user in users:
        with translation.override(user.language or "nl"):
            queue_email(
                to=[user.email],
                subject=str(subject),
                body=render_to_string(template, {**context, "recipient": user}),
            )


ORGANISATION_FIELDS = (
    "name",
    "kind",
    "is_flemish",
    "reference_year",
    "headcount",
    "turnover",
    "balance_sheet_total",
    "public_body_share",
    "in_difficulty",
    "website",
)


@transaction.atomic
def organisation_save(
    *,
    actor: User | None,
    organisation: Organisation | None = None,
    enterprise_number: str,
    reason: str = "",
    verified: bool | None = None,
    **fields,
) -> Organisation:
    """Create or update an organisation of the registry.

    Side effects, in order: normalises the enterprise number (raises
    EnterpriseNumberError), computes the SME class from the figures with the group's
    (programme.selectors.sme_computation); when someone other than staff changes figures
    that decide aid (domain.AID_DECIDING_FIELDS) of a verified organisation, marks it
    unverified and awaiting re-verification (staff verifying clears it); validates, saves
    with an audit row (actor, reason); recomputes the class of the enterprises linked to
    it (organisations_sme_recompute); when an applicant registers a new organisation
    without belonging to one, makes them its approved member and manager; on commit,
    tells staff by e-mail that an organisation awaits verification.
    """
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    creating = organisation is None
    organisation = organisation or Organisation()
    before = {name: getattr(organisation, name) for name in domain.AID_DECIDING_FIELDS}
    organisation.enterprise_number = domain.normalise_enterprise_number(enterprise_number)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.sme_class = selectors.sme_computation(organisation).klass
    staff = actor is not None and actor.has_role(Role.STAFF, Role.ADMIN)
    changed = [n for n in domain.AID_DECIDING_FIELDS if getattr(organisation, n) != before[n]]
    needs_reverification = not creating and not staff and organisation.verified and changed
    if needs_reverification:
        organisation.verified = False
        organisation.reverification_pending = True
    if verified is not None and staff:
        organisation.verified = verified
        if verified:
            organisation.reverification_pending = False
    audited_save(
        organisation,
        actor=actor,
        reason=reason
        or (
            _("registered")
            if creating
            else _("changed %(fields)s") % {"fields": ", ".join(changed)}
            if changed
            else _("updated")
        ),
    )
    if not creating:  # the enterprises of its group count its figures too
        organisations_sme_recompute(actor=actor, organisation_ids=[organisation.pk])
    if creating and actor is not None and actor.has_role(Role.APPLICANT):
        if actor.organisation_id is None:
            actor.organisation = organisation
            audited_save(actor, actor=actor, reason="registered own organisation")
            membership = OrganisationMembership(
                organisation=organisation,
                user=actor,
                state=MembershipState.APPROVED,
                is_manager=True,
                decided_by=actor,
                decided_at=timezone.now(),
            )
            audited_save(membership, actor=actor, reason="registered the organisation")
    if (creating or needs_reverification) and not staff and actor is not None:
        queue_email_to_users(
            users=User.objects.filter(groups__name=Role.STAFF, is_active=True),
            subject=(
                _("New organisation to verify: %(name)s")
                if creating
                else _("Organisation to verify again: %(name)s")
            )
            % {"name": organisation.name},
            template="programme/email/organisation_registered.txt",
            context={"organisation": organisation, "actor": actor, "changed": changed},
        )
    return organisation


def _managers(organisation: Organisation):
    return User.objects.filter(
        organisation_memberships__organisation=organisation,
        organisation_memberships__state=MembershipState.APPROVED,
        organisation_memberships__is_manager=True,
        is_active=True,
    )


def is_organisation_manager(user: User, organisation: Organisation) -> bool:
    return _managers(organisation).filter(pk=user.pk).exists()


@transaction.atomic
def membership_request(*, actor: User, organisation: Organisation) -> OrganisationMembership:
    """Ask to join `organisation`. The person sees nothing of it until a manager of the
    organisation (or staff, where it has none) approves.

    Side effects, in order: refuses a person who already belongs to an organisation or
    has asked before; saves the pending request (audited); on commit, e-mails the
    organisation's managers, or VLAIO staff when it has none.
    """
    if actor.organisation_id is not None:
        raise Refused(_("You already belong to %(name)s.") % {"name": actor.organisation.name})
    if OrganisationMembership.objects.filter(organisation=organisation, user=actor).exists():
        raise Refused(_("You have already asked to join this organisation."))
    membership = OrganisationMembership(organisation=organisation, user=actor)
    audited_save(membership, actor=actor, reason="asked to join")
    deciders = _managers(organisation)
    if not deciders.exists():
        deciders = User.objects.filter(groups__name=Role.STAFF, is_active=True)
    queue_email_to_users(
        users=deciders,
        subject=_("%(person)s asks to join %(name)s")
        % {"person": actor.get_full_name() or actor.email, "name": organisation.name},
        template="programme/email/membership_requested.txt",
        context={"organisation": organisation, "membership": membership, "actor": actor},
    )
    return membership


@transaction.atomic
def membership_decide(
    *, actor: User, membership: OrganisationMembership, approve: bool, manager: bool = False
) -> OrganisationMembership:
    """Approve or refuse a request to join (MEMBERSHIP_TRANSITIONS).

    Side effects, in order: locks the request; checks that the actor is a manager of the
    organisation or staff; on approval makes the person a member (User.organisation)
    and, when asked, a manager; records who decided and when (audited); on commit,
    e-mails the person the outcome in their language.
    """
    membership = OrganisationMembership.objects.select_for_update().get(pk=membership.pk)
    organisation = membership.organisation
    target = MembershipState.APPROVED if approve else MembershipState.REFUSED
    MEMBERSHIP_TRANSITIONS.check(
        membership.state,
        target,
        guards=domain,
        service="membership_decide",
        is_staff=actor.has_role(Role.STAFF, Role.ADMIN),
        is_manager=is_organisation_manager(actor, organisation),
    )
    person = membership.user
    if approve and person.organisation_id not in (None, organisation.pk):
        raise Refused(_("%(person)s already belongs to another organisation.") % {"person": person})
    membership.state = target
    membership.is_manager = approve and manager
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    audited_save(membership, actor=actor, reason=f"membership {target}")
    if approve:
        person.organisation = organisation
        audited_save(person, actor=actor, reason="membership approved")
    queue_email_to_users(
        users=[person],
        subject=_("Your request to join %(name)s") % {"name": organisation.name},
        template="programme/email/membership_decided.txt",
        context={"organisation": organisation, "membership": membership},
    )
    return membership


@transaction.atomic
def organisation_link_create(
    *,
    actor: User,
    organisation: Organisation,
    other: Organisation,
    kind: LinkKind,
    share: Decimal | None = None,
    note: str = "",
) -> OrganisationLink:
    """Record that two enterprises are partner or linked enterprises.

    Side effects, in order: refuses a share that does not fit the kind (Refused); saves
    the link with an audit row; recomputes the SME class of the enterprises it connects
    (organisations_sme_recompute). Staff record links through
    governance.review.services.organisation_link_record, which also withdraws the review
    assignments the link turns into a conflict of interest."""
    ok, why = domain.check_link_share(kind, share)
    if not ok:
        raise Refused(why)
    link = OrganisationLink(
        organisation=organisation, other=other, kind=kind, share=share, note=note
    )
    audited_save(link, actor=actor, reason=f"link {kind}")
    organisations_sme_recompute(actor=actor, organisation_ids=[organisation.pk, other.pk])
    return link


@transaction.atomic
def organisations_sme_recompute(*, actor: User | None, organisation_ids) -> list[Organisation]:
    """Recompute the SME class (with the group) of every organisation connected to
    `organisation_ids` by links; save those whose class changed with an audit row that
    says why. Returns the changed organisations."""
    changed = []
    component = selectors.linked_component(organisation_ids)
    for organisation in Organisation.objects.filter(pk__in=component).order_by("pk"):
        klass = selectors.sme_computation(organisation).klass
        if klass != organisation.sme_class:
            organisation.sme_class = klass
            audited_save(organisation, actor=actor, reason="SME class recomputed with the group")
            changed.append(organisation)
    return changed


@transaction.atomic
def milestone_record(
    *,
    actor: User,
    kpi: Kpi,
    date: date,
    description: str,
    evidence_file: UploadedFile | None = None,
    evidence_url: str = "",
) -> MilestoneRecord:
    """Record evidence for a milestone KPI (audited). Computed KPIs take no records; the
    evidence file must be a document (programme.uploads) and is stored under our name."""
    if kpi.kind != "milestone":
        raise Refused(_("Only milestone KPIs take records; this KPI is computed."))
    record = MilestoneRecord(
        kpi=kpi,
        date=date,
        description=description,
        evidence_url=evidence_url,
        recorded_by=actor,
    )
    if evidence_file is not None:
        try:
            file_type = uploads.check_upload(evidence_file, allowed=uploads.DOCUMENTS)
        except ValidationError as error:
            raise Refused(error.messages) from None
        evidence_file.name = uploads.stored_name(file_type)
        record.evidence_file = evidence_file
    audited_save(record, actor=actor, reason="milestone recorded")
    return record


@transaction.atomic
def user_sign_up(*, user: User) -> User:
    """Save a person who signed up on the site (allauth's sign-up form): they receive the
    applicant role and nothing else, whatever the form carried. Audited."""
    user.is_staff = False
    user.is_superuser = False
    audited_save(user, actor=None, reason="signed up")
    user_set_roles(actor=None, user=user, roles=[Role.APPLICANT], reason="signed up")
    return user


@transaction.atomic
def user_email_verified(*, user: User) -> None:
    """Record that `user` owns their e-mail address, for accounts an administrator or the
    demo made (a person who signs up proves it through allauth's verification mail)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": True, "primary": True},
    )


@transaction.atomic
def user_set_roles(*, actor: User | None, user: User, roles: list[str], reason: str = "") -> None:
    """Give `user` exactly these roles (groups), creating the groups on first use."""
    groups = [Group.objects.get_or_create(name=Role(role).value)[0] for role in roles]
    user.groups.set(groups)
    user._history_user = actor
    user._change_reason = (reason or "roles: " + ", ".join(sorted(roles)))[:100]
    user.save()
    if hasattr(user, "_roles_cache"):
        del user._roles_cache
