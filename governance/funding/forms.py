"""Forms of funded projects. Dates are plain date inputs; every euro field is
programme.forms.AmountField; a deliverable is one line "description | target"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import AmountField

from .enums import ChangeKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def deliverables_text(deliverables: list[dict]) -> str:
    return "\n".join(f"{d['description']} | {d['target']}" for d in deliverables)


class AgreementForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    deliverables = forms.CharField(
        label=_("KPIs and deliverables"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: what is delivered | its target, e.g. “Validated assay | 2”."),
    )
    special_conditions = forms.CharField(
        label=_("Special conditions"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_deliverables(self) -> list[dict]:
        items = []
        for number, line in enumerate(self.cleaned_data["deliverables"].splitlines(), start=1):
            if not line.strip():
                continue
            description, sep, target = line.partition("|")
            if not sep or not description.strip() or not target.strip():
                raise forms.ValidationError(
                    _("Line %(number)s needs a description, “|” and a target.") % {"number": number}
                )
            items.append({"description": description.strip(), "target": target.strip()})
        if not items:
            raise forms.ValidationError(_("Name at least one KPI or deliverable."))
        return items


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput())


class CollaborationForm(forms.Form):
    file = forms.FileField(
        label=_("Collaboration agreement (PDF)"),
        help_text=_("Signed by all partners: intellectual property and valorisation."),
    )


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of change"), choices=ChangeKind.choices)
    description = forms.CharField(
        label=_("What should change and why"), widget=forms.Textarea(attrs={"rows": 3})
    )
    new_end_date = forms.DateField(
        label=_("New end date (extension)"), required=False, widget=DateInput()
    )

    def __init__(self, *args, cells: list[tuple[str, str, object]], **kwargs):
        """`cells`: (field name, label, current amount) of the aid per partner and year."""
        super().__init__(*args, **kwargs)
        self.cell_names = []
        for name, label, amount in cells:
            self.fields[name] = AmountField(
                label=label, initial=amount, required=False, max_digits=14, decimal_places=2
            )
            self.cell_names.append(name)


class ChangeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class StopForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for stopping"), widget=forms.Textarea(attrs={"rows": 2})
    )
