"""Ingest of the structured telephone interviews (``intervjuer/*.xlsx``) into services.

One workbook per interview; the answers sit on sheet ``Intervju`` in a table
headed ``Nr | Spørsmål | Svar | Kommentar``. Answers are read by item code in
column ``Nr`` (``T01``..``T23``), never by row position, because interviewers
inserted, reordered and emptied rows. Items T20 and T21 (the interviewed
person's name and contact details) are personal data and are never read into
any output or issue; T23 (free quotes) is not read either, since no table
needs it.

Each workbook becomes a candidate service, except that Oslo's bydel interviews
(host 0301) merge into one kommunal service for Oslo, as the unit of analysis
is the kommune (see :func:`merge_oslo`).

The sheet is read with :func:`kartlegging.ingest.workbook.read_sheet`, which marks
formula and error cells so that they are never taken for typed answers.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from kartlegging.core import coding
from kartlegging.core.classification import OSLO, Classification, Resolution, unresolved_reason
from kartlegging.core.coding import CodingError, cell_text, is_empty
from kartlegging.core.issues import Issue
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.core.rawfolder import record_files
from kartlegging.core.reasons import LAST_RESORT
from kartlegging.core.tables import INCLUDED, INTERVIEWS, SERVICE_KOMMUNER, SERVICES
from kartlegging.ingest.typed_kommuner import resolve_list, resolve_text
from kartlegging.ingest.workbook import SheetData, WorkbookError, cell_ref, find_header, read_sheet

log = logging.getLogger("kartlegging")

SOURCE = "intervju"
SHEET = "Intervju"
#: The quarantine code of each kind of unreadable workbook (:class:`WorkbookError` ``kind``); any
#: other kind (no such file or sheet, another format, the reader's own error) is ``arbeidsbok_uleselig``.
WORKBOOK_CODES: dict[str, str] = {
    "encrypted": "intervju.passordbeskyttet", "damaged": "intervju.arkiv_skadet",
    "compression": "intervju.ukjent_komprimering", "xml": "intervju.xml_ugyldig",
    "too_large": "intervju.urimelig_stor", "outside": "intervju.celle_utenfor_ark",
}
#: Items that hold personal data: skipped before their value is looked at.
PERSONAL_ITEMS = frozenset({"T20", "T21"})
#: Items read into the tables; T20/T21 (personal) and T23 (free text) are not.
READ_ITEMS = tuple(f"T{i:02d}" for i in range(1, 20)) + ("T22",)
ALL_ITEMS = frozenset(f"T{i:02d}" for i in range(1, 24))
HEADER_SEARCH_ROWS = 30

#: Yes/no/don't-know items and the interview column each fills.
YES_NO_ITEMS: dict[str, str] = {
    "T08": "brukerorg_etablering", "T09": "tilbud_startet", "T13": "kompetansekurs",
    "T14": "samarbeid_hf", "T15": "hf_utvikling", "T16": "hf_helsepedagogikk",
    "T17": "hf_tilbud", "T18": "inkludert",
}
#: Output column of every item, for issue fields.
ITEM_FIELD: dict[str, str] = {
    "T01": "tjeneste_navn", "T02": "vert_kommunenummer", "T03": "bydelsnummer",
    "T04": "samarbeidsform", "T05": "andre_kommuner", "T06": "organisering",
    "T07": "prosjektfinansiert", "T10": "antall_tilbud", "T11": "malgrupper",
    "T12": "rekruttering", "T19": "grunnlag", "T22": "intervjudato", **YES_NO_ITEMS,
}


# ---------------------------------------------------------------------------
# One interview
# ---------------------------------------------------------------------------

@dataclass
class Interview:
    """One workbook's coded answers, before services are formed."""

    file: str
    values: dict[str, object] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    applied: set[str] = field(default_factory=set)
    #: per override, the value each field it set had from the typed answer (the audit trail of appendix B)
    before: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def host(self) -> str | None:
        return self.values.get("vert_kommunenummer")  # type: ignore[return-value]

    @property
    def bydel(self) -> str | None:
        return self.values.get("bydelsnummer")  # type: ignore[return-value]


@dataclass
class InterviewResult:
    """Tables from the interview folder, with review/quarantine items and the overrides used."""

    interviews: pd.DataFrame
    services: pd.DataFrame
    service_kommuner: pd.DataFrame
    issues: list[Issue]
    applied: set[str]
    before: dict[str, dict[str, object]] = field(default_factory=dict)


def _override_keys(item: str) -> set[str]:
    """What an override may set on an item: always ``value``, plus the resolved form of T02/T03/T05."""
    return {"value"} | {"T02": {"kommunenummer"}, "T03": {"bydelsnummer"}, "T05": {"kommuner"}}.get(item, set())


def _workbook_overrides(overrides: list[Override], file: str) -> dict[str, Override]:
    """The overrides of one workbook by item code; a malformed one is an error naming it."""
    out: dict[str, Override] = {}
    for o in overrides:
        if o.source != SOURCE or o.file != file:
            continue
        item = coding.item_code(o.record)
        if item is None or item not in ITEM_FIELD:
            raise OverrideError(f"override {o.id}: record {o.record!r} is not an item the pipeline reads "
                                f"(T01-T19, T22)")
        extra = set(o.set) - _override_keys(item)
        if extra:
            raise OverrideError(f"override {o.id}: cannot set {', '.join(sorted(extra))} on {item} "
                                f"(allowed: {', '.join(sorted(_override_keys(item)))})")
        if item in out:
            raise OverrideError(f"overrides {out[item].id} and {o.id} both target {file} {item}")
        out[item] = o
    return out


class _Unreadable:
    """Marker for an item whose cell was there but holds no usable answer."""


UNREADABLE = _Unreadable()


def collect_items(sheet: SheetData, file: str) -> tuple[dict[str, object], list[Issue], dict[str, str]] | Issue:
    """Raw answers by item code, or a quarantine issue when the answer table cannot be found.

    Handles duplicated codes (same answer: fine; different answers: review and
    :data:`UNREADABLE`), formula and error cells (review, :data:`UNREADABLE`),
    rows with an answer but no valid code (review, without the answer, which
    might be personal data), and absent items (one review listing them). Rows
    coded T20/T21 are skipped before their answer is looked at.
    """
    header_row, cols, missing = find_header(sheet, {"nr": "Nr", "svar": "Svar"}, HEADER_SEARCH_ROWS)
    if missing:
        return Issue(SOURCE, file, "", "header", "intervju.mangler_overskrift",
                     f"no header row with columns Nr and Svar in the first {HEADER_SEARCH_ROWS} rows "
                     f"of sheet {sheet.name!r}", "quarantine", locator=f"rows 1-{HEADER_SEARCH_ROWS}")
    c_nr, c_svar = cols["nr"], cols["svar"]
    issues: list[Issue] = []
    seen: dict[str, list[tuple[int, object]]] = {}
    bad: dict[str, str] = {}
    where: dict[str, str] = {}
    for r in range(header_row + 1, len(sheet.rows)):
        if (r, c_nr) in sheet.bad_cells:
            issues.append(Issue(SOURCE, file, f"row {r + 1}", "Nr", "intervju.nr_formel",
                                f"the item code is {sheet.bad_cells[(r, c_nr)].split(' ', 1)[0]}: "
                                "a formula or an error value; the row cannot be identified", locator=cell_ref(r, c_nr)))
            continue
        item = coding.item_code(sheet.value(r, c_nr))
        if item in PERSONAL_ITEMS:
            continue  # personal data: the answer is not looked at
        answer = sheet.value(r, c_svar)
        bad_answer = sheet.bad_cells.get((r, c_svar))
        if item is None or item not in ALL_ITEMS:
            if bad_answer or not is_empty(answer):
                issues.append(Issue(SOURCE, file, f"row {r + 1}", "Nr", "intervju.nr_mangler",
                                    "row has an answer but no item code T01-T23; the answer is not read",
                                    locator=cell_ref(r, c_nr)))
            continue
        if item == "T23":
            continue  # free text and quotes: no table needs them
        if bad_answer:
            bad[item] = bad_answer
            issues.append(Issue(SOURCE, file, item, ITEM_FIELD[item], "intervju.formel_eller_feilverdi",
                                f"{bad_answer.split(' ', 1)[0]} where an answer should be (row {r + 1})",
                                locator=cell_ref(r, c_svar)))
            continue
        seen.setdefault(item, []).append((r + 1, answer))
        if item not in where:
            where[item] = cell_ref(r, c_svar)
    raw: dict[str, object] = {}
    for item, entries in seen.items():
        if item in bad:
            continue
        typed = [(row, v) for row, v in entries if not is_empty(v)]
        if len(typed) > 1 and len({coding.fold(cell_text(v) or "") for _, v in typed}) > 1:
            rows = ", ".join(str(row) for row, _ in typed)
            issues.append(Issue(SOURCE, file, item, ITEM_FIELD[item], "intervju.motstridende_svar",
                                f"item appears in rows {rows} with different answers",
                                locator=f"rows {rows}"))
            raw[item] = UNREADABLE
            continue
        raw[item] = typed[0][1] if typed else None
    for item in bad:
        raw[item] = UNREADABLE
    absent = [i for i in READ_ITEMS if i not in raw]
    if absent:
        issues.append(Issue(SOURCE, file, "", "Nr", "intervju.sporsmal_mangler",
                            f"items absent from the sheet: {', '.join(absent)}", locator="column Nr"))
    return raw, issues, where


class _Coder:
    """Codes the items of one workbook, applying its overrides and recording issues.

    For every item the typed answer is coded first; what it cannot decide becomes
    a review item, marked ``resolved_by`` when an override targets the item. An
    override's ``value`` is then coded like a typed answer (an unreadable
    override value is an open review item naming the override); ``kommunenummer``,
    ``bydelsnummer`` and ``kommuner`` set the resolved result directly.
    """

    def __init__(self, file: str, raw: dict[str, object], issues: list[Issue],
                 overrides: dict[str, Override], classification: Classification,
                 where: dict[str, str] | None = None) -> None:
        self.file = file
        self.raw = raw
        self.where = where or {}
        self.overrides = overrides
        self.cls = classification
        self.applied: set[str] = set()
        self.before: dict[str, dict[str, object]] = {}
        self.issues = [
            replace(i, resolved_by=overrides[i.record].id) if i.record in overrides else i for i in issues
        ]

    def report(self, item: str, reason: str, value: object, via: Override | None = None,
               code: str = "intervju.svar_ukodet") -> None:
        """A review item on ``item``; ``via`` marks a problem with an override's own value. The typed
        ``value`` is not kept (the review command reads it from the workbook at the item's cell)."""
        if via is not None:
            reason, resolved, code = f"override {via.id}: {reason}", None, "intervju.overstyring_ugyldig"
            locator = f"override {via.id}"
        else:
            o = self.overrides.get(item)
            resolved = o.id if o is not None else None
            locator = self.where.get(item, "")
        self.issues.append(Issue(SOURCE, self.file, item, ITEM_FIELD[item], code, reason, "review", resolved,
                                 locator))

    def has_issue(self, item: str) -> bool:
        return any(i.record == item for i in self.issues)

    def typed(self, item: str) -> object:
        value = self.raw.get(item)
        return None if value is UNREADABLE else value

    def item(self, item: str, compute):
        """``compute(value, report)`` on the typed answer, then on an override ``value``."""
        result = compute(self.typed(item), lambda reason, v, code="intervju.svar_ukodet":
                         self.report(item, reason, v, code=code))
        o = self.overrides.get(item)
        if o is not None and "value" in o.set:
            self.applied.add(o.id)
            self.before.setdefault(o.id, {})["value"] = result
            result = compute(o.set["value"], lambda reason, v, code="": self.report(item, reason, v, via=o))
        return result

    def coded(self, item: str, coder, empty=None):
        """An item coded by one of :mod:`kartlegging.core.coding`'s coders."""
        def compute(value, report):
            try:
                return coder(value)
            except CodingError as exc:
                report(str(exc), value)
                return empty
        return self.item(item, compute)

    def unit(self, item: str, value: object, report) -> Resolution | None:
        text = cell_text(value)
        if text is None:
            return None
        res = resolve_text(text, self.cls)
        if not res.ok:
            report(unresolved_reason(res, text, self.cls), text, "intervju.kommune_uavklart")
        return res

    def host_and_bydel(self) -> tuple[str | None, str | None]:
        """T02 host kommune and T03 Oslo bydel, resolved in the round's classification.

        A T02 naming an Oslo bydel means host 0301 and that bydel; a T03 bydel with
        an empty T02 means Oslo. A bydel given for another host goes to review
        and is not used; ``Oslo`` in T03 means Oslo kommune as a whole.
        """
        def t02(value, report):
            res = self.unit("T02", value, report)
            if res is None:
                return (None, None)
            if not res.ok:
                return (None, None)
            return (res.kommunenummer, res.enhet_id[1:] if res.enhet_id.startswith("B") else None)

        def t03(value, report):
            res = self.unit("T03", value, report)
            if res is None or not res.ok:
                return None
            if res.enhet_id.startswith("B"):
                return res.enhet_id[1:]
            if res.enhet_id != f"K{OSLO}":
                report("T03 names a kommune, not an Oslo bydel", value, "intervju.t03_ikke_bydel")
            return None

        host, bydel = self.item("T02", t02)
        o2 = self.overrides.get("T02")
        if o2 is not None and "kommunenummer" in o2.set:
            res = self.cls.resolve_number(o2.set["kommunenummer"])
            if not res.ok or not res.enhet_id.startswith("K"):
                raise OverrideError(f"override {o2.id}: {o2.set['kommunenummer']!r} is not a kommune of "
                                    f"the {self.cls.version} classification")
            self.applied.add(o2.id)
            self.before.setdefault(o2.id, {})["kommunenummer"] = host
            host, bydel = res.kommunenummer, None
        if host is None and not self.has_issue("T02"):
            self.report("T02", "host kommune (T02) not given", None, code="intervju.vertskommune_mangler")
        t03_bydel = self.item("T03", t03)
        o3 = self.overrides.get("T03")
        if o3 is not None and "bydelsnummer" in o3.set:
            code = cell_text(o3.set["bydelsnummer"]) or ""
            code = code.zfill(6)
            if code not in self.cls.bydeler:
                raise OverrideError(f"override {o3.id}: {code!r} is not an Oslo bydel")
            self.applied.add(o3.id)
            self.before.setdefault(o3.id, {})["bydelsnummer"] = t03_bydel
            t03_bydel = code
        bydel = t03_bydel or bydel
        if bydel is not None and host is None:
            host = OSLO
        if bydel is not None and host != OSLO:
            self.report("T03", f"an Oslo bydel ({bydel}) for host kommune {host}; the bydel is not used", None,
                        code="intervju.bydel_ikke_oslo")
            bydel = None
        return host, bydel

    def members(self, host: str | None) -> list[str]:
        """T05 other kommuner as sorted four-digit numbers, the host removed.

        Each part is resolved by name or number. A chunk that resolves as a whole
        is not split on ``og`` (``Sande i Møre og Romsdal``), nor is a fylke name, which
        settles an ambiguous name just before it (``Herøy, Møre og Romsdal``:
        :func:`resolve_list`). Parts that are ambiguous, unknown, a fylke or an Oslo
        bydel go to review and are not counted.
        """
        def whole(chunk: str) -> bool:
            return (resolve_text(chunk, self.cls).status in {"ok", "ambiguous"}
                    or self.cls.fylke_named(chunk) is not None)

        def t05(value, report):
            found: set[str] = set()
            problems: list[str] = []
            for part, res in resolve_list(coding.split_kommuner(value, keep_whole=whole), self.cls):
                if res is None:
                    continue  # a fylke name that only said which kommune the name before it is
                if res.ok and res.enhet_id.startswith("K"):
                    found.add(res.kommunenummer)
                elif res.ok:
                    problems.append(f"{part!r}: an Oslo bydel, not a kommune")
                elif res.status == "fylke":
                    problems.append(f"{part!r}: a fylke, not a kommune")
                else:
                    problems.append(f"{part!r}: {unresolved_reason(res, part, self.cls)}")
            if problems:
                report("; ".join(problems), value, "intervju.kommune_uavklart")
            return found

        found = self.item("T05", t05)
        o5 = self.overrides.get("T05")
        if o5 is not None and "kommuner" in o5.set:
            self.before.setdefault(o5.id, {})["kommuner"] = sorted(found or ())
            listed = o5.set["kommuner"]
            if not isinstance(listed, list):
                raise OverrideError(f"override {o5.id}: kommuner must be a list of kommune numbers")
            found = set()
            for number in listed:
                res = self.cls.resolve_number(number)
                if not res.ok or not res.enhet_id.startswith("K"):
                    raise OverrideError(f"override {o5.id}: {number!r} is not a kommune of the "
                                        f"{self.cls.version} classification")
                found.add(res.kommunenummer)
            self.applied.add(o5.id)
        return sorted(found - {host})

    def malgrupper(self) -> list[str] | None:
        def t11(value, report):
            if is_empty(value):
                return None
            codes, unrecognised = coding.code_malgrupper(value)
            if unrecognised:
                report(f"target group(s) not recognised: {', '.join(repr(u) for u in unrecognised)}", value)
            return codes
        return self.item("T11", t11)


def read_interview(path: Path, classification: Classification, overrides: list[Override]) -> Interview | Issue:
    """Read and code one workbook; a quarantine :class:`Issue` if it cannot be read at all.

    Coding rules per item are in :mod:`kartlegging.core.coding`. Beyond coding, two
    consistency checks go to review: T18 unanswered (the candidate then counts
    as undecided, ``vet_ikke``), and T04 disagreeing with T05 (the type follows
    the kommuner actually resolved from T05).
    """
    file = Path(path).name
    try:
        sheet = read_sheet(Path(path), SHEET)
    except WorkbookError as exc:
        return Issue(SOURCE, file, "", "workbook", WORKBOOK_CODES.get(exc.kind, "intervju.arbeidsbok_uleselig"),
                     str(exc), "quarantine", locator="file")
    collected = collect_items(sheet, file)
    if isinstance(collected, Issue):
        return collected
    raw, issues, where = collected
    c = _Coder(file, raw, issues, _workbook_overrides(overrides, file), classification, where)
    v: dict[str, object] = {}
    v["tjeneste_navn"] = c.item("T01", lambda value, report: cell_text(value))
    host, bydel = c.host_and_bydel()
    v["vert_kommunenummer"], v["bydelsnummer"] = host, bydel
    v["samarbeidsform"] = c.coded("T04", coding.code_samarbeidsform)
    members = c.members(host)
    v["andre_kommuner"] = members
    v["organisering"] = c.coded("T06", coding.code_organisering)
    v["prosjektfinansiert"] = c.coded("T07", coding.code_flag, False)
    for item, column in YES_NO_ITEMS.items():
        v[column] = c.coded(item, coding.code_yes_no)
    v["antall_tilbud"] = c.coded("T10", coding.parse_count)
    v["malgrupper"] = c.malgrupper()
    v["rekruttering"] = c.coded("T12", coding.code_rekruttering)
    v["grunnlag"] = c.coded("T19", coding.code_grunnlag)
    v["intervjudato"] = c.coded("T22", coding.parse_date)
    if v["inkludert"] is None and not c.has_issue("T18"):
        c.report("T18", "inclusion (T18) not answered: the candidate counts as undecided (vet_ikke)", None,
                 code="intervju.inkludering_ubesvart")
    if v["samarbeidsform"] == "interkommunal" and not members and not c.has_issue("T05"):
        c.report("T05", "T04 says interkommunal but T05 names no other kommune; the service counts as kommunal",
                 c.typed("T05"), code="intervju.interkommunal_uten_kommuner")
    elif v["samarbeidsform"] == "kommunal" and members:
        c.report("T04", f"T04 says kommunal but T05 names {len(members)} other kommune(r); "
                        f"the type follows T05", c.typed("T04"), code="intervju.kommunal_med_kommuner")
    return Interview(file, v, members, c.issues, c.applied, c.before)


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------

def _first_of(values: list[object], order: tuple[str, ...]) -> str | None:
    """The first code of ``order`` that any value holds: the any-ja rule for yes/no items."""
    for code in order:
        if code in values:
            return code
    return None


def _most_frequent(records: list[Interview], column: str) -> str | None:
    """Most frequent non-null code; a tie goes to the code of the lowest bydel number."""
    counts = Counter(r.values.get(column) for r in records if r.values.get(column) is not None)
    if not counts:
        return None
    top = max(counts.values())
    tied = {c for c, n in counts.items() if n == top}
    for r in sorted(records, key=lambda r: (r.bydel or "999999", r.file)):
        if r.values.get(column) in tied:
            return r.values[column]  # type: ignore[return-value]
    return None


def merge_oslo(records: list[Interview], classification: Classification) -> dict[str, object]:
    """The service row of several Oslo interviews merged into one kommunal service for 0301.

    Rules (the kommune is the unit of analysis, so Oslo counts once):

    - yes/no items (T08, T09, T13-T18): ``ja`` if any bydel says ja, else ``nei``
      if any says nei, else ``vet_ikke`` if any says so, else null (``inkludert``
      is never null: undecided is ``vet_ikke``);
    - T10 counts summed over the bydeler that gave one (null if none did);
    - T11 target groups: the union; T07 project funding: any;
    - T19: ``tjeneste`` if any, else ``erfaring`` if any;
    - T06 organisation and T12 recruitment: the most frequent code, a tie going
      to the code of the lowest bydel number;
    - name: ``Oslo kommune (bydelene A, B, C)`` with the bydeler in number order
      (``Oslo kommune`` when no bydel is known);
    - ``friskliv_og_mestring_navn``: true if any merged T01 holds both words.
    - always kommunal with one kommune: T05 of a bydel interview is not used
      (the ingest puts such lists to review).
    """
    bydeler = sorted({r.bydel for r in records if r.bydel})
    names = [classification.bydeler[b] for b in bydeler]
    navn = f"Oslo kommune (bydelene {', '.join(names)})" if names else "Oslo kommune"
    row: dict[str, object] = {
        "navn": navn,
        "organisering": _most_frequent(records, "organisering"),
        "friskliv_og_mestring_navn": any(
            coding.mentions_friskliv_og_mestring(r.values.get("tjeneste_navn")) for r in records),
        "prosjektfinansiert": any(bool(r.values.get("prosjektfinansiert")) for r in records),
        "rekruttering": _most_frequent(records, "rekruttering"),
    }
    for column in YES_NO_ITEMS.values():
        row[column] = _first_of([r.values.get(column) for r in records], ("ja", "nei", "vet_ikke"))
    row["inkludert"] = row["inkludert"] or "vet_ikke"
    counts = [r.values["antall_tilbud"] for r in records if r.values.get("antall_tilbud") is not None]
    row["antall_tilbud"] = float(sum(counts)) if counts else None  # type: ignore[arg-type]
    union = {g for r in records for g in (r.values.get("malgrupper") or [])}
    row["malgrupper"] = [c for c, _ in coding.MALGRUPPER if c in union] if any(
        r.values.get("malgrupper") is not None for r in records) else None
    row["grunnlag"] = _first_of([r.values.get("grunnlag") for r in records], ("tjeneste", "erfaring"))
    return row


def _single(record: Interview) -> dict[str, object]:
    """The service row of one interview outside Oslo."""
    v = record.values
    row = {k: v.get(k) for k in ("organisering", "rekruttering", "antall_tilbud", "malgrupper", "grunnlag")}
    row.update({column: v.get(column) for column in YES_NO_ITEMS.values()})
    row["navn"] = v.get("tjeneste_navn")
    row["friskliv_og_mestring_navn"] = coding.mentions_friskliv_og_mestring(v.get("tjeneste_navn"))
    row["prosjektfinansiert"] = bool(v.get("prosjektfinansiert"))
    row["inkludert"] = v.get("inkludert") or "vet_ikke"
    return row


def build_services(records: list[Interview], classification: Classification, round_name: str
                   ) -> tuple[list[dict[str, object]], list[dict[str, object]], list[Issue]]:
    """Candidate services and their kommuner from coded interviews.

    Every interview with a resolved host is a candidate service, except that
    host-0301 interviews merge: the included ones (T18 = ja) into one service,
    all others (nei, vet ikke or unanswered) into one rejected candidate, so an
    included Oslo service is never diluted by a rejected bydel. Service ids are
    ``<round>-<host>-<seq:02d>``, ``seq`` following sorted file names within the
    host (a merged service takes the place of its first file). Sets each
    interview's ``service_id`` in place.
    """
    issues: list[Issue] = []
    groups: dict[str, list[list[Interview]]] = {}
    oslo_in: list[Interview] = []
    oslo_out: list[Interview] = []
    for r in sorted(records, key=lambda r: r.file):
        host = r.host
        if host is None:
            continue
        if host == OSLO:
            (oslo_in if r.values.get("inkludert") == INCLUDED else oslo_out).append(r)
            if r.members:
                issues.append(Issue(SOURCE, r.file, "T05", "andre_kommuner", "intervju.oslo_andre_kommuner",
                                    f"Oslo's services count as one kommunal service; the other kommuner "
                                    f"({', '.join(r.members)}) are not used"))
        else:
            groups.setdefault(host, []).append([r])
    oslo_groups = [g for g in (oslo_in, oslo_out) if g]
    if oslo_groups:
        groups[OSLO] = sorted(oslo_groups, key=lambda g: g[0].file)
    services: list[dict[str, object]] = []
    bridge: list[dict[str, object]] = []
    for host in sorted(groups):
        for seq, group in enumerate(sorted(groups[host], key=lambda g: g[0].file), start=1):
            service_id = f"{round_name}-{host}-{seq:02d}"
            row = merge_oslo(group, classification) if host == OSLO else _single(group[0])
            members = [] if host == OSLO else group[0].members
            dates = [r.values["intervjudato"] for r in group if r.values.get("intervjudato") is not None]
            row.update({
                "round": round_name, "service_id": service_id, "vert_kommunenummer": host,
                "antall_kommuner": 1 + len(members),
                "type": "interkommunal" if members else "kommunal",
                "antall_intervjuer": len(group),
                "forste_intervju": min(dates) if dates else None,
                "siste_intervju": max(dates) if dates else None,
            })
            services.append(row)
            bridge.append({"round": round_name, "service_id": service_id, "kommunenummer": host, "rolle": "vert"})
            bridge += [{"round": round_name, "service_id": service_id, "kommunenummer": m, "rolle": "medlem"}
                       for m in members]
            for r in group:
                r.values["service_id"] = service_id
    return services, bridge, issues


def workbook_files(intervju: str | Path | Iterable[str | Path]) -> list[Path]:
    """The interview files to read, sorted by name: the files a rule declares (a list), or the visible files of
    an ``intervjuer/`` folder (:func:`kartlegging.core.rawfolder.record_files`; hidden files and sub-folders are
    not read). A folder that does not exist stops the step: without it every kommune would silently count as
    having no service."""
    if isinstance(intervju, (str, Path)):
        if not Path(intervju).is_dir():
            raise FileNotFoundError(f"{intervju}: interview folder not found (it is required, even when empty)")
        intervju = record_files(intervju)
    return sorted((Path(p) for p in intervju), key=lambda p: p.name)


def _read_isolated(path: Path, classification: Classification, overrides: list[Override]) -> Interview | Issue:
    """:func:`read_interview`, with one workbook's failure kept to that workbook.

    A damaged workbook is already a quarantine item; this is the last resort for a fault of the
    reader itself: the workbook is set aside under ``intervju.lesefeil`` (the traceback goes to the
    rule's log) and the round goes on. A malformed override is the analyst's to fix and still stops
    the run.
    """
    try:
        return read_interview(path, classification, overrides)
    except OverrideError:
        raise
    except Exception as exc:  # one workbook must not take every other interview out of the run
        log.info("intervju: %s: the reader failed (%s; for the developer)", path.name, type(exc).__name__,
                 exc_info=True)
        return Issue(SOURCE, path.name, "", "workbook", "intervju.lesefeil", LAST_RESORT, "quarantine",
                     locator="file")


def ingest_interviews(intervju_dir: str | Path | Iterable[str | Path], classification: Classification,
                      round_name: str, overrides: list[Override]) -> InterviewResult:
    """Read every interview file (``intervju_dir``: the files, or their folder), sorted by name, into
    interviews, services and kommuner.

    Every file is looked at, not only ``*.xlsx``: the conservation check counts
    every file the analysts put there, so a file the ingest skipped
    (``notater.docx``, ``SALTDAL.XLSX`` missed by a case-sensitive pattern) would
    be lost without a word and stop the run. A workbook suffix is matched
    case-insensitively; any other file is quarantined with its reason. Unreadable
    workbooks are quarantined (one issue each, the reason naming the damage:
    :data:`WORKBOOK_CODES`) and give no row, and so is a workbook the reader itself
    fails on (:func:`_read_isolated`); everything the rules cannot decide within a
    workbook goes to review with the item code as record. Only overrides with source
    ``intervju`` are used. A missing folder stops the step (FileNotFoundError).
    """
    own = [o for o in overrides if o.source == SOURCE]
    issues: list[Issue] = []
    applied: set[str] = set()
    before: dict[str, dict[str, object]] = {}
    records: list[Interview] = []
    for path in workbook_files(intervju_dir):
        if path.suffix.lower() != ".xlsx":
            issues.append(Issue(SOURCE, path.name, "", "workbook", "intervju.ikke_xlsx",
                                f"not an .xlsx workbook (suffix '{path.suffix}'): not read; save interviews as .xlsx",
                                "quarantine", locator="file"))
            continue
        result = _read_isolated(path, classification, own)
        if isinstance(result, Issue):
            log.warning("intervju: %s set aside: %s", result.file, result.reason)
            issues.append(result)
            continue
        records.append(result)
        issues += result.issues
        applied |= result.applied
        before.update(result.before)
    services, bridge, merge_issues = build_services(records, classification, round_name)
    issues += merge_issues
    interview_rows = []
    for r in records:
        row = {c: r.values.get(c) for c in INTERVIEWS.column_names}
        row.update({"round": round_name, "file": r.file})
        interview_rows.append(row)
    return InterviewResult(
        interviews=_frame(interview_rows, INTERVIEWS.column_names),
        services=_frame(services, SERVICES.column_names),
        service_kommuner=_frame(bridge, SERVICE_KOMMUNER.column_names),
        issues=issues,
        applied=applied,
        before=before,
    )


def _frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """A frame in the declared column order; object dtype keeps None, dates and lists as they are."""
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})
