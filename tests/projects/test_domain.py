"""Pure rules of applications: the aid-intensity table, budget totals, consortium rules
at their boundaries. Parameters are unsaved CallParameters (the real defaults)."""

from decimal import Decimal

import pytest

from calls.models import CallParameters
from programme.enums import OrganisationKind, SmeClass
from projects import domain
from projects.domain import CostLine, PartnerFacts
from projects.enums import Activity, CostCategory, Part

IR, ED = Activity.INDUSTRIAL_RESEARCH, Activity.EXPERIMENTAL_DEVELOPMENT
SMALL, MEDIUM, LARGE, MICRO = SmeClass.SMALL, SmeClass.MEDIUM, SmeClass.LARGE, SmeClass.MICRO


def params(**overrides) -> CallParameters:
    return CallParameters(**overrides)


def gber_params(*, bonus: bool) -> CallParameters:
    """GBER art. 25 without the call's own caps: only the absolute ceiling of 80%."""
    return params(
        collaboration_bonus_enabled=bonus,
        collaboration_bonus=Decimal("15"),
        industrial_research_cap=Decimal("100"),
        experimental_development_cap=Decimal("100"),
    )


# DOMAIN.md §4: with collaboration bonus IR 65/75/80, ED 40/50/60 (large/medium/small);
# without it IR 50/60/70, ED 25/35/45.
GBER_TABLE = [
    (True, IR, LARGE, "65"),
    (True, IR, MEDIUM, "75"),
    (True, IR, SMALL, "80"),
    (True, IR, MICRO, "80"),
    (True, ED, LARGE, "40"),
    (True, ED, MEDIUM, "50"),
    (True, ED, SMALL, "60"),
    (False, IR, LARGE, "50"),
    (False, IR, MEDIUM, "60"),
    (False, IR, SMALL, "70"),
    (False, ED, LARGE, "25"),
    (False, ED, MEDIUM, "35"),
    (False, ED, SMALL, "45"),
]


@pytest.mark.parametrize("bonus,activity,klass,expected", GBER_TABLE)
def test_aid_intensity_equals_gber_table(bonus, activity, klass, expected):
    figure = domain.aid_intensity(
        params=gber_params(bonus=bonus), part=Part.COMPANY, activity=activity, sme_class=klass
    )
    assert figure.value == Decimal(expected)


def test_aid_intensity_small_industrial_research_with_bonus_hits_absolute_ceiling():
    figure = domain.aid_intensity(
        params=gber_params(bonus=True), part=Part.COMPANY, activity=IR, sme_class=SMALL
    )
    assert figure.reason == (
        "Small enterprise, industrial research: 50% + 20 points + 15 points collaboration "
        "= 85%, capped at the absolute ceiling of 80%."
    )


# The personalised-medicine call: no collaboration bonus, caps 60 (IR) and 50 (ED).
PM_TABLE = [
    (IR, LARGE, "50"),
    (IR, MEDIUM, "60"),
    (IR, SMALL, "60"),
    (ED, LARGE, "25"),
    (ED, MEDIUM, "35"),
    (ED, SMALL, "45"),
]


@pytest.mark.parametrize("activity,klass,expected", PM_TABLE)
def test_aid_intensity_personalised_medicine_caps(activity, klass, expected):
    figure = domain.aid_intensity(
        params=params(), part=Part.COMPANY, activity=activity, sme_class=klass
    )
    assert figure.value == Decimal(expected)


def test_aid_intensity_pm_caps_with_collaboration_bonus():
    p = params(collaboration_bonus_enabled=True, collaboration_bonus=Decimal("10"))
    values = [
        domain.aid_intensity(params=p, part=Part.COMPANY, activity=a, sme_class=k).value
        for a, k in [(IR, LARGE), (IR, SMALL), (ED, LARGE), (ED, MEDIUM), (ED, SMALL)]
    ]
    assert values == [Decimal(v) for v in ("60", "60", "35", "45", "50")]


def test_aid_intensity_reason_names_the_cap():
    figure = domain.aid_intensity(params=params(), part=Part.COMPANY, activity=IR, sme_class=SMALL)
    assert figure.reason == (
        "Small enterprise, industrial research: 50% + 20 points = 70%, capped at 60% in this call."
    )


def test_aid_intensity_large_without_bonus_reason():
    figure = domain.aid_intensity(params=params(), part=Part.COMPANY, activity=ED, sme_class=LARGE)
    assert (figure.value, figure.reason) == (
        Decimal("25"),
        "Large enterprise, experimental development: 25%.",
    )


def test_aid_intensity_research_part_is_100():
    figure = domain.aid_intensity(
        params=params(), part=Part.RESEARCH, activity=Activity.RESEARCH, sme_class=LARGE
    )
    assert figure.value == Decimal("100")


def test_aid_intensity_outside_flanders_is_zero_with_reason():
    figure = domain.aid_intensity(
        params=params(), part=Part.COMPANY, activity=IR, sme_class=SMALL, is_flemish=False
    )
    assert (figure.value, figure.reason) == (
        Decimal("0"),
        "Established outside Flanders: takes part without aid (0%).",
    )


def test_aid_intensity_in_difficulty_is_zero():
    figure = domain.aid_intensity(
        params=params(), part=Part.COMPANY, activity=IR, sme_class=SMALL, in_difficulty=True
    )
    assert figure.value == Decimal("0")


def company(name="Acme", klass=SMALL, org_id=1, **kw) -> PartnerFacts:
    return PartnerFacts(
        name=name,
        kind=OrganisationKind.COMPANY,
        part=Part.COMPANY,
        sme_class=klass,
        organisation_id=org_id,
        **kw,
    )


def research(name="KU Leuven", org_id=100, **kw) -> PartnerFacts:
    return PartnerFacts(
        name=name,
        kind=OrganisationKind.RESEARCH,
        part=Part.RESEARCH,
        sme_class=LARGE,
        organisation_id=org_id,
        **kw,
    )


def line(amount, activity=IR, year=1, category=CostCategory.PERSONNEL) -> CostLine:
    return CostLine(year=year, category=category, activity=activity, amount=Decimal(amount))


def test_partner_budget_totals_small_company_split():
    totals = domain.partner_budget_totals(
        params=params(),
        partner=company(),
        lines=[line("300000", IR), line("100000", IR, year=2), line("200000", ED)],
    )
    assert (totals.total_cost, totals.aid.value, totals.own_contribution.value) == (
        Decimal("600000"),
        Decimal("330000.00"),  # 60% of 400k + 45% of 200k
        Decimal("270000.00"),
    )
    assert totals.aid.reason == (
        "60% of €\u00a0400,000 (industrial research) + 45% of €\u00a0200,000 (experimental "
        "development) = €\u00a0330,000."
    )


def test_partner_budget_totals_cap_per_company():
    totals = domain.partner_budget_totals(
        params=params(), partner=company(klass=LARGE), lines=[line("7000000", IR)]
    )
    assert totals.aid.value == Decimal("3000000.00")
    assert totals.aid.reason.endswith(
        "The aid is capped at €\u00a03,000,000 per company in this call."
    )


def test_partner_budget_totals_just_under_cap_is_not_capped():
    totals = domain.partner_budget_totals(
        params=params(), partner=company(klass=LARGE), lines=[line("6000000", IR)]
    )
    assert totals.aid.value == Decimal("3000000.00")
    assert "capped" not in totals.aid.reason


def test_partner_budget_totals_research_organisation_100_percent():
    totals = domain.partner_budget_totals(
        params=params(), partner=research(), lines=[line("250000", Activity.RESEARCH)]
    )
    assert (totals.aid.value, totals.own_contribution.value) == (
        Decimal("250000.00"),
        Decimal("0.00"),
    )


def test_application_totals_sums_parts():
    p = params()
    t = [
        domain.partner_budget_totals(
            params=p, partner=research(), lines=[line("200000", Activity.RESEARCH)]
        ),
        domain.partner_budget_totals(params=p, partner=company(), lines=[line("100000", IR)]),
        domain.partner_budget_totals(
            params=p, partner=company("Big", LARGE, 2), lines=[line("100000", ED)]
        ),
    ]
    totals = domain.application_totals(t)
    assert (totals.research.cost, totals.company.cost, totals.project.cost) == (
        Decimal("200000"),
        Decimal("200000"),
        Decimal("400000"),
    )
    assert (totals.research.aid, totals.company.aid, totals.project.aid) == (
        Decimal("200000.00"),
        Decimal("85000.00"),
        Decimal("285000.00"),
    )
    assert (totals.sme_count, totals.company_count, totals.sme_cost_share) == (
        1,
        2,
        Decimal("50.0"),
    )


# --- Rules at their boundaries ------------------------------------------------------------


def three_companies():
    return [
        company("A", org_id=1, is_coordinator=True),
        company("B", org_id=2),
        company("C", org_id=3),
    ]


def test_non_linked_companies_three_passes():
    ok, _ = domain.check_non_linked_companies(params=params(), partners=three_companies(), links=[])
    assert ok is True


def test_non_linked_companies_two_fails():
    ok, reason = domain.check_non_linked_companies(
        params=params(), partners=three_companies()[:2], links=[]
    )
    assert (ok, reason) == (False, "2 non-linked companies; this call requires at least 3.")


def test_non_linked_companies_linked_pair_counts_once_either_direction():
    partners = three_companies()
    for link in [(1, 2), (2, 1)]:
        ok, reason = domain.check_non_linked_companies(
            params=params(), partners=partners, links=[link]
        )
        assert (ok, reason) == (
            False,
            "2 non-linked companies; this call requires at least 3. "
            "Linked companies count as one: A, B.",
        )


def test_non_linked_companies_ignores_hospitals_and_research():
    partners = [
        *three_companies()[:2],
        research(),
        PartnerFacts(
            name="UZ",
            kind=OrganisationKind.HOSPITAL,
            part=Part.COMPANY,
            sme_class=LARGE,
            organisation_id=9,
        ),
    ]
    ok, _ = domain.check_non_linked_companies(params=params(), partners=partners, links=[])
    assert ok is False


def totals_for(pairs, p=None):
    p = p or params()
    return [
        domain.partner_budget_totals(params=p, partner=facts, lines=lines) for facts, lines in pairs
    ]


def test_company_share_exactly_70_passes():
    t = totals_for(
        [(company("A", org_id=1), [line("70000")]), (company("B", org_id=2), [line("30000")])]
    )
    ok, _ = domain.check_company_share(params=params(), totals=t)
    assert ok is True


def test_company_share_just_over_70_fails():
    t = totals_for(
        [(company("A", org_id=1), [line("70000.01")]), (company("B", org_id=2), [line("29999.99")])]
    )
    ok, reason = domain.check_company_share(params=params(), totals=t)
    assert (ok, reason) == (False, "A (70.0%) carries more than 70% of the company-part cost.")


@pytest.mark.parametrize(
    "amount,ok",
    [("185000", True), ("184999.99", False), ("500000", True), ("500000.01", False)],
)
def test_research_budget_range_boundaries(amount, ok):
    t = totals_for(
        [
            (
                research(),
                [
                    line(amount, Activity.RESEARCH, year=1),
                    line("300000", Activity.RESEARCH, year=2),
                ],
            )
        ]
    )
    assert (
        domain.check_research_budget_range(params=params(), totals=t, duration_months=24)[0] is ok
    )


def test_research_budget_range_pro_rates_a_short_last_year():
    lines = [line("300000", Activity.RESEARCH, year=1), line("92500", Activity.RESEARCH, year=2)]
    t = totals_for([(research(), lines)])
    assert (
        domain.check_research_budget_range(params=params(), totals=t, duration_months=18)[0] is True
    )
    lines[1] = line("92499.99", Activity.RESEARCH, year=2)
    t = totals_for([(research(), lines)])
    assert (
        domain.check_research_budget_range(params=params(), totals=t, duration_months=18)[0]
        is False
    )


@pytest.mark.parametrize("small,ok", [("15000", True), ("14999.99", False)])
def test_research_share_15_percent_boundary(small, ok):
    big = Decimal("100000") - Decimal(small)
    t = totals_for(
        [
            (research("R1", 100), [line(big, Activity.RESEARCH)]),
            (research("R2", 101), [line(small, Activity.RESEARCH)]),
        ]
    )
    assert domain.check_research_share(params=params(), totals=t)[0] is ok


@pytest.mark.parametrize(
    "months,ok", [(48, True), (49, False), (1, True), (0, False), (None, False)]
)
def test_duration_boundary(months, ok):
    assert domain.check_duration(params=params(), duration_months=months)[0] is ok


def test_consortium_composition_needs_flemish_research_organisation():
    partners = three_companies()
    assert domain.check_consortium_composition(params=params(), partners=partners) == (
        False,
        "The consortium has 0 Flemish research organisation(s); this call requires at least 1.",
    )
    partners.append(research())
    assert domain.check_consortium_composition(params=params(), partners=partners)[0] is True
    partners[-1] = research(is_flemish=False)
    assert domain.check_consortium_composition(params=params(), partners=partners)[0] is False


def test_consortium_composition_foreign_company_needs_call_permission():
    partners = [*three_companies(), research(), company("Wallonia", org_id=7, is_flemish=False)]
    assert domain.check_consortium_composition(params=params(), partners=partners)[0] is True
    strict = params(non_flemish_companies_allowed=False)
    assert domain.check_consortium_composition(params=strict, partners=partners) == (
        False,
        "This call admits no companies outside Flanders: Wallonia.",
    )


def test_undertaking_in_difficulty_fails():
    partners = [company(in_difficulty=True)]
    assert domain.check_undertakings_in_difficulty(partners=partners) == (
        False,
        "Undertakings in difficulty are excluded: Acme.",
    )


def test_budget_complete_flags_empty_partner_and_years_after_end():
    t = totals_for([(company("A", org_id=1), [line("1000")]), (company("B", org_id=2), [])])
    assert domain.check_budget_complete(totals=t, duration_months=12) == (
        False,
        "No budget yet for: B.",
    )
    t = totals_for([(company("A", org_id=1), [line("1000", year=3)])])
    assert domain.check_budget_complete(totals=t, duration_months=24)[0] is False
    t = totals_for([(company("A", org_id=1), [line("1000", year=2)])])
    assert domain.check_budget_complete(totals=t, duration_months=24)[0] is True


def test_attachments_rule():
    assert domain.check_attachments(has_description=False)[0] is False
    assert domain.check_attachments(has_description=True)[0] is True


def test_default_part_hospital_declaring_non_economic():
    assert domain.default_part(kind=OrganisationKind.HOSPITAL) == Part.COMPANY
    assert (
        domain.default_part(kind=OrganisationKind.HOSPITAL, declares_non_economic=True)
        == Part.RESEARCH
    )
    assert domain.default_part(kind=OrganisationKind.RESEARCH) == Part.RESEARCH


def test_receipt_number():
    assert (
        domain.receipt_number(call_year=2019, call_id=3, application_id=42) == "ICON-2019-003-00042"
    )


def test_project_years():
    assert (domain.project_years(24), domain.project_years(25), domain.project_years(0)) == (
        [1, 2],
        [1, 2, 3],
        [],
    )
