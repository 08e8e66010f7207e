"""Filters of the KPI pages and report PDFs: print a drill-down cell by its column kind."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils.formats import date_format

from programme.formats import format_brussels, format_euro, format_number

register = template.Library()


@register.filter
def cell(value, kind: str = "text"):
    """A KpiResult cell as text: money in euro, counts grouped, dates in DATE_FORMAT,
    moments in Brussels time with the zone shown."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return format_euro(value)
    if kind == "number" and isinstance(value, int | Decimal):
        return format_number(value)
    if kind == "datetime" and isinstance(value, datetime):
        return format_brussels(value)
    if kind == "date" and isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return value


@register.filter
def with_columns(row, columns):
    """Pairs each cell of `row` with its Column, for `{% for value, column in ... %}`."""
    return list(zip(row, columns, strict=False))
