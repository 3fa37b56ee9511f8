"""CSV and XLSX exports of the report tables: streamed for the small ones, written to a file by a
background download (assessment/downloads/) for the ones that grow with the data."""
from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterable

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass
class Table:
    """A report table: a name for the file, translated headers, and rows produced lazily."""

    name: str
    headers: list
    rows: Callable[[], Iterable[list]]
    links: dict = field(default_factory=dict)
    count: Callable[[], int] | None = None  # how many rows, for a download's progress bar


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value if value is None or isinstance(value, (int, float, str)) else str(value)


def filename(table: Table, ext: str) -> str:
    return f"{table.name}-{timezone.localdate():%Y%m%d}.{ext}"


def export_response(table: Table, fmt: str):
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # so that spreadsheet programs read the Chinese names as UTF-8
            yield writer.writerow([str(h) for h in table.headers])
            for row in table.rows():
                yield writer.writerow(["" if v is None else _cell(v) for v in row])

        response = StreamingHttpResponse(stream(), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename(table, "csv")}"'
        return response

    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write_table(table, "xlsx", spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename(table, "xlsx"),
                        content_type=CONTENT_TYPES["xlsx"])


def write_table(table: Table, fmt: str, out: BinaryIO, *, on_row: Callable[[], None] | None = None) -> None:
    """Write the table as CSV (UTF-8 with a byte-order mark) or XLSX to a binary file; on_row after each row."""
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow([str(h) for h in table.headers])
        for row in table.rows():
            writer.writerow(["" if v is None else _cell(v) for v in row])
            if on_row:
                on_row()
        text.flush()
        text.detach()  # leave `out` open for the caller
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([str(h) for h in table.headers])
    for row in table.rows():
        sheet.append([_cell(v) for v in row])
        if on_row:
            on_row()
    workbook.save(out)
