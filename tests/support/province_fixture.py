"""A fixed province-sized history for the report tests and the README's pictures: the real
catalogue (43 items, 3 rounds) and 59 agencies (config/agencies.yaml, completed with made-up
agencies up to 59 while the file lists fewer), with deterministic progress recorded by sync-like
steps from January to `NOW` (mid-March 2566) and a report every Monday."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Sequence

from sheets_sync.config.settings import Agency, Config
from sheets_sync.core.clock import BANGKOK
from sheets_sync.core.models import RowKey, Status, Verdict
from sheets_sync.report.summary import DISTRICTS
from sheets_sync.state.history import History

NOW = datetime(2023, 3, 15, 9, 30, tzinfo=BANGKOK)
PROVINCE_SIZE = 59


def province_agencies(config: Config, size: int = PROVINCE_SIZE) -> tuple[Agency, ...]:
    """The config's agencies, completed with made-up ones (long อบต. names) up to `size`."""
    agencies = list(config.agencies[:size])
    n = 0
    while len(agencies) < size:
        n += 1
        agencies.append(Agency(f"abt-sample-{n}", f"องค์การบริหารส่วนตำบลตัวอย่างที่ {n}",
                               DISTRICTS[n % len(DISTRICTS)], "อบต."))
    return tuple(agencies)


def province_config(config: Config, size: int = PROVINCE_SIZE) -> Config:
    return replace(config, agencies=province_agencies(config, size))


def province_history(history: History, agencies: Sequence[Agency], catalog, until: datetime = NOW,
                     seed: int = 2566) -> History:
    """Records deterministic progress (agencies that failed in 2565 are slower) into `history`."""
    rng = random.Random(seed)
    skill = {a.code: (0.55 if a.failed_2565 else 0.8) + rng.uniform(-0.2, 0.15) for a in agencies}
    status: dict[RowKey, tuple[str, Status]] = {}
    day = datetime(2023, 1, 5, 9, 0, tzinfo=BANGKOK)
    first = True
    while day <= until:
        verdicts = []
        for a in agencies:
            for item in catalog.items:
                key = RowKey(a.code, item.code)
                deadline = datetime.combine(catalog.round(item.round).deadline, datetime.min.time(), BANGKOK)
                pressure = max(0.0, 1 - (deadline - day).days / 30)
                url, st = before = status.get(key, ("", Status.EMPTY))
                if st is Status.EMPTY and rng.random() < 0.18 * pressure * skill[a.code]:
                    url = f"https://{a.code}.go.th/oit/{item.code.lower()}"
                    st = rng.choices([Status.OK, Status.WARNING, Status.BROKEN, Status.INVALID],
                                     [skill[a.code], 0.15, 0.25 * (1 - skill[a.code]) + 0.03, 0.03])[0]
                elif st in (Status.BROKEN, Status.INVALID) and rng.random() < 0.08 * skill[a.code]:
                    url, st = url + "-fixed", Status.OK
                status[key] = (url, st)
                if first or (url, st) != before:
                    verdicts.append(Verdict(key, url, st))
        history.record(verdicts, day, agencies)
        first = False
        if day.weekday() == 0:
            history.record_report(day + timedelta(hours=8))
        day += timedelta(days=1)
    return history
