"""Pages of the pre-selection stage: the applicant's pre-registration (project sketch
with the estimated aid) and the staff page that pre-selects up to the ceiling and turns
the others down with a reason. The rules are in domain/preselection.py, the writes in
services/preselection.py."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.access import permission_required

from .. import domain, services
from ..enums import PreregistrationState
from ..forms import PreregistrationForm, PreselectionForm
from ..models import CallRegistration
from . import _form_error, _get_call_for_staff, _get_published_call

ZERO = Decimal("0")


@permission_required("calls.register_for_call")
def call_preregister(request: HttpRequest, pk: int) -> HttpResponse:
    """Pre-register for a call with a pre-selection stage (or update the sketch until the
    pre-registration deadline). A call without that stage has no such page."""
    call = _get_published_call(request, pk)
    if not domain.has_preselection(call):
        raise Http404("no pre-selection stage")
    registration = CallRegistration.objects.filter(call=call, user=request.user).first()
    initial = {}
    if registration is not None:
        initial = {
            "acronym": registration.acronym,
            "project_title": registration.project_title,
            "requested_aid": registration.requested_aid,
        }
    form = PreregistrationForm(request.POST or None, initial=initial)
    can_register, register_reason = domain.can_register(call, timezone.now())
    if request.method == "POST" and form.is_valid():
        try:
            services.call_register(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your pre-registration is recorded. Staff pre-select after the "
                    "pre-registration deadline; you will hear the outcome by e-mail."
                ),
            )
            return redirect("call_detail", pk=call.pk)
    return render(
        request,
        "calls/preregister_form.html",
        {
            "call": call,
            "form": form,
            "registration": registration,
            "can_register": can_register,
            "register_reason": register_reason,
        },
    )


@permission_required("calls.manage_call")
def preselection_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The pre-registrations of a call with the ceiling; staff tick the pre-selected
    ones and give the others a reason. A constant number of queries."""
    call = _get_call_for_staff(pk)
    if not domain.has_preselection(call):
        raise Http404("no pre-selection stage")
    registrations = list(
        CallRegistration.objects.filter(call=call)
        .select_related("user", "user__organisation", "preselected_by")
        .order_by("created_at", "pk")
    )
    waiting = [r for r in registrations if r.state == PreregistrationState.REGISTERED]
    can_preselect, why_not = domain.can_preselect(call, timezone.now())
    form = PreselectionForm(request.POST or None, registrations=waiting)
    if request.method == "POST" and can_preselect and form.is_valid():
        try:
            decided = services.preselection_record(
                actor=request.user,
                call=call,
                preselected=form.preselected(),
                reasons=form.reasons(),
                common_reason=form.cleaned_data["common_reason"],
            )
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Pre-selection recorded for %(count)s pre-registrations; each was told.")
                % {"count": len(decided)},
            )
            return redirect("preselection_page", pk=call.pk)
    return render(
        request,
        "calls/preselection.html",
        {
            "call": call,
            "form": form,
            "registrations": registrations,
            "waiting": waiting,
            "figures": services.preselection_figures(call),
            "requested_waiting": sum((r.requested_aid or ZERO for r in waiting), ZERO),
            "can_preselect": can_preselect,
            "why_not": why_not,
        },
    )
