"""A small summary whose blocks can be moved down, for the summary tab's look in every backend."""

from __future__ import annotations

from sheets_sync.core.models import Summary, SummaryBlock


def summary(extra_rows: int = 0) -> Summary:
    """Two blocks; `extra_rows` lines more in the heading move the blocks down."""
    return Summary(
        heading=("สรุปผลการตรวจ URL แบบวัด OIT", "ข้อมูล ณ 3 มี.ค. 2566 09:30 น.") + ("หมายเหตุ",) * extra_rows,
        blocks=(SummaryBlock("ภาพรวมจังหวัด", ("รายการ", "จำนวน", "จาก", "ร้อยละ"),
                             (("ข้อที่ส่งแล้ว", 9, 20, 45.0), ("ข้อที่ผ่านเบื้องต้น", 7, 20, 35.0))),
                SummaryBlock("รายหน่วยงาน", ("ลำดับ", "รหัส", "หน่วยงาน", "อำเภอ", "ผ่าน %"),
                             ((1, "abt-laoyao", "องค์การบริหารส่วนตำบลเหล่ายาว", "บ้านโฮ่ง", 40.0),
                              (2, "evil", '=HYPERLINK("http://evil.example","x")', "-1+1", 0.0)))))
