"""The demo applications: enough of them, varied, plausible, one breaking a rule."""

from decimal import Decimal

import pytest

from programme import demo as programme_demo
from projects import demo, domain, selectors
from projects.enums import ApplicationState, Part
from projects.models import Application

pytestmark = pytest.mark.django_db


def test_seed_demo_applications_are_plausible_and_idempotent():
    programme_demo.seed()
    created = demo.seed()
    assert len(created) == len(demo.APPLICATIONS) >= 15
    broken = []
    for application in Application.objects.select_related("call__parameters"):
        dossier = selectors.load_dossier(application)
        assert 3 <= len(dossier.partners) <= 8
        assert Decimal("500000") <= dossier.totals.company.cost <= Decimal("3000000")
        for partner, totals in dossier.rows():
            if partner.part == Part.RESEARCH:
                for amount in totals.cost_by_year.values():
                    assert Decimal("185000") <= amount <= Decimal("500000")
        if not dossier.ready[0]:
            broken.append((application.acronym, [c.code for c in dossier.checks if not c.ok]))
    assert broken == [("PHARMALINK", ["non_linked"])]
    states = set(Application.objects.values_list("state", flat=True))
    assert states == {s.value for s in ApplicationState} - {ApplicationState.WITHDRAWN}
    sme_classes = {p.organisation.sme_class for a in created for p in a.partners.all()}
    assert sme_classes == {"micro", "small", "medium", "large"}
    assert demo.seed() == []


def test_minimal_pdf_passes_the_upload_check():
    from projects.services import check_pdf_upload

    data = demo.minimal_pdf("TEST: a title")
    assert check_pdf_upload(head=data[:5], size=len(data)) == (True, "")
    assert domain.project_years(36) == [1, 2, 3]
