"""Views of the review side: the reviewer's evaluations, conflict declaration and
scoring; for staff the call's evaluation overview, assignment (by hand and automatic),
the consensus page and reviewers' expertise.

Kept apart from views.py (bodies and meetings), which it would double. A reviewer's
assignment is fetched by `_get_assignment_for_user`, which answers 404 to anyone but
the reviewer and to a reviewer with a conflict (declared or detected).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calls.enums import CallState
from calls.models import Call
from programme.access import permission_required
from programme.forms import OrganisationLinkForm
from programme.models import Organisation, User
from projects.enums import ApplicationState
from projects.models import Application

from .. import domain, selectors, services
from ..enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState, LockPhase
from ..forms import (
    CONFLICT,
    ConflictForm,
    ExpertiseForm,
    ReopenForm,
    ReviewerChoiceForm,
    ScoresForm,
)
from ..models import ConflictDeclaration, ConsensusScore, ReviewAssignment, ReviewScore
from .conduct import (  # the code of conduct and the discussion, in conduct.py
    conduct_declaration as conduct_declaration,
    discussion as discussion,
    discussion_context,
)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(
                None if field == "__all__" or field not in form.fields else field, messages_
            )
    else:
        form.add_error(None, error.messages)


def _conduct_first(request: HttpRequest) -> HttpResponse | None:
    """Before the first proposal opens, the reviewer accepts the code of conduct and
    confidentiality declaration in force: a redirect there (and back), or None."""
    if selectors.conduct_accepted(request.user):
        return None
    return redirect(f"{reverse('conduct_declaration')}?{urlencode({'next': request.path})}")


def _get_assignment_for_user(request: HttpRequest, pk: int) -> ReviewAssignment:
    """The reviewer's own active assignment, or 404 (someone else's, withdrawn, or a
    conflict of interest declared or detected)."""
    assignment = (
        ReviewAssignment.objects.select_related(
            "application", "application__call", "application__call__parameters", "reviewer"
        )
        .filter(pk=pk, reviewer=request.user, state__in=ACTIVE_ASSIGNMENT_STATES)
        .first()
    )
    if assignment is None:
        raise Http404("no such review for this user")
    if selectors.conflict_of(assignment.application, request.user)[0]:
        raise Http404("conflict of interest")
    return assignment


def _without_conflicts(user: User, assignments) -> list[ReviewAssignment]:
    """The reviewer's assignments minus those of proposals they are conflicted with, declared
    or detected since (an organisation link recorded outside the link page, a new
    employer): such a proposal is not even named to them."""
    assignments = list(assignments)
    hidden = selectors.conflicts_of(user, {a.application_id for a in assignments})
    return [a for a in assignments if a.application_id not in hidden]


# --- Reviewers -----------------------------------------------------------------------------


@permission_required("governance.review")
def review_list(request: HttpRequest) -> HttpResponse:
    assignments = _without_conflicts(
        request.user,
        ReviewAssignment.objects.filter(reviewer=request.user)
        .exclude(state=AssignmentState.WITHDRAWN)
        .select_related("application", "application__call")
        .order_by("application__call__review_deadline", "application__acronym"),
    )
    return render(
        request,
        "governance/review/review_list.html",
        {"assignments": assignments, "conduct_accepted": selectors.conduct_accepted(request.user)},
    )


@permission_required("governance.review")
def review_declare(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _get_assignment_for_user(request, pk)
    if (first := _conduct_first(request)) is not None:
        return first
    declaration = ConflictDeclaration.objects.filter(
        application=assignment.application, reviewer=request.user
    ).first()
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        has_conflict = form.cleaned_data["declaration"] == CONFLICT
        try:
            services.conflict_declare(
                actor=request.user,
                assignment=assignment,
                has_conflict=has_conflict,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if has_conflict:
                messages.success(
                    request,
                    _(
                        "Thank you. The assignment is withdrawn; "
                        "VLAIO will assign another reviewer."
                    ),
                )
                return redirect("review_list")
            return redirect("review_score", pk=assignment.pk)
    partners = assignment.application.partners.select_related("organisation").order_by(
        "-is_coordinator", "organisation__name"
    )
    return render(
        request,
        "governance/review/review_declare.html",
        {"assignment": assignment, "form": form, "declaration": declaration, "partners": partners},
    )


def _others(assignment: ReviewAssignment, criteria) -> list[dict]:
    """Other reviewers' submitted scores, anonymous ("Reviewer 1", …)."""
    others = (
        ReviewAssignment.objects.filter(
            application_id=assignment.application_id, state=AssignmentState.SUBMITTED
        )
        .exclude(pk=assignment.pk)
        .order_by("submitted_at", "pk")
        .prefetch_related("scores")
    )
    rows = []
    for number, other in enumerate(others, start=1):
        scores = {s.criterion_id: s for s in other.scores.all()}
        rows.append({"number": number, "scores": [(c, scores.get(c.pk)) for c in criteria]})
    return rows


@permission_required("governance.review")
def review_score(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _get_assignment_for_user(request, pk)
    if (first := _conduct_first(request)) is not None:
        return first
    if not ConflictDeclaration.objects.filter(
        application=assignment.application, reviewer=request.user, has_conflict=False
    ).exists():
        return redirect("review_declare", pk=assignment.pk)
    call = assignment.application.call
    criteria = list(call.criteria.all())
    scale = services.scale_of(call)
    submitted = assignment.state == AssignmentState.SUBMITTED
    initial = {s.criterion_id: (s.score, s.comment) for s in assignment.scores.all()}
    locked, closed_reason = selectors.phase_status(assignment.application, LockPhase.REVIEWS)
    open_ = not locked
    form = ScoresForm(
        request.POST if request.method == "POST" and not submitted else None,
        criteria=criteria,
        scale=scale,
        initial_scores=initial,
        disabled=submitted or not open_,
    )
    status = ""
    if request.method == "POST" and not submitted:
        submit = "submit" in request.POST
        service = services.review_submit if submit else services.review_save_draft
        try:
            service(actor=request.user, assignment=assignment, entries=form.entries())
        except ValidationError as error:
            form.is_valid()
            _apply_errors(form, error)
            status = _("Not saved: see the fields marked in red.")
        else:
            if request.htmx:
                return render(
                    request,
                    "governance/review/_autosave.html",
                    {
                        "status": _("Draft saved at %(time)s.")
                        % {"time": timezone.localtime().strftime("%H:%M:%S")}
                    },
                )
            if submit:
                messages.success(request, _("Your evaluation is submitted."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("review_score", pk=assignment.pk)
        if request.htmx:
            return render(
                request, "governance/review/_autosave.html", {"status": status, "error": True}
            )
    context = {
        "assignment": assignment,
        "application": assignment.application,
        "form": form,
        "submitted": submitted,
        "open": open_,
        "closed_reason": closed_reason,
        "status": status,
        # Other reviewers' scores only once this reviewer has submitted their own.
        "others": _others(assignment, criteria) if submitted else None,
    }
    if submitted:  # the discussion too (selectors.discussion_access says the same)
        access = selectors.discussion_access(
            request.user, assignment.application, is_moderator=False
        )
        context.update(discussion_context(request, assignment.application, access))
    return render(request, "governance/review/review_score.html", context)


# --- Staff ---------------------------------------------------------------------------------


def _short(application: Application, active: int) -> int:
    return max(0, application.call.parameters.reviewers_per_application - active)


@permission_required("governance.manage_reviews")
def review_call_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """Evaluation progress of a call: per admissible application, reviews submitted of
    assigned, whether it is short of reviewers, consensus criteria done."""
    call = get_object_or_404(Call.objects.select_related("parameters"), pk=pk)
    criteria_count = call.criteria.count()
    applications = (
        Application.objects.filter(call=call, state=ApplicationState.ADMISSIBLE)
        .annotate(
            assigned=Count(
                "review_assignments",
                filter=Q(review_assignments__state__in=ACTIVE_ASSIGNMENT_STATES),
                distinct=True,
            ),
            submitted=Count(
                "review_assignments",
                filter=Q(review_assignments__state=AssignmentState.SUBMITTED),
                distinct=True,
            ),
            consensus=Count("consensus_scores", distinct=True),
        )
        .order_by("acronym")
    )
    needed = call.parameters.reviewers_per_application
    rows = [
        {
            "application": a,
            "short": max(0, needed - a.assigned),
            "consensus_done": criteria_count > 0 and a.consensus >= criteria_count,
        }
        for a in applications
    ]
    totals = {
        "assigned": sum(r["application"].assigned for r in rows),
        "submitted": sum(r["application"].submitted for r in rows),
        "consensus": sum(1 for r in rows if r["consensus_done"]),
    }
    return render(
        request,
        "governance/review/call_overview.html",
        {
            "call": call,
            "rows": rows,
            "totals": totals,
            "criteria_count": criteria_count,
            "needed": needed,
        },
    )


@require_POST
@permission_required("governance.manage_reviews")
def review_assign_auto(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call, pk=pk)
    try:
        created = services.reviews_assign_automatically(actor=request.user, call=call)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)s assignments made.") % {"count": len(created)})
    return redirect("review_call_overview", pk=call.pk)


@permission_required("governance.manage_reviews")
def review_assign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Reviewers of one application: the assignments (withdrawn ones with the reason),
    the pool with each person's load and conflict, and a form to add one."""
    application = get_object_or_404(
        Application.objects.select_related("call", "call__parameters"), pk=pk
    )
    assignments = list(
        application.review_assignments.select_related("reviewer").order_by("assigned_at")
    )
    pool = list(selectors.reviewer_pool().select_related("organisation"))
    detected = selectors.detected_conflicts([application.pk], pool)
    declared = selectors.declared_conflicts([application.pk])
    assigned_ids = {a.reviewer_id for a in assignments}
    loads = dict(
        ReviewAssignment.objects.filter(
            application__call=application.call, state__in=ACTIVE_ASSIGNMENT_STATES
        )
        .values_list("reviewer_id")
        .annotate(n=Count("pk"))
    )
    pool_rows = [
        {
            "reviewer": r,
            "load": loads.get(r.pk, 0),
            "conflict": declared.get((application.pk, r.pk))
            or detected.get((application.pk, r.pk)),
            "assigned": r.pk in assigned_ids,
        }
        for r in pool
    ]
    choosable = User.objects.filter(
        pk__in=[
            row["reviewer"].pk for row in pool_rows if not row["conflict"] and not row["assigned"]
        ]
    ).order_by("last_name", "first_name")
    form = ReviewerChoiceForm(request.POST or None, reviewers=choosable)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_assign(
                actor=request.user,
                application=application,
                reviewer=form.cleaned_data["reviewer"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Reviewer assigned."))
            return redirect("review_assign_page", pk=application.pk)
    active = sum(1 for a in assignments if a.state in ACTIVE_ASSIGNMENT_STATES)
    return render(
        request,
        "governance/review/assign.html",
        {
            "application": application,
            "assignments": assignments,
            "pool_rows": pool_rows,
            "form": form,
            "short": _short(application, active),
            "active": active,
            "declared": declared,
        },
    )


@require_POST
@permission_required("governance.manage_reviews")
def review_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(ReviewAssignment, pk=pk)
    try:
        services.review_unassign(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Assignment removed."))
    return redirect("review_assign_page", pk=assignment.application_id)


@permission_required("governance.manage_reviews")
def consensus_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Individual scores side by side (names for staff), large spreads flagged, and the
    consensus form."""
    application = get_object_or_404(
        Application.objects.select_related("call", "call__parameters"), pk=pk
    )
    call = application.call
    criteria = list(call.criteria.all())
    assignments = list(
        application.review_assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.all()))
        .order_by("assigned_at", "pk")
    )
    by_assignment = {a.pk: {s.criterion_id: s for s in a.scores.all()} for a in assignments}
    consensus = {c.criterion_id: c for c in ConsensusScore.objects.filter(application=application)}
    table = []
    for criterion in criteria:
        cells = [
            by_assignment[a.pk].get(criterion.pk) if a.state == AssignmentState.SUBMITTED else None
            for a in assignments
        ]
        values = [c.score for c in cells if c is not None and c.score is not None]
        table.append(
            {
                "criterion": criterion,
                "cells": cells,
                "spread": domain.spread_flag(values),
                "range": (min(values), max(values)) if values else None,
            }
        )
    form = ScoresForm(
        request.POST or None,
        criteria=criteria,
        scale=services.scale_of(call),
        initial_scores={k: (v.score, v.comment) for k, v in consensus.items()},
    )
    if request.method == "POST":
        try:
            services.consensus_record(
                actor=request.user, application=application, entries=form.entries()
            )
        except ValidationError as error:
            form.is_valid()
            _apply_errors(form, error)
        else:
            messages.success(request, _("Consensus recorded."))
            return redirect("consensus_page", pk=application.pk)
    return render(
        request,
        "governance/review/consensus.html",
        {
            "application": application,
            "assignments": assignments,
            "table": table,
            "form": form,
            "all_submitted": bool(assignments)
            and all(a.state == AssignmentState.SUBMITTED for a in assignments),
            "locks": _locks(application),
            **discussion_context(
                request,
                application,
                selectors.discussion_access(request.user, application, is_moderator=True),
            ),
        },
    )


def _locks(application: Application, failed: tuple[str, ReopenForm] | None = None) -> list:
    """Each phase with whether it is locked, why, and (locked) a form to reopen it."""
    rows = []
    for phase in (LockPhase.REVIEWS, LockPhase.CONSENSUS):
        locked, reason = selectors.phase_status(application, phase)
        form = None
        if locked:
            form = failed[1] if failed and failed[0] == phase else ReopenForm(prefix=phase)
        rows.append(
            {
                "phase": phase,
                "label": LockPhase(phase).label,
                "locked": locked,
                "reason": reason,
                "form": form,
            }
        )
    return rows


@permission_required("governance.manage_reviews")
@require_POST
def phase_reopen(request: HttpRequest, pk: int, phase: str) -> HttpResponse:
    """Staff reopen the individual reviews or the consensus of one application, with a
    reason (audited); the consensus page says what is locked and why."""
    application = get_object_or_404(Application.objects.select_related("call"), pk=pk)
    if phase not in LockPhase.values:
        raise Http404
    form = ReopenForm(request.POST, prefix=phase)
    if form.is_valid():
        try:
            services.phase_reopen(
                actor=request.user,
                application=application,
                phase=phase,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(phase)s reopened.") % {"phase": LockPhase(phase).label})
            return redirect("consensus_page", pk=application.pk)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("consensus_page", pk=application.pk)


@permission_required("governance.manage_reviews")
def reviewer_list(request: HttpRequest) -> HttpResponse:
    reviewers = (
        selectors.reviewer_pool()
        .select_related("organisation")
        .prefetch_related("expertise__theme")
    )
    calls = Call.objects.filter(state__in=[CallState.IN_EVALUATION, CallState.DECIDED]).order_by(
        "-deadline"
    )
    return render(
        request, "governance/review/reviewer_list.html", {"reviewers": reviewers, "calls": calls}
    )


@permission_required("governance.manage_reviews")
def reviewer_expertise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    reviewer = get_object_or_404(selectors.reviewer_pool(), pk=pk)
    current = [e.theme for e in reviewer.expertise.select_related("theme")]
    form = ExpertiseForm(request.POST or None, initial={"themes": current})
    if request.method == "POST" and form.is_valid():
        services.reviewer_expertise_set(
            actor=request.user, user=reviewer, themes=form.cleaned_data["themes"]
        )
        messages.success(request, _("Expertise saved."))
        return redirect("reviewer_list")
    return render(
        request, "governance/review/expertise_form.html", {"reviewer": reviewer, "form": form}
    )


def home_panel_rows(user: User) -> list[ReviewAssignment]:
    """The reviewer's active assignments for the home page (four queries)."""
    return _without_conflicts(
        user,
        ReviewAssignment.objects.filter(reviewer=user, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("application", "application__call")
        .order_by("state", "application__acronym")[:10],
    )


@permission_required("programme.add_organisationlink")
def organisation_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record a link between two enterprises; a link can turn a review into a
    conflict of interest, so the page lives on the review side
    (services.organisation_link_record)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    form = OrganisationLinkForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_link_record(
            actor=request.user, organisation=organisation, **form.cleaned_data
        )
        messages.success(request, _("Link recorded."))
        return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request,
        "programme/organisation_link_form.html",
        {"form": form, "organisation": organisation},
    )
