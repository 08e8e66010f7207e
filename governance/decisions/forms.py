from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Envelope
from governance.bodies.enums import BodyKind
from governance.bodies.models import Meeting
from programme.forms import AmountField

from .enums import AdviceOutcome, DecisionOutcome, VoteChoice


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


class DeclineForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Reason (optional)")
    )


class ProposalItemForm(forms.Form):
    """Staff amend one application of a draft decision proposal."""

    outcome = forms.ChoiceField(choices=DecisionOutcome.choices, label=_("Proposed decision"))
    amount = AmountField(
        label=_("Aid proposed (€)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Only for funding; at most the aid requested."),
    )
    envelope = forms.ModelChoiceField(
        queryset=Envelope.objects.none(),
        required=False,
        label=_("Envelope"),
        empty_label=_("The call's envelope with the most money available"),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Note (the motivation of the decision)"),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = Envelope.objects.filter(call=call).order_by("pk")


class AgendaForm(forms.Form):
    meeting = _MeetingChoice(
        queryset=Meeting.objects.none(), label=_("Meeting of the steering group")
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, prefix="agenda", **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            body__programme=programme, body__kind=BodyKind.STEERING_GROUP
        ).order_by("-date")


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        choices=VoteChoice.choices, widget=forms.RadioSelect, label=_("Your vote")
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Reason"),
        help_text=_("Required to amend or reject: say what should change, or why."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="vote", **kwargs)


class SignaturesForm(forms.Form):
    administrator_general = forms.CharField(
        label=_("Signed by the administrator-general"),
        max_length=200,
        required=False,
        help_text=_("Name and function; for every aid up to €500,000."),
    )
    decision_committee = forms.CharField(
        label=_("Signed for the decision committee"),
        max_length=200,
        required=False,
        help_text=_("Name and function; for every aid above €500,000."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="sign", **kwargs)


class ReserveFundForm(forms.Form):
    """Staff fund a reserve proposal when money frees."""

    amount = AmountField(
        label=_("Aid granted (€)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
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
        help_text=_("Name and function of who signed the decision."),
    )
    motivation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("Motivation"),
        help_text=_("Required when a better-ranked reserve proposal also fits."),
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["envelope"].queryset = Envelope.objects.filter(call=call).order_by("pk")


class ConfirmDecidedForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have read what marking the call decided locks, and confirm."),
        required=True,
    )
