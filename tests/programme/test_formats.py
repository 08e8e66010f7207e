"""Money, numbers and moments (programme.formats): the rounding rule, formatting in the
reader's language, amounts read back in Dutch and English notation, Brussels time; and the
one amount field (programme.forms.AmountField) on the organisation form."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, strategies as st

from programme.formats import (
    BRUSSELS,
    format_amount,
    format_brussels,
    format_euro,
    format_number,
    format_percent,
    parse_amount,
    round_cents,
)
from programme.forms import AmountField, OrganisationForm

NBSP = "\u00a0"


def shown(text: str) -> str:
    """The text with its no-break spaces as plain ones, for readable expectations."""
    return text.replace(NBSP, " ")


# --- The rounding rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.005"), "0.01"),
        (Decimal("1.005"), "1.01"),
        (Decimal("2.004"), "2.00"),
        (Decimal("0.015"), "0.02"),  # half up, not to even (banker's rounding gives 0.02 too)
        (Decimal("0.025"), "0.03"),  # banker's rounding would give 0.02
        (Decimal("-0.005"), "-0.01"),  # half away from zero
        ("2.004", "2.00"),
        (7, "7.00"),
    ],
)
def test_round_cents_rounds_half_up_to_the_cent(value, expected):
    assert str(round_cents(value)) == expected


# --- Money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "cents", "expected"),
    [
        ("nl", Decimal("4500000"), None, "€ 4.500.000"),
        ("en", Decimal("4500000"), None, "€ 4,500,000"),
        ("nl", Decimal("4500000.00"), None, "€ 4.500.000"),
        # cents show when the amount has any: lines and totals add up to the cent
        ("nl", Decimal("415148.61"), None, "€ 415.148,61"),
        ("en", Decimal("12500.50"), None, "€ 12,500.50"),
        ("nl", Decimal("12500.50"), None, "€ 12.500,50"),
        # whole euros: rounded half up, never cut off (Django's number_format cuts off)
        ("nl", Decimal("415148.61"), False, "€ 415.149"),
        ("nl", Decimal("12500.50"), False, "€ 12.501"),
        ("en", Decimal("12500.49"), False, "€ 12,500"),
        ("nl", Decimal("0.5"), False, "€ 1"),
        # always cents
        ("nl", Decimal("300000"), True, "€ 300.000,00"),
        ("en", Decimal("300000.005"), True, "€ 300,000.01"),
        ("en", Decimal("-5"), True, "€ -5.00"),
        ("nl", Decimal("0"), None, "€ 0"),
        ("nl", None, None, "—"),
    ],
)
def test_format_money_in_the_readers_language(language, value, cents, expected):
    with translation.override(language):
        assert shown(format_euro(value, cents=cents)) == expected


def test_format_money_keeps_sign_and_figure_together_with_a_no_break_space():
    with translation.override("nl"):
        assert format_euro(Decimal("4500000")) == f"€{NBSP}4.500.000"


def test_format_money_shows_a_third_decimal_rounded_to_the_cent():
    with translation.override("en"):
        assert shown(format_euro(Decimal("1.005"))) == "€ 1.01"
        assert shown(format_euro(Decimal("1.004"))) == "€ 1"


def test_lines_and_total_shown_add_up():
    """Two lines of 12.500,50 and their total: the shown lines add up to the shown total
    (whole euros would show 12.501 + 12.501 against 25.001)."""
    lines = [Decimal("12500.50"), Decimal("12500.50")]
    with translation.override("nl"):
        assert [shown(format_euro(v)) for v in [*lines, sum(lines)]] == [
            "€ 12.500,50",
            "€ 12.500,50",
            "€ 25.001",
        ]


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        ("{{ v|euro }}", Decimal("415148.61"), "€ 415.148,61"),
        ("{{ v|euro }}", Decimal("10000000.00"), "€ 10.000.000"),
        ("{{ v|euro:2 }}", Decimal("10000000"), "€ 10.000.000,00"),
        ("{{ v|euro:0 }}", Decimal("415148.61"), "€ 415.149"),
        ("{{ v|euro }}", None, "—"),
        ("{{ v|percent }}", Decimal("62.50"), "62,5 %"),
        ("{{ v|percent }}", Decimal("30.00"), "30 %"),
        ("{{ v|percent:1 }}", Decimal("14.25"), "14,3 %"),
        ("{{ v|percent }}", None, "—"),
    ],
)
def test_template_filters_use_the_formats(template, value, expected):
    with translation.override("nl"):
        rendered = Template("{% load icon %}" + template).render(Context({"v": value}))
    assert shown(rendered) == expected


# --- Numbers and percentages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "decimals", "expected"),
    [
        ("nl", Decimal("1234.5"), None, "1.234,5"),
        ("en", Decimal("1234.5"), None, "1,234.5"),
        ("nl", Decimal("62.50"), None, "62,5"),
        ("nl", Decimal("60.00"), None, "60"),
        ("nl", Decimal("100"), None, "100"),
        ("en", 3, None, "3"),
        ("en", Decimal("0.25"), None, "0.25"),
        ("nl", Decimal("2.5"), 0, "3"),  # half up, not cut off
        ("nl", Decimal("14.25"), 1, "14,3"),
        ("en", Decimal("30"), 1, "30.0"),
        ("en", Decimal("1234567"), 0, "1,234,567"),
    ],
)
def test_format_number(language, value, decimals, expected):
    with translation.override(language):
        assert format_number(value, decimals) == expected


def test_format_percent():
    with translation.override("nl"):
        assert shown(format_percent(Decimal("56.85"), 1)) == "56,9 %"
        assert format_percent(Decimal("62.5")) == f"62,5{NBSP}%"
    with translation.override("en"):
        assert shown(format_percent(Decimal("30"), 1)) == "30.0 %"


# --- Reading amounts -----------------------------------------------------------------------------

AMOUNTS = [
    # text, language, amount (None: refused)
    ("1000.50", "nl", "1000.50"),
    ("1000,50", "nl", "1000.50"),
    ("1000,50", "en", "1000.50"),
    ("1.000,50", "nl", "1000.50"),
    ("1.000,50", "en", "1000.50"),
    ("1,000.50", "nl", "1000.50"),
    ("1,000.50", "en", "1000.50"),
    ("1 000,50", "nl", "1000.50"),
    ("1\u00a0000,50", "nl", "1000.50"),
    ("1 000.50", "en", "1000.50"),
    ("1.000.000", "nl", "1000000"),
    ("1.500.000", "nl", "1500000"),
    ("1,000,000", "nl", "1000000"),
    ("1.000.000,25", "en", "1000000.25"),
    ("12 500", "en", "12500"),
    ("€ 1.250", "nl", "1250"),
    ("€\u00a01.250,50", "nl", "1250.50"),
    ("12,75", "en", "12.75"),
    ("0.500", "nl", "0.500"),  # cannot group thousands (leading zero): a decimal point
    ("1000.000", "nl", "1000.000"),  # four digits before: a decimal point
    (",5", "nl", "0.5"),
    ("1,0000", "en", "1.0000"),  # not a group of three: a decimal mark (the form refuses 4 places)
    ("250000", "nl", "250000"),
    ("-5", "nl", "-5"),  # the form's minimum refuses it with its own message
    # Ambiguous: one mark, 1–3 digits before and exactly 3 after. The language decides.
    ("1.000", "nl", "1000"),
    ("1.000", "nl-be", "1000"),
    ("1.000", "en", "1.000"),
    ("1,000", "nl", "1.000"),
    ("1,000", "en", "1000"),
    ("12.345", "nl", "12345"),
    ("12.345", "en", "12.345"),
    # Refused
    ("", "nl", None),
    ("abc", "nl", None),
    ("12x", "en", None),
    ("5,", "nl", None),
    (".", "nl", None),
    ("-", "nl", None),
    ("1.00.000", "nl", None),
    ("1 0000", "nl", None),
    ("1.000,00,5", "nl", None),
    ("1 000.000,50", "nl", None),
    ("1e5", "en", None),
    ("NaN", "en", None),
]


@pytest.mark.parametrize(("text", "language", "expected"), AMOUNTS)
def test_parse_amount_table(text, language, expected):
    if expected is None:
        with pytest.raises(ValidationError):
            parse_amount(text, language)
    else:
        assert parse_amount(text, language) == Decimal(expected)
        assert str(parse_amount(text, language)) == expected


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter an amount in euro, for instance 1,250.50."),
        ("nl", "Geef een bedrag in euro in, bijvoorbeeld 1.250,50."),
    ],
)
def test_parse_amount_refuses_garbage_with_a_message_in_the_readers_language(language, message):
    with translation.override(language), pytest.raises(ValidationError) as info:
        parse_amount("twaalf euro")
    assert (info.value.code, info.value.messages) == ("invalid", [message])


def test_parse_amount_reads_in_the_active_language_by_default():
    with translation.override("nl"):
        assert parse_amount("1.000") == Decimal("1000")
    with translation.override("en"):
        assert parse_amount("1.000") == Decimal("1.000")


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("amount", ["0", "7", "1000", "1000.50", "12345678.09", "999.99"])
def test_parse_amount_reads_back_what_an_amount_field_shows(language, amount):
    with translation.override(language):
        assert parse_amount(format_amount(Decimal(amount)), language) == Decimal(amount)


CENTS = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@pytest.mark.parametrize("language", ["nl", "en"])
@given(amount=CENTS)
def test_format_then_parse_gives_the_amount_back(language, amount):
    with translation.override(language):
        for cents in (None, True):
            assert parse_amount(format_euro(amount, cents=cents), language) == amount
            assert parse_amount(format_amount(amount, cents=cents), language) == amount


# --- The amount field ----------------------------------------------------------------------------


def test_amount_field_reads_and_shows_in_the_users_language():
    field = AmountField(max_digits=14, decimal_places=2)
    with translation.override("nl"):
        assert field.clean("1.500.000") == Decimal("1500000")
        assert field.prepare_value(Decimal("1500000.00")) == "1.500.000"
        assert field.prepare_value("1.5OO") == "1.5OO"  # what was typed, as typed
    with translation.override("en"):
        assert field.clean("1,500,000.50") == Decimal("1500000.50")
        assert field.prepare_value(Decimal("1000.5")) == "1,000.50"


def test_amount_field_is_a_text_input_the_browser_does_not_check():
    html = str(AmountField(max_digits=14, decimal_places=2).widget.render("amount", "1.500.000"))
    assert ('type="text"' in html, 'inputmode="decimal"' in html) == (True, True)


def test_amount_field_refuses_more_than_two_decimals():
    with translation.override("en"):
        with pytest.raises(ValidationError) as info:
            AmountField(max_digits=14, decimal_places=2).clean("1.005")
        assert info.value.messages == ["Ensure that there are no more than 2 decimal places."]


ORGANISATION = {
    "name": "Nieuwe Biotech BV",
    "enterprise_number": "BE0403.170.701",
    "kind": "company",
    "is_flemish": "on",
    "reference_year": "2018",
    "headcount": "12",
    "public_body_share": "0",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "turnover", "balance"),
    [
        ("nl", "1.500.000", "900.000,50"),
        ("en", "1,500,000", "900,000.50"),
        ("nl", "1 500 000", "900000,50"),
    ],
)
def test_organisation_form_takes_grouped_amounts(language, turnover, balance):
    data = {**ORGANISATION, "turnover": turnover, "balance_sheet_total": balance}
    with translation.override(language):
        form = OrganisationForm(data)
        assert form.is_valid(), form.errors
    assert (form.cleaned_data["turnover"], form.cleaned_data["balance_sheet_total"]) == (
        Decimal("1500000"),
        Decimal("900000.50"),
    )


@pytest.mark.django_db
def test_organisation_form_keeps_what_was_typed_on_an_error():
    data = {**ORGANISATION, "turnover": "anderhalf miljoen", "balance_sheet_total": "900.000"}
    with translation.override("nl"):
        form = OrganisationForm(data)
        assert form.is_valid() is False
        html = str(form["turnover"])
        assert form.errors["turnover"] == ["Geef een bedrag in euro in, bijvoorbeeld 1.250,50."]
    assert 'value="anderhalf miljoen"' in html


# --- Moments in Brussels -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "moment", "expected"),
    [
        ("en", datetime(2019, 9, 30, 15, 0, tzinfo=UTC), "30 September 2019, 17:00 CEST"),
        ("nl", datetime(2019, 9, 30, 15, 0, tzinfo=UTC), "30 september 2019, 17:00 CEST"),
        ("en", datetime(2019, 12, 2, 16, 0, tzinfo=UTC), "2 December 2019, 17:00 CET"),
        ("nl", datetime(2026, 11, 22, 15, 42, tzinfo=UTC), "22 november 2026, 16:42 CET"),
        # the night the clocks go back: 02:30 happens twice, the zone tells which
        ("en", datetime(2019, 10, 27, 0, 30, tzinfo=UTC), "27 October 2019, 02:30 CEST"),
        ("en", datetime(2019, 10, 27, 1, 30, tzinfo=UTC), "27 October 2019, 02:30 CET"),
        ("en", datetime(2019, 9, 30, 17, 0, tzinfo=BRUSSELS), "30 September 2019, 17:00 CEST"),
    ],
)
def test_format_brussels_in_winter_and_summer_time(language, moment, expected):
    with translation.override(language):
        assert format_brussels(moment) == expected


def test_format_brussels_of_nothing():
    assert format_brussels(None) == "—"
