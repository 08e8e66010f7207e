"""Forms of the projects app. They check input and nothing else; the rules are in
domain.py and the writes in services.py. Every form re-renders bound on an error, and
its raw data can be kept as a draft (`form_data_for_draft`)."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy as _

from programme import uploads
from programme.formats import decimal_mark, format_amount
from programme.forms import AmountField
from programme.models import ActionDomain, DiseaseDomain, Organisation, Theme

from . import domain
from .enums import AdmissibilityOutcome, AttachmentKind, CompletionItem, CostCategory
from .models import Application, Partner


def form_data_for_draft(form: forms.Form) -> dict:
    """The raw values a person typed (files excluded), to keep as a draft."""
    data = {}
    for name in form.fields:
        key = form.add_prefix(name)
        values = form.data.getlist(key) if hasattr(form.data, "getlist") else [form.data.get(key)]
        values = [v for v in values if v is not None]
        if values:
            data[key] = values if len(values) > 1 else values[0]
    return data


class ApplicationForm(forms.ModelForm):
    """The project data. Only title and acronym are needed to start; the completeness
    rule asks for the rest before submission."""

    class Meta:
        model = Application
        fields = [
            "title",
            "acronym",
            "abstract",
            "abstract_language",
            "action_domain",
            "theme",
            "disease_domain",
            "planned_start",
            "duration_months",
        ]
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 6}),
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "duration_months": _("At most the call's maximum (48 months by default)."),
            "abstract": _("In Dutch or English; choose the language below."),
        }

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_start"].input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
        for name, model, eligible in (
            ("action_domain", ActionDomain, call.action_domains),
            ("theme", Theme, call.themes),
            ("disease_domain", DiseaseDomain, call.disease_domains),
        ):
            queryset = model.objects.filter(programme_id=call.programme_id)
            if eligible.exists():
                queryset = eligible.all()
            self.fields[name].queryset = queryset


class PartnerForm(forms.Form):
    """Add a partner: an organisation of the registry, or a new one registered in the
    same step (the organisation form below, prefix 'org')."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation from the registry"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("Not in the list? Register it below."),
    )
    contact_email = forms.EmailField(label=_("E-mail of the contact person"))
    contact_name = forms.CharField(label=_("Name of the contact person"), max_length=200)
    declares_non_economic = forms.BooleanField(
        label=_("A hospital declaring non-economic research activities (research part)"),
        required=False,
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        taken = application.partners.values_list("organisation_id", flat=True)
        self.fields["organisation"].queryset = Organisation.objects.exclude(pk__in=taken).order_by(
            "name"
        )


class PartnerEditForm(forms.Form):
    contact_email = forms.EmailField(label=_("E-mail of the contact person"))
    contact_name = forms.CharField(label=_("Name of the contact person"), max_length=200)
    declares_non_economic = forms.BooleanField(
        label=_("A hospital declaring non-economic research activities (research part)"),
        required=False,
    )


class BudgetForm(forms.Form):
    """One field per project year × cost category × activity of the partner's part."""

    def __init__(self, *args, partner: Partner, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        self.years = years
        self.activities = domain.activities_for_part(partner.part)
        existing = {
            (e.year, e.category, e.activity): e.amount for e in partner.budget_entries.all()
        }
        for year in years:
            for category in CostCategory:
                for activity in self.activities:
                    name = self.field_name(year, category, activity)
                    self.fields[name] = AmountField(
                        label=_("Year %(year)s, %(category)s, %(activity)s")
                        % {
                            "year": year,
                            "category": category.label.lower(),
                            "activity": activity.label.lower(),
                        },
                        required=False,
                        min_value=Decimal("0"),
                        max_digits=14,
                        decimal_places=2,
                        initial=existing.get((year, category.value, activity.value)),
                    )

    @staticmethod
    def field_name(year: int, category: str, activity: str) -> str:
        return f"y{year}_{category}_{activity}"

    def amounts(self) -> dict[tuple[int, str, str], Decimal]:
        return {
            (year, category.value, activity.value): self.cleaned_data.get(
                self.field_name(year, category, activity)
            )
            or Decimal("0")
            for year in self.years
            for category in CostCategory
            for activity in self.activities
        }

    def grid(self):
        """Rows (category, [bound fields per year × activity]) for the template."""
        return [
            (
                category,
                [
                    self[self.field_name(year, category, activity)]
                    for year in self.years
                    for activity in self.activities
                ],
            )
            for category in CostCategory
        ]

    def amount_hint(self) -> str:
        """How to type an amount, with examples in the active language."""
        example = Decimal("1250.50")
        return gettext("Amounts in euro, as you write them: %(grouped)s or %(plain)s.") % {
            "grouped": format_amount(example),
            "plain": f"1250{decimal_mark(get_language())}50",
        }

    def columns(self):
        return [(year, activity) for year in self.years for activity in self.activities]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File (PDF, at most 20 MB)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload, allowed=uploads.PDF_ONLY)
        return upload


YES_NO_UNKNOWN = [("", _("not checked yet")), ("yes", _("yes")), ("no", _("no"))]


class AdmissibilityForm(forms.Form):
    complementary = forms.ChoiceField(
        label=_("Complementary to VLAIO/FWO's regular channels"),
        choices=YES_NO_UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    broad_application = forms.ChoiceField(
        label=_("Broad application beyond single companies"),
        choices=YES_NO_UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    consortium_rules = forms.ChoiceField(
        label=_("Consortium rules met"),
        choices=YES_NO_UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    complete = forms.ChoiceField(
        label=_("Application complete"),
        choices=YES_NO_UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("no outcome yet (save the checklist)")), *AdmissibilityOutcome.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (e-mailed to the applicant when inadmissible)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    completion_items = forms.MultipleChoiceField(
        label=_("Items to complete"),
        choices=CompletionItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    completion_deadline = forms.DateTimeField(
        label=_("Completion deadline (Brussels time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == AdmissibilityOutcome.INADMISSIBLE and not data.get("reason", "").strip():
            self.add_error("reason", _("Give the reason why the application is inadmissible."))
        if outcome == AdmissibilityOutcome.COMPLETION:
            if not data.get("completion_items"):
                self.add_error("completion_items", _("Name at least one item to complete."))
            deadline = data.get("completion_deadline")
            if deadline is None or deadline <= timezone.now():
                self.add_error(
                    "completion_deadline", _("The completion deadline must lie in the future.")
                )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data

        def tri(value):
            return {"yes": True, "no": False}.get(value)

        return {
            "outcome": data.get("outcome") or "",
            "complementary": tri(data.get("complementary")),
            "broad_application": tri(data.get("broad_application")),
            "consortium_rules": tri(data.get("consortium_rules")),
            "complete": tri(data.get("complete")),
            "reason": data.get("reason", ""),
            "completion_items": data.get("completion_items") or [],
            "completion_deadline": data.get("completion_deadline"),
        }
