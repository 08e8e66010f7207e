"""Forms of the review side: the conflict declaration, the individual report (one score
and comment per criterion of the call), the consensus, the reviewer picker and the
reviewers' expertise. The rules (scale, mandatory comment, deadline) are checked by
services; the views put their reasons on these forms so nothing typed is lost."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.models import Theme

NO_CONFLICT, CONFLICT = "none", "conflict"


class ConflictForm(forms.Form):
    declaration = forms.ChoiceField(
        label=_("Conflict of interest"),
        widget=forms.RadioSelect,
        choices=[
            (
                NO_CONFLICT,
                _("I declare that I have no conflict of interest with this application."),
            ),
            (CONFLICT, _("I have a conflict of interest with this application.")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (when you have a conflict)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScoresForm(forms.Form):
    """One score and one comment per criterion: fields `score_<id>` and `comment_<id>`.
    Scores are text here (a comma is accepted) so that an off-scale value comes back
    as typed, with the reason from domain.review_entry_errors."""

    def __init__(self, *args, criteria, scale, initial_scores=None, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        for criterion in self.criteria:
            score, comment = initial_scores.get(criterion.pk, (None, ""))
            self.fields[f"score_{criterion.pk}"] = forms.CharField(
                label=_("Score (%(min)s–%(max)s, steps of %(step)s)")
                % {"min": scale.minimum, "max": scale.maximum, "step": scale.step},
                required=False,
                initial="" if score is None else score,
                disabled=disabled,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "size": 4, "class": "form-control score-input"}
                ),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                initial=comment,
                disabled=disabled,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )

    def rows(self):
        """(criterion, score field, comment field) per criterion, for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def entries(self) -> dict[int, tuple[str, str]]:
        """criterion id -> (score text, comment) as typed."""
        data = self.data
        return {
            c.pk: (data.get(f"score_{c.pk}", ""), data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }


class ReviewerChoiceForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class ExpertiseForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes of expertise"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Theme.objects.select_related("programme").order_by(
            "programme", "code"
        )


class ReopenForm(forms.Form):
    """Staff reopen a locked phase of one application's evaluation."""

    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail."),
    )
