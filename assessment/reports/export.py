"""Streamed CSV and XLSX exports of the report tables."""
from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Iterable

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")


@dataclass
class Table:
    """A report table: a name for the file, translated headers, and rows produced lazily."""

    name: str
    headers: list
    rows: Callable[[], Iterable[list]]
    links: dict = field(default_factory=dict)


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value if value is None or isinstance(value, (int, float, str)) else str(value)


def _filename(table: Table, ext: str) -> str:
    return f"{table.name}-{timezone.localdate():%Y%m%d}.{ext}"


def export_response(table: Table, fmt: str):
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # so that spreadsheet programs read the Chinese names as UTF-8
            yield writer.writerow([str(h) for h in table.headers])
            for row in table.rows():
                yield writer.writerow(["" if v is None else _cell(v) for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(table, "csv")}"'
        return response

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([str(h) for h in table.headers])
    for row in table.rows():
        sheet.append([_cell(v) for v in row])
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=_filename(table, "xlsx"),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
