"""Home-page panel of the review side, so the programme's home view needs no knowledge
of reviews."""

from django import template

from governance.review.views import home_panel_rows

register = template.Library()


@register.inclusion_tag("governance/review/_panel_reviewer.html", takes_context=True)
def reviewer_evaluations_panel(context):
    return {"assignments": home_panel_rows(context["request"].user)}
