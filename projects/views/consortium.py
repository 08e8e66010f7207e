"""The consortium pages of an application: partners (add, edit, remove) and each
partner's budget grid.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programme.domain import EnterpriseNumberError
from programme.forms import OrganisationForm
from programme.services import organisation_save
from programme.states import Refused

from .. import domain, selectors, services
from ..enums import CompletionItem
from ..forms import (
    BudgetForm,
    PartnerEditForm,
    PartnerForm,
    form_data_for_draft,
)
from ..models import Partner
from .applications import (
    _checks_changed,
    _get_application_for_user,
    _get_partner,
    _may_write,
    _site_url,
    htmx_aware_login,
)

# --- Consortium ---------------------------------------------------------------------------


@htmx_aware_login
def partner_add(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    ok, reason = _may_write(application, CompletionItem.CONSORTIUM)
    form = PartnerForm(request.POST or None, application=application)
    staff = request.user.has_perm("programme.verify_organisation")
    new_requested = request.method == "POST" and not request.POST.get("organisation")
    org_form = OrganisationForm(request.POST if new_requested else None, prefix="org", staff=staff)
    if request.method == "POST":
        if not ok:
            form.add_error(None, reason)
        elif form.is_valid() and (form.cleaned_data["organisation"] or org_form.is_valid()):
            try:
                organisation = form.cleaned_data["organisation"]
                if organisation is None:
                    data = dict(org_form.cleaned_data)
                    data.pop("verified", None)
                    number = data.pop("enterprise_number")
                    organisation = organisation_save(
                        actor=request.user, enterprise_number=number, **data
                    )
                services.partner_add(
                    actor=request.user,
                    application=application,
                    organisation=organisation,
                    contact_email=form.cleaned_data["contact_email"],
                    contact_name=form.cleaned_data["contact_name"],
                    declares_non_economic=form.cleaned_data["declares_non_economic"],
                    site_url=_site_url(request),
                )
            except (Refused, EnterpriseNumberError) as error:
                form.add_error(None, str(error))
            except IntegrityError:
                org_form.add_error(
                    "enterprise_number", _("This enterprise number is already registered.")
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s joined the consortium. The invitation to %(email)s is a "
                        "draft: it goes out when you send the invitations."
                    )
                    % {"name": organisation.name, "email": form.cleaned_data["contact_email"]},
                )
                return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/partner_form.html",
        {
            "application": application,
            "form": form,
            "org_form": org_form,
            "open_new": new_requested,
            "can_write": ok,
            "write_reason": reason,
        },
    )


@htmx_aware_login
def partner_edit(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    partner = _get_partner(application, partner_pk)
    ok, reason = _may_write(application, CompletionItem.CONSORTIUM)
    initial = {
        "contact_email": partner.contact_email,
        "contact_name": partner.contact_name,
        "declares_non_economic": partner.declares_non_economic,
    }
    form = PartnerEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not ok:
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                services.partner_update(
                    actor=request.user,
                    partner=partner,
                    site_url=_site_url(request),
                    **form.cleaned_data,
                )
            except Refused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Partner saved."))
                return redirect("application_detail", pk=application.pk)
    return render(
        request,
        "projects/partner_edit.html",
        {
            "application": application,
            "partner": partner,
            "form": form,
            "can_write": ok,
            "write_reason": reason,
        },
    )


@require_POST
@htmx_aware_login
def partner_invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator sends the invitations still in draft (one e-mail per contact)."""
    application = _get_application_for_user(request, pk, "projects.change_application")
    try:
        sent = services.partner_invitations_send(
            actor=request.user, application=application, site_url=_site_url(request)
        )
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Invitations sent to: %(emails)s.")
            % {"emails": ", ".join(p.contact_email for p in sent)},
        )
    return redirect("application_detail", pk=application.pk)


@require_POST
@htmx_aware_login
def partner_remove(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk, "projects.change_application")
    partner = _get_partner(application, partner_pk)
    try:
        services.partner_remove(actor=request.user, partner=partner)
    except Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s left the consortium.") % {"name": partner})
    return redirect("application_detail", pk=application.pk)


def _budget_form_key(partner: Partner) -> str:
    return f"budget-{partner.pk}"


@htmx_aware_login
def partner_budget(request: HttpRequest, pk: int, partner_pk: int) -> HttpResponse:
    """A partner's budget grid, with its totals and reasons. Every partner contact may
    read it; its own contact and the coordinator may change it. An htmx POST saves as
    the person types (invalid cells are kept as a draft)."""
    application = _get_application_for_user(request, pk)
    partner = _get_partner(application, partner_pk)
    may_edit = request.user.has_perm("projects.change_budget", partner)
    ok, reason = _may_write(application, CompletionItem.BUDGET)
    years = domain.project_years(application.duration_months or 0)
    key = _budget_form_key(partner)
    saved = False
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        form = BudgetForm(request.POST, partner=partner, years=years)
        if not ok:
            form.is_valid()
            form.add_error(None, reason)
        elif form.is_valid():
            try:
                services.budget_save(actor=request.user, partner=partner, amounts=form.amounts())
            except Refused as error:
                form.add_error(None, str(error))
            else:
                services.draft_clear(user=request.user, application=application, form_key=key)
                saved = True
        if not saved and ok:
            services.draft_save(
                user=request.user,
                application=application,
                form_key=key,
                data=form_data_for_draft(form),
            )
        if saved and not request.htmx:
            messages.success(request, _("Budget saved."))
            return redirect("partner_budget", pk=application.pk, partner_pk=partner.pk)
    else:
        draft = services.draft_get(user=request.user, application=application, form_key=key)
        if draft is not None and may_edit:
            form = BudgetForm(draft, partner=partner, years=years)
            form.is_valid()
            messages.info(request, _("We restored what you typed last time; it is not saved yet."))
        else:
            form = BudgetForm(partner=partner, years=years)
    dossier = selectors.load_dossier(application)
    totals = next(t for p, t in dossier.rows() if p.pk == partner.pk)
    context = {
        "application": application,
        "partner": partner,
        "form": form,
        "totals": totals,
        "dossier": dossier,
        "may_edit": may_edit and ok,
        "write_reason": reason if may_edit else "",
        "saved": saved,
        "now": timezone.now(),
    }
    if request.htmx and request.method == "POST":
        return _checks_changed(render(request, "projects/_budget_summary.html", context))
    return render(request, "projects/partner_budget.html", context)
