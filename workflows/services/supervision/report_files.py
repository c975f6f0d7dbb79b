"""A statistics report as a table, and that table as CSV and XLSX files that are the same bytes each time."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# (what, part) -> header text; the web layer passes one in the reader's language
Labeler = Callable[[str, str], str]
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


# OWASP's rule against formula injection: a text cell starting with one of these is read as a formula by a
# spreadsheet (a department's name `=HYPERLINK(...)`); a single quote in front makes it text
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """A text cell a spreadsheet shows as text, never runs; numbers and empty cells as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def english(what: str, part: str) -> str:
    return f"{what} {part}".strip().replace("_", " ")


def columns(figures: dict) -> list[tuple[str, str, str]]:
    """(group, part, value kind) per column after the department's code and name."""
    cols = [("measures", f"{kind}:{c}", "int") for kind in figures["lists"]
            for c in ("applied", "suspended", "resumed", "stopped")]
    if "carried_out" in figures["total"]:  # reports kept before execution feedback have no such figures
        cols += [("carried_out", f"{kind}:{c}", "int") for kind in figures["lists"]
                 for c in ("applied", "suspended", "resumed", "stopped")]
        cols += [("carried_out", "unconfirmed", "int")]
    cols += [("cases", f"{process}:{c}", "int") for process in figures["processes"] for c in ("opened", "closed")]
    cols += [("deadlines", "met", "int"), ("deadlines", "breached", "int"), ("deadlines", "compliance", "rate"),
             ("handling", "closed", "int"), ("handling", "median_days", "float")]
    return cols


def _value(row: dict, group: str, part: str):
    if group in ("measures", "carried_out") and ":" in part:
        kind, column = part.split(":")
        return row[group][kind][column]
    if group == "carried_out":
        return row["unconfirmed"]
    if group == "cases":
        process, column = part.split(":")
        return row["cases"].get(process, {}).get(column, 0)
    return row[group][part]


def table(figures: dict, label: Labeler = english, name: Callable[[dict], str] | None = None,
          code: Callable[[dict], str] | None = None) -> list[list]:
    """Header row, one row per department (and the accepting office), then the total row; every text cell
    neutralised (`neutral`), whatever file it goes into. `name` and `code` give a row's name and code as the
    reader reads them (the accepting office's and the total's codes are no department's)."""
    cols = columns(figures)
    header = [label("department", "code"), label("department", "name")] + [label(group, part) for group, part, _ in cols]
    rows = [header]
    for row in [*figures["departments"], figures["total"]]:
        rows.append([code(row) if code else row["code"], name(row) if name else row["name"]] + [_value(row, g, p) for g, p, _ in cols])
    return [[neutral(value) for value in row] for row in rows]


def csv_bytes(figures: dict, label: Labeler = english, name=None, code=None) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Chinese text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in table(figures, label, name, code):
        writer.writerow(["" if v is None else (f"{v:.4f}" if isinstance(v, float) else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(figures: dict, title: str, generated_at: datetime, label: Labeler = english, name=None,
               code=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = figures["period"]["start"][:7]
    sheet.append([neutral(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    rows = table(figures, label, name, code)
    kinds = ["text", "text"] + [kind for *_, kind in columns(figures)]
    sheet.append(rows[0])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="E8EEF8")
    for row in rows[1:]:
        sheet.append(row)
    for row_cells in sheet.iter_rows(min_row=3):
        for cell, kind in zip(row_cells, kinds):
            if kind == "rate":
                cell.number_format = "0.0%"
            elif kind == "float":
                cell.number_format = "0.0"
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # written as text: openpyxl would store a leading "=" as a formula
    sheet.freeze_panes = "C3"
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 26
    for index in range(3, len(kinds) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    stamp = generated_at.replace(tzinfo=None, microsecond=0)
    workbook.properties.creator = "credit-cases"
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stable_zip(buffer.getvalue(), stamp.isoformat() + "Z")


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _stable_zip(data: bytes, stamp: str) -> bytes:
    """The same archive with fixed entry times, so the same figures give the same bytes (openpyxl writes
    the saving instant as the document's modification time whatever the properties say: pinned here)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(lambda m: m.group(1) + stamp.encode() + m.group(2), content)
            target.writestr(entry, content)
    return out.getvalue()
