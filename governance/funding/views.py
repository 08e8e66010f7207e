"""Pages of funded projects: the dashboard (staff, programme manager), the consortium's
list, one project's page with its agreement, collaboration agreement, payments and
changes, the forms of each write, and the payment run with its CSV/XLSX."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_POST

from governance.decisions.models import FundingDecision
from governance.review import selectors as review_selectors
from programme import exports
from programme.access import login_required, permission_required
from programme.rules import is_staff
from programme.states import Refused

from . import domain, selectors, services
from .enums import PROJECT_TRANSITIONS, ChangeKind, ChangeState, PaymentState, ProjectState
from .forms import (
    AgreementForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    CollaborationForm,
    SignForm,
    StopForm,
    deliverables_text,
)
from .models import ChangeRequest, FundedProject, Payment, SupportAgreement
from .rules import is_project_contact

PROJECTS_PER_PAGE = 50
PAYMENTS_PER_PAGE = 100


def _get_project_for_user(request: HttpRequest, pk: int) -> FundedProject:
    """The project, or 404 for whoever may not know about it."""
    project = get_object_or_404(
        FundedProject.objects.select_related(
            "application__call__parameters", "envelope", "decision"
        ),
        pk=pk,
    )
    if not request.user.has_perm("governance.view_funded_project", project):
        raise Http404
    _hide_if_conflicted(request, project)
    return project


def _hide_if_conflicted(request: HttpRequest, project: FundedProject) -> None:
    """404 for a reader with a conflict of interest on the project's proposal, declared or
    detected (governance.review.selectors, the one answer), unless they are one of its
    own contacts (their organisation is a partner: that is their project)."""
    if not is_project_contact(request.user, project) and not review_selectors.may_see_proposal(
        request.user, project.application
    ):
        raise Http404


def _refused(form, refused: Refused) -> None:
    """Put a refusal on the form: on its fields when it names them, else on the form."""
    if hasattr(refused, "error_dict"):
        for field, errors in refused.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, str(refused))


@permission_required("governance.view_funding_dashboard")
def funding_dashboard(request: HttpRequest) -> HttpResponse:
    board = selectors.dashboard(timezone.localdate(), timezone.now())
    # A reader with a conflict of interest (the programme manager; staff see all) sees
    # only how many projects are not shown; the figures above are totals.
    hidden = {}
    if not is_staff(request.user):
        hidden = review_selectors.hidden_proposals(
            request.user,
            list(board.projects.values_list("application_id", flat=True))
            + [d.application_id for d in board.to_open],
        )
    projects = board.projects.exclude(application_id__in=hidden) if hidden else board.projects
    board.to_open = [d for d in board.to_open if d.application_id not in hidden]
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    page.elided_range = list(
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    context = {
        "board": board,
        "hidden_count": len(hidden),
        "page_obj": page,
        "projects": selectors.with_next_obligation(page.object_list),
    }
    return render(request, "governance/funding/dashboard.html", context)


@permission_required("governance.list_own_projects")
def my_projects(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/funding/my_projects.html",
        {"projects": selectors.own_projects(request.user)},
    )


def _project_page(request, project, *, forms=None, status=200):
    today = timezone.localdate()
    agreements = list(project.agreements.order_by("-version"))
    in_force = next((a for a in agreements if a.signed_on), None)
    draft = next((a for a in agreements if not a.signed_on), None)
    payments = list(project.payments.select_related("ledger_entry").order_by("due_on", "pk"))
    scheduled = [p for p in payments if p.state == PaymentState.SCHEDULED]
    for payment in scheduled:
        payment.ok, payment.reason = domain.can_pay(
            project_state=project.state,
            agreement_signed=project.state != ProjectState.AGREEMENT_PENDING,
            collaboration_state=project.collaboration_state,
            kind=payment.kind,
            due_on=payment.due_on,
            today=today,
            earlier_unpaid=sum(1 for p in scheduled if p.due_on < payment.due_on),
        )
    shown = in_force or draft
    aid_rows, years = [], []
    if shown is not None:
        context = services.agreement_context(shown)
        aid_rows, years = context["rows"], context["years"]
    can_manage = request.user.has_perm("governance.manage_funded_project", project)
    moves = [
        (
            target,
            *PROJECT_TRANSITIONS.decide(
                project.state,
                target,
                guards=domain,
                service="project_transition",
                end_date=project.end_date,
                today=today,
            ),
        )
        for target in PROJECT_TRANSITIONS.targets(project.state)
        if PROJECT_TRANSITIONS.find(project.state, target, service="project_transition")
    ]
    forms = forms or {}
    context = {
        "project": project,
        "application": project.application,
        "in_force": in_force,
        "draft": draft,
        "agreements": agreements,
        "aid_rows": aid_rows,
        "years": years,
        "payments": payments,
        "changes": selectors.project_changes(project),
        "can_manage": can_manage,
        "can_upload": request.user.has_perm("governance.upload_collaboration", project),
        "can_request_change": request.user.has_perm("governance.request_change", project)
        and project.state == ProjectState.RUNNING,
        "moves": [(ProjectState(t), ok, reason) for t, ok, reason in moves],
        "can_stop": can_manage
        and project.state not in PROJECT_TRANSITIONS.terminal
        and project.state != ProjectState.CLOSING,
        "sign_form": forms.get("sign") or SignForm(initial={"signed_on": today}),
        "stop_form": forms.get("stop") or StopForm(),
        "upload_form": forms.get("upload") or CollaborationForm(),
    }
    return render(request, "governance/funding/project.html", context, status=status)


@login_required
def funded_project(request: HttpRequest, pk: int) -> HttpResponse:
    return _project_page(request, _get_project_for_user(request, pk))


@permission_required("governance.manage_funded_project")
@require_POST
def project_open(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(FundingDecision, pk=pk)
    try:
        project = services.project_open(actor=request.user, decision=decision)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("application_decision", pk=decision.application_id)
    return redirect("funded_project", pk=project.pk)


@login_required
def agreement_draw_up(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk)
    if not request.user.has_perm("governance.manage_funded_project", project):
        raise PermissionDenied
    current = project.agreements.filter(version=1).first()
    initial = {
        "start_date": current.start_date if current else project.application.planned_start,
        "end_date": current.end_date if current else None,
        "deliverables": deliverables_text(current.deliverables) if current else "",
        "special_conditions": current.special_conditions if current else "",
    }
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_draw_up(actor=request.user, project=project, **form.cleaned_data)
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(
                request, _("The support agreement is drawn up; its PDF is being made.")
            )
            return redirect("funded_project", pk=project.pk)
    return render(
        request,
        "governance/funding/agreement_form.html",
        {"project": project, "form": form},
        status=400 if form.errors else 200,
    )


def _agreement(request, pk) -> SupportAgreement:
    agreement = get_object_or_404(SupportAgreement.objects.select_related("project"), pk=pk)
    if not request.user.has_perm("governance.view_funded_project", agreement.project):
        raise Http404
    _hide_if_conflicted(request, agreement.project)
    return agreement


@login_required
@require_POST
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _agreement(request, pk)
    if not request.user.has_perm("governance.manage_funded_project", agreement.project):
        raise PermissionDenied
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_sign(actor=request.user, agreement=agreement, **form.cleaned_data)
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The signature is recorded."))
            return redirect("funded_project", pk=agreement.project_id)
    project = _get_project_for_user(request, agreement.project_id)
    return _project_page(request, project, forms={"sign": form}, status=400)


@login_required
def agreement_download(request: HttpRequest, pk: int) -> FileResponse:
    agreement = _agreement(request, pk)
    if not agreement.file:
        raise Http404
    return FileResponse(
        agreement.file.open("rb"),
        as_attachment=True,
        filename=f"agreement-{agreement.project}-v{agreement.version}.pdf",
        content_type="application/pdf",
    )


@login_required
def collaboration_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk)
    if not request.user.has_perm("governance.upload_collaboration", project):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("funded_project", pk=project.pk)
    form = CollaborationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.collaboration_upload(
                actor=request.user, project=project, file=form.cleaned_data["file"]
            )
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The collaboration agreement is uploaded."))
            return redirect("funded_project", pk=project.pk)
    return _project_page(request, project, forms={"upload": form}, status=400)


@login_required
def collaboration_download(request: HttpRequest, pk: int) -> FileResponse:
    project = _get_project_for_user(request, pk)
    if not project.collaboration_file:
        raise Http404
    return FileResponse(
        project.collaboration_file.open("rb"),
        as_attachment=True,
        filename=f"collaboration-{project}.pdf",
        content_type="application/pdf",
    )


def _post_action(request, project, action, success: str) -> HttpResponse:
    try:
        action()
    except Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success)
    return redirect("funded_project", pk=project.pk)


@permission_required("governance.manage_funded_project")
@require_POST
def collaboration_accept(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk)
    return _post_action(
        request,
        project,
        lambda: services.collaboration_accept(actor=request.user, project=project),
        _("The collaboration agreement is accepted."),
    )


@permission_required("governance.manage_funded_project")
@require_POST
def payment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(Payment.objects.select_related("project"), pk=pk)
    return _post_action(
        request,
        payment.project,
        lambda: services.payment_approve(actor=request.user, payment=payment),
        _("The payment is approved and booked on the envelope."),
    )


@permission_required("governance.manage_funded_project")
@require_POST
def project_move(request: HttpRequest, pk: int, to_state: str) -> HttpResponse:
    project = _get_project_for_user(request, pk)
    if to_state not in ProjectState.values:
        raise Http404
    if to_state == ProjectState.CLOSED:
        action = lambda: services.project_close(actor=request.user, project=project)  # noqa: E731
    else:
        action = lambda: services.project_transition(  # noqa: E731
            actor=request.user, project=project, to_state=to_state
        )
    return _post_action(
        request,
        project,
        action,
        _("The project is now “%(state)s”.") % {"state": ProjectState(to_state).label},
    )


@permission_required("governance.manage_funded_project")
@require_POST
def project_stop(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk)
    form = StopForm(request.POST)
    if form.is_valid():
        try:
            services.project_stop(actor=request.user, project=project, **form.cleaned_data)
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The project is stopped."))
            return redirect("funded_project", pk=project.pk)
    return _project_page(request, project, forms={"stop": form}, status=400)


def _cells(project: FundedProject):
    """(field name, label, amount) of the aid in force per partner and year."""
    agreement = services.agreement_in_force(project)
    if agreement is None:
        return []
    return [
        (
            f"aid_{line.partner_id}_{line.year}",
            _("%(partner)s, year %(year)s (€)") % {"partner": line.partner, "year": line.year},
            line.amount,
        )
        for line in agreement.aid.select_related("partner__organisation").order_by(
            "partner", "year"
        )
    ]


@login_required
def change_request(request: HttpRequest, pk: int) -> HttpResponse:
    project = _get_project_for_user(request, pk)
    if not request.user.has_perm("governance.request_change", project):
        raise PermissionDenied
    cells = _cells(project)
    agreement = services.agreement_in_force(project)
    form = ChangeRequestForm(
        request.POST or None,
        cells=cells,
        join_years=services.project_years(agreement) if agreement else 0,
        join_organisations=selectors.organisations_that_may_join(project),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_aid: dict = {}
        if data["kind"] in (ChangeKind.BUDGET_SHIFT, ChangeKind.PARTNER_LEAVES):
            for name, _label, amount in cells:
                value = data.get(name)
                if value is not None and value != amount:
                    _prefix, partner, year = name.split("_")
                    new_aid.setdefault(partner, {})[year] = str(value)
        try:
            services.change_request(
                actor=request.user,
                project=project,
                kind=data["kind"],
                description=data["description"],
                new_end_date=data["new_end_date"],
                new_aid=new_aid,
                join_organisation=data["join_organisation"],
                joining=form.joining() if data["kind"] == ChangeKind.PARTNER_JOINS else None,
            )
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("Your change request is sent to VLAIO."))
            return redirect("funded_project", pk=project.pk)
    return render(
        request,
        "governance/funding/change_form.html",
        {
            "project": project,
            "form": form,
            "cell_fields": [form[n] for n in form.cell_names],
            "cost_rows": [
                (year, [form[n] for y, _c, n in form.cost_names if y == year])
                for year in sorted({y for y, _c, _n in form.cost_names})
            ],
        },
        status=400 if form.errors else 200,
    )


@permission_required("governance.manage_funded_project")
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(
        ChangeRequest.objects.select_related("project__application", "requested_by"), pk=pk
    )
    project = _get_project_for_user(request, change.project_id)
    form = ChangeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_decide(
                actor=request.user,
                change=change,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                site_url=request.build_absolute_uri("/"),
            )
        except Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The change request is decided."))
            return redirect("funded_project", pk=project.pk)
    current = services.agreement_in_force(project)
    outcome = None
    if current is not None and change.state == ChangeState.PENDING:
        end, parts = services.change_outcome(change, current)
        before = services.aid_parts(current)
        outcome = {
            "end": end,
            "end_before": current.end_date,
            "aid_after": sum(parts.values()),
            "aid_before": sum(before.values()),
            "joining": selectors.joining_summary(change, parts),
        }
    return render(
        request,
        "governance/funding/change_decide.html",
        {"project": project, "change": change, "form": form, "outcome": outcome},
        status=400 if form.errors else 200,
    )


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@permission_required("governance.view_payment_run")
def payment_run(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    payments, total, ready = selectors.payment_run(month, timezone.localdate())
    # The totals cover the whole run; the page shows it PAYMENTS_PER_PAGE at a time (the
    # CSV/XLSX for the finance department has every row).
    page = Paginator(payments, PAYMENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.elided_range = list(
        page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    )
    context = {
        "month": month,
        "payments": page.object_list,
        "count": len(payments),
        "page_obj": page,
        "total": total,
        "ready": ready,
    }
    return render(request, "governance/funding/payment_run.html", context)


@permission_required("governance.view_payment_run")
def payment_run_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("unknown format")
    month = _month(request)
    payments, _total, _ready = selectors.payment_run(month, timezone.localdate())
    table = selectors.payment_run_table(payments, month)
    language = (get_language() or "nl")[:2]
    if fmt == "csv":
        content = exports.table_csv(table, language=language)
    else:
        content = exports.workbook_xlsx([table], language=language)
    return exports.export_response(content, filename=f"payments-{month:%Y-%m}.{fmt}")
