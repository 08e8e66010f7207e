"""Pages of the decision side: the ranking with its cut line, funding scenario and
optimal set; the advice and decision of one application; the call's move to decided;
the applicant's decline; the letters' download."""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.enums import AidCapScope, TieBreak
from calls.models import Call
from programme.access import login_required, permission_required
from programme.states import Refused
from programme.views import programme_history
from projects.models import Application

from . import domain, selectors, services
from .forms import AdviceForm, DecisionForm, DeclineForm
from .models import FundingDecision, Letter


def _ids(request: HttpRequest, name: str) -> list[int]:
    """`?name=1,2&name=3` → [1, 2, 3]; anything that is not a number is ignored."""
    values = []
    for raw in request.GET.getlist(name):
        values += [int(v) for v in raw.split(",") if v.strip().isdigit()]
    return values


def _query(cut, include, exclude) -> str:
    params = {}
    if cut is not None:
        params["cut"] = cut
    if include:
        params["include"] = ",".join(map(str, sorted(include)))
    if exclude:
        params["exclude"] = ",".join(map(str, sorted(exclude)))
    return urlencode(params)


@permission_required("governance.view_ranking")
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("parameters", "programme_year"), pk=pk)
    result = selectors.call_ranking(call)
    selectors.mark_conflicts(result, request.user)
    raw_cut = request.GET.get("cut", "")
    cut = int(raw_cut) if raw_cut.isdigit() else None
    include, exclude = set(_ids(request, "include")), set(_ids(request, "exclude"))
    current = selectors.scenario(result, cut_rank=cut, include=include, exclude=exclude)
    for row in result.rows:
        app_id = row.application.pk
        inc, exc = set(include), set(exclude)
        if row.selected:
            inc.discard(app_id)
            exc.add(app_id)
        else:
            exc.discard(app_id)
            inc.add(app_id)
        row.toggle_query = _query(cut, inc, exc)
    context = {
        "call": call,
        "result": result,
        "scenario": current,
        "cut": cut,
        "include_text": ",".join(map(str, sorted(include))),
        "exclude_text": ",".join(map(str, sorted(exclude))),
        "tie_break_labels": [TieBreak(step).label for step in call.parameters.tie_break_order],
    }
    if request.htmx:
        return render(request, "governance/decisions/_scenario.html", context)
    best = selectors.optimal(result)
    context["optimal"], context["optimal_error"] = (
        (None, best) if isinstance(best, str) else (best, "")
    )
    context["plain_score"] = sum((p.weighted_total for p in result.cut.funded), Decimal("0"))
    # After a decline, the best reserve proposal that now fits (DOMAIN.md §5).
    if any(r.decision is not None and r.decision.declined_at for r in result.rows):
        context["suggestion"] = selectors.best_reserve_that_fits(result)
    context["can_close"] = request.user.has_perm("governance.record_decision")
    context["can_report"] = request.user.has_perm("programme.view_reports")
    context["can_request_report"] = request.user.has_perm("programme.request_report")
    return render(request, "governance/decisions/ranking.html", context)


@permission_required("governance.record_decision")
@require_POST
def call_decided(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    try:
        services.call_mark_decided(actor=request.user, call=call)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The call is now decided."))
    return redirect("ranking", pk=call.pk)


def _application(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("call", "call__parameters", "coordinator"), pk=pk
    )


def _decision_page(request, application, *, advice_form=None, decision_form=None, status=200):
    result = selectors.call_ranking(application.call)
    selectors.mark_conflicts(result, request.user)
    row = next((r for r in result.rows if r.application.pk == application.pk), None)
    if row is None or row.conflicted:
        raise Http404  # not admissible, or the person declared a conflict with it
    programme = application.call.programme
    decision = row.decision
    advice = row.advice
    can_record = request.user.has_perm("governance.record_decision")
    context = {
        "application": application,
        "call": application.call,
        "result": result,
        "row": row,
        "criterion_rows": list(zip(result.criteria, row.scores, strict=True)),
        "advice": advice,
        "decision": decision,
        "letters": list(Letter.objects.filter(application=application)),
        "can_record": can_record,
        "advice_form": advice_form
        or AdviceForm(
            programme=programme,
            initial={
                "outcome": advice.outcome,
                "motivation": advice.motivation,
                "meeting": advice.meeting_id,
            }
            if advice
            else None,
        ),
        "decision_form": decision_form
        or DecisionForm(
            programme=programme,
            call=application.call,
            initial={"amount": row.figures.requested_aid},
        ),
    }
    # Each company's cumulative aid in the call, whatever the scope of the cap.
    context["company_aid"] = selectors.company_aid_in_call(
        application, decision.amount if decision and decision.amount else row.figures.requested_aid
    )
    context["aid_cap"] = application.call.parameters.max_aid_per_company
    context["aid_cap_scope"] = application.call.parameters.get_aid_cap_scope_display()
    context["aid_cap_per_call"] = application.call.parameters.aid_cap_scope == AidCapScope.CALL
    if advice is not None:
        context["advice_quorum"] = advice.meeting.quorum()
    if decision is not None:
        context["decision_quorum"] = decision.meeting.quorum()
        context["decline_until"] = domain.add_one_month(decision.decided_at)
        if decision.declined_at:
            context["suggestion"] = selectors.best_reserve_that_fits(result)
        if request.user.has_perm("programme.view_history"):
            context["history"] = programme_history(decision)
    return render(request, "governance/decisions/application.html", context, status=status)


@permission_required("governance.view_ranking")
def application_decision(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_page(request, _application(pk))


@permission_required("governance.record_advice")
def advice_record(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    if request.method != "POST":
        return redirect("application_decision", pk=pk)
    form = AdviceForm(request.POST, programme=application.call.programme)
    if form.is_valid():
        try:
            services.advice_record(actor=request.user, application=application, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Advice recorded."))
            return redirect("application_decision", pk=pk)
    return _decision_page(request, application, advice_form=form, status=422)


@permission_required("governance.record_decision")
def decision_record(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(pk)
    if request.method != "POST":
        return redirect("application_decision", pk=pk)
    form = DecisionForm(request.POST, programme=application.call.programme, call=application.call)
    if form.is_valid():
        try:
            services.decision_record(
                actor=request.user, application=application, **form.cleaned_data
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Decision recorded; the letters are being prepared."))
            return redirect("application_decision", pk=pk)
    return _decision_page(request, application, decision_form=form, status=422)


def _get_decision_for_user(request: HttpRequest, pk: int) -> FundingDecision:
    """The decision when the user may decline it; 403 for staff (who know of it but do
    not decline for the applicant); 404 for everyone else."""
    decision = get_object_or_404(
        FundingDecision.objects.select_related("application", "application__call"), pk=pk
    )
    if request.user.has_perm("governance.decline_decision", decision.application):
        return decision
    if request.user.has_perm("governance.record_decision"):
        raise PermissionDenied
    raise Http404


@login_required
def decision_decline(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _get_decision_for_user(request, pk)
    form = DeclineForm(request.POST or None)
    ok, reason = domain.can_decline(
        outcome=decision.outcome,
        decided_at=decision.decided_at,
        declined_at=decision.declined_at,
        now=timezone.now(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_decline(
                actor=request.user, decision=decision, reason=form.cleaned_data["reason"]
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("You declined the aid. VLAIO has been informed."))
            return redirect("application_detail", pk=decision.application_id)
    return render(
        request,
        "governance/decisions/decline.html",
        {
            "decision": decision,
            "application": decision.application,
            "form": form,
            "can_decline": ok,
            "reason": reason,
            "decline_until": domain.add_one_month(decision.decided_at),
        },
    )


@login_required
def letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff and the consortium's contacts; everyone else is told it does not exist."""
    letter = get_object_or_404(Letter.objects.select_related("application"), pk=pk)
    if not request.user.has_perm("governance.view_letter", letter.application):
        raise Http404
    if not letter.file or not letter.generated_at:
        raise Http404
    name = f"{letter.kind}-{letter.application.receipt_number or letter.application_id}.pdf"
    return FileResponse(
        letter.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


@permission_required("governance.record_decision")
@require_POST
def letter_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff make a failed letter again (the worker e-mails it once made)."""
    letter = get_object_or_404(Letter.objects.select_related("application"), pk=pk)
    try:
        services.letter_retry(actor=request.user, letter=letter)
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The letter is being made again."))
    return redirect("application_decision", pk=letter.application_id)
