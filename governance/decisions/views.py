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
from governance.bodies.models import Meeting
from governance.review import selectors as review_selectors
from programme.access import login_required, permission_required
from programme.formats import parse_ids, parse_int
from programme.states import Refused
from programme.views import programme_history
from projects.enums import ApplicationState
from projects.models import Application

from . import domain, selectors, services
from .enums import DecidingLevel, DecisionOutcome, ProposalState
from .forms import (
    AdviceForm,
    AgendaForm,
    ConfirmDecidedForm,
    DeclineForm,
    ProposalItemForm,
    ReserveFundForm,
    SignaturesForm,
    VoteForm,
)
from .models import DecisionProposal, FundingDecision, Letter, ProposalItem


def _ids(request: HttpRequest, name: str) -> list[int]:
    """`?name=1,2&name=3` → [1, 2, 3]; anything that is not a number is ignored."""
    return parse_ids(request.GET.getlist(name))


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
    cut = parse_int(request.GET.get("cut"))
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
    context["can_see_proposals"] = request.user.has_perm("governance.view_proposal")
    context["can_report"] = request.user.has_perm("programme.view_reports")
    context["can_request_report"] = request.user.has_perm("programme.request_report")
    return render(request, "governance/decisions/ranking.html", context)


@permission_required("governance.record_decision")
def call_decided(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the call decided: the page first says what that locks and asks to confirm."""
    call = get_object_or_404(Call, pk=pk)
    form = ConfirmDecidedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_mark_decided(actor=request.user, call=call)
        except Refused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The call is now decided."))
            return redirect("ranking", pk=call.pk)
    undecided = list(
        Application.objects.filter(
            call=call, state=ApplicationState.ADMISSIBLE, decision__isnull=True
        )
        .order_by("acronym")
        .values_list("acronym", flat=True)
    )
    ok, reason = domain.can_mark_call_decided(undecided=undecided)
    return render(
        request,
        "governance/decisions/call_decided.html",
        {"call": call, "form": form, "ok": ok, "reason": reason},
        status=422 if request.method == "POST" else 200,
    )


def _application(pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("call", "call__parameters", "coordinator"), pk=pk
    )


def _decision_page(request, application, *, advice_form=None, status=200):
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


# --- The decision proposal (DOMAIN.md §2) -----------------------------------------------------


def _masked_ids(user, application_ids: list[int]) -> set[int]:
    """The applications the viewer has a conflict of interest with (declared or
    detected: governance.review.selectors.hidden_proposals, the one answer); staff see
    everything."""
    if user.has_perm("governance.prepare_proposal"):
        return set()
    return set(review_selectors.hidden_proposals(user, application_ids))


@permission_required("governance.view_proposal")
def call_proposals(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision proposals of a call; staff build one from the ranking (POST)."""
    call = get_object_or_404(Call, pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("governance.prepare_proposal"):
            raise PermissionDenied
        try:
            proposal = services.proposal_build(actor=request.user, call=call)
        except Refused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Decision proposal built from the ranking."))
            return redirect("proposal_detail", pk=proposal.pk)
        return redirect("call_proposals", pk=call.pk)
    proposals = list(
        DecisionProposal.objects.filter(call=call)
        .select_related("meeting", "prepared_by")
        .order_by("-prepared_at")
    )
    return render(
        request,
        "governance/decisions/proposal_list.html",
        {
            "call": call,
            "proposals": proposals,
            "can_prepare": request.user.has_perm("governance.prepare_proposal"),
        },
    )


def _proposal(pk: int) -> DecisionProposal:
    return get_object_or_404(
        DecisionProposal.objects.select_related("call", "call__programme", "meeting"), pk=pk
    )


def _proposal_page(request, proposal, *, status=200, **forms):
    user = request.user
    items = list(
        proposal.items.select_related("application", "application__coordinator", "envelope")
    )
    masked = _masked_ids(user, [i.application_id for i in items])
    for item in items:
        item.masked = item.application_id in masked
        item.level = DecidingLevel(services.proposal_deciding_level(item)).label
    votes = list(proposal.votes.select_related("voter").order_by("round", "cast_at"))
    context = {
        "proposal": proposal,
        "call": proposal.call,
        "funded": [i for i in items if i.outcome == DecisionOutcome.FUND],
        "reserve": [i for i in items if i.outcome == DecisionOutcome.RESERVE],
        "rejected": [i for i in items if i.outcome == DecisionOutcome.REJECT],
        "funded_total": sum((i.amount for i in items if i.amount), Decimal("0")),
        "votes": votes,
        "can_prepare": user.has_perm("governance.prepare_proposal"),
        "can_prepare_draft": proposal.state == ProposalState.DRAFT
        and user.has_perm("governance.prepare_proposal"),
        "can_record": user.has_perm("governance.record_decision"),
    }
    if proposal.meeting_id is not None:
        meeting = (
            Meeting.objects.select_related("body")
            .prefetch_related("attendees", "body__memberships")
            .get(pk=proposal.meeting_id)
        )
        voters = services.proposal_voters(meeting)
        this_round = {v.voter_id for v in votes if v.round == proposal.round}
        context.update(
            {
                "quorum": meeting.quorum(),
                "voters_count": len(voters),
                "votes_this_round": len(this_round & voters),
                "may_vote": proposal.state == ProposalState.ON_AGENDA
                and user.has_perm("governance.vote_proposal")
                and user.pk in voters
                and user.pk not in this_round,
            }
        )
    if proposal.state == ProposalState.DRAFT and context["can_prepare"]:
        context["agenda_form"] = forms.get("agenda_form") or AgendaForm(
            programme=proposal.call.programme
        )
    if context.get("may_vote"):
        context["vote_form"] = forms.get("vote_form") or VoteForm()
    if proposal.state == ProposalState.APPROVED and context["can_record"]:
        context["levels"] = sorted({str(i.level) for i in items})
        context["sign_form"] = forms.get("sign_form") or SignaturesForm()
    if user.has_perm("programme.view_history"):
        context["history"] = programme_history(proposal)
    return render(request, "governance/decisions/proposal_detail.html", context, status=status)


@permission_required("governance.view_proposal")
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proposal_page(request, _proposal(pk))


@permission_required("governance.prepare_proposal")
def proposal_item_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    proposal = _proposal(pk)
    item = get_object_or_404(
        ProposalItem.objects.select_related("application", "envelope"), pk=item, proposal=proposal
    )
    initial = {
        "outcome": item.outcome,
        "amount": item.amount,
        "envelope": item.envelope_id,
        "note": item.note,
    }
    form = ProposalItemForm(request.POST or None, call=proposal.call, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.proposal_item_update(actor=request.user, item=item, **form.cleaned_data)
            except Refused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The proposal is amended."))
                return redirect("proposal_detail", pk=proposal.pk)
        status = 422
    return render(
        request,
        "governance/decisions/proposal_item.html",
        {"proposal": proposal, "item": item, "form": form, "call": proposal.call},
        status=status,
    )


@permission_required("governance.prepare_proposal")
@require_POST
def proposal_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    form = AgendaForm(request.POST, programme=proposal.call.programme)
    if form.is_valid():
        try:
            services.proposal_put_on_agenda(
                actor=request.user, proposal=proposal, meeting=form.cleaned_data["meeting"]
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The proposal is on the meeting's agenda."))
            return redirect("proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, status=422, agenda_form=form)


@permission_required("governance.vote_proposal")
@require_POST
def proposal_vote(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_vote(actor=request.user, proposal=proposal, **form.cleaned_data)
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your vote is recorded."))
            return redirect("proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, status=422, vote_form=form)


@permission_required("governance.record_decision")
@require_POST
def proposal_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    form = SignaturesForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_record_decisions(
                actor=request.user, proposal=proposal, **form.cleaned_data
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The funding decisions are recorded; the letters are being prepared.")
            )
            return redirect("proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, status=422, sign_form=form)


# --- The reserve list (DOMAIN.md §6) ----------------------------------------------------------


def _reserve_page(request, call, *, failed=None, status=200):
    """The reserve list in rank order, what fits the money available now, and (staff,
    call not archived) a form to fund each one. `failed`: (decision id, bound form)."""
    result = selectors.call_ranking(call)
    selectors.mark_conflicts(result, request.user)
    entries = selectors.reserve_list(result)
    can_fund = request.user.has_perm("governance.record_decision") and call.state != "archived"
    for entry in entries:
        decision = entry.row.decision
        if failed is not None and failed[0] == decision.pk:
            entry.form = failed[1]
        elif can_fund and entry.fits and not entry.row.conflicted:
            entry.form = ReserveFundForm(
                call=call,
                prefix=f"reserve-{decision.pk}",
                initial={"amount": entry.row.figures.requested_aid},
            )
        else:
            entry.form = None
    context = {
        "call": call,
        "entries": entries,
        "envelopes": result.envelopes,
        "closed": call.state == "archived",
        "can_fund": can_fund,
    }
    return render(request, "governance/decisions/reserve_list.html", context, status=status)


@permission_required("governance.view_ranking")
def reserve_list(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.select_related("parameters", "programme_year"), pk=pk)
    return _reserve_page(request, call)


@permission_required("governance.record_decision")
@require_POST
def reserve_fund(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        FundingDecision.objects.select_related("application", "application__call"), pk=pk
    )
    call = decision.application.call
    form = ReserveFundForm(request.POST, call=call, prefix=f"reserve-{decision.pk}")
    if form.is_valid():
        try:
            services.decision_fund_from_reserve(
                actor=request.user, decision=decision, **form.cleaned_data
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(acronym)s is funded from the reserve list; its letter is being prepared.")
                % {"acronym": decision.application.acronym},
            )
            return redirect("application_decision", pk=decision.application_id)
    return _reserve_page(request, call, failed=(decision.pk, form), status=422)
