from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Envelope
from governance.bodies.enums import BodyKind
from governance.bodies.models import Meeting
from programme.forms import AmountField

from .enums import AdviceOutcome, DecisionOutcome


class _MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.date.isoformat()} — {obj.subject}"


class AdviceForm(forms.Form):
    meeting = _MeetingChoice(queryset=Meeting.objects.none(), label=_("Meeting"))
    outcome = forms.ChoiceField(choices=AdviceOutcome.choices, label=_("Advice"))
    motivation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Motivation")
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, prefix="advice", **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            body__programme=programme, body__kind=BodyKind.ADVISORY_COUNCIL
        ).order_by("-date")


class DecisionForm(forms.Form):
    meeting = _MeetingChoice(queryset=Meeting.objects.none(), label=_("Meeting"))
    outcome = forms.ChoiceField(choices=DecisionOutcome.choices, label=_("Decision"))
    amount = AmountField(
        label=_("Aid granted (€)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_(
            "Only for a funding decision; at most the aid requested. Up to €500,000 the "
            "administrator-general decides, above it the decision committee."
        ),
    )
    envelope = forms.ModelChoiceField(
        queryset=Envelope.objects.none(),
        required=False,
        label=_("Envelope"),
        empty_label=_("The call's envelope with the most money available"),
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        help_text=_("Name and function of who took the decision."),
    )
    motivation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Motivation")
    )

    def __init__(self, *args, programme, call, **kwargs):
        super().__init__(*args, prefix="decision", **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            body__programme=programme, body__kind=BodyKind.STEERING_GROUP
        ).order_by("-date")
        self.fields["envelope"].queryset = Envelope.objects.filter(call=call).order_by("pk")


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Reason (optional)")
    )
