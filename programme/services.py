"""All writes of the programme app. Every function is keyword-only, runs in a transaction,
validates with full_clean(), records who and why in the audit trail, and queues e-mails
on commit (never inside the transaction, so a rollback sends nothing).
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import domain, selectors
from .enums import LinkKind, Role
from .models import Kpi, MilestoneRecord, Organisation, OrganisationLink, User
from .states import Refused


def audited_save(instance, *, actor: User | None, reason: str) -> None:
    """Validate and save `instance`, recording actor and reason in its history row."""
    instance.full_clean()
    instance._history_user = actor if actor is not None and actor.pk else None
    instance._change_reason = reason[:100]
    instance.save()


def queue_email(*, to: list[str], subject: str, body: str) -> None:
    """Send an e-mail through the Celery worker once the current transaction commits."""
    from .tasks import send_email

    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body))


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
    (programme.selectors.sme_computation), validates, saves with an audit row (actor,
    reason); recomputes the class of the enterprises linked to it
    (organisations_sme_recompute); when an applicant registers a new organisation
    without belonging to one, makes them a member; on commit, tells staff by e-mail
    that a new organisation awaits verification.
    """
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    creating = organisation is None
    organisation = organisation or Organisation()
    organisation.enterprise_number = domain.normalise_enterprise_number(enterprise_number)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.sme_class = selectors.sme_computation(organisation).klass
    if verified is not None:
        organisation.verified = verified
    audited_save(
        organisation,
        actor=actor,
        reason=reason or (_("registered") if creating else _("updated")),
    )
    if not creating:  # the enterprises of its group count its figures too
        organisations_sme_recompute(actor=actor, organisation_ids=[organisation.pk])
    if creating and actor is not None and actor.has_role(Role.APPLICANT):
        if actor.organisation_id is None:
            actor.organisation = organisation
            audited_save(actor, actor=actor, reason="registered own organisation")
        if not actor.has_role(Role.STAFF, Role.ADMIN):
            queue_email_to_users(
                users=User.objects.filter(groups__name=Role.STAFF, is_active=True),
                subject=_("New organisation to verify: %(name)s") % {"name": organisation.name},
                template="programme/email/organisation_registered.txt",
                context={"organisation": organisation, "actor": actor},
            )
    return organisation


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
    """Record evidence for a milestone KPI (audited). Computed KPIs take no records."""
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
        record.evidence_file = evidence_file
    audited_save(record, actor=actor, reason="milestone recorded")
    return record


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
