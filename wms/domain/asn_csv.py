"""An ASN read from a CSV file: one row per SKU, lot and carton, merged into lines and cartons.

Cells that cannot be read are reported with their row (the header is row 1); the use case's
own checks on lines and cartons are pointed back at CSV rows by `AsnSheet.translate`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from wms.domain.consignments import AsnLine, CartonPlan
from wms.domain.errors import InvalidInput

CSV_COLUMNS = (
    "sku_code",
    "quantity",
    "lot_number",
    "expiry_date",
    "hs_code",
    "unit_value_thb",
    "sscc",
    "carton_gross_weight_g",
    "carton_length_mm",
    "carton_width_mm",
    "carton_height_mm",
)
DIMENSIONS = ("carton_length_mm", "carton_width_mm", "carton_height_mm")


@dataclass
class AsnSheet:
    """An ASN read from CSV rows, remembering which row made each line and carton."""

    rows: int = 0
    lines: list[AsnLine] = field(default_factory=list)
    cartons: list[CartonPlan] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    line_rows: list[int] = field(default_factory=list)
    carton_rows: list[int] = field(default_factory=list)

    def error(self, row: int, name: str | None, message: str) -> None:
        self.errors.append({"section": "csv", "row": row, "field": name, "message": message})

    def translate(self, error: dict[str, Any]) -> dict[str, Any]:
        """A line or carton error of the use case, pointed back at its CSV row."""
        rows = self.line_rows if error["section"] == "lines" else self.carton_rows
        index = error["row"] - 1
        row = rows[index] if 0 <= index < len(rows) else error["row"]
        return {**error, "section": "csv", "row": row}


def _cell_int(value: str, name: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise InvalidInput("A whole number.", name)
    return int(value)


def read_asn_csv(text: str) -> AsnSheet:
    """Read the ASN CSV; bad cells are reported by row, good rows merged into lines/cartons."""
    sheet = AsnSheet()
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [name for name in ("sku_code", "quantity") if name not in header]
    if missing:
        raise InvalidInput(f"The header lacks column(s): {', '.join(missing)}.", "file")
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"Unknown column(s): {', '.join(unknown)}. Columns: {', '.join(CSV_COLUMNS)}.", "file"
        )
    merged: dict[tuple[str, str | None], dict[str, Any]] = {}
    cartons: dict[str, dict[str, Any]] = {}
    with_sscc = without_sscc = 0
    for record in reader:
        row = reader.line_num
        sheet.rows += 1
        if None in record:
            sheet.error(row, None, "More cells than columns.")
            continue
        cells = {key: (value or "").strip() for key, value in record.items()}
        try:
            values = _read_row(cells)
        except InvalidInput as error:
            sheet.error(row, error.field, error.message)
            continue
        key = (values["sku_code"], values["lot_number"])
        line = merged.get(key)
        if line is None:
            line = merged[key] = {**values, "row": row, "number": len(merged) + 1}
        else:
            for name in ("expiry_date", "hs_code", "unit_value_thb"):
                if values[name] is not None and values[name] != line[name]:
                    sheet.error(row, name, f"Differs from row {line['row']} (same SKU and lot).")
            line["quantity"] += values["quantity"]
        sscc = cells.get("sscc", "")
        if sscc:
            with_sscc += 1
            carton = cartons.setdefault(
                sscc, {"row": row, "weight": None, "dimensions": None, "contents": {}}
            )
            sizes = [cells.get(name, "") for name in DIMENSIONS]
            if any(sizes):
                try:
                    carton["dimensions"] = tuple(
                        _cell_int(size, name) for size, name in zip(sizes, DIMENSIONS, strict=True)
                    )
                except InvalidInput as error:
                    sheet.error(row, error.field, error.message)
            weight = cells.get("carton_gross_weight_g", "")
            if weight:
                try:
                    carton["weight"] = _cell_int(weight, "carton_gross_weight_g")
                except InvalidInput as error:
                    sheet.error(row, error.field, error.message)
            contents = carton["contents"]
            contents[line["number"]] = contents.get(line["number"], 0) + values["quantity"]
        else:
            without_sscc += 1
    if with_sscc and without_sscc:
        sheet.error(1, "sscc", "Give an SSCC on every row, or on none.")
    if sheet.rows == 0:
        raise InvalidInput("The CSV has a header but no rows.", "file")
    for line in sorted(merged.values(), key=lambda item: item["number"]):
        sheet.lines.append(
            AsnLine(
                sku_code=line["sku_code"],
                quantity=line["quantity"],
                lot_number=line["lot_number"],
                expiry_date=line["expiry_date"],
                hs_code=line["hs_code"],
                unit_value_thb=line["unit_value_thb"],
            )
        )
        sheet.line_rows.append(line["row"])
    for sscc, carton in cartons.items():
        sheet.cartons.append(
            CartonPlan(
                sscc=sscc,
                gross_weight_g=carton["weight"],
                dimensions_mm=carton["dimensions"],
                contents=tuple(sorted(carton["contents"].items())),
            )
        )
        sheet.carton_rows.append(carton["row"])
    return sheet


def _read_row(cells: dict[str, str]) -> dict[str, Any]:
    code = cells.get("sku_code", "")
    if not code or len(code) > 64:
        raise InvalidInput("A SKU code of 1 to 64 characters.", "sku_code")
    quantity = _cell_int(cells.get("quantity", ""), "quantity")
    if not 1 <= quantity <= 1_000_000:
        raise InvalidInput("Between 1 and 1,000,000.", "quantity")
    lot = cells.get("lot_number") or None
    if lot is not None and len(lot) > 40:
        raise InvalidInput("At most 40 characters.", "lot_number")
    expiry = None
    if cells.get("expiry_date"):
        try:
            expiry = date.fromisoformat(cells["expiry_date"])
        except ValueError as error:
            raise InvalidInput("A date as YYYY-MM-DD.", "expiry_date") from error
    hs_code = cells.get("hs_code") or None
    if hs_code is not None and len(hs_code) > 16:
        raise InvalidInput("At most 16 characters.", "hs_code")
    value = None
    if cells.get("unit_value_thb"):
        try:
            value = Decimal(cells["unit_value_thb"])
        except InvalidOperation as error:
            raise InvalidInput("An amount in THB, like 125.50.", "unit_value_thb") from error
        if (
            not value.is_finite()
            or not 0 <= value < Decimal("1e12")
            or value != value.quantize(Decimal("0.01"))
        ):
            raise InvalidInput("An amount in THB ≥ 0 with at most 2 decimals.", "unit_value_thb")
    return {
        "sku_code": code,
        "quantity": quantity,
        "lot_number": lot,
        "expiry_date": expiry,
        "hs_code": hs_code,
        "unit_value_thb": value,
    }
