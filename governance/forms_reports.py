"""The form that asks for a call evaluation report on the reports page (registered with
programme.reports.register_report_form; programme.reports.report_request does the work)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.enums import CallState
from calls.models import Call
from programme import reports
from programme.models import ReportKind

# Calls whose evaluation has started: a report of an open call would have nothing to rank.
EVALUATED_STATES = (CallState.CLOSED, CallState.IN_EVALUATION, CallState.DECIDED,
                    CallState.ARCHIVED)


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Call) -> str:
        return f"{obj.programme_year.year} · {obj.title}"


class EvaluationReportForm(forms.Form):
    kind = ReportKind.CALL_EVALUATION
    title = _("Request a call evaluation report")
    prefix = "evaluation"

    call = CallChoiceField(
        label=_("Call"),
        queryset=Call.objects.filter(state__in=EVALUATED_STATES)
        .select_related("programme_year")
        .order_by("-programme_year__year", "deadline"),
        empty_label=None,
        help_text=_("Calls whose submission deadline has passed."),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("nl", "Nederlands"), ("en", "English")],
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["parameters"] = reports.clean_parameters(
                kind=ReportKind.CALL_EVALUATION,
                parameters={
                    "programme": data["call"].programme_id,
                    "call": data["call"].pk,
                    "language": data["language"],
                },
            )
        except ValidationError as exc:
            self.add_error("call", exc)
        return data
