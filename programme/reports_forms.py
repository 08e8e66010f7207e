"""The form to request a KPI report (programme.reports.report_request does the work)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import reports
from .models import Programme, ProgrammeYear, ReportKind


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
