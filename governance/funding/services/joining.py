"""A partner joining a running project (DOMAIN.md §6, change kind "partner joins"): the
checks of the request (a verified organisation of the registry, not already a partner,
its contact, cost per year × category and the aid it asks within its cost × aid
intensity) and, once staff approve, the partner added to the application's consortium
with its budget and its contact linked the way an invited partner contact is
(projects.services.partner_contact_attach: access to this project, never organisation
membership). The money and the new agreement version are change_decide's, as for every
change that raises the aid."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programme.formats import round_cents
from programme.models import Organisation, User
from programme.services import audited_save, queue_email_to_users
from programme.states import Refused
from projects import domain as project_domain, services as project_services
from projects.enums import Activity, CostCategory, Part
from projects.models import BudgetEntry, Partner

from .. import domain
from ..models import ChangeRequest, FundedProject, SupportAgreement

MONTHS_PER_YEAR = 12


def project_years(agreement: SupportAgreement) -> int:
    """The project years of the agreement (a started year counts)."""
    months = domain.months_between(agreement.start_date, agreement.end_date + timedelta(days=1))
    return max(1, -(-months // MONTHS_PER_YEAR))


def joining_part(organisation: Organisation, declares_non_economic: bool) -> str:
    return project_domain.default_part(
        kind=organisation.kind, declares_non_economic=declares_non_economic
    )


def _facts(organisation: Organisation, part: str) -> project_domain.PartnerFacts:
    return project_domain.PartnerFacts(
        name=organisation.name,
        kind=organisation.kind,
        part=part,
        sme_class=organisation.sme_class,
        is_flemish=organisation.is_flemish,
        in_difficulty=organisation.in_difficulty,
        organisation_id=organisation.pk,
    )


def _lines(joining: dict) -> list[project_domain.CostLine]:
    return [
        project_domain.CostLine(
            year=int(year), category=category, activity=joining["activity"], amount=Decimal(amount)
        )
        for year, categories in sorted(joining["costs"].items())
        for category, amount in sorted(categories.items())
        if Decimal(amount) > 0
    ]


def _check_organisation(project: FundedProject, organisation: Organisation | None) -> None:
    if organisation is None:
        raise Refused({"join_organisation": _("Choose the organisation that joins.")})
    if not organisation.verified:
        raise Refused(
            {
                "join_organisation": _(
                    "%(name)s is not verified by VLAIO yet; only a verified organisation "
                    "can join a funded project."
                )
                % {"name": organisation.name}
            }
        )
    if Partner.objects.filter(
        application_id=project.application_id, organisation=organisation
    ).exists():
        raise Refused(
            {"join_organisation": _("%(name)s is already a partner.") % {"name": organisation.name}}
        )


def joining_figures(
    project: FundedProject, organisation: Organisation, joining: dict, agreement: SupportAgreement
) -> domain.JoiningAid:
    """The joining partner's aid per project year, or Refused with the reason."""
    asked = joining.get("aid_asked") or None
    result, reason = domain.joining_aid(
        params=project.application.call.parameters,
        partner=_facts(organisation, joining["part"]),
        lines=_lines(joining),
        asked=Decimal(asked) if asked is not None else None,
        years=project_years(agreement),
    )
    if result is None:
        raise Refused({"join_aid": reason})
    return result


def joining_recheck(
    project: FundedProject, change: ChangeRequest, agreement: SupportAgreement
) -> domain.JoiningAid:
    """At approval: the organisation still verified and not a partner, its figures."""
    _check_organisation(project, change.join_organisation)
    return joining_figures(project, change.join_organisation, change.joining, agreement)


def joining_clean(
    *,
    project: FundedProject,
    agreement: SupportAgreement,
    organisation: Organisation | None,
    joining: dict,
) -> dict:
    """Check a requested join and return what is stored on the request:
    {"contact_email", "contact_name", "declares_non_economic", "part", "activity",
    "costs": {"<year>": {"<category>": "amount"}}, "aid_asked"}. Refused naming the field."""
    _check_organisation(project, organisation)
    email = (joining.get("contact_email") or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Refused(
            {"join_contact_email": _("Give the e-mail address of the joining partner's contact.")}
        ) from None
    non_economic = bool(joining.get("declares_non_economic"))
    part = joining_part(organisation, non_economic)
    activity = joining.get("activity") or ""
    if part == Part.RESEARCH:
        activity = Activity.RESEARCH
    elif activity not in project_domain.activities_for_part(Part.COMPANY):
        raise Refused(
            {
                "join_activity": _(
                    "%(name)s sits in the company part: choose industrial research or "
                    "experimental development."
                )
                % {"name": organisation.name}
            }
        )
    costs: dict[str, dict[str, str]] = {}
    try:
        for year, categories in (joining.get("costs") or {}).items():
            for category, amount in categories.items():
                if category not in CostCategory.values:
                    raise Refused(_("Unknown cost category."))
                value = round_cents(amount)
                if value < 0:
                    raise Refused({"join_aid": _("Costs cannot be negative.")})
                if value > 0:
                    costs.setdefault(str(int(year)), {})[category] = str(value)
        asked = joining.get("aid_asked")
        asked = "" if asked in (None, "") else str(round_cents(asked))
    except (InvalidOperation, TypeError, ValueError):
        raise Refused({"join_aid": _("Amounts are numbers in euro.")}) from None
    clean = {
        "contact_email": email,
        "contact_name": (joining.get("contact_name") or "").strip(),
        "declares_non_economic": non_economic,
        "part": part,
        "activity": str(activity),
        "costs": costs,
        "aid_asked": asked,
    }
    joining_figures(project, organisation, clean, agreement)
    return clean


def joining_apply(*, actor: User, project: FundedProject, change: ChangeRequest) -> Partner:
    """Add the approved joining partner to the application's consortium: its Partner row
    (the part of its kind and declaration), its budget entries and its contact linked
    (audited). The caller holds the project's lock, has checked the money and e-mails."""
    organisation = change.join_organisation
    _check_organisation(project, organisation)
    joining = change.joining
    partner = Partner(
        application=project.application,
        organisation=organisation,
        part=joining["part"],
        declares_non_economic=joining["declares_non_economic"],
        contact_email=joining["contact_email"],
        contact_name=joining["contact_name"],
    )
    audited_save(partner, actor=actor, reason="partner joined: change approved")
    for line in _lines(joining):
        entry = BudgetEntry(
            partner=partner,
            year=line.year,
            category=line.category,
            activity=line.activity,
            amount=line.amount,
        )
        audited_save(entry, actor=actor, reason="partner joined: budget")
    project_services.partner_contact_attach(
        actor=actor, partner=partner, now=timezone.now(), reason="partner joined: contact"
    )
    return partner


def joining_notify(
    *, actor: User, project: FundedProject, partner: Partner, aid: Decimal, site_url: str
) -> None:
    """On commit, e-mail the joining partner's contact in their language: the project,
    its aid and a link to the project page (or, for a new account, to choose a password
    first — the same link an invited partner contact gets)."""
    contact = partner.contact
    with translation.override(contact.language or "nl"):
        link = project_services.invite_link(
            contact, site_url, reverse("funded_project", args=[project.pk])
        )
    queue_email_to_users(
        users=[contact],
        subject=_("%(organisation)s joins the funded project %(acronym)s")
        % {"organisation": partner.organisation.name, "acronym": project.application.acronym},
        template="governance/funding/email/joined.txt",
        context={"project": project, "partner": partner, "aid": aid, "actor": actor, "link": link},
    )
