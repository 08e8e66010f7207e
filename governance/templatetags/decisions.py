"""The decision panel on the projects app's application page (decision, decline, letters)."""

from django import template
from django.utils import timezone

from calls.enums import CallState
from calls.models import Call
from governance.decisions import domain as decisions_domain
from governance.decisions.models import FundingDecision, Letter

register = template.Library()


@register.inclusion_tag("governance/decisions/_application_panel.html")
def decision_panel(application, user):
    """Shown to whoever sees the application page (staff and the consortium's contacts);
    letters only once generated, the decline button only to the coordinator's contact."""
    decision = FundingDecision.objects.filter(application=application).first()
    can_decline = False
    if decision is not None and user.has_perm("governance.decline_decision", application):
        can_decline, _reason = decisions_domain.can_decline(
            outcome=decision.outcome,
            decided_at=decision.decided_at,
            declined_at=decision.declined_at,
            now=timezone.now(),
        )
    letters = [
        letter for letter in Letter.objects.filter(application=application) if letter.generated_at
    ]
    return {
        "decision": decision,
        "letters": letters,
        "can_decline": can_decline,
        "user": user,
        "application": application,
    }


@register.inclusion_tag("governance/decisions/_ranking_links.html")
def ranking_links():
    """Links to the ranking of every call in evaluation or decided (newest first)."""
    calls = Call.objects.filter(state__in=[CallState.IN_EVALUATION, CallState.DECIDED]).order_by(
        "-deadline"
    )
    return {"calls": list(calls)}
