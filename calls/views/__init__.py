"""Pages of the calls app (the pre-selection pages in preselection.py).

Public (no login): the list of calls, a call's page with countdown, rules in plain
language and documents, the documents themselves and an ICS feed of deadlines. Drafts
never appear there: `_get_published_call` raises 404 for a draft unless the user runs
calls (staff preview). Staff: create, edit, open and close calls, parameters, criteria,
documents, envelopes and their ledger. Budget pages per programme year for staff, the
programme manager and the steering group.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, Sum, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from programme.access import permission_required
from programme.models import ProgrammeYear
from programme.states import Refused
from programme.views import programme_history

from .. import domain, selectors, services
from ..enums import CallState, LedgerEntryKind
from ..forms import (
    CallForm,
    CriterionFormSet,
    DocumentForm,
    EnvelopeForm,
    EnvelopeMovementForm,
    JustificationForm,
    ParametersForm,
    TransitionForm,
)
from ..models import Call, CallDocument, CallRegistration, Criterion, Envelope, LedgerEntry

ZERO = Decimal("0")


def _form_error(form, exc: ValidationError) -> None:
    """Show a service refusal (Refused) or a model validation error on the bound form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Public pages ---------------------------------------------------------------------------


CALLS_PER_PAGE = 25


def paginate(request: HttpRequest, queryset, per_page: int = CALLS_PER_PAGE):
    """The page of `queryset` asked for by ?page=; a page past the end gives the last
    page (a bookmarked page 3 after calls were removed still shows calls), anything that
    is not a number the first. Two queries: the count and the page's rows."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.elided_range = list(
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    return page


def call_list(request: HttpRequest) -> HttpResponse:
    """Open calls (soonest deadline first), then earlier calls (latest deadline first);
    drafts never. One list paginated, so open calls stay first across the pages."""
    now = timezone.now()
    calls = (
        Call.objects.published()
        .select_related("programme_year", "programme")
        .annotate(
            is_earlier=Case(When(state=CallState.OPEN, then=Value(0)), default=Value(1)),
            open_deadline=Case(When(state=CallState.OPEN, then=F("deadline"))),
        )
        .order_by("is_earlier", "open_deadline", "-deadline", "pk")
    )
    page = paginate(request, calls)
    open_calls = [c for c in page.object_list if c.state == CallState.OPEN]
    for call in open_calls:
        call.countdown = domain.countdown_text(call.deadline, now)
        call.accepting, call.closed_reason = domain.accepts_submissions(call, now)
    earlier = [c for c in page.object_list if c.state != CallState.OPEN]
    return render(
        request,
        "calls/call_list.html",
        {"open_calls": open_calls, "earlier_calls": earlier, "page_obj": page},
    )


def _get_published_call(request: HttpRequest, pk: int) -> Call:
    """A call the public may see; a draft is 404 except for staff (preview)."""
    call = get_object_or_404(Call.objects.select_related("programme_year", "programme"), pk=pk)
    if call.state == CallState.DRAFT and not request.user.has_perm("calls.manage_call"):
        raise Http404("draft call")
    return call


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_published_call(request, pk)
    now = timezone.now()
    accepting, closed_reason = domain.accepts_submissions(call, now)
    can_register, register_reason = domain.can_register(call, now)
    registration = (
        CallRegistration.objects.filter(call=call, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    envelope_total = call.envelopes.aggregate(total=Sum("amount"))["total"] or ZERO
    context = {
        "call": call,
        "now": now,
        "accepting": accepting,
        "closed_reason": closed_reason,
        "countdown": domain.countdown_text(call.deadline, now),
        "rules": domain.plain_rules(call.parameters, ()),
        "parameters": call.parameters,
        "criteria": call.criteria.all(),
        "documents": call.documents.all(),
        "action_domains": call.action_domains.all(),
        "themes": call.themes.all(),
        "disease_domains": call.disease_domains.all(),
        "envelope_total": envelope_total,
        "has_preselection": domain.has_preselection(call),
        "preselection_budget": domain.preselection_ceiling(
            envelope_total, call.parameters.preselection_factor
        ),
        "envelope_amendments": _envelope_amendments(call),
        "may_register": request.user.has_perm("calls.register_for_call"),
        "can_register": can_register,
        "register_reason": register_reason,
        "registered": registration is not None,
        "registration": registration,
        "can_manage": request.user.has_perm("calls.manage_call"),
        # The inline script rebuilds the same sentence as domain.countdown_text.
        "countdown_labels": {
            "sentence": _("%(days)s, %(hours)s and %(minutes)s left"),
            "day": [ngettext("%(n)s day", "%(n)s days", 1), ngettext("%(n)s day", "%(n)s days", 2)],
            "hour": [
                ngettext("%(n)s hour", "%(n)s hours", 1),
                ngettext("%(n)s hour", "%(n)s hours", 2),
            ],
            "minute": [
                ngettext("%(n)s minute", "%(n)s minutes", 1),
                ngettext("%(n)s minute", "%(n)s minutes", 2),
            ],
            "passed": _("The deadline has passed."),
        },
    }
    return render(request, "calls/call_detail.html", context)


def _envelope_amendments(call: Call):
    return call.envelope_amendments.select_related(
        "envelope", "actor", "action_domain_before", "action_domain_after"
    )


def call_document(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(CallDocument.objects.select_related("call"), pk=pk)
    _get_published_call(request, document.call_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    extension = document.file.name.rsplit(".", 1)[-1]
    name = slugify(document.title_nl or document.title_en)[:80] or "document"
    return FileResponse(handle, as_attachment=True, filename=f"{name}.{extension}")


@require_POST
@permission_required("calls.register_for_call")
def call_register(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_published_call(request, pk)
    try:
        services.call_register(actor=request.user, call=call)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "You are registered for this call. We will remind you 7 days and 1 day before "
                "the deadline."
            ),
        )
    return redirect("call_detail", pk=call.pk)


def call_ics(request: HttpRequest) -> HttpResponse:
    """ICS feed of the deadlines of published calls (pre-registration and submission)."""
    events = []
    for call in Call.objects.published().order_by("deadline"):
        url = request.build_absolute_uri(reverse("call_detail", args=[call.pk]))
        events.append(
            domain.CalendarEvent(
                uid=f"call-{call.pk}-deadline@icon-calls",
                start=call.deadline,
                summary=_("Deadline: %(title)s") % {"title": call.title},
                url=url,
            )
        )
        if call.preregistration_deadline:
            events.append(
                domain.CalendarEvent(
                    uid=f"call-{call.pk}-preregistration@icon-calls",
                    start=call.preregistration_deadline,
                    summary=_("Pre-registration deadline: %(title)s") % {"title": call.title},
                    url=url,
                )
            )
    body = domain.deadlines_ics(events, now=timezone.now(), name=_("ICON call deadlines"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="icon-deadlines.ics"'
    return response


# --- Staff: calls ---------------------------------------------------------------------------


@permission_required("calls.manage_call")
def call_manage_list(request: HttpRequest) -> HttpResponse:
    calls = (
        Call.objects.with_budget()
        .select_related("programme_year", "programme")
        .order_by("-programme_year__year", "-deadline", "pk")
    )
    page = paginate(request, calls)
    years = ProgrammeYear.objects.select_related("programme").order_by("programme", "year")
    return render(
        request,
        "calls/manage_list.html",
        {"calls": page.object_list, "page_obj": page, "years": years},
    )


@permission_required("calls.manage_call")
def call_create(request: HttpRequest) -> HttpResponse:
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.call_values()
        try:
            call = services.call_create(actor=request.user, **values)
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Draft call created with the default parameters and criteria. Add an "
                    "envelope before opening it."
                ),
            )
            return redirect("call_manage", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form})


def _get_call_for_staff(pk: int) -> Call:
    return get_object_or_404(Call.objects.select_related("programme_year", "programme"), pk=pk)


def _transition_options(call: Call, now) -> list[dict]:
    """Each next state with whether it is possible, whether it needs a reason, and why."""
    facts = services.call_facts(call)
    options = []
    for state in domain.next_states(call.state):
        ok, why = domain.transition_guard(call, state, now, facts, "")
        ok_with_reason, why_with_reason = domain.transition_guard(call, state, now, facts, "-")
        options.append(
            {
                "state": state,
                "label": CallState(state).label,
                "enabled": ok or ok_with_reason,
                "needs_reason": not ok and ok_with_reason,
                "why": why if not ok else "",
            }
        )
    return options


@permission_required("calls.manage_call")
def call_manage(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call_for_staff(pk)
    now = timezone.now()
    envelopes = call.envelopes.select_related("action_domain")
    context = {
        "call": call,
        "now": now,
        "countdown": domain.countdown_text(call.deadline, now),
        "parameters": call.parameters,
        "rules": domain.plain_rules(call.parameters),
        "criteria": call.criteria.all(),
        "envelopes": envelopes,
        "envelope_totals": envelopes.aggregate(
            amount=Sum("amount"), committed=Sum("committed"), reserved=Sum("reserved")
        ),
        "documents": call.documents.all(),
        "registrations": call.registrations.select_related("user", "user__organisation"),
        "amendments": call.amendments.select_related("actor"),
        "envelope_amendments": _envelope_amendments(call),
        "transitions": _transition_options(call, now),
        "transition_form": TransitionForm(),
        "history": programme_history(call),
        "is_admin": request.user.has_perm("calls.amend_frozen_parameters"),
    }
    return render(request, "calls/manage_detail.html", context)


@permission_required("calls.manage_call")
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call_for_staff(pk)
    frozen = call.parameters_frozen_at is not None
    amend = frozen and request.user.has_perm("calls.amend_frozen_parameters")
    form = CallForm(request.POST or None, instance=call, amend=amend, frozen=frozen)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_update(
                actor=request.user,
                call=call,
                justification=form.cleaned_data.get("justification", ""),
                **form.call_values(),
            )
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("call_manage", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "call": call, "frozen": frozen})


@permission_required("calls.manage_call")
def call_parameters_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call_for_staff(pk)
    frozen = call.parameters_frozen_at is not None
    amend = frozen and request.user.has_perm("calls.amend_frozen_parameters")
    form = ParametersForm(request.POST or None, instance=call.parameters, amend=amend)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_parameters_update(
                actor=request.user,
                call=call,
                justification=form.cleaned_data.get("justification", ""),
                **form.parameter_values(),
            )
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(request, _("Parameters saved."))
            return redirect("call_manage", pk=call.pk)
    return render(
        request,
        "calls/parameters_form.html",
        {"form": form, "call": call, "frozen": frozen, "amend": amend},
    )


@permission_required("calls.manage_call")
def call_criteria_edit(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call_for_staff(pk)
    frozen = call.parameters_frozen_at is not None
    amend = frozen and request.user.has_perm("calls.amend_frozen_parameters")
    formset = CriterionFormSet(
        request.POST or None, queryset=Criterion.objects.filter(call=call), prefix="criteria"
    )
    justification = JustificationForm(request.POST or None)
    if request.method == "POST" and formset.is_valid() and justification.is_valid():
        reason = justification.cleaned_data["justification"]
        try:
            with transaction.atomic():
                for form in formset.forms:
                    if not form.has_changed():
                        continue
                    instance = form.instance if form.instance.pk else None
                    if form.cleaned_data.get("DELETE"):
                        if instance is not None:
                            services.criterion_delete(
                                actor=request.user, criterion=instance, justification=reason
                            )
                        continue
                    fields = {
                        k: v for k, v in form.cleaned_data.items() if k not in ("id", "DELETE")
                    }
                    services.criterion_save(
                        actor=request.user,
                        call=call,
                        criterion=instance,
                        justification=reason,
                        **fields,
                    )
        except ValidationError as exc:  # Refused included
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("Criteria saved."))
            return redirect("call_manage", pk=call.pk)
    return render(
        request,
        "calls/criteria_form.html",
        {
            "formset": formset,
            "justification_form": justification,
            "call": call,
            "frozen": frozen,
            "amend": amend,
        },
    )


@require_POST
@permission_required("calls.manage_call")
def call_transition(request: HttpRequest, pk: int, to_state: str) -> HttpResponse:
    call = _get_call_for_staff(pk)
    if to_state not in CallState.values:
        raise Http404("unknown state")
    form = TransitionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.call_transition(actor=request.user, call=call, to_state=to_state, reason=reason)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("The call is now “%(state)s”.") % {"state": CallState(to_state).label}
        )
    return redirect("call_manage", pk=call.pk)


@permission_required("calls.manage_call")
def call_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call_for_staff(pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.call_document_add(actor=request.user, call=call, **form.cleaned_data)
        messages.success(request, _("Document added."))
        return redirect("call_manage", pk=call.pk)
    return render(request, "calls/document_form.html", {"form": form, "call": call})


# --- Staff: envelopes -----------------------------------------------------------------------


@permission_required("calls.manage_call")
def envelope_create(request: HttpRequest, pk: int) -> HttpResponse:
    call = _get_call_for_staff(pk)
    form = EnvelopeForm(request.POST or None, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            services.envelope_create(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(request, _("Envelope created."))
            return redirect("call_manage", pk=call.pk)
    return render(
        request,
        "calls/envelope_form.html",
        {"form": form, "call": call, "year": selectors.year_overview(call.programme_year)},
    )


def _get_envelope(pk: int) -> Envelope:
    return get_object_or_404(
        Envelope.objects.select_related(
            "call", "call__programme_year", "call__programme", "action_domain"
        ),
        pk=pk,
    )


@permission_required("calls.manage_call")
def envelope_edit(request: HttpRequest, pk: int) -> HttpResponse:
    envelope = _get_envelope(pk)
    frozen = domain.envelope_is_frozen(envelope.call)
    amend = frozen and request.user.has_perm("calls.amend_frozen_parameters")
    form = EnvelopeForm(
        request.POST or None, instance=envelope, call=envelope.call, frozen=frozen, amend=amend
    )
    if request.method == "POST" and form.is_valid():
        values = form.envelope_values()
        values.setdefault("action_domain", envelope.action_domain)
        try:
            services.envelope_update(actor=request.user, envelope=envelope, **values)
        except ValidationError as exc:  # Refused included
            _form_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("envelope_detail", pk=envelope.pk)
    return render(
        request,
        "calls/envelope_form.html",
        {"form": form, "call": envelope.call, "envelope": envelope, "frozen": frozen},
    )


@permission_required("calls.view_budget")
def envelope_detail(request: HttpRequest, pk: int) -> HttpResponse:
    envelope = _get_envelope(pk)
    may_move = request.user.has_perm("calls.move_envelope_money")
    form = None
    if may_move:
        form = EnvelopeMovementForm(request.POST or None, envelope=envelope)
        if request.method == "POST" and form.is_valid():
            try:
                _apply_movement(request, envelope, form.cleaned_data)
            except Refused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Ledger entry recorded."))
                return redirect("envelope_detail", pk=envelope.pk)
    elif request.method == "POST":
        return HttpResponse(status=403)
    ledger = LedgerEntry.objects.filter(envelope=envelope).select_related(
        "created_by", "counterpart__envelope"
    )
    counterparts = {
        e.counterpart_id: e
        for e in LedgerEntry.objects.filter(
            counterpart__envelope=envelope, kind=LedgerEntryKind.TRANSFER_IN
        ).select_related("envelope")
    }
    context = {
        "envelope": envelope,
        "ledger": ledger,
        "counterparts": counterparts,
        "form": form,
        "history": programme_history(envelope)
        if request.user.has_perm("programme.view_history")
        else None,
    }
    return render(request, "calls/envelope_detail.html", context)


def _apply_movement(request: HttpRequest, envelope: Envelope, data: dict) -> None:
    common = {"actor": request.user, "amount": data["amount"], "reason": data["reason"]}
    kind = data["kind"]
    if kind == "transfer":
        services.envelope_transfer(
            source=envelope,
            target=data["target"],
            decision_reference=data["decision_reference"],
            **common,
        )
        return
    operation = {
        LedgerEntryKind.RESERVE: services.envelope_reserve,
        LedgerEntryKind.UNRESERVE: services.envelope_unreserve,
        LedgerEntryKind.COMMIT: services.envelope_commit,
        LedgerEntryKind.RELEASE: services.envelope_release,
    }[kind]
    extra = {"from_reservation": data["from_reservation"]} if kind == LedgerEntryKind.COMMIT else {}
    operation(envelope=envelope, reference=data["reference"], **common, **extra)


# The pre-selection pages (preselection.py) use the helpers above, hence imported last.
from .preselection import (  # noqa: E402
    call_preregister as call_preregister,
    preselection_page as preselection_page,
)
