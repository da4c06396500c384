"""`sheets-sync import`, stage 3: which agency a file belongs to. Pure.

`identify_agency(source, agencies, explicit)` takes `--agency`, the agency code built into the form
(see sheets_sync.importing.template), a cell naming the agency (its code, or its Thai name compared without
the อบต./ทต./เทศบาลตำบล ... prefix), or the file name. Zero or several candidates: it refuses, it
never guesses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from sheets_sync.config.settings import Agency
from sheets_sync.core.normalize import visible
from sheets_sync.importing.read import Source, column_letter
from sheets_sync.sheet import grid as g

# Written into every template (see sheets_sync.importing.template) and read back here.
AGENCY_PROPERTY = "sheets_sync_agency"
YEAR_PROPERTY = "sheets_sync_year"  # the ITA year of the catalogue a form was made for (`template`)


# Type prefixes of Thai local government names, longest first in the pattern. Agencies change type
# (an อบต. becomes a เทศบาลตำบล), so names are compared without them; the type only breaks ties.
_PREFIXES = {
    "องค์การบริหารส่วนตำบล": "อบต", "อบต.": "อบต", "อบต": "อบต",
    "องค์การบริหารส่วนจังหวัด": "อบจ", "อบจ.": "อบจ", "อบจ": "อบจ",
    "เทศบาลตำบล": "ทต", "ทต.": "ทต",
    "เทศบาลเมือง": "ทม", "ทม.": "ทม",
    "เทศบาลนคร": "ทน", "ทน.": "ทน",
    "จังหวัด": "จ", "จ.": "จ",
}
# "จังหวัดลำพูน" ends every address in the province, so the province office counts only when a cell
# names it alone ("หน่วยงาน: จังหวัดลำพูน").
_WEAK = {"จ"}
_PREFIX_RE = re.compile("|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True)))
_LABEL_RE = re.compile(r"^[^:：]{1,40}[:：]\s*")


def _clean(text: str) -> str:
    text = visible(text)
    return re.sub(r"\s+", " ", text).strip()


def _split_name(name: str) -> tuple[str | None, str]:
    """(type, core): "องค์การบริหารส่วนตำบลเหล่ายาว" -> ("อบต", "เหล่ายาว")."""
    name = _clean(name)
    m = _PREFIX_RE.match(name)
    if m and name[m.end():].strip():
        return _PREFIXES[m[0]], name[m.end():].strip().replace(" ", "")
    return None, name.replace(" ", "")


@dataclass(frozen=True)
class Clue:
    code: str
    how: str  # where it was found, for the report


class AgencyMatcher:
    """Finds the known agencies in a cell or a file name, by code or by Thai name."""

    def __init__(self, agencies: Sequence[Agency]) -> None:
        self.agencies = {a.code: a for a in agencies}
        self.codes = {a.code.lower(): a.code for a in agencies}
        self.cores: dict[str, list[tuple[str | None, str]]] = defaultdict(list)  # core -> [(type, code)]
        self.plain: list[tuple[str, str]] = []  # names without a known prefix: (name, code)
        for a in agencies:
            kind, core = _split_name(a.name)
            if kind is None:
                self.plain.append((core, a.code))
            elif core:
                self.cores[core].append((kind, a.code))

    def code_in_cell(self, text: str) -> str | None:
        """A cell that is an agency code, alone or after a label ("รหัสหน่วยงาน: abt-laoyao")."""
        text = _clean(text)
        for candidate in (text, _LABEL_RE.sub("", text)):
            if candidate.lower() in self.codes:
                return self.codes[candidate.lower()]
        return None

    def names_in(self, text: str) -> set[str]:
        """Codes of the agencies a text names with a type prefix (อบต.เหล่ายาว, เทศบาลตำบลลี้ ...)."""
        text = _clean(text)
        bare = _LABEL_RE.sub("", text).replace(" ", "")
        squeezed = text.replace(" ", "")
        found: set[str] = set()
        for m in _PREFIX_RE.finditer(squeezed):
            kind = _PREFIXES[m[0]]
            rest = squeezed[m.end():]
            cores = [c for c in self.cores if rest.startswith(c)]
            if not cores:
                continue
            core = max(cores, key=len)
            if kind in _WEAK and bare not in (m[0] + core, "สำนักงาน" + m[0] + core):
                continue
            owners = self.cores[core]
            same_type = [code for k, code in owners if k == kind]
            found.update(same_type or [code for _, code in owners])
        for name, code in self.plain:
            if name and name in squeezed:
                found.add(code)
        return found

    def in_file_name(self, name: str) -> set[str]:
        stem = _clean(Path(name).stem)
        found = {code for low, code in self.codes.items()
                 if re.search(rf"(?<![a-z0-9]){re.escape(low)}(?![a-z0-9])", stem.lower())}
        found |= self.names_in(stem)
        if found:
            return found
        # "ITA66_เหล่ายาว.xlsx": a core name without its prefix, if only one agency has it
        squeezed = stem.replace(" ", "")
        hits = [core for core, owners in self.cores.items()
                if len(owners) == 1 and owners[0][0] not in _WEAK and len(core) >= 2 and core in squeezed]
        hits = [c for c in hits if not any(c != o and c in o for o in hits)]
        return {self.cores[c][0][1] for c in hits}


    def shared_in_file_name(self, name: str) -> dict[str, list[str]]:
        """The names in a file name that several agencies bear (ทุ่งหัวช้าง: a เทศบาลตำบล and an
        อบต.), each with their codes: why the name alone tells no agency."""
        squeezed = _clean(Path(name).stem).replace(" ", "")
        return {core: [code for _, code in owners] for core, owners in self.cores.items()
                if len(owners) > 1 and len(core) >= 2 and core in squeezed}


@dataclass(frozen=True)
class Identification:
    code: str | None
    clues: tuple[Clue, ...] = ()
    error: str | None = None
    how: str = ""


def find_clues(source: Source, agencies: Sequence[Agency]) -> tuple[Clue, ...]:
    """Every agency the file points at (form property, cells, file name), first sighting of each."""
    matcher = AgencyMatcher(agencies)
    clues: dict[str, Clue] = {}

    def add(code: str, how: str) -> None:
        clues.setdefault(code, Clue(code, how))

    prop = source.properties.get(AGENCY_PROPERTY)
    if prop:
        code = matcher.code_in_cell(prop)
        add(code or prop.strip(), f"the form's built-in agency code {prop.strip()!r}")
    for sheet in source.sheets:
        seen: set[str] = set()
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                text = g.text(value)
                if not text or text in seen or len(text) > 500:
                    continue
                seen.add(text)
                where = f"cell {sheet.name}!{column_letter(c)}{r + 1} {text[:60]!r}"
                code = matcher.code_in_cell(text)
                if code:
                    add(code, where)
                for code in sorted(matcher.names_in(text)):
                    add(code, where)
    for code in sorted(matcher.in_file_name(source.name)):
        add(code, f"the file name {source.name!r}")
    return tuple(clues.values())


def identify_agency(source: Source, agencies: Sequence[Agency], explicit: str | None = None) -> Identification:
    """The agency a file belongs to, or an error saying why it cannot be told. Never a guess."""
    known = {a.code for a in agencies}
    clues = find_clues(source, agencies)
    named = [c for c in clues if c.code in known]
    unknown = [c for c in clues if c.code not in known]
    if explicit is not None:
        if explicit not in known:
            return Identification(None, clues, f"unknown agency code {explicit!r} (see the agencies tab)")
        codes = {c.code for c in named}
        if codes and explicit not in codes:
            listed = "; ".join(f"{c.code} ({c.how})" for c in named)
            return Identification(None, clues, f"--agency {explicit} but the file names another agency: {listed}. "
                                               f"Check that this is the right file")
        return Identification(explicit, clues, how="--agency")
    if unknown:
        return Identification(None, clues, f"the form was made for agency code {unknown[0].code!r}, which is not in "
                                           f"the agencies tab; add the agency or give --agency CODE")
    if len(named) == 1:
        return Identification(named[0].code, clues, how=named[0].how)
    if not named:
        shared = AgencyMatcher(agencies).shared_in_file_name(source.name)
        if shared:
            core, codes = next(iter(shared.items()))
            return Identification(None, clues, f"cannot tell which agency this file belongs to: its name says "
                                               f"{core!r}, the name of {len(codes)} agencies ({', '.join(codes)}); "
                                               f"give --agency CODE")
        return Identification(None, clues, "cannot tell which agency this file belongs to: no agency code or name "
                                           "in its cells or its file name; give --agency CODE")
    listed = "; ".join(f"{c.code} ({c.how})" for c in named[:5])
    more = f" and {len(named) - 5} more" if len(named) > 5 else ""
    return Identification(None, clues, f"the file names several agencies: {listed}{more}; give --agency CODE")
