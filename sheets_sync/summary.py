"""The summary tab, computed with pandas from the row statuses of a sync.

Here: a heading, province totals per round, per agency counts by status for each round, and
the rows the reader could not place. The governor's report grows from this.
"""

from __future__ import annotations

from datetime import datetime
from typing import Mapping, Sequence

import pandas as pd

from sheets_sync.config import Agency, Catalog
from sheets_sync.models import ReadProblem, RowKey, Status, Summary, SummaryBlock
from sheets_sync.thai import thai_date, thai_datetime

STATUS_ORDER = (Status.EMPTY, Status.INVALID, Status.BROKEN, Status.BLOCKED, Status.UNKNOWN, Status.WARNING,
                Status.OK)
VALID = (Status.OK, Status.WARNING)


def frame(statuses: Mapping[RowKey, Status], agencies: Sequence[Agency], catalog: Catalog) -> pd.DataFrame:
    """One line per known row: agency, district, round, item, status code."""
    by_code = {a.code: a for a in agencies}
    records = []
    for key, status in statuses.items():
        item = catalog.item(key.item)
        agency = by_code.get(key.agency)
        if item is None or agency is None:
            continue
        records.append({"agency": key.agency, "name": agency.name, "district": agency.district,
                        "round": item.round, "item": key.item, "status": status.value})
    return pd.DataFrame.from_records(records, columns=["agency", "name", "district", "round", "item", "status"])


def _counts(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    table = pd.crosstab([df[c] for c in by], df["status"]) if len(df) else pd.DataFrame()
    for s in STATUS_ORDER:
        if s.value not in table.columns:
            table[s.value] = 0
    table = table[[s.value for s in STATUS_ORDER]].astype(int)
    table["total"] = table.sum(axis=1)
    table["valid"] = table[[s.value for s in VALID]].sum(axis=1)
    table["pct"] = (100 * table["valid"] / table["total"].where(table["total"] > 0)).fillna(0).round(1)
    return table


HEADER_COUNTS = ("ข้อทั้งหมด",) + tuple(s.label_th for s in STATUS_ORDER) + ("ผ่านเบื้องต้น (ข้อ)", "ผ่านเบื้องต้น %")


def _count_cells(row) -> tuple:
    return (int(row["total"]),) + tuple(int(row[s.value]) for s in STATUS_ORDER) + (int(row["valid"]), float(row["pct"]))


def build_summary(statuses: Mapping[RowKey, Status], agencies: Sequence[Agency], catalog: Catalog,
                  problems: Sequence[ReadProblem], now: datetime, expected_agencies: int) -> Summary:
    """The summary tab's content for the given row statuses."""
    df = frame(statuses, agencies, catalog)
    heading = [
        f"สรุปผลการตรวจ URL แบบวัด OIT ITA ปี พ.ศ. {catalog.year} จังหวัดลำพูน",
        f"ข้อมูล ณ {thai_datetime(now)} น.",
        "กำหนดส่ง: " + " / ".join(f"รอบที่ {r.number} ภายใน {thai_date(r.deadline)}" for r in catalog.rounds),
        f"หน่วยงานในชีต {len(agencies)} แห่ง จากที่ต้องประเมิน {expected_agencies} แห่ง"
        + ("" if len(agencies) >= expected_agencies
           else f" (ยังขาด {expected_agencies - len(agencies)} แห่ง ให้ผู้ประสานงานเพิ่มในแท็บหน่วยงาน)"),
        "ผ่านเบื้องต้น = ใช้งานได้ หรือ เปิดได้ แต่ควรตรวจ",
    ]
    blocks = []

    province = _counts(df, ["round"])
    total = _counts(df.assign(all="รวม"), ["all"])
    rows = [(f"รอบที่ {rnd}",) + _count_cells(r) for rnd, r in province.iterrows()]
    rows += [("รวมทุกรอบ",) + _count_cells(r) for _, r in total.iterrows()]
    blocks.append(SummaryBlock("ภาพรวมจังหวัด", ("รอบ",) + HEADER_COUNTS, tuple(rows)))

    per_agency = _counts(df, ["agency", "round"])
    by_code = {a.code: a for a in agencies}
    rows = []
    for (code, rnd), r in per_agency.iterrows():
        a = by_code[code]
        rows.append((code, a.name, a.district, int(rnd)) + _count_cells(r))
    blocks.append(SummaryBlock("รายหน่วยงาน แยกตามรอบ", ("รหัส", "หน่วยงาน", "อำเภอ", "รอบ") + HEADER_COUNTS, tuple(rows)))

    if problems:
        blocks.append(SummaryBlock(
            "แถวที่ระบบระบุไม่ได้ (ตรวจรหัสหน่วยงานและข้อ)", ("แถว", "ปัญหา", "รายละเอียด"),
            tuple((p.row_number, p.code, p.detail) for p in problems)))
    return Summary(heading=tuple(heading), blocks=tuple(blocks))
