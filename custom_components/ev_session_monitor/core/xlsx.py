"""Office Open XML workbooks (.xlsx) for the report tables, written with the standard library.

A table becomes a worksheet whose numbers are numbers and whose dates are dates (Excel serial
days with a date format), so a spreadsheet sums and sorts them without conversion. Only what the
reports need is written: inline strings (no shared-string table), one bold header row, frozen,
two number formats. Datetimes are written in the time zone given (spreadsheets have none).

Text is text: a value starting with "=" is stored as a string cell, never a formula, and
characters XML cannot hold (control characters of a hostile card name) are dropped.

Tens of thousands of rows: each worksheet is written into the archive as it is made, a few
hundred rows at a time, and plain numbers and text (almost every cell) take a short path
without the general type checks.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from xml.sax.saxutils import escape

__all__ = ["Cell", "Sheet", "render_xlsx"]

type Cell = str | int | float | Decimal | datetime | date | bool | None

# Excel's day 0 (with its 1900 leap-year quirk, serial days count from 1899-12-30).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What _text changes: most text (ids, names, sources) has none of it and is written as is.
_XML_CHANGED = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROWS_PER_WRITE = 500
# Style indexes in styles.xml below: 0 plain, 1 bold header, 2 date and time, 3 date.
_HEADER, _DATETIME, _DATE = 1, 2, 3

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/styles.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
{sheets}</Types>"""
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\n'
)
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>{sheets}</sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{sheets}<Relationship Id="rIdStyles" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" \
Target="styles.xml"/>
</Relationships>"""
_SHEET_REL = (
    '<Relationship Id="rId{n}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>\n'
)
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>\
<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table: a title (the worksheet's name), a header row and data rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    # Per column, the decimals its floats are rounded to (None: as they are); none given: all.
    digits: Sequence[int | None] = ()


def _text(value: str) -> str:
    if _XML_CHANGED.search(value) is None:
        return value
    return escape(_XML_BAD.sub("", value))


def _attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _serial(value: datetime | date, tz: tzinfo) -> float:
    if isinstance(value, datetime):
        local = value.astimezone(tz).replace(tzinfo=None) if value.tzinfo else value
        return (local - _EXCEL_EPOCH).total_seconds() / 86400
    return float((value - _EXCEL_EPOCH.date()).days)


def _cell(ref: str, value: Cell, tz: tzinfo, style: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):  # money in cents: a number
        value = float(value)
    if isinstance(value, int | float):
        if not math.isfinite(value):  # NaN or infinity: no number to show
            return ""
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, datetime | date):
        date_style = _DATETIME if isinstance(value, datetime) else _DATE
        return f'<c r="{ref}" s="{date_style}"><v>{_serial(value, tz)!r}</v></c>'
    style_attr = f' s="{style}"' if style else ""
    text = f'<t xml:space="preserve">{_text(value)}</t>'
    return f'<c r="{ref}" t="inlineStr"{style_attr}><is>{text}</is></c>'


def _row_xml(
    number: int,
    columns: Sequence[str],
    digits: Sequence[int | None],
    row: Sequence[Cell],
    tz: tzinfo,
) -> str:
    """One data row; the same XML as _cell gives, by a shorter path for floats, ints and text."""
    line = str(number)
    cells = []
    for column, places, value in zip(columns, digits, row, strict=True):
        kind = value.__class__
        if kind is float:
            figure: float = value  # type: ignore[assignment]  # the class was checked
            if places is not None:
                figure = round(figure, places)
            if math.isfinite(figure):
                cells.append(f'<c r="{column}{line}"><v>{figure!r}</v></c>')
        elif kind is str:
            cells.append(
                f'<c r="{column}{line}" t="inlineStr"><is><t xml:space="preserve">'
                f"{_text(value)}</t></is></c>"  # type: ignore[arg-type]
            )
        elif kind is int:
            cells.append(f'<c r="{column}{line}"><v>{value!r}</v></c>')
        elif isinstance(value, float) and places is not None:  # a float of a subclass
            cells.append(_cell(column + line, round(value, places), tz))
        elif value is not None:
            cells.append(_cell(column + line, value, tz))
    return f'<row r="{line}">{"".join(cells)}</row>'


def _sheet_xml(sheet: Sheet, tz: tzinfo) -> Iterator[bytes]:
    """The worksheet's XML in pieces of a few hundred rows."""
    columns = [_column(index) for index in range(len(sheet.header))]
    digits = sheet.digits or [None] * len(columns)
    if len(digits) != len(columns):
        raise ValueError(f"{sheet.title!r} has {len(digits)} digits for {len(columns)} columns")
    head = "".join(
        _cell(f"{column}1", name, tz, _HEADER)
        for column, name in zip(columns, sheet.header, strict=True)
    )
    parts = [_SHEET_HEAD, f'<row r="1">{head}</row>']
    for number, row in enumerate(sheet.rows, start=2):
        if len(row) != len(columns):
            raise ValueError(
                f"row {number} of {sheet.title!r} has {len(row)} cells, not {len(columns)}"
            )
        parts.append(_row_xml(number, columns, digits, row, tz))
        if len(parts) >= _ROWS_PER_WRITE:
            yield "".join(parts).encode()
            parts.clear()
    parts.append(_SHEET_TAIL)
    yield "".join(parts).encode()


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    """Worksheet names as Excel accepts them: at most 31 characters, no []:*?/ or backslash."""
    names: list[str] = []
    for sheet in sheets:
        base = _XML_BAD.sub("", _SHEET_NAME_BAD.sub(" ", sheet.title)).strip()[:31] or "Sheet"
        name, suffix = base, 2
        while name.lower() in (taken.lower() for taken in names):
            name = f"{base[: 31 - len(str(suffix)) - 1]} {suffix}"
            suffix += 1
        names.append(name)
    return names


def render_xlsx(sheets: Sequence[Sheet], tz: tzinfo) -> bytes:
    """The workbook holding `sheets`, in order, as the bytes of an .xlsx file."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    names = _sheet_names(sheets)
    numbers = range(1, len(sheets) + 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=n) for n in numbers)),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            _WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{_attribute(name)}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in zip(numbers, names, strict=True)
                )
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            _WORKBOOK_RELS.format(sheets="".join(_SHEET_REL.format(n=n) for n in numbers)),
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for n, sheet in zip(numbers, sheets, strict=True):
            with archive.open(f"xl/worksheets/sheet{n}.xml", "w") as member:
                for piece in _sheet_xml(sheet, tz):
                    member.write(piece)
    return buffer.getvalue()
