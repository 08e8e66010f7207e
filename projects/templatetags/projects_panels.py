"""Home-page panels of the projects app, so the programme's home view needs no
knowledge of applications."""

from django import template
from django.db.models import Count
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call

from ..enums import HANDED_IN
from ..models import Application
from ..selectors import applications_of

register = template.Library()


@register.inclusion_tag("projects/_panel_applicant.html", takes_context=True)
def applicant_applications_panel(context):
    user = context["request"].user
    now = timezone.now()
    return {
        "applications": applications_of(user).select_related("call").order_by("-created_at")[:10],
        "open_call_count": Call.objects.filter(
            state=CallState.OPEN, opens_at__lte=now, deadline__gt=now
        ).count(),
    }


@register.inclusion_tag("projects/_panel_staff.html", takes_context=True)
def staff_submissions_panel(context):
    rows = (
        Application.objects.filter(state__in=HANDED_IN)
        .values("call_id", "call__title_nl", "call__title_en", "state")
        .annotate(count=Count("pk"))
        .order_by("call_id", "state")
    )
    calls: dict[int, dict] = {}
    for row in rows:
        entry = calls.setdefault(
            row["call_id"],
            {
                "id": row["call_id"],
                "title_nl": row["call__title_nl"],
                "title_en": row["call__title_en"],
                "states": {},
                "total": 0,
            },
        )
        entry["states"][row["state"]] = row["count"]
        entry["total"] += row["count"]
    return {"calls": list(calls.values()), "request": context["request"]}


@register.inclusion_tag("projects/_call_start.html", takes_context=True)
def call_start_application(context, call, accepting: bool):
    """On a call's public page: the applicant's own applications for the call and, while
    the call takes submissions, the button that starts a new one."""
    user = context["request"].user
    may_start = user.has_perm("projects.start_application")
    mine = []
    if may_start:
        mine = list(applications_of(user).filter(call=call).order_by("created_at"))
    return {
        "call": call,
        "accepting": accepting,
        "may_start": may_start,
        "has_organisation": may_start and user.organisation_id is not None,
        "mine": mine,
    }
