"""Exports of tables as CSV and XLSX, and the download response: the one place that writes
them. Every export of the system (the admissibility list, the KPI report, the call's
scores and decisions) describes its figures as `Table`s of `Column`s and hands them here.

    table = Table(columns=[Column(_("Acronym")), Column(_("Aid"), MONEY)], rows=rows)
    export_response(table_csv(table, language="nl"), filename="aid-nl.csv")
    export_response(workbook_xlsx([table, other], language="nl"), filename="aid-nl.xlsx")

How a cell is written. The value's type decides what the cell is, the column's kind only
how a number or a date is shown, so a kind that does not fit its values never breaks an
export: a `str` is text; an `int`, `Decimal` or `float` a number; a `datetime` a moment
(aware ones in Europe/Brussels time, the zone dropped: neither CSV nor Excel holds one);
a `date` a date; a `bool` "yes"/"no" in the export's language; `None` an empty cell.
Anything else (a lazy translation) is written as its text.

CSV (`table_csv`): what Excel opens in columns by a double click in the reader's
language. Dutch (Belgian) Excel splits on `;` and reads a decimal comma, English Excel
splits on `,` and reads a decimal point; so nl gets `;` and `1234,5`, en `,` and
`1234.5`. Numbers are plain (no thousands separator, no € or % sign) so Excel reads them
as numbers. Dates are ISO (`2026-03-01`, moments `2026-03-01 14:30:00`): Excel reads ISO
as a date in every locale, whereas a short form like 03/01/2026 means March or January
depending on the reader's Windows settings (en-US or en-GB). UTF-8 with a byte-order
mark (without it Excel reads € and ë as cp1252), CRLF line ends, RFC 4180 quoting.

XLSX (`workbook_xlsx`): one sheet per `Table` with a bold, frozen header row and an
autofilter over header and rows; money as numbers formatted `#,##0.00 "€"`; percentages
as the figure the pages print (33.3 for 33.3 %) with the format `0.0" %"` (Excel's own
`%` format would need 0.333 and so differ from the page and the CSV); real date and
datetime cells; column widths from the content. A `Stack` puts several small tables one
under the other on one sheet (the KPIs' source rows).

Formula injection: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading `'`, in CSV and XLSX alike (headers and headings included), so
Excel and LibreOffice keep it as text instead of running it. Numbers are never touched:
-5 stays a number.

Known limits: a CSV holds one table (its header and rows; a `Table`'s heading and totals
are written in the XLSX only); a `Stack` sheet has no frozen row and no autofilter (a sheet
has one filter, over one table); the leading `'` is visible in the cell; characters that
XML forbids (control characters other than tab and line ends) are dropped from XLSX
text; money is written as the `Decimal` it is, not rounded here.
"""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .formats import BRUSSELS, decimal_mark as language_decimal_mark, round_cents

TEXT = "text"
NUMBER = "number"
MONEY = "money"
PERCENT = "percent"
DATE = "date"
DATETIME = "datetime"
BOOLEAN = "boolean"
KINDS = frozenset({TEXT, NUMBER, MONEY, PERCENT, DATE, DATETIME, BOOLEAN})

MONEY_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = '0.0" %"'
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {".csv": CSV_CONTENT_TYPE, ".xlsx": XLSX_CONTENT_TYPE}

# (delimiter, decimal mark) per language; a language without its own gets English's.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column of a table: its header and the kind of its values (one of KINDS), which
    the pages use to print a cell and the XLSX to choose its number format."""

    label: str
    kind: str = TEXT

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(frozen=True)
class Table:
    """Rows under columns. `name` is the sheet's name in a workbook (31 characters at
    most); the rest is XLSX only: `heading` a title line above the header, `note` a line
    of text under it (why a table is empty), `totals` rows under the table (label in
    bold, outside the autofilter so sorting leaves them at the bottom), `frozen_columns`
    the leading columns kept in view when scrolling right."""

    columns: Sequence[Column]
    rows: Sequence[Sequence]
    name: str = ""
    heading: str = ""
    note: str = ""
    totals: Sequence[Sequence] = ()
    frozen_columns: int = 0


@dataclass(frozen=True)
class Stack:
    """Several tables one under the other on one sheet: each its heading, note, header
    and rows, then a blank line."""

    name: str
    tables: Sequence[Table]


def neutralise(text: str) -> str:
    """`text` with a leading `'` when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# --- CSV ------------------------------------------------------------------------------------


def table_csv(table: Table, *, language: str) -> bytes:
    """`table` (header and rows) as CSV for Excel in `language`: UTF-8 with a byte-order
    mark, CRLF, `;` and a decimal comma in Dutch, `,` and a decimal point in English."""
    decimal_mark = language_decimal_mark(language)  # programme.formats decides, per language
    delimiter = ";" if decimal_mark == "," else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    with translation.override(language):
        yes_no = (_("yes"), _("no"))
        writer.writerow([neutralise(str(c.label)) for c in table.columns])
        for row in table.rows:
            writer.writerow(
                [_csv_cell(_money(v, c.kind), decimal_mark, yes_no) for c, v in _cells(table, row)]
            )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cells(table: Table, row) -> list[tuple[Column, object]]:
    """(column, value) pairs of a row; a value beyond the columns is text."""
    return [
        (table.columns[i] if i < len(table.columns) else Column(""), value)
        for i, value in enumerate(row)
    ]


def _money(value, kind: str):
    """An amount of a money column rounded half up to the cent (programme.formats), so an
    export never shows more precision than the pages; anything else as it is."""
    if kind == MONEY and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        rounded = round_cents(value)
        return value if rounded == value else rounded  # -5 stays -5, 1.005 becomes 1.01
    return value


def _csv_cell(value, decimal_mark: str, yes_no: tuple[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        return yes_no[0] if value else yes_no[1]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        # "f": never an exponent (Decimal("1E+2") is 100); no grouping.
        return format(Decimal(str(value)), "f").replace(".", decimal_mark)
    if isinstance(value, datetime):  # before date: a datetime is a date
        return _local(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def _local(moment: datetime) -> datetime:
    """Brussels time without a zone (naive moments are taken as already local)."""
    if timezone.is_aware(moment):
        return timezone.localtime(moment, BRUSSELS).replace(tzinfo=None)
    return moment


# --- XLSX -----------------------------------------------------------------------------------

MIN_WIDTH, MAX_WIDTH = 8, 60
# Control characters XML cannot hold (openpyxl raises on them): dropped from the text.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")


def workbook_xlsx(sheets: Sequence[Table | Stack], *, language: str) -> bytes:
    """A workbook with one sheet per `Table` or `Stack`, in `language` (yes/no)."""
    # openpyxl is imported here, not at the top: importing it takes a noticeable time
    # and most processes that import this module never write a workbook.
    from openpyxl import Workbook

    # Write-only: rows stream to the file instead of living on as cell objects (a large
    # programme's sources are tens of thousands of rows). The price: a sheet's frozen
    # pane and column widths are set before its first row.
    workbook = Workbook(write_only=True)
    with translation.override(language):
        writer = _XlsxWriter(yes_no=(_("yes"), _("no")))
        for index, sheet in enumerate(sheets, start=1):
            worksheet = workbook.create_sheet(_sheet_name(sheet.name, index))
            if isinstance(sheet, Stack):
                writer.stack(worksheet, sheet)
            else:
                writer.table_sheet(worksheet, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(name: str, index: int) -> str:
    """Excel refuses []:*?/\\ in a sheet's name and more than 31 characters."""
    return INVALID_SHEET_CHARACTERS.sub("-", str(name)).strip("'")[:31] or f"Sheet{index}"


class _XlsxWriter:
    """Writes tables on write-only worksheets, row by row."""

    def __init__(self, *, yes_no: tuple[str, str]):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.yes_no = yes_no
        self.cell = WriteOnlyCell
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=13)

    def table_sheet(self, worksheet, table: Table) -> None:
        """Heading, note, the header (frozen, with an autofilter over it and the rows),
        the rows, the totals."""
        from openpyxl.utils import get_column_letter

        header_row = 1 + bool(table.heading) + bool(table.note)
        last_row = header_row + len(table.rows)
        _set_widths(worksheet, [table])
        worksheet.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}{header_row + 1}"
        if table.columns:
            worksheet.auto_filter.ref = (
                f"A{header_row}:{get_column_letter(len(table.columns))}{last_row}"
            )
        if table.heading:
            worksheet.append([self.text(worksheet, table.heading, self.title)])
        if table.note:
            worksheet.append([self.text(worksheet, table.note)])
        self.rows(worksheet, table)
        for totals in table.totals:
            cells = self.values(worksheet, table.columns, totals)
            if cells:  # the label in bold
                cells[0] = self.cell(worksheet, value=_xlsx_value(totals[0], self.yes_no))
                cells[0].font = self.bold
            worksheet.append(cells)

    def stack(self, worksheet, stack: Stack) -> None:
        """Each table's heading, note, header and rows, then a blank line."""
        _set_widths(worksheet, stack.tables)
        for table in stack.tables:
            if table.heading:
                worksheet.append([self.text(worksheet, table.heading, self.bold)])
            if table.note:
                worksheet.append([self.text(worksheet, table.note)])
            if table.columns:
                self.rows(worksheet, table)
            worksheet.append([])

    def rows(self, worksheet, table: Table) -> None:
        worksheet.append([self.text(worksheet, c.label, self.bold) for c in table.columns])
        for values in table.rows:
            worksheet.append(self.values(worksheet, table.columns, values))

    def text(self, worksheet, value, font=None):
        cell = self.cell(worksheet, value=_xlsx_text(value))
        if font is not None:
            cell.font = font
        return cell

    def values(self, worksheet, columns: Sequence[Column], values) -> list:
        """The cells of one row: plain values, or styled cells for money, percentages,
        dates and moments."""
        cells = []
        for index, value in enumerate(values):
            kind = columns[index].kind if index < len(columns) else TEXT
            value = _xlsx_value(_money(value, kind), self.yes_no)
            number_format = None
            if isinstance(value, datetime):
                number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                number_format = DATE_FORMAT
            elif isinstance(value, int | float | Decimal):
                number_format = {MONEY: MONEY_FORMAT, PERCENT: PERCENT_FORMAT}.get(kind)
            if number_format is None:
                cells.append(value)
            else:
                cell = self.cell(worksheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
        return cells


def _xlsx_value(value, yes_no):
    if value is None:
        return None
    if isinstance(value, bool):
        return yes_no[0] if value else yes_no[1]
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return value
    return _xlsx_text(value)


def _xlsx_text(value) -> str:
    return neutralise(NOT_IN_XML.sub("", str(value)))


def _set_widths(worksheet, tables: Sequence[Table]) -> None:
    """Each column as wide as its longest header or value (within 8 to 60 characters)."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for table in tables:
        for rows in ([[c.label for c in table.columns]], table.rows, table.totals):
            for values in rows:
                for index, value in enumerate(values, start=1):
                    widths[index] = max(widths.get(index, 0), _shown_length(value))
    for index, width in widths.items():
        worksheet.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )


def _shown_length(value) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return 3
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, Decimal | float):
        return len(f"{value:,.2f}") + 2  # grouped, two decimals, a unit
    if isinstance(value, datetime):
        return len("2026-01-01 00:00")
    if isinstance(value, date):
        return len("2026-01-01")
    return len(str(value))


# --- Download ------------------------------------------------------------------------------

UNSAFE_IN_FILENAME = re.compile(r"[^\w.-]+")


def export_response(content: bytes, *, filename: str) -> HttpResponse:
    """A download of `content` (from table_csv or workbook_xlsx) named `filename`, whose
    suffix (.csv or .xlsx) gives the content type. The name is reduced to letters,
    digits, `.`, `_` and `-` (a title or code in it cannot break the header or name a
    path); a non-ASCII name is sent RFC 6266-encoded."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in CONTENT_TYPES:
        raise ValueError(f"no export format for {filename!r}")
    stem = UNSAFE_IN_FILENAME.sub("-", filename[: -len(suffix)]).strip(".-") or "export"
    response = HttpResponse(content, content_type=CONTENT_TYPES[suffix])
    response["Content-Disposition"] = content_disposition_header(True, stem + suffix)
    return response
