"""Spreadsheets built in tests, as a facilitator's Excel would save them (``/importar``)."""

from __future__ import annotations

import io

from openpyxl import Workbook


def xlsx(rows: list[list[object]]) -> bytes:
    """An ``.xlsx`` whose first sheet holds ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
