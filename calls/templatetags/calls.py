"""Template helpers of the calls app: Brussels time with its zone, the countdown, and the
call panels of the home page (which belongs to the programme app)."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from .. import domain
from ..enums import CallState
from ..models import Call

register = template.Library()


@register.simple_tag
def countdown_text(deadline, now=None) -> str:
    return domain.countdown_text(deadline, now or timezone.now())


@register.simple_tag
def open_calls_panel() -> list[Call]:
    """Published calls still taking proposals, soonest deadline first (home page)."""
    return list(
        Call.objects.filter(state=CallState.OPEN, deadline__gt=timezone.now()).order_by("deadline")[
            :5
        ]
    )


@register.simple_tag
def staff_calls_panel() -> dict:
    """Counts per state and the calls that need attention (home page, staff)."""
    counts = dict(
        Call.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return {
        "states": [(state, counts.get(state.value, 0)) for state in CallState],
        "active": list(
            Call.objects.filter(state__in=[CallState.DRAFT, CallState.OPEN, CallState.CLOSED])
            .with_budget()
            .order_by("deadline")[:8]
        ),
        "overdue": Call.objects.filter(
            Q(state=CallState.OPEN) & Q(deadline__lte=timezone.now())
        ).count(),
    }
