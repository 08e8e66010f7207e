"""The forms that ask for a report on the reports page (services.report_request does the
work): the KPI report and the call evaluation report."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.enums import CallState
from calls.models import Call
from programme.models import Programme, ProgrammeYear, ReportKind

from . import services as reports


class KpiReportForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), empty_label=None
    )
    year = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("One programme year, or the whole programme."),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"),
        choices=[("nl", "Nederlands"), ("en", "English")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = ProgrammeYear.objects.order_by("year").values_list("year", flat=True).distinct()
        self.fields["year"].choices = [("", _("Whole programme")), *((y, y) for y in years)]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["parameters"] = reports.clean_parameters(
                kind=ReportKind.KPI,
                parameters={
                    "programme": data["programme"].pk,
                    "year": data.get("year"),
                    "language": data["language"],
                },
            )
        except ValidationError as exc:
            # A year of another programme: say it next to the year, keep the choices.
            self.add_error("year", exc)
        return data


EVALUATED_STATES = (
    CallState.CLOSED,
    CallState.IN_EVALUATION,
    CallState.DECIDED,
    CallState.ARCHIVED,
)


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


# The request form of each kind of report, in the order the reports page shows them.
REQUEST_FORMS: dict[str, type[forms.Form]] = {ReportKind.CALL_EVALUATION: EvaluationReportForm}
