from django import forms
from django.utils.translation import gettext_lazy as _

from programme.models import User

from .enums import SEATS, Seat
from .models import Body, Meeting, Membership

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _seat_choices(body: Body) -> list[tuple[str, str]]:
    allowed = SEATS[body.kind]
    return [(value, label) for value, label in Seat.choices if value in allowed]


class MembershipForm(forms.ModelForm):
    """A seat in a body for a term. The overlap and seat rules are checked by
    services (domain.can_hold_membership); the view shows their reason on this form."""

    class Meta:
        model = Membership
        fields = ["user", "seat", "organisation", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        help_texts = {
            "organisation": _("Leave empty to take the person's own organisation."),
            "ends_on": _("Leave empty for an open-ended term."),
        }

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [("", "---------"), *_seat_choices(body)]
        if self.instance.pk:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = User.objects.filter(is_active=True).order_by(
                "last_name", "first_name", "email"
            )

    def _post_clean(self):
        # The service assigns and validates the instance; the form only checks input.
        pass


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "subject", "attendees", "guests", "notes"]
        widgets = {
            "date": DATE,
            "attendees": forms.CheckboxSelectMultiple,
            "guests": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "attendees": _("Only people who are members on the meeting date count."),
        }

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        member_ids = body.memberships.values_list("user_id", flat=True)
        self.fields["attendees"].queryset = User.objects.filter(pk__in=member_ids).order_by(
            "last_name", "first_name"
        )

    def _post_clean(self):
        pass
