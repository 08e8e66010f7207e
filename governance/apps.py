from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """The governance app: its bodies, the review and the decision side of the
    evaluation, and the reports across the programme, one package each (README)."""

    name = "governance"
    verbose_name = _("Governance")
