"""SME class with the group (issue 18, item 6; DOMAIN.md §4, EU Recommendation 2003/361
Annex art. 6): linked enterprises add 100% of their figures, partner enterprises their
held share; the organisation page shows the computation; the 'at least 3 non-linked
companies' rule merges linked enterprises only."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from programme import domain, services
from programme.enums import LinkKind, SmeClass
from programme.models import OrganisationLink
from programme.states import Refused
from projects.selectors import load_dossier
from tests.builders import ready_application
from tests.factories import LargeCompanyFactory, OrganisationFactory, StaffFactory

M = D("1000000")


def part(relation, staff, turnover, balance, share=D("100")):
    return domain.GroupPart(
        name=relation,
        relation=relation,
        headcount=D(staff),
        turnover=D(turnover) * M,
        balance_sheet_total=D(balance) * M,
        share=share,
    )


def test_small_subsidiary_of_a_large_group_is_large():
    # Alone: 20 staff, €3M turnover, €2.5M balance sheet: small. With its parent (linked,
    # 100%: 900 staff, €200M, €150M): 920 staff, €203M, €152.5M: large.
    own = part(domain.OWN, 20, 3, "2.5")
    alone = domain.sme_class_of_group(own=own, others=[])
    group = domain.sme_class_of_group(own=own, others=[part(domain.LINKED, 900, 200, 150)])
    with translation.override("en"):
        reason = group.reason
    assert alone.klass == SmeClass.SMALL
    assert (group.klass, group.headcount, group.turnover, group.balance_sheet_total) == (
        SmeClass.LARGE,
        D("920"),
        D("203") * M,
        D("152.5") * M,
    )
    assert reason.startswith("Large enterprise: with its group 920 staff, turnover")
    assert "linked enterprises 100%, partner enterprises their held share" in reason


def test_partner_enterprise_adds_its_held_share():
    # Own 20 staff, €3M, €2.5M; a partner holding 30% with 150 staff, €30M, €20M adds
    # 45 staff, €9M, €6M: 65 staff, €12M, €8.5M: medium (≥ 50 staff, turnover ≤ €50M).
    own = part(domain.OWN, 20, 3, "2.5")
    result = domain.sme_class_of_group(
        own=own, others=[part(domain.PARTNER, 150, 30, 20, share=D("30"))]
    )
    assert (result.klass, result.headcount, result.turnover, result.balance_sheet_total) == (
        SmeClass.MEDIUM,
        D("65"),
        D("12") * M,
        D("8.5") * M,
    )


def test_partner_without_a_recorded_share_adds_nothing():
    own = part(domain.OWN, 20, 3, "2.5")
    result = domain.sme_class_of_group(
        own=own, others=[part(domain.PARTNER, 150, 30, 20, share=None)]
    )
    assert (result.klass, result.headcount) == (SmeClass.SMALL, D("20"))


def test_public_bodies_25_percent_makes_the_group_large():
    own = part(domain.OWN, 5, 1, 1)
    result = domain.sme_class_of_group(own=own, others=[], public_body_share=D("25"))
    assert result.klass == SmeClass.LARGE


@pytest.mark.parametrize(
    ("kind", "share", "ok"),
    [
        (LinkKind.PARTNER, D("25"), True),
        (LinkKind.PARTNER, D("50"), True),
        (LinkKind.PARTNER, None, False),
        (LinkKind.PARTNER, D("51"), False),
        (LinkKind.LINKED, None, True),
        (LinkKind.LINKED, D("60"), True),
        (LinkKind.LINKED, D("40"), False),
    ],
)
def test_link_share_fits_its_kind(kind, share, ok):
    assert domain.check_link_share(kind, share)[0] is ok


@pytest.mark.django_db
def test_linking_a_small_company_to_a_large_group_makes_it_large_and_the_page_shows_why(client):
    subsidiary = OrganisationFactory(
        name="MedSub BV", headcount=20, turnover=3 * M, balance_sheet_total=D("2.5") * M
    )
    parent = LargeCompanyFactory(name="BigPharma SA")
    assert subsidiary.sme_class == SmeClass.SMALL
    staff = StaffFactory()

    services.organisation_link_create(
        actor=staff, organisation=subsidiary, other=parent, kind=LinkKind.LINKED
    )

    subsidiary.refresh_from_db()
    assert subsidiary.sme_class == SmeClass.LARGE
    assert subsidiary.history.first().history_change_reason == "SME class recomputed with the group"
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("organisation_detail", args=[subsidiary.pk])).content.decode()
    assert "How the SME class is computed" in body
    assert "with its group 920 staff" in body
    assert "BigPharma SA" in body and "linked enterprise" in body


@pytest.mark.django_db
def test_new_figures_of_the_parent_change_the_subsidiary():
    subsidiary = OrganisationFactory(headcount=20, turnover=3 * M, balance_sheet_total=2 * M)
    parent = OrganisationFactory(headcount=20, turnover=3 * M, balance_sheet_total=2 * M)
    services.organisation_link_create(
        actor=None, organisation=subsidiary, other=parent, kind=LinkKind.LINKED
    )
    subsidiary.refresh_from_db()
    assert subsidiary.sme_class == SmeClass.SMALL  # 40 staff, €6M, €4M together

    services.organisation_save(
        actor=StaffFactory(),
        organisation=parent,
        enterprise_number=parent.enterprise_number,
        headcount=200,
    )

    subsidiary.refresh_from_db()
    assert subsidiary.sme_class == SmeClass.MEDIUM  # 220 staff, €6M turnover together


@pytest.mark.django_db
def test_partner_link_without_share_is_refused():
    with pytest.raises(Refused, match="A partner enterprise holds from 25% to 50%"):
        services.organisation_link_create(
            actor=None,
            organisation=OrganisationFactory(),
            other=OrganisationFactory(),
            kind=LinkKind.PARTNER,
        )
    assert OrganisationLink.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "share", "ok"),
    [
        (LinkKind.PARTNER, D("30"), True),  # partner enterprises are separate companies
        (LinkKind.LINKED, None, False),  # linked ones count as one: 2 of the 3 required
    ],
)
def test_non_linked_rule_merges_linked_enterprises_only(kind, share, ok):
    application = ready_application()
    companies = [p.organisation for p in application.partners.order_by("pk") if p.part == "company"]
    assert len(companies) == 3
    services.organisation_link_create(
        actor=None, organisation=companies[0], other=companies[1], kind=kind, share=share
    )
    check = next(c for c in load_dossier(application).checks if c.code == "non_linked")
    assert check.ok is ok
