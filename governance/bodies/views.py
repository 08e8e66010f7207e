from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.access import permission_required
from programme.views import programme_history

from . import domain, services
from .enums import SEAT_ORDER
from .forms import MeetingForm, MembershipForm
from .models import Body, Meeting, Membership


def _day_from(request: HttpRequest) -> tuple[date, str]:
    """The day the composition is checked on: `?on=YYYY-MM-DD`, else today (Brussels).
    A malformed date falls back to today with a message instead of an error page."""
    today = timezone.localdate()
    raw = request.GET.get("on", "")
    if not raw:
        return today, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return today, _("“%(value)s” is not a date (YYYY-MM-DD); showing today.") % {"value": raw}


def _composition(body: Body, memberships: list[Membership]) -> dict:
    checks = domain.composition_checks(body.kind, [m.seat_holder() for m in memberships])
    return {
        "checks": checks,
        "compliant": all(c.ok for c in checks),
        "voting_count": sum(1 for m in memberships if m.votes),
        "observer_count": sum(1 for m in memberships if not m.votes),
    }


@permission_required("governance.view_body")
def body_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    bodies = Body.objects.select_related("programme").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.active_on(today).select_related("user", "organisation"),
            to_attr="active_memberships",
        )
    )
    rows = [{"body": body, **_composition(body, body.active_memberships)} for body in bodies]
    return render(request, "governance/body_list.html", {"rows": rows, "today": today})


@permission_required("governance.view_body")
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("programme"), pk=pk)
    day, date_error = _day_from(request)
    memberships = sorted(
        body.memberships.select_related("user", "organisation"),
        key=lambda m: (SEAT_ORDER[m.seat], m.starts_on, m.user.last_name, m.pk),
    )
    active = [m for m in memberships if m.is_active_on(day)]
    context = {
        "body": body,
        "day": day,
        "date_error": date_error,
        "active": active,
        **_composition(body, active),
    }
    if request.htmx:
        # The date picker reloads only the composition panel.
        return render(request, "governance/_composition.html", context)
    terms = [(m.user_id, m.seat, m.starts_on, m.ends_on) for m in memberships]
    meetings = [
        (
            meeting,
            *domain.quorum_met(
                domain.voting_member_ids(terms, meeting.date),
                [u.pk for u in meeting.attendees.all()],
            ),
        )
        for meeting in body.meetings.prefetch_related("attendees").order_by("-date")
    ]
    context.update(
        {
            "memberships": memberships,
            "meetings": meetings,
            "can_manage": request.user.has_perm("governance.manage_membership"),
            "can_record": request.user.has_perm("governance.record_meeting"),
        }
    )
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(body)
    return render(request, "governance/body_detail.html", context)


@permission_required("governance.manage_membership")
def membership_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body, pk=pk)
    form = MembershipForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_create(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect("body_detail", pk=body.pk)
    return render(request, "governance/membership_form.html", {"form": form, "body": body})


@permission_required("governance.manage_membership")
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("body", "user"), pk=pk)
    form = MembershipForm(request.POST or None, instance=membership, body=membership.body)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("body_detail", pk=membership.body_id)
    context = {"form": form, "body": membership.body, "membership": membership}
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(membership)
    return render(request, "governance/membership_form.html", context)


@permission_required("governance.record_meeting")
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body, pk=pk)
    form = MeetingForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_record(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            ok, reason = meeting.quorum()
            messages.success(request, _("Meeting recorded. %(quorum)s") % {"quorum": reason})
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "governance/meeting_form.html", {"form": form, "body": body})


@permission_required("governance.view_meeting")
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.select_related("body", "recorded_by").prefetch_related(
            "attendees", "body__memberships__user"
        ),
        pk=pk,
    )
    on_day = [m for m in meeting.body.memberships.all() if m.is_active_on(meeting.date)]
    present = {u.pk for u in meeting.attendees.all()}
    quorum_ok, quorum_reason = meeting.quorum()
    context = {
        "meeting": meeting,
        "body": meeting.body,
        "members": [
            (m, m.user_id in present)
            for m in sorted(on_day, key=lambda m: (SEAT_ORDER[m.seat], m.user.last_name, m.pk))
        ],
        "quorum_ok": quorum_ok,
        "quorum_reason": quorum_reason,
    }
    if request.user.has_perm("programme.view_history"):
        context["history"] = programme_history(meeting)
    return render(request, "governance/meeting_detail.html", context)
