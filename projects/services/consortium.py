"""Writes of the consortium: partners (add, edit, remove, with the contact's invitation)
and each partner's budget.
"""

from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from programme.enums import Role
from programme.formats import round_cents
from programme.models import Organisation, User
from programme.services import audited_save, queue_email_to_users, user_set_roles
from programme.states import Refused

from .. import domain
from ..enums import (
    CompletionItem,
)
from ..models import Application, BudgetEntry, Partner
from .application import _guard, _lock

# --- Consortium --------------------------------------------------------------------------


def _invite_link(user: User, application: Application, site_url: str) -> str:
    if not site_url:
        return ""
    if user.has_usable_password():
        return site_url.rstrip("/") + reverse("application_detail", args=[application.pk])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url.rstrip("/") + reverse("password_reset_confirm", args=[uid, token])


def _contact_user(*, actor: User, email: str, name: str, organisation: Organisation) -> User:
    """The person with this e-mail, created (applicant, no password yet) when unknown."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _sep, last = (name or "").strip().partition(" ")
        user = User(email=email, first_name=first, last_name=last, organisation=organisation)
        user.set_unusable_password()
        audited_save(user, actor=actor, reason="invited as partner contact")
        user_set_roles(actor=actor, user=user, roles=[Role.APPLICANT], reason="invited")
    elif not user.has_role(Role.APPLICANT):
        roles = [*user.roles, Role.APPLICANT]
        user_set_roles(actor=actor, user=user, roles=roles, reason="invited as partner contact")
    return user


def _queue_invitation(*, partner: Partner, actor: User, site_url: str) -> None:
    contact = partner.contact
    with translation.override(contact.language or "nl"):
        link = _invite_link(contact, partner.application, site_url)
    queue_email_to_users(
        users=[contact],
        subject=_("Invitation to the ICON application %(acronym)s")
        % {"acronym": partner.application.acronym},
        template="projects/email/invitation.txt",
        context={
            "partner": partner,
            "application": partner.application,
            "actor": actor,
            "link": link,
        },
    )


@transaction.atomic
def partner_add(
    *,
    actor: User,
    application: Application,
    organisation: Organisation,
    contact_email: str,
    contact_name: str = "",
    declares_non_economic: bool = False,
    site_url: str = "",
) -> Partner:
    """Add an organisation of the registry to the consortium.

    Side effects, in order: checks the application may change (deadline, state);
    finds or creates the contact person's account (applicant role, no password yet);
    saves the partner with its part (research or company, from its kind and
    declaration) (audited); on commit, e-mails the contact an invitation.
    """
    application = _lock(application)
    _guard(application, item=CompletionItem.CONSORTIUM)
    if Partner.objects.filter(application=application, organisation=organisation).exists():
        raise Refused(_("%(name)s is already a partner.") % {"name": organisation.name})
    contact = _contact_user(
        actor=actor, email=contact_email, name=contact_name, organisation=organisation
    )
    partner = Partner(
        application=application,
        organisation=organisation,
        part=domain.default_part(
            kind=organisation.kind, declares_non_economic=declares_non_economic
        ),
        declares_non_economic=declares_non_economic,
        contact=contact,
        contact_email=contact.email,
        contact_name=contact_name or contact.get_full_name(),
        invited_at=timezone.now(),
    )
    audited_save(partner, actor=actor, reason="partner added")
    _queue_invitation(partner=partner, actor=actor, site_url=site_url)
    return partner


@transaction.atomic
def partner_update(
    *,
    actor: User,
    partner: Partner,
    contact_email: str,
    contact_name: str = "",
    declares_non_economic: bool = False,
    site_url: str = "",
) -> Partner:
    """Change a partner's contact person or declaration (which may move it to the other
    part); a new contact person is invited by e-mail on commit. Audited."""
    _lock(partner.application)
    partner = Partner.objects.select_related("organisation", "contact", "application__call").get(
        pk=partner.pk
    )
    _guard(partner.application, item=CompletionItem.CONSORTIUM)
    organisation = partner.organisation
    new_contact = contact_email.strip().lower() != (partner.contact_email or "").lower()
    if new_contact:
        partner.contact = _contact_user(
            actor=actor, email=contact_email, name=contact_name, organisation=organisation
        )
        partner.contact_email = partner.contact.email
        partner.invited_at = timezone.now()
    partner.contact_name = contact_name
    partner.declares_non_economic = declares_non_economic
    partner.part = domain.default_part(
        kind=organisation.kind, declares_non_economic=declares_non_economic
    )
    audited_save(partner, actor=actor, reason="partner updated")
    if new_contact:
        _queue_invitation(partner=partner, actor=actor, site_url=site_url)
    return partner


@transaction.atomic
def partner_remove(*, actor: User, partner: Partner) -> None:
    """Remove a partner (never the coordinator) with its budget; the history keeps both."""
    application = _lock(partner.application)
    _guard(application, item=CompletionItem.CONSORTIUM)
    if partner.is_coordinator:
        raise Refused(_("The coordinator cannot be removed from the consortium."))
    partner._history_user = actor
    partner._change_reason = "partner removed"
    partner.delete()


# --- Budget ------------------------------------------------------------------------------


@transaction.atomic
def budget_save(
    *, actor: User, partner: Partner, amounts: dict[tuple[int, str, str], Decimal]
) -> Partner:
    """Set a partner's budget to `amounts` ((year, category, activity) → euro).

    Cells left out or zero are removed; only changed cells are written, each with an
    audit row. Refused when the application may no longer change.
    """
    application = _lock(partner.application)
    _guard(application, item=CompletionItem.BUDGET)
    allowed = set(domain.activities_for_part(partner.part))
    years = set(domain.project_years(application.duration_months or 0))
    existing = {(e.year, e.category, e.activity): e for e in partner.budget_entries.all()}
    for key, amount in amounts.items():
        year, category, activity = key
        amount = round_cents(amount or 0)
        if amount < 0:
            raise Refused(_("Amounts cannot be negative."))
        entry = existing.pop(key, None)
        if amount == 0 or activity not in allowed or year not in years:
            if entry is not None:
                entry._history_user = actor
                entry.delete()
            continue
        if entry is None:
            entry = BudgetEntry(partner=partner, year=year, category=category, activity=activity)
        elif entry.amount == amount:
            continue
        entry.amount = amount
        audited_save(entry, actor=actor, reason="budget")
    for entry in existing.values():
        entry._history_user = actor
        entry.delete()
    # 'Last changed' of the application, which the autosave script compares with its copy.
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return partner
