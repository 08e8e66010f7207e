"""Forms of the calls app. They check input only; the rules (freeze, budget, envelope
limits) are applied by calls.services, whose refusals the views show on the bound form.

Date-times are typed in Europe/Brussels time (the active time zone) and stored in UTC.
"""

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from programme import uploads
from programme.forms import AmountField
from programme.models import ActionDomain, DiseaseDomain, ProgrammeYear, Theme

from .enums import LedgerEntryKind, TieBreak
from .models import Call, CallParameters, Criterion, Envelope

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class BrusselsDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


FROZEN_FORM_FIELDS = (
    "programme_year",
    "instrument",
    "action_domains",
    "themes",
    "disease_domains",
    "opens_at",
    "preregistration_deadline",
    "deadline",
)

JUSTIFICATION_HELP = _(
    "The parameters of this call are frozen since it opened. As an administrator you may "
    "amend them; your justification is recorded in the audit trail."
)


def _justification_field() -> forms.CharField:
    return forms.CharField(
        label=_("Justification of the amendment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=JUSTIFICATION_HELP,
    )


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "programme_year",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "instrument",
            "action_domains",
            "themes",
            "disease_domains",
            "opens_at",
            "preregistration_deadline",
            "deadline",
            "review_deadline",
        ]
        widgets = {
            "action_domains": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "disease_domains": forms.CheckboxSelectMultiple,
            "opens_at": BrusselsDateTimeInput,
            "preregistration_deadline": BrusselsDateTimeInput,
            "deadline": BrusselsDateTimeInput,
            "review_deadline": BrusselsDateTimeInput,
            "description_nl": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "opens_at": _("Brussels time."),
            "deadline": _("Brussels time. Submissions are refused from this moment on."),
            "preregistration_deadline": _("Optional; Brussels time."),
        }

    def __init__(self, *args, amend: bool = False, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if frozen and not amend:
            # Dates, budget year and eligibility froze when the call opened.
            for name in FROZEN_FORM_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Frozen since the call opened.")
        self.fields["programme_year"].queryset = ProgrammeYear.objects.select_related("programme")
        self.fields["action_domains"].queryset = ActionDomain.objects.select_related("programme")
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["disease_domains"].queryset = DiseaseDomain.objects.all()
        if amend:
            self.fields["justification"] = _justification_field()

    def clean(self):
        data = super().clean()
        year = data.get("programme_year")
        if year is not None:
            self.instance.programme = year.programme
            for name in ("action_domains", "themes", "disease_domains"):
                wrong = [
                    item for item in data.get(name, []) if item.programme_id != year.programme_id
                ]
                if wrong:
                    self.add_error(name, _("Choose only items of the call's programme."))
        opens_at, deadline = data.get("opens_at"), data.get("deadline")
        prereg = data.get("preregistration_deadline")
        if opens_at and deadline and deadline <= opens_at:
            self.add_error("deadline", _("The deadline must come after the opening."))
        if prereg and opens_at and deadline and not (opens_at < prereg <= deadline):
            self.add_error(
                "preregistration_deadline",
                _("The pre-registration deadline must fall between the opening and the deadline."),
            )
        return data

    def _post_clean(self):
        # The service validates the instance; the form checks input with friendly messages.
        pass

    def call_values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in self.cleaned_data and not self.fields[name].disabled
        }


class ParametersForm(forms.ModelForm):
    """The call parameters, with the tie-break order as numbered steps."""

    class Meta:
        model = CallParameters
        fields = [
            "min_companies",
            "max_company_share",
            "min_research_organisations",
            "research_budget_min_per_year",
            "research_budget_max_per_year",
            "research_min_share",
            "non_flemish_companies_allowed",
            "industrial_research_base",
            "experimental_development_base",
            "small_enterprise_bonus",
            "medium_enterprise_bonus",
            "collaboration_bonus_enabled",
            "collaboration_bonus",
            "industrial_research_cap",
            "experimental_development_cap",
            "absolute_cap",
            "max_aid_per_company",
            "aid_cap_scope",
            "max_duration_months",
            "advance_share",
            "scale_min",
            "scale_max",
            "scale_step",
            "overall_threshold",
            "reviewers_per_application",
            "preselection_factor",
        ]  # all but the call and tie_break_order (edited as steps by this form)
        field_classes = {
            "research_budget_min_per_year": AmountField,
            "research_budget_max_per_year": AmountField,
            "max_aid_per_company": AmountField,
        }

    def __init__(self, *args, amend: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.tie_break_order or [])
        choices = [("", "—"), *TieBreak.choices]
        for i in range(len(TieBreak)):
            self.fields[f"tie_break_{i + 1}"] = forms.ChoiceField(
                label=_("Tie-break step %(n)s") % {"n": i + 1},
                choices=choices,
                required=False,
                initial=current[i] if i < len(current) else "",
            )
        if amend:
            self.fields["justification"] = _justification_field()

    def clean(self):
        data = super().clean()
        steps = [data.get(f"tie_break_{i + 1}") for i in range(len(TieBreak))]
        steps = [step for step in steps if step]
        if len(steps) != len(set(steps)):
            raise forms.ValidationError(_("Each tie-break step may appear only once."))
        if not steps:
            self.add_error("tie_break_1", _("Give at least one tie-break step."))
        data["tie_break_order"] = steps
        low, high = (
            data.get("research_budget_min_per_year"),
            data.get("research_budget_max_per_year"),
        )
        if low is not None and high is not None and high < low:
            self.add_error(
                "research_budget_max_per_year", _("The maximum must not be below the minimum.")
            )
        if data.get("scale_min") is not None and data.get("scale_max") is not None:
            if data["scale_max"] <= data["scale_min"]:
                self.add_error("scale_max", _("The maximum must be above the minimum."))
        if data.get("scale_step") is not None and data["scale_step"] <= 0:
            self.add_error("scale_step", _("The step must be more than zero."))
        return data

    def _post_clean(self):
        # The service validates and saves; the form checks input with friendly messages.
        pass

    def parameter_values(self) -> dict:
        names = [f.name for f in CallParameters._meta.concrete_fields if f.name in self.fields]
        values = {name: self.cleaned_data[name] for name in names}
        values["tie_break_order"] = self.cleaned_data["tie_break_order"]
        return values


CriterionFormSet = modelformset_factory(
    Criterion,
    fields=[
        "position",
        "name_nl",
        "name_en",
        "description_nl",
        "description_en",
        "weight",
        "threshold",
    ],
    widgets={
        "description_nl": forms.Textarea(attrs={"rows": 2}),
        "description_en": forms.Textarea(attrs={"rows": 2}),
    },
    extra=1,
    can_delete=True,
)


class JustificationForm(forms.Form):
    justification = forms.CharField(
        label=_("Justification of the amendment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=JUSTIFICATION_HELP,
    )


class TransitionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class EnvelopeForm(forms.ModelForm):
    class Meta:
        model = Envelope
        fields = ["name_nl", "name_en", "action_domain", "amount"]
        field_classes = {"amount": AmountField}

    def __init__(self, *args, call: Call, frozen: bool = False, amend: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_domain"].queryset = ActionDomain.objects.filter(
            programme_id=call.programme_id
        )
        self.fields["amount"].min_value = 0
        if frozen and not amend:
            # Amount and action domain froze when the call opened; the names stay editable.
            for name in ("amount", "action_domain"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Frozen since the call opened; only an administrator can amend it."
                )
        if amend:
            self.fields["justification"] = forms.CharField(
                label=_("Justification of the amendment"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_(
                    "Needed to change the amount or action domain of an envelope of an open "
                    "call. It is recorded and shown on the public call page."
                ),
            )

    def envelope_values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("name_nl", "name_en", "action_domain", "amount", "justification")
            if name in self.cleaned_data and not self.fields[name].disabled
        }

    def _post_clean(self):
        # The service validates the instance and the year's budget; the form checks input.
        pass


MOVEMENTS = [
    (LedgerEntryKind.RESERVE, LedgerEntryKind.RESERVE.label),
    (LedgerEntryKind.UNRESERVE, LedgerEntryKind.UNRESERVE.label),
    (LedgerEntryKind.COMMIT, LedgerEntryKind.COMMIT.label),
    (LedgerEntryKind.RELEASE, LedgerEntryKind.RELEASE.label),
    ("transfer", _("Transfer to another envelope")),
]


class EnvelopeMovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Movement"), choices=MOVEMENTS)
    amount = AmountField(label=_("Amount (€)"), max_digits=14, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("What the money is for, e.g. an application's receipt number."),
    )
    from_reservation = forms.BooleanField(label=_("Commit from the reservation"), required=False)
    target = forms.ModelChoiceField(
        label=_("Target envelope (transfers)"), queryset=Envelope.objects.none(), required=False
    )
    decision_reference = forms.CharField(
        label=_("Steering-group decision reference (transfers)"), max_length=100, required=False
    )

    def __init__(self, *args, envelope: Envelope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (
            Envelope.objects.filter(call__programme_id=envelope.call.programme_id)
            .exclude(pk=envelope.pk)
            .select_related("call")
        )
        self.fields["target"].label_from_instance = lambda e: f"{e.name} ({e.call.title})"

    def clean(self):
        data = super().clean()
        if data.get("kind") == "transfer":
            if not data.get("target"):
                self.add_error("target", _("Choose the envelope that receives the money."))
            if not (data.get("decision_reference") or "").strip():
                self.add_error(
                    "decision_reference",
                    _("A transfer needs the steering group's decision reference."),
                )
        return data


class DocumentForm(forms.Form):
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    file = forms.FileField(label=_("File"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("A document may be at most 20 MB."))
        uploads.check_upload(upload, allowed=uploads.DOCUMENTS, max_bytes=MAX_DOCUMENT_BYTES)
        return upload


class PreregistrationForm(forms.Form):
    """The project sketch of a pre-registration (calls with a pre-selection stage)."""

    acronym = forms.CharField(label=_("Acronym"), max_length=30)
    project_title = forms.CharField(label=_("Project title"), max_length=250, required=False)
    requested_aid = AmountField(
        label=_("Estimated aid requested (€)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("Staff pre-select up to a multiple of the call's budget on these estimates."),
    )


class PreselectionForm(forms.Form):
    """One checkbox and one reason per waiting pre-registration, and a reason for all
    that are not pre-selected and have none of their own."""

    common_reason = forms.CharField(
        label=_("Reason for the pre-registrations not pre-selected"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Used for every pre-registration left unticked without a reason of its own."),
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            label = registration.acronym or str(registration.user)
            self.fields[f"pick_{registration.pk}"] = forms.BooleanField(
                label=_("Pre-select %(name)s") % {"name": label}, required=False
            )
            self.fields[f"reason_{registration.pk}"] = forms.CharField(
                label=_("Reason if not pre-selected (%(name)s)") % {"name": label},
                required=False,
                max_length=1000,
            )

    def rows(self):
        """(registration, its checkbox, its reason field) for the template."""
        return [(r, self[f"pick_{r.pk}"], self[f"reason_{r.pk}"]) for r in self.registrations]

    def preselected(self) -> list[int]:
        return [r.pk for r in self.registrations if self.cleaned_data.get(f"pick_{r.pk}")]

    def reasons(self) -> dict[int, str]:
        return {r.pk: self.cleaned_data.get(f"reason_{r.pk}", "") for r in self.registrations}
