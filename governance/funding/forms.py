"""Forms of funded projects. Dates are plain date inputs; every euro field is
programme.forms.AmountField; a deliverable is one line "description | target"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import AmountField
from programme.models import Organisation
from projects.enums import Activity, CostCategory

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

    # A partner joining: checked by services.change_request (joining_clean).
    join_organisation = forms.ModelChoiceField(
        label=_("Organisation that joins"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Organisations of the registry verified by VLAIO that are not partners yet."),
    )
    join_contact_email = forms.EmailField(label=_("E-mail of its contact person"), required=False)
    join_contact_name = forms.CharField(
        label=_("Name of its contact person"), max_length=200, required=False
    )
    join_declares_non_economic = forms.BooleanField(
        label=_("Declares non-economic research activities (hospitals)"), required=False
    )
    join_activity = forms.ChoiceField(
        label=_("Activity (company part)"),
        choices=[
            ("", "—"),
            (Activity.INDUSTRIAL_RESEARCH.value, Activity.INDUSTRIAL_RESEARCH.label),
            (Activity.EXPERIMENTAL_DEVELOPMENT.value, Activity.EXPERIMENTAL_DEVELOPMENT.label),
        ],
        required=False,
        help_text=_("Research-part partners (research organisations) are funded at 100%."),
    )
    join_aid = AmountField(
        label=_("Aid it asks (€)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leave empty for its cost × its aid intensity."),
    )

    def __init__(
        self,
        *args,
        cells: list[tuple[str, str, object]],
        join_years: int = 0,
        join_organisations=None,
        **kwargs,
    ):
        """`cells`: (field name, label, current amount) of the aid per partner and year;
        `join_years`: the project years a joining partner enters costs for;
        `join_organisations`: the organisations that may join."""
        super().__init__(*args, **kwargs)
        if join_organisations is not None:
            self.fields["join_organisation"].queryset = join_organisations
        self.cell_names = []
        for name, label, amount in cells:
            self.fields[name] = AmountField(
                label=label, initial=amount, required=False, max_digits=14, decimal_places=2
            )
            self.cell_names.append(name)
        self.cost_names: list[tuple[int, str, str]] = []
        for year in range(1, join_years + 1):
            for category, category_label in CostCategory.choices:
                name = f"cost_{year}_{category}"
                self.fields[name] = AmountField(
                    label=_("Year %(year)s, %(category)s (€)")
                    % {"year": year, "category": category_label},
                    required=False,
                    max_digits=14,
                    decimal_places=2,
                )
                self.cost_names.append((year, category, name))

    def joining(self) -> dict:
        """What the joining partner's fields say, for services.change_request."""
        data = self.cleaned_data
        costs: dict[str, dict[str, str]] = {}
        for year, category, name in self.cost_names:
            if data.get(name) is not None:
                costs.setdefault(str(year), {})[category] = str(data[name])
        return {
            "contact_email": data.get("join_contact_email") or "",
            "contact_name": data.get("join_contact_name") or "",
            "declares_non_economic": data.get("join_declares_non_economic") or False,
            "activity": data.get("join_activity") or "",
            "costs": costs,
            "aid_asked": "" if data.get("join_aid") is None else str(data["join_aid"]),
        }


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
