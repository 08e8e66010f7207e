"""programme.exports: CSV that Excel opens in columns in the reader's language, XLSX with
number formats, real dates, frozen header and autofilter, formulas neutralised, and the
download response; and one export view end to end."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programme import exports
from programme.exports import (
    BOOLEAN,
    DATE,
    DATETIME,
    MONEY,
    NUMBER,
    PERCENT,
    Column,
    Stack,
    Table,
)

from ..factories import (
    BudgetLineFactory,
    KpiFactory,
    MilestoneRecordFactory,
    ProgrammeManagerFactory,
    ProgrammeYearFactory,
)

FORMULA = '=HYPERLINK("http://x","y")'
WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # 13:00 in Brussels (CET)
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 14:00 in Brussels (CEST)


def table(**kwargs) -> Table:
    defaults = {
        "name": "Figures",
        "columns": [
            Column("Title"),
            Column("Aid", MONEY),
            Column("Share", PERCENT),
            Column("Score", NUMBER),
            Column("SME", BOOLEAN),
            Column("Decided", DATE),
            Column("Submitted", DATETIME),
        ],
        "rows": [
            [
                "Alpha",
                Decimal("1234.50"),
                Decimal("33.3"),
                Decimal("1234.5"),
                True,
                date(2026, 3, 1),
                WINTER,
            ],
            [FORMULA, Decimal(-5), None, -5, False, None, SUMMER],
        ],
    }
    return Table(**(defaults | kwargs))


def csv_rows(content: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def workbook(sheets, language="en"):
    return load_workbook(io.BytesIO(exports.workbook_xlsx(sheets, language=language)))


# --- CSV ------------------------------------------------------------------------------------


def test_csv_in_dutch_uses_semicolons_and_a_decimal_comma():
    content = exports.table_csv(table(), language="nl")

    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    assert content.decode("utf-8-sig").split("\r\n")[0] == (
        "Title;Aid;Share;Score;SME;Decided;Submitted"
    )
    assert csv_rows(content, ";")[1] == [
        "Alpha",
        "1234,50",
        "33,3",
        "1234,5",
        "ja",
        "2026-03-01",
        "2026-01-15 13:00:00",
    ]


def test_csv_in_english_uses_commas_and_a_decimal_point():
    content = exports.table_csv(table(), language="en")

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.endswith(b"\r\n")
    assert csv_rows(content, ",")[1] == [
        "Alpha",
        "1234.50",
        "33.3",
        "1234.5",
        "yes",
        "2026-03-01",
        "2026-01-15 13:00:00",
    ]


def test_csv_neutralises_formulas_in_text_but_keeps_negative_numbers():
    rows = [
        [FORMULA],
        ["+1"],
        ["-5"],
        ["@SUM(A1)"],
        ["\tx"],
        ["\rx"],
        [-5],
        [Decimal("-5.5")],
        ["a-b"],
    ]

    content = exports.table_csv(Table([Column("Title")], rows), language="nl")

    assert [r[0] for r in csv_rows(content, ";")[1:]] == [
        "'" + FORMULA,
        "'+1",
        "'-5",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "-5",
        "-5,5",
        "a-b",
    ]


def test_csv_writes_moments_in_brussels_time_and_empty_cells_for_none():
    content = exports.table_csv(table(), language="en")

    assert csv_rows(content, ",")[2] == [
        "'" + FORMULA,
        "-5",
        "",
        "-5",
        "no",
        "",
        "2026-07-01 14:00:00",
    ]


def test_csv_quotes_a_delimiter_inside_a_value():
    content = exports.table_csv(Table([Column("A"), Column("B")], [["x;y", "z"]]), language="nl")

    assert content.decode("utf-8-sig").split("\r\n")[1] == '"x;y";z'


def test_csv_holds_the_table_without_its_heading_and_totals():
    content = exports.table_csv(
        table(heading="A title", totals=[["Total", Decimal("1229.50")]]), language="en"
    )

    assert len(csv_rows(content, ",")) == 3


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_freezes_the_header_and_filters_the_rows():
    sheet = workbook([table()])["Figures"]

    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:G3")
    assert [c.font.bold for c in sheet[1]] == [True] * 7


def test_xlsx_formats_money_and_percentages_as_numbers():
    sheet = workbook([table()])["Figures"]

    money, percent, score = sheet["B2"], sheet["C2"], sheet["D2"]
    assert (money.value, money.data_type, money.number_format) == (1234.5, "n", '#,##0.00 "€"')
    assert (percent.value, percent.number_format) == (33.3, '0.0" %"')
    assert (score.value, score.number_format) == (1234.5, "General")


def test_xlsx_writes_real_dates_and_moments_in_brussels_time():
    sheet = workbook([table()])["Figures"]

    assert (sheet["F2"].is_date, sheet["F2"].value) == (True, datetime(2026, 3, 1))
    assert (sheet["G2"].is_date, sheet["G2"].value) == (True, datetime(2026, 1, 15, 13, 0))
    assert sheet["G3"].value == datetime(2026, 7, 1, 14, 0)


def test_xlsx_neutralises_formulas_in_text_but_keeps_negative_numbers():
    sheet = workbook([table()])["Figures"]

    title, money, score = sheet["A3"], sheet["B3"], sheet["D3"]
    assert (title.data_type, title.value) == ("s", "'" + FORMULA)
    assert (money.data_type, money.value) == ("n", -5)
    assert (score.data_type, score.value) == ("n", -5)


def test_xlsx_neutralises_headers_and_headings_too():
    sheet = workbook([Table([Column("=1+1")], [], name="S", heading="@cmd")])["S"]

    assert (sheet["A1"].value, sheet["A2"].value) == ("'@cmd", "'=1+1")


def test_xlsx_writes_booleans_as_yes_or_no_in_the_language():
    sheet = workbook([table()], language="nl")["Figures"]

    assert (sheet["E2"].value, sheet["E3"].value) == ("ja", "nee")


def test_xlsx_heading_above_and_totals_below_stay_outside_the_filter():
    sheet = workbook(
        [table(heading="Scores: call 1", frozen_columns=2, totals=[["Total", Decimal("1229.50")]])]
    )["Figures"]

    assert sheet["A1"].value == "Scores: call 1"
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("C3", "A2:G4")
    assert (sheet["A5"].value, sheet["A5"].font.bold, sheet["B5"].number_format) == (
        "Total",
        True,
        '#,##0.00 "€"',
    )


def test_xlsx_has_a_sheet_per_table_and_stacks_small_tables_on_one():
    stack = Stack(
        "Sources",
        [
            Table(
                [Column("Year"), Column("Amount", MONEY)], [[2019, Decimal(10)]], heading="KPI 1"
            ),
            Table([], [], heading="KPI 2", note="no decided projects yet"),
        ],
    )

    book = workbook([table(), Table([Column("A")], [["x"]], name="Second"), stack])

    assert book.sheetnames == ["Figures", "Second", "Sources"]
    assert list(book["Sources"].iter_rows(values_only=True)) == [
        ("KPI 1", None),
        ("Year", "Amount"),
        (2019, 10),
        (None, None),
        ("KPI 2", None),
        ("no decided projects yet", None),
    ]
    assert book["Sources"].auto_filter.ref is None


def test_xlsx_sizes_the_columns_by_their_content():
    long = "A title of a project that runs on and on " * 3
    sheet = workbook([Table([Column("Acronym"), Column("Title")], [["AB", long]], name="S")])["S"]

    assert sheet.column_dimensions["A"].width == 9  # the header, with a margin
    assert sheet.column_dimensions["B"].width == exports.MAX_WIDTH


def test_xlsx_sheet_names_are_made_acceptable_to_excel():
    names = workbook(
        [Table([], [], name="Budget [2019/2020]: a long name over 31 characters"), Table([], [])]
    ).sheetnames

    assert names == ["Budget -2019-2020-- a long name", "Sheet2"]


def test_xlsx_drops_control_characters_excel_cannot_hold():
    sheet = workbook([Table([Column("A")], [["bell\x07 and tab\tkept"]], name="S")])["S"]

    assert sheet["A2"].value == "bell and tab\tkept"


def test_column_kind_must_be_known():
    with pytest.raises(ValueError, match="unknown column kind 'count'"):
        Column("Rank", "count")


# --- Download -------------------------------------------------------------------------------


def test_response_of_a_csv_names_the_file_and_its_type():
    response = exports.export_response(b"\xef\xbb\xbfa\r\n", filename="kpi-icon-all-nl.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kpi-icon-all-nl.csv"'
    assert response.content == b"\xef\xbb\xbfa\r\n"


def test_response_of_a_workbook_has_the_spreadsheet_type():
    response = exports.export_response(b"PK", filename="applications-20260301-1200.xlsx")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_response_filename_cannot_break_the_header_or_name_a_path():
    response = exports.export_response(b"", filename='../x"; filename=evil.exe\r\n.csv')

    assert response["Content-Disposition"] == ('attachment; filename="x-filename-evil.exe.csv"')


def test_response_filename_in_another_script_is_encoded():
    response = exports.export_response(b"", filename="kpi-één.csv")

    assert response["Content-Disposition"] == "attachment; filename*=utf-8''kpi-%C3%A9%C3%A9n.csv"


def test_response_refuses_an_unknown_format():
    with pytest.raises(ValueError):
        exports.export_response(b"", filename="kpi.html")


# --- An export view end to end ---------------------------------------------------------------


def test_kpi_export_in_dutch_opens_in_columns_in_excel(client, db):
    year = ProgrammeYearFactory(year=2019)
    programme = year.programme
    BudgetLineFactory(programme_year=year, amount=Decimal("4500000.50"))
    MilestoneRecordFactory(kpi=KpiFactory(programme=programme, number=2), description=FORMULA)
    client.force_login(ProgrammeManagerFactory())

    csv_response = client.get(reverse("kpi_export", args=[programme.pk, "csv"]))
    xlsx = load_workbook(
        io.BytesIO(client.get(reverse("kpi_export", args=[programme.pk, "xlsx"])).content)
    )

    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="kpi-{programme.code}-all-nl.csv"'
    )
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv_rows(csv_response.content, ";")
    assert header[:2] == ["KPI", "Naam"]
    assert [row[0] for row in rows] == ["2"]
    budget = xlsx["Budget"]
    assert (budget.freeze_panes, budget.auto_filter.ref) == ("A2", "A1:H2")
    assert (budget["E2"].value, budget["E2"].number_format) == (4500000.5, '#,##0.00 "€"')
    sources = [row[1] for row in xlsx["Bronnen"].iter_rows(values_only=True)]
    assert "'" + FORMULA in sources


def test_money_is_rounded_half_up_to_the_cent_in_csv_and_xlsx():
    money = Table(
        columns=(Column("Aid", MONEY), Column("Score", NUMBER)),
        rows=((Decimal("1.005"), Decimal("1.005")), (Decimal("-5"), Decimal("2"))),
    )

    assert csv_rows(exports.table_csv(money, language="nl"), ";")[1:] == [
        ["1,01", "1,005"],  # money to the cent, half up; other numbers as they are
        ["-5", "2"],
    ]
    sheet = load_workbook(io.BytesIO(exports.workbook_xlsx([money], language="en"))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [1.01, -5]
