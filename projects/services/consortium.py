"""Writes of the consortium: partners (add, edit, remove, with the contact's invitation)
and each partner's budget.
"""

from decimal import Decimal

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
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
    return invite_link(user, site_url, reverse("application_detail", args=[application.pk]))


def invite_link(user: User, site_url: str, path: str) -> str:
    """The page at `path`, or for an account that has no password yet allauth's
    choose-a-password page (a one-time key, as a reset mail carries)."""
    if not site_url:
        return ""
    if user.has_usable_password():
        return site_url.rstrip("/") + path
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return site_url.rstrip("/") + path


def _contact_user(*, actor: User, email: str, name: str) -> User:
    """The account of the invited person: the existing one, untouched (no role added,
    no organisation changed), or a new applicant account without a password and without
    an organisation. An invitation opens *that application* to its contact (through
    Partner.contact) and never makes anyone a member of the partner organisation: an
    invited person who belongs to it asks to join like anyone else."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        first, _sep, last = (name or "").strip().partition(" ")
        user = User(email=email, first_name=first, last_name=last, organisation=None)
        user.set_unusable_password()
        audited_save(user, actor=actor, reason="invited as partner contact")
        user_set_roles(actor=actor, user=user, roles=[Role.APPLICANT], reason="invited")
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
    """Add an organisation of the registry to the consortium, its contact person as a
    draft invitation.

    Side effects, in order: checks the application may change (deadline, state); saves
    the partner with its part (research or company, from its kind and declaration) and
    the contact's name and address, not yet invited (audited). Nobody is e-mailed and
    no account is touched until the coordinator sends the invitations
    (`partner_invitations_send`). `site_url` is accepted for the callers of before.
    """
    application = _lock(application)
    _guard(application, item=CompletionItem.CONSORTIUM)
    if Partner.objects.filter(application=application, organisation=organisation).exists():
        raise Refused(_("%(name)s is already a partner.") % {"name": organisation.name})
    partner = Partner(
        application=application,
        organisation=organisation,
        part=domain.default_part(
            kind=organisation.kind, declares_non_economic=declares_non_economic
        ),
        declares_non_economic=declares_non_economic,
        contact=None,
        contact_email=contact_email.strip().lower(),
        contact_name=contact_name,
        invited_at=None,
    )
    audited_save(partner, actor=actor, reason="partner added (invitation draft)")
    return partner


@transaction.atomic
def partner_invitations_send(
    *, actor: User, application: Application, site_url: str = ""
) -> list[Partner]:
    """Send the invitations still in draft: the coordinator's explicit step.

    Side effects, in order: checks the application may change; per partner not yet
    invited, finds the contact's account or makes one (applicant, no password, no
    organisation; an existing account gains no role), links it as the partner's contact
    (which opens this application to them, nothing else) and records when (audited);
    on commit, e-mails each an invitation in their language. Returns the partners
    invited; refused when there is none to send.
    """
    application = _lock(application)
    _guard(application, item=CompletionItem.CONSORTIUM)
    drafts = list(
        application.partners.filter(invited_at__isnull=True, is_coordinator=False)
        .select_related("organisation", "application__call")
        .order_by("pk")
    )
    if not drafts:
        raise Refused(_("There is no invitation left to send."))
    now = timezone.now()
    for partner in drafts:
        partner_contact_attach(actor=actor, partner=partner, now=now, reason="invitation sent")
        _queue_invitation(partner=partner, actor=actor, site_url=site_url)
    return drafts


def partner_contact_attach(*, actor: User, partner: Partner, now, reason: str) -> User:
    """Link the partner's contact account (the existing one, untouched, or a new
    applicant account without password or organisation; see `_contact_user`) and record
    when it was invited (audited). This opens the application — and its funded project —
    to the contact, never organisation membership. The caller e-mails the contact and
    holds the application's lock."""
    partner.contact = _contact_user(
        actor=actor, email=partner.contact_email, name=partner.contact_name
    )
    partner.contact_email = partner.contact.email
    partner.invited_at = now
    audited_save(partner, actor=actor, reason=reason)
    return partner.contact


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
    part). A new contact person replaces the old one as a draft invitation: the old
    contact loses access now, the new one gains it when the coordinator sends the
    invitations. Audited."""
    _lock(partner.application)
    partner = Partner.objects.select_related("organisation", "contact", "application__call").get(
        pk=partner.pk
    )
    _guard(partner.application, item=CompletionItem.CONSORTIUM)
    organisation = partner.organisation
    new_contact = contact_email.strip().lower() != (partner.contact_email or "").lower()
    if new_contact and partner.is_coordinator:
        raise Refused(
            _("The coordinator's contact person is the person who started the application.")
        )
    if new_contact:
        partner.contact = None
        partner.contact_email = contact_email.strip().lower()
        partner.invited_at = None
    partner.contact_name = contact_name
    partner.declares_non_economic = declares_non_economic
    partner.part = domain.default_part(
        kind=organisation.kind, declares_non_economic=declares_non_economic
    )
    audited_save(partner, actor=actor, reason="partner updated")
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
