from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from . import domain, uploads
from .formats import format_amount, parse_amount
from .models import MilestoneRecord, Organisation, OrganisationLink

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


class AmountField(forms.DecimalField):
    """Every euro amount a person types: as they write it in their language
    (formats.parse_amount: '1.500.000', '1.000,50', '1000,50' or '1 000,50' in Dutch,
    '1,000.50' in English), shown in their language ('1.500.000'). A plain text input, so
    the browser does not refuse grouped figures; what was typed is shown again with the
    error. Model fields get it through `Meta.field_classes`.

    Known limit: a draft kept in one language and reopened in the other is read in the new
    language ('1.000' typed in Dutch is 1 in English)."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(str(value))

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_amount(value)
        return value


class OrganisationForm(forms.ModelForm):
    """Registry form. The enterprise number is checked here (format, check digits,
    duplicates) so the user sees the reason next to the field; the SME class is never
    typed in: services.organisation_save computes it."""

    enterprise_number = forms.CharField(
        label=_("Enterprise number"),
        max_length=20,
        help_text=_("Belgian enterprise (KBO/VAT) number, e.g. BE0403.170.701."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "enterprise_number",
            "kind",
            "is_flemish",
            "website",
            "reference_year",
            "headcount",
            "turnover",
            "balance_sheet_total",
            "public_body_share",
            "in_difficulty",
        ]
        field_classes = {"turnover": AmountField, "balance_sheet_total": AmountField}

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["enterprise_number"] = self.instance.enterprise_number_display
        if staff:
            self.fields["verified"] = forms.BooleanField(
                label=_("Verified by VLAIO"), required=False, initial=self.instance.verified
            )

    def clean_enterprise_number(self) -> str:
        raw = self.cleaned_data["enterprise_number"]
        try:
            digits = domain.normalise_enterprise_number(raw)
        except domain.EnterpriseNumberError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None
        clash = Organisation.objects.filter(enterprise_number=digits).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("%(number)s is already registered as “%(name)s”.")
                % {"number": domain.format_enterprise_number(digits), "name": clash.first().name},
                code="duplicate",
            )
        return digits

    def clean_public_body_share(self):
        share = self.cleaned_data.get("public_body_share")
        if share is not None and not Decimal("0") <= share <= Decimal("100"):
            raise forms.ValidationError(
                _("A share is a percentage from 0 to 100."), code="out_of_range"
            )
        return share

    def _post_clean(self):
        # The service assigns and validates the instance; the form only checks input
        # (what the model refuses anyway comes back on the fields: views._save_organisation).
        pass


class OrganisationLinkForm(forms.ModelForm):
    class Meta:
        model = OrganisationLink
        fields = ["other", "kind", "share", "note"]
        labels = {"other": _("Other organisation")}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["other"].queryset = Organisation.objects.exclude(pk=organisation.pk)
        self.fields["share"].localize = True  # 33,33 in Dutch, 33.33 in English
        self.fields["share"].widget.is_localized = True

    def clean_other(self):
        other = self.cleaned_data["other"]
        if OrganisationLink.objects.filter(organisation=self.organisation, other=other).exists():
            raise forms.ValidationError(_("This link is already recorded."))
        return other

    def clean(self):
        cleaned = super().clean()
        ok, why = domain.check_link_share(cleaned.get("kind"), cleaned.get("share"))
        if cleaned.get("kind") and not ok:
            self.add_error("share", why)
        return cleaned

    def _post_clean(self):
        pass


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = MilestoneRecord
        fields = ["date", "description", "evidence_file", "evidence_url"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_evidence_file(self):
        """Documents only (PDF, Word, Excel, OpenDocument), checked by content."""
        upload = self.cleaned_data.get("evidence_file")
        if upload and upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if upload:
            uploads.check_upload(upload, allowed=uploads.DOCUMENTS, max_bytes=MAX_EVIDENCE_BYTES)
        return upload

    def clean(self):
        data = super().clean()
        if not data.get("evidence_file") and not data.get("evidence_url"):
            raise forms.ValidationError(_("Add the evidence as a file or a link."))
        return data

    def _post_clean(self):
        pass


class SignupForm(forms.Form):
    """The name asked at sign-up besides allauth's e-mail and password fields
    (ACCOUNT_SIGNUP_FORM_CLASS); the role is never asked: sign-up gives the applicant role."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user) -> None:
        # allauth's adapter copies first_name/last_name onto the user before saving.
        pass


class JoinForm(forms.Form):
    """Ask to join a registered organisation, found by its enterprise number (a number
    is asked rather than a list of names, so the registry is not handed to anyone)."""

    enterprise_number = forms.CharField(
        label=_("Enterprise number of the organisation"),
        max_length=20,
        help_text=_("e.g. BE0403.170.701"),
    )

    def clean_enterprise_number(self):
        raw = self.cleaned_data["enterprise_number"]
        try:
            return domain.normalise_enterprise_number(raw)
        except domain.EnterpriseNumberError as error:
            raise forms.ValidationError(str(error)) from None


class MembershipDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("Approve")), ("0", _("Refuse"))], coerce=lambda v: v == "1"
    )
    manager = forms.BooleanField(label=_("may manage the organisation"), required=False)
