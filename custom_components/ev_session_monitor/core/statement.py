"""The monthly charging statement of a card or a person: a PDF a company can file.

Made for the company car charged at an employee's home: who charged (person, card, vehicle),
where (wallbox and its meter), the month, every session with the meter readings at its start
and end, its energy, the price per kWh applied and its cost, the totals, the tariff and lines for
signatures. The figures are the history's: energy to the Wh (shown in kWh with three decimals),
each session's cost rounded half up to the cent and the total the sum of those rounded costs, as
the per-card totals and the CSV count them. Where the price changed during a session (a dynamic
tariff's hours), a line per part under it gives that part's energy and price. A person's
statement covers all their cards: a column says each session's card, and a total per card
precedes the total of all of them.

fpdf2 writes the PDF: pure Python (its dependencies Pillow, fontTools and defusedxml are pure
Python or ship wheels for Home Assistant OS; Home Assistant itself pins Pillow), maintained, and
it embeds a TrueType font, so names in any Latin, Greek or Cyrillic script print as typed. The
font is DejaVu Sans, subset and bundled (fonts/LICENSE). Rendering reads the font files: call it
from an executor.

Labels come from the caller (the integration's translations), so a statement is in the user's
language; numbers use that language's decimal separator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .history.reports import cents
from .model import SessionRecord

__all__ = [
    "LABEL_KEYS",
    "MeterInfo",
    "Statement",
    "render_statement",
]

_FONT_DIR = Path(__file__).parent.parent / "fonts"
_FONT = "DejaVuSans"
# Languages that write 1,5 rather than 1.5 (CLDR's decimal separator of each).
_DECIMAL_COMMA = frozenset(
    (
        "bg",
        "ca",
        "cs",
        "da",
        "de",
        "el",
        "es",
        "et",
        "eu",
        "fi",
        "fr",
        "gl",
        "hr",
        "hu",
        "id",
        "is",
        "it",
        "lt",
        "lv",
        "nb",
        "nl",
        "nn",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sr",
        "sv",
        "tr",
        "uk",
        "vi",
    )
)
LABEL_KEYS = (
    "title",
    "period",
    "holder",
    "card",
    "vehicle",
    "wallbox",
    "meter",
    "meter_calibrated",
    "odometer_start",
    "odometer_end",
    "date",
    "start_reading",
    "end_reading",
    "energy",
    "price",
    "price_part",
    "cost",
    "total",
    "sessions",
    "tariff",
    "unpriced",
    "uncertain",
    "not_read",
    "no_sessions",
    "signature_holder",
    "signature_company",
    "place_date",
    "issued",
    "reference",
    "supersedes",
    "page",
    *(f"month_{number}" for number in range(1, 13)),
)
_CONTROL = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)])
# The session table's column widths (mm, 190 in all) by (odometer columns, card column).
_COLUMN_WIDTHS = {
    (False, False): (30, 36, 24, 24, 24, 26, 26),
    (False, True): (30, 30, 24, 20, 20, 20, 24, 22),
    (True, False): (26, 28, 20, 20, 20, 20, 18, 20, 18),
    (True, True): (26, 22, 18, 17, 17, 16, 16, 20, 20, 18),
}


def _clean(text: str) -> str:
    """User text as the PDF prints it: no control characters (a hostile card name)."""
    return text.translate(_CONTROL)


@dataclass(frozen=True, slots=True)
class MeterInfo:
    """What the statement says about a wallbox's meter."""

    serial: str | None = None
    calibration: str | None = None  # "MID" or "Eichrecht", as the wallbox's profile says


@dataclass(frozen=True, slots=True)
class Statement:
    """Everything one statement shows. `records` are the month's sessions of the card(s)."""

    month: str  # YYYY-MM, in `tz`
    records: Sequence[SessionRecord]
    labels: Mapping[str, str]
    language: str
    tz: tzinfo
    issued_at: datetime
    holder: str | None = None  # the person
    cards: Sequence[str] = ()  # the card names (or ids) covered
    vehicle: str | None = None  # the car or plate, as entered for the card
    tariff: str = ""
    meters: Mapping[str, MeterInfo] = field(default_factory=dict)  # per charger_id
    supersedes: datetime | None = None  # when an earlier statement of this month was issued
    # A person's statement: each of their cards' label by tag id (a card column, a total per
    # card); empty for one card's statement.
    per_card: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [key for key in LABEL_KEYS if key not in self.labels]
        if missing:
            raise ValueError(f"statement labels missing: {', '.join(missing)}")

    @property
    def sessions(self) -> list[SessionRecord]:
        """The sessions in the order the statement lists them."""
        return sorted(self.records, key=lambda record: (record.started_at, record.session_id))

    @property
    def energy_wh(self) -> float:
        """The month's energy."""
        return sum(record.energy_wh for record in self.records)

    @property
    def unpriced_wh(self) -> float:
        """Energy delivered without a known price (in no cost)."""
        return sum(record.without_price_wh for record in self.records)

    @property
    def cost(self) -> Decimal | None:
        """The sum of the sessions' costs, each rounded to the cent; None if none had a price."""
        return _cost(self.records)

    @property
    def currency(self) -> str:
        """The currency of the priced sessions (the first one found)."""
        return next((record.currency for record in self.records if record.currency), "")

    @property
    def reference(self) -> str:
        """A short fingerprint of the figures: a changed session gives a changed reference."""
        digest = hashlib.sha256(self.month.encode())
        for record in self.sessions:
            digest.update(
                f"|{record.session_id}|{record.tag_id}|{record.energy_wh:.3f}|{record.cost}".encode()
            )
        return digest.hexdigest()[:12].upper()


def _cost(records: Sequence[SessionRecord]) -> Decimal | None:
    """The sum of the sessions' costs, each rounded to the cent; None if none had a price."""
    costs = [cents(record.cost) for record in records if record.cost is not None]
    return sum(costs, Decimal(0)) if costs else None


def _total_text(statement: Statement, records: Sequence[SessionRecord]) -> str:
    """A total as the statement prints it: "3 sessions, 3.003 kWh, 0.90 EUR"."""
    language = statement.language
    energy_wh = sum(record.energy_wh for record in records)
    energy = _number(energy_wh / 1000, 3, language)
    text = f"{len(records)} {statement.labels['sessions']}, {energy} kWh"
    cost = _cost(records)
    if cost is not None:
        text += f", {_number(cost, 2, language)} {statement.currency}".rstrip()
    return text


def _number(value: float | Decimal, digits: int, language: str) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language.split("-")[0].lower() in _DECIMAL_COMMA else text


def _reading(value: float | None, statement: Statement) -> str:
    if value is None:
        return statement.labels["not_read"]
    return _number(value / 1000, 3, statement.language)


class _StatementPdf(FPDF):
    """A4 portrait with the statement's page footer."""

    def __init__(self, footer_text: str, page_label: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._footer_text = footer_text
        self._page_label = page_label
        self.add_font(_FONT, "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(_FONT, "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(_FONT, "", 7.5)
        self.cell(0, 5, self._footer_text, new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.cell(0, 5, f"{self._page_label} {self.page_no()}/{{nb}}", align="R")


def _month_title(statement: Statement) -> str:
    year, month = statement.month.split("-")
    return f"{statement.labels[f'month_{int(month)}']} {year}"


def _facts(statement: Statement) -> list[tuple[str, str]]:
    labels = statement.labels
    boxes: dict[str, str] = {}
    for record in statement.sessions:
        boxes.setdefault(record.charger_id, record.charger_name)
    meters = []
    for charger_id, name in boxes.items():
        meter = statement.meters.get(charger_id, MeterInfo())
        serial = meter.serial or next(
            (
                r.meter_serial
                for r in statement.sessions
                if r.charger_id == charger_id and r.meter_serial
            ),
            None,
        )
        text = f"{name}: {serial or labels['not_read']}"
        if meter.calibration:
            text += f" ({labels['meter_calibrated']}: {meter.calibration})"
        meters.append(text)
    facts = [
        (labels["period"], _month_title(statement)),
        (labels["holder"], _clean(statement.holder or "") or "-"),
        (labels["card"], _clean(", ".join(statement.cards)) or "-"),
        (labels["vehicle"], _clean(statement.vehicle or "") or "-"),
        (labels["wallbox"], _clean(", ".join(boxes.values())) or "-"),
        (labels["meter"], _clean("; ".join(meters)) or "-"),
        (labels["tariff"], _clean(statement.tariff) or "-"),
        (labels["reference"], statement.reference),
    ]
    if statement.supersedes is not None:
        issued = statement.supersedes.astimezone(statement.tz).strftime("%Y-%m-%d %H:%M")
        facts.append((labels["supersedes"], issued))
    return facts


def _odometer(value: float | None, language: str) -> str:
    return "-" if value is None else _number(value, 1, language)


def _card_of(statement: Statement, record: SessionRecord) -> str:
    label = statement.per_card.get(record.tag_id or "")
    return _clean(label or record.tag_name or record.tag_id or "-")


def _session_rows(statement: Statement, with_odometer: bool) -> list[tuple[str, ...]]:
    language, labels = statement.language, statement.labels
    by_card = bool(statement.per_card)
    rows: list[tuple[str, ...]] = []
    for record in statement.sessions:
        started = record.started_at.astimezone(statement.tz).strftime("%Y-%m-%d %H:%M")
        if record.start_uncertain or record.end_uncertain:
            started += " *"
        price = record.price_per_kwh
        odometer = (
            tuple(
                _odometer(km, language) for km in (record.odometer_start_km, record.odometer_end_km)
            )
            if with_odometer
            else ()
        )
        rows.append(
            (
                started,
                *((_card_of(statement, record),) if by_card else ()),
                _clean(record.charger_name),
                _reading(record.meter_start_wh, statement),
                _reading(record.meter_end_wh, statement),
                *odometer,
                _number(record.energy_wh / 1000, 3, language),
                "-" if price is None else _number(price, 4, language),
                labels["unpriced"]
                if record.cost is None
                else _number(cents(record.cost), 2, language),
            )
        )
        # Where the price changed: a line per part under the session (its price above is the
        # average; the cost stays the session's, rounded once).
        blanks = ("",) * (3 + by_card + len(odometer))
        for part in record.price_parts:
            since = part.started_at.astimezone(statement.tz).strftime("%H:%M")
            rows.append(
                (
                    f"{labels['price_part']} {since}",
                    *blanks,
                    _number(part.energy_wh / 1000, 3, language),
                    "-" if part.price_per_kwh is None else _number(part.price_per_kwh, 4, language),
                    "",
                )
            )
    return rows


def render_statement(statement: Statement) -> bytes:
    """The statement as PDF bytes."""
    labels, language = statement.labels, statement.language
    issued = statement.issued_at.astimezone(statement.tz).strftime("%Y-%m-%d %H:%M")
    pdf = _StatementPdf(
        f"{labels['title']} {_month_title(statement)} · {labels['reference']} "
        f"{statement.reference} · {labels['issued']} {issued}",
        labels["page"],
    )
    pdf.set_title(f"{labels['title']} {_month_title(statement)}")
    pdf.set_creator("EV Session Monitor")
    pdf.set_creation_date(statement.issued_at)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.cell(
        0, 10, f"{labels['title']} {_month_title(statement)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(2)
    pdf.set_font(_FONT, "", 9.5)
    for name, value in _facts(statement):
        pdf.set_font(_FONT, "B", 9.5)
        pdf.cell(55, 6, name)
        pdf.set_font(_FONT, "", 9.5)
        pdf.multi_cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    currency = statement.currency
    # The odometer columns only for a card with a car's odometer chosen.
    with_odometer = any(
        record.odometer_start_km is not None or record.odometer_end_km is not None
        for record in statement.records
    )
    odometer = (
        f"{labels['odometer_start']} (km)",
        f"{labels['odometer_end']} (km)",
    )
    by_card = bool(statement.per_card)
    header = (
        labels["date"],
        *((labels["card"],) if by_card else ()),
        labels["wallbox"],
        f"{labels['start_reading']} (kWh)",
        f"{labels['end_reading']} (kWh)",
        *(odometer if with_odometer else ()),
        f"{labels['energy']} (kWh)",
        f"{labels['price']} ({currency}/kWh)" if currency else labels["price"],
        f"{labels['cost']} ({currency})" if currency else labels["cost"],
    )
    rows = _session_rows(statement, with_odometer)
    pdf.set_font(_FONT, "", 8)
    if rows:
        with pdf.table(
            col_widths=_COLUMN_WIDTHS[with_odometer, by_card],
            text_align=(*("LEFT",) * (2 + by_card), *("RIGHT",) * (len(header) - 2 - by_card)),
            line_height=5,
            first_row_as_headings=True,
        ) as table:
            for values in (header, *rows):
                row = table.row()
                for value in values:
                    row.cell(value)
    else:
        pdf.cell(0, 6, labels["no_sessions"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font(_FONT, "", 9.5)
    for tag_id, label in statement.per_card.items():
        of_card = [record for record in statement.records if record.tag_id == tag_id]
        pdf.multi_cell(
            0,
            6,
            f"{labels['total']} {_clean(label)}: {_total_text(statement, of_card)}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_font(_FONT, "B", 10)
    total = f"{labels['total']}: {_total_text(statement, statement.records)}"
    pdf.multi_cell(0, 6, total, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 8.5)
    if statement.unpriced_wh > 0:
        pdf.multi_cell(
            0,
            5,
            f"{labels['unpriced']}: {_number(statement.unpriced_wh / 1000, 3, language)} kWh",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if any(record.start_uncertain or record.end_uncertain for record in statement.records):
        pdf.multi_cell(0, 5, f"* {labels['uncertain']}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(16)
    _signature_lines(pdf, labels)
    return bytes(pdf.output())


def _signature_lines(pdf: FPDF, labels: Mapping[str, str]) -> None:
    width = (pdf.epw - 10) / 2
    y = pdf.get_y()
    left = pdf.l_margin
    for offset, who in (
        (0.0, labels["signature_holder"]),
        (width + 10, labels["signature_company"]),
    ):
        pdf.line(left + offset, y, left + offset + width, y)
        pdf.set_xy(left + offset, y + 1)
        pdf.set_font(_FONT, "", 8)
        pdf.multi_cell(width, 4.5, f"{labels['place_date']}, {who}")
