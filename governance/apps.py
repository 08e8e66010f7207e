from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from programme import kpis

        from . import rules_decisions  # noqa: F401  (registers the decision permissions)
        from .selection import funded_participations

        # KPIs 3, 4, 5 come from the funded decisions (programme.kpis' docstring).
        kpis.register_participation_source(funded_participations)

        # The call evaluation report: its generator and download check register on
        # import; its request form appears on the reports page.
        from programme import reports

        from .evaluation_report import evaluation_report_html  # noqa: F401
        from .forms_reports import EvaluationReportForm

        reports.register_report_form(EvaluationReportForm.kind, EvaluationReportForm)
