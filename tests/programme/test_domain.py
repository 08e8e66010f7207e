from decimal import Decimal

import pytest
from django.utils import translation

from programme import domain
from programme.enums import SmeClass

M = Decimal("1000000")


@pytest.mark.parametrize(
    ("headcount", "turnover", "balance", "expected"),
    [
        # staff boundaries, with figures well inside each class
        (9, Decimal("1"), Decimal("1"), SmeClass.MICRO),
        (10, Decimal("1"), Decimal("1"), SmeClass.SMALL),
        (49, Decimal("1"), Decimal("1"), SmeClass.SMALL),
        (50, Decimal("1"), Decimal("1"), SmeClass.MEDIUM),
        (249, Decimal("1"), Decimal("1"), SmeClass.MEDIUM),
        (250, Decimal("1"), Decimal("1"), SmeClass.LARGE),
        # micro: turnover OR balance at most €2M
        (5, 2 * M, 5 * M, SmeClass.MICRO),
        (5, 5 * M, 2 * M, SmeClass.MICRO),
        (5, 2 * M + 1, 2 * M + 1, SmeClass.SMALL),
        # small: at most €10M
        (20, 10 * M, 20 * M, SmeClass.SMALL),
        (20, 10 * M + 1, 10 * M + 1, SmeClass.MEDIUM),
        # medium: turnover at most €50M or balance at most €43M
        (100, 50 * M, 100 * M, SmeClass.MEDIUM),
        (100, 100 * M, 43 * M, SmeClass.MEDIUM),
        (100, 50 * M + 1, 43 * M + 1, SmeClass.LARGE),
    ],
)
def test_sme_class_boundaries(headcount, turnover, balance, expected):
    got = domain.sme_class(headcount=headcount, turnover=turnover, balance_sheet_total=balance)
    assert got == expected


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (Decimal("24.99"), SmeClass.MICRO),
        (Decimal("25"), SmeClass.LARGE),
        (Decimal("100"), SmeClass.LARGE),
    ],
)
def test_sme_class_public_body_rule(share, expected):
    got = domain.sme_class(headcount=3, turnover=M, balance_sheet_total=M, public_body_share=share)
    assert got == expected


@pytest.mark.parametrize(
    "raw", ["BE0403.170.701", "0403170701", "be 0403 170 701", "403170701", "BE 0403-170-701"]
)
def test_normalise_enterprise_number_accepts_common_spellings(raw):
    assert domain.normalise_enterprise_number(raw) == "0403170701"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("BE0403.170.702", "check digits"),
        ("BE0403.170", "10 digits"),
        ("hello", "10 digits"),
        ("", "10 digits"),
    ],
)
def test_normalise_enterprise_number_explains_what_is_wrong(raw, fragment):
    with translation.override("en"), pytest.raises(domain.EnterpriseNumberError) as info:
        domain.normalise_enterprise_number(raw)
    assert fragment in str(info.value)


def test_format_enterprise_number_as_kbo_prints_it():
    assert domain.format_enterprise_number("0403170701") == "BE0403.170.701"


class Line:
    def __init__(self, year, kind, label, amount):
        self.year, self.kind, self.label, self.amount, self.note = year, kind, label, amount, ""


def test_budget_table_pivots_lines_into_years_and_totals():
    table = domain.budget_table(
        [2019, 2020],
        [
            Line(2020, "projects", "Projects", Decimal("5000000")),
            Line(2019, "projects", "Projects", Decimal("4500000")),
            Line(2019, "study", "Study", Decimal("200000")),
            Line(2019, "management", "Management", Decimal("300000")),
        ],
    )
    assert [row.label for row in table.rows] == ["Management", "Study", "Projects"]
    assert table.year_totals == [Decimal("5000000"), Decimal("5000000")]
    assert table.total == Decimal("10000000")
    assert table.rows[2].total == Decimal("9500000")
