"""Exports of tables as CSV and XLSX: the one place that writes them."""

import csv
import io


def rows_csv(header, rows) -> str:
    """A table as CSV (RFC 4180, comma-separated; values unformatted, None empty): the
    KPI export and the evaluation exports."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()
