"""Schemas of every processed table: the contract between pipeline steps and researchers.

Each table is declared once, here, with its Arrow type and the meaning of every
column. The same declaration drives three things, so they cannot drift apart:
the explicit Arrow schema used on write, the validation run before a write, and
the data dictionary shipped next to the DuckDB file.

Codes used throughout:
- answers: ``ja`` | ``nei`` | ``vet_ikke`` | ``uklart`` (e-mail questions 1 and 5)
- units: ``enhet_id`` is ``K`` + kommunenummer or ``B`` + bydelsnummer
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa

STR = pa.string()
BOOL = pa.bool_()
I64 = pa.int64()
F64 = pa.float64()
DATE = pa.date32()
TS = pa.timestamp("us", tz="UTC")
STR_LIST = pa.list_(pa.string())
F64_LIST = pa.list_(pa.float64())


@dataclass(frozen=True)
class Column:
    """One column: name, Arrow type, nullability and meaning."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    allowed: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    """A processed table: file stem, meaning, columns and sort key (for byte-stable output)."""

    name: str
    description: str
    columns: tuple[Column, ...]
    sort_by: tuple[str, ...]
    per_round: bool = True
    #: File of a table that is not per round, relative to the processed folder (a per-round table
    #: lies in ``<round>/<name>.parquet``). The DuckDB step makes a view of every table with a file.
    path: str | None = None

    def files(self, rounds: Iterable[str]) -> list[str]:
        """The table's files relative to the processed folder: one per round, or its single file."""
        if self.per_round:
            return [f"{r}/{self.name}.parquet" for r in rounds]
        return [self.path] if self.path else []

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns]
        )

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


ANSWER = ("ja", "nei", "vet_ikke", "uklart")
YES_NO_DK = ("ja", "nei", "vet_ikke")

_ROUND = Column("round", STR, "survey round, named by the year field work began", False)

DISPATCH = Table(
    "dispatch",
    "The dispatch list (utsendelse.csv) without addresses: who was asked.",
    (
        _ROUND,
        Column("enhet_id", STR, "K+kommunenummer or B+bydelsnummer", False),
        Column("kommunenummer", STR, "four-digit kommune number in the round's classification", False),
        Column("bydelsnummer", STR, "six-digit Oslo bydel number; null for a kommune"),
        Column("enhet_navn", STR, "name of the unit as used in the letter", False),
        Column("mottaker_rolle", STR, "rådmann or bydelsdirektør", False),
        Column("adresse_hash", STR, "salted SHA-256 (16 hex) of the recipient address; "
               "the address itself stays in data/raw", False),
        Column("message_id", STR, "salted SHA-256 (16 hex) of the Message-ID of the questionnaire sent to the unit "
               "(normalised: no brackets, lower case); the Message-ID itself stays in data/raw; null when the list "
               "has none (letters sent by mail merge)"),
        Column("sendt", DATE, "date the questionnaire was sent"),
    ),
    ("enhet_id",),
)

EMAIL_REPLIES = Table(
    "email_replies",
    "One row per .eml file in epost/: identification of the unit and coding of questions 1 and 5.",
    (
        _ROUND,
        Column("file", STR, "file name under epost/", False),
        Column("message_id", STR, "salted SHA-256 (16 hex) of the reply's Message-ID (normalised as in dispatch); "
               "its local part may hold the sender's user name"),
        Column("date", TS, "Date header, UTC"),
        Column("enhet_id", STR, "identified unit; null when unidentified"),
        Column("kommunenummer", STR, "kommune of the identified unit (0301 for Oslo's bydeler)"),
        Column("ident_method", STR, "which step identified the unit", False,
               ("tag", "in_reply_to", "sender_address", "sender_domain", "named_in_text", "override", "none")),
        Column("sender_hash", STR, "salted SHA-256 (16 hex) of the sender address"),
        Column("content_type", STR, "top-level MIME type of the message"),
        Column("auto_reply", BOOL, "out-of-office or other automatic reply", False),
        Column("superseded", BOOL, "a later reply from the same unit replaces this one", False),
        Column("q1", STR, "coded answer to question 1 (has a service); null for auto-replies", True, ANSWER),
        Column("q5", STR, "coded answer to question 5 (plans a service); null for auto-replies", True, ANSWER),
        Column("attachment_answer", BOOL, "the answer seems to be in an attachment: flagged for manual coding", False),
        Column("attachments", STR, "attachments listed as 'name (bytes)', separated by '; '"),
        Column("status", STR, "what became of the message", False,
               ("svar", "autosvar", "erstattet", "til_vurdering", "karantene")),
    ),
    ("file",),
)

PHONE_ATTEMPTS = Table(
    "phone_attempts",
    "One row per call attempt in telefonrunde.xlsx, resolved to a unit. The free-text comment is not kept.",
    (
        _ROUND,
        Column("file", STR, "workbook file name", False),
        Column("row", I64, "Excel row number of the attempt", False),
        Column("navn_raw", STR, "the kommune or bydel name as typed"),
        Column("kommunenr_raw", STR, "the number as typed"),
        Column("enhet_id", STR, "resolved unit; null if unresolved (then in review)"),
        Column("kommunenummer", STR, "kommune of the resolved unit"),
        Column("dato", DATE, "date of the attempt"),
        Column("kontakt", STR, "who answered (a role, such as sentralbord)"),
        Column("svar_raw", STR, "the answer as typed when it is a plain answer word (ja, nei, vet ikke); null when "
               "the cell holds more, since a caller's notes may name people (`make review` shows them)"),
        Column("svar", STR, "coded answer", False, ("ja", "nei", "vet_ikke", "ikke_konklusiv")),
    ),
    ("file", "row"),
)

PHONE_UNITS = Table(
    "phone_units",
    "One row per phoned unit: its final phone answer (last conclusive attempt).",
    (
        _ROUND,
        Column("enhet_id", STR, "unit", False),
        Column("kommunenummer", STR, "kommune of the unit", False),
        Column("svar", STR, "final answer", False, ("ja", "nei", "vet_ikke", "ikke_nådd")),
        Column("forsok", I64, "number of attempts", False),
        Column("siste_dato", DATE, "date of the deciding (or last) attempt"),
    ),
    ("enhet_id",),
)

INTERVIEWS = Table(
    "interviews",
    "One row per interview workbook, every item coded. T20/T21 (personal data) are never read.",
    (
        _ROUND,
        Column("file", STR, "workbook file name under intervjuer/", False),
        Column("service_id", STR, "service the interview belongs to (Oslo's bydeler share one)"),
        Column("tjeneste_navn", STR, "T01 name of the service"),
        Column("vert_kommunenummer", STR, "T02 host kommune, resolved"),
        Column("bydelsnummer", STR, "T03 Oslo bydel, resolved"),
        Column("samarbeidsform", STR, "T04 coded", True, ("kommunal", "interkommunal")),
        Column("andre_kommuner", STR_LIST, "T05 other kommuner, resolved to numbers"),
        Column("organisering", STR, "T06 coded", True,
               ("frisklivssentral", "friskliv_og_mestring", "eget_senter", "avdeling", "koordinator", "annet")),
        Column("prosjektfinansiert", BOOL, "T07 volunteered project funding"),
        Column("brukerorg_etablering", STR, "T08", True, YES_NO_DK),
        Column("tilbud_startet", STR, "T09", True, YES_NO_DK),
        Column("antall_tilbud", F64, "T10 number of tilbud; ranges as midpoint"),
        Column("malgrupper", STR_LIST, "T11 target groups, coded"),
        Column("rekruttering", STR, "T12", True, ("via_brukerorganisasjoner", "utenom_organisasjonene", "vet_ikke")),
        Column("kompetansekurs", STR, "T13", True, YES_NO_DK),
        Column("samarbeid_hf", STR, "T14", True, YES_NO_DK),
        Column("hf_utvikling", STR, "T15", True, YES_NO_DK),
        Column("hf_helsepedagogikk", STR, "T16", True, YES_NO_DK),
        Column("hf_tilbud", STR, "T17", True, YES_NO_DK),
        Column("inkludert", STR, "T18", True, YES_NO_DK),
        Column("grunnlag", STR, "T19", True, ("tjeneste", "erfaring")),
        Column("intervjudato", DATE, "T22"),
    ),
    ("file",),
)

SERVICES = Table(
    "services",
    "One row per candidate service (Oslo's bydel services merged into one); included ones have inkludert = ja.",
    (
        _ROUND,
        Column("service_id", STR, "stable id: round-host kommune-sequence", False),
        Column("navn", STR, "name of the service (T01)"),
        Column("vert_kommunenummer", STR, "host kommune", False),
        Column("antall_kommuner", I64, "kommuner taking part, host included", False),
        Column("type", STR, "kommunal (one kommune) or interkommunal (two or more)", False,
               ("kommunal", "interkommunal")),
        Column("organisering", STR, "T06 coded"),
        Column("friskliv_og_mestring_navn", BOOL, "the name contains both friskliv and mestring", False),
        Column("prosjektfinansiert", BOOL, "T07", False),
        Column("brukerorg_etablering", STR, "T08"),
        Column("tilbud_startet", STR, "T09"),
        Column("antall_tilbud", F64, "T10 (summed over Oslo's bydeler)"),
        Column("malgrupper", STR_LIST, "T11 (union over Oslo's bydeler)"),
        Column("rekruttering", STR, "T12"),
        Column("kompetansekurs", STR, "T13"),
        Column("samarbeid_hf", STR, "T14"),
        Column("hf_utvikling", STR, "T15"),
        Column("hf_helsepedagogikk", STR, "T16"),
        Column("hf_tilbud", STR, "T17"),
        Column("inkludert", STR, "T18: meets the definition", False, YES_NO_DK),
        Column("grunnlag", STR, "T19: tjeneste or erfaring"),
        Column("antall_intervjuer", I64, "interviews merged into this service", False),
        Column("forste_intervju", DATE, "first interview date"),
        Column("siste_intervju", DATE, "last interview date"),
    ),
    ("service_id",),
)

SERVICE_KOMMUNER = Table(
    "service_kommuner",
    "Bridge between services and the kommuner they cover.",
    (
        _ROUND,
        Column("service_id", STR, "service", False),
        Column("kommunenummer", STR, "kommune", False),
        Column("rolle", STR, "vert (host) or medlem (member)", False, ("vert", "medlem")),
    ),
    ("service_id", "kommunenummer"),
)

KOMMUNE_STATUS = Table(
    "kommune_status",
    "One row per kommune of the round's classification: does it have a service, and what each source said.",
    (
        _ROUND,
        Column("kommunenummer", STR, "kommune", False),
        Column("kommunenavn", STR, "official name in the round's classification", False),
        Column("fylkesnummer", STR, "county number", False),
        Column("fylkesnavn", STR, "county name", False),
        Column("har_tjeneste", STR, "ja: hosts or takes part in an included service; nei: otherwise; "
               "ukjent: in no source", False, ("ja", "nei", "ukjent")),
        Column("kilder", STR, "sources that mention the kommune, comma-separated (epost, telefon, intervju)", False),
        Column("epost_svar", STR, "kommune-level e-mail answer to question 1 (ja if any unit said ja)"),
        Column("telefon_svar", STR, "kommune-level phone answer"),
        Column("service_ids", STR_LIST, "included services covering the kommune"),
        Column("tjenestetype", STR, "kommunal, interkommunal, or null"),
    ),
    ("kommunenummer",),
)

ISSUES = Table(
    "issues",
    "Review and quarantine items of one source: what could not be decided or read, and why.",
    (
        _ROUND,
        Column("source", STR, "dispatch, epost, telefon, intervju, overrides", False),
        Column("file", STR, "file name", False),
        Column("record", STR, "record within the file (row, item code, header); empty for the file as a whole", False),
        Column("field", STR, "field concerned", False),
        Column("locator", STR, "where in the file the raw text is (cell E34, part 2, subject, line 12); empty for "
               "the file as a whole. The text itself stays in data/raw/: `make review` shows it", False),
        Column("reason_code", STR, "stable reason code (kartlegging.core.reasons; "
               "the report shows its bokmål message)", False),
        Column("reason", STR, "English detail, with anything typed by a person masked", False),
        Column("action", STR, "review: kept, awaiting an analyst; quarantine: file or record could not be read", False,
               ("review", "quarantine")),
        Column("resolved_by", STR, "id of the override that settled the item; null while open"),
    ),
    ("source", "file", "record", "field", "reason_code", "locator"),
)

OVERRIDES_APPLIED = Table(
    "overrides_applied",
    "Every override of config/overrides/<round>.yaml and what it changed.",
    (
        _ROUND,
        Column("override_id", STR, "id in the overrides file", False),
        Column("source", STR, "epost, telefon, intervju", False),
        Column("file", STR, "file the override targets", False),
        Column("record", STR, "record the override targets", False),
        Column("field", STR, "field set", False),
        Column("value", STR, "value set, in the table's vocabulary (ja, 0441, true)", False),
        Column("value_before", STR, "value the record had from the rules before the override; null when it had "
               "none (no unit identified, no answer coded)"),
        Column("value_written", STR, "the value as the overrides file writes it, where that differs from `value` "
               "(441 padded to 0441, yes coded ja); null otherwise"),
        Column("under_review", BOOL, "true: the override settles a review or quarantine item of its record; "
               "false: it changes a value the rules had decided (shown in the run summary and appendix B)", False),
        Column("reason", STR, "analyst's reason"),
    ),
    ("override_id", "field"),
)

FIGURES = Table(
    "figures",
    "Every figure of the register, computed from the tables above.",
    (
        _ROUND,
        Column("figure_id", STR, "id in the register", False),
        Column("value", F64, "count, or percentage 0-100, or ratio"),
        Column("numerator", F64, "numerator of a share"),
        Column("denominator", F64, "denominator of a share"),
        Column("unit", STR, "antall, prosent, forhold, tekst or utsagn (a finding: 1 holds, 0 not)", False,
               ("antall", "prosent", "forhold", "tekst", "utsagn")),
        Column("text", STR, "value of a figure that is not a number"),
    ),
    ("figure_id",),
)

FIGURE_SERIES = Table(
    "figure_series",
    "Every breakdown the report shows (chart data, tables of counts), computed with the figures: one row per "
    "series, category and measure. The report formats these rows and counts nothing itself.",
    (
        _ROUND,
        Column("series_id", STR, "the series, e.g. organisering, malgrupper, svarflyt, dekning_fylke", False),
        Column("nr", I64, "position of the category in the series, as the report shows it", False),
        Column("category", STR, "code of the category (answer code, organisation code, county number, year)", False),
        Column("label", STR, "bokmål label the report prints for the category", False),
        Column("measure", STR, "what is counted: tjenester, kommuner, antall, or a named measure of the series", False),
        Column("value", F64, "the count or sum; null when the source has no number"),
        Column("denominator", F64, "the base of a share shown beside the value (e.g. the county's kommuner)"),
        Column("unit", STR, "antall, dato, flagg (1 = ja), år or tekst", False,
               ("antall", "dato", "flagg", "år", "tekst")),
        Column("text", STR, "value that is not a number (an ISO date, a reconciliation status)"),
    ),
    ("series_id", "nr", "measure"),
)

RECONCILIATION = Table(
    "reconciliation",
    "Published against computed, figure by figure.",
    (
        _ROUND,
        Column("nr", I64, "position in the register", False),
        Column("figure_id", STR, "id in the register", False),
        Column("source", STR, "publication (notat, forpro, ssb)"),
        Column("definition", STR, "definition used"),
        Column("published", STR, "value as published", False),
        Column("computed", STR, "value computed, formatted like the published one"),
        Column("value", F64, "computed value"),
        Column("tolerance", STR, "tolerance stated in the register"),
        Column("status", STR, "lik, innenfor toleranse, trykkfeil i kilden (the register marks the published value "
               "as a misprint; the computed value is the arithmetic truth), avviker (unexplained), ikke beregnet",
               False, ("lik", "innenfor toleranse", "trykkfeil i kilden", "avviker", "ikke beregnet")),
        Column("note", STR, "note of the register"),
    ),
    ("round", "nr"),
)

KOMMUNER = Table(
    "kommuner",
    "Kommuner of every Klass 131 version used (SSB, NLOD).",
    (
        Column("version", STR, "Klass version, named by the year it took effect", False),
        Column("kommunenummer", STR, "four-digit code", False),
        Column("navn", STR, "official name", False),
        Column("fylkesnummer", STR, "first two digits", False),
        Column("fylkesnavn", STR, "county name", False),
        Column("gyldig_fra", DATE, "version valid from", False),
        Column("gyldig_til", DATE, "version valid to (exclusive); null if open"),
    ),
    ("version", "kommunenummer"),
    per_round=False,
    path="reference/kommuner.parquet",
)

KOMMUNE_NAVN = Table(
    "kommune_navn",
    "Every name variant a person may type for a kommune or Oslo bydel, normalised.",
    (
        Column("version", STR, "Klass version", False),
        Column("enhet_id", STR, "K+kommunenummer or B+bydelsnummer", False),
        Column("variant", STR, "normalised name (casefolded, hyphens and punctuation as spaces)", False),
        Column("kilde", STR, "offisiell, språkdel, fylke, bydel ...", False),
    ),
    ("version", "variant", "enhet_id"),
    per_round=False,
    path="reference/kommune_navn.parquet",
)

BYDELER = Table(
    "bydeler",
    "Oslo's 15 administrative bydeler.",
    (
        Column("bydelsnummer", STR, "six-digit code", False),
        Column("navn", STR, "name", False),
    ),
    ("bydelsnummer",),
    per_round=False,
    path="reference/bydeler.parquet",
)

CONSERVATION = Table(
    "conservation",
    "Every raw file and record of the round, by what became of it; unaccounted must be 0.",
    (
        _ROUND,
        Column("source", STR, "utsendelse, epost, telefon, intervju, kostra (the extracts the rounds share)", False),
        Column("unit", STR, "what a record is: rad (row), fil (file), arbeidsbok (workbook)", False),
        Column("records_in", I64, "records found in the raw files, counted independently of the ingest", False),
        Column("ingested", I64, "records that became rows of the tables", False),
        Column("superseded", I64, "e-mail replies replaced by a later one from the same unit", False),
        Column("autosvar", I64, "automatic replies", False),
        Column("review", I64, "records kept but awaiting an analyst", False),
        Column("quarantined", I64, "records or files that could not be read", False),
        Column("unaccounted", I64, "records_in minus all outcomes; the run fails unless 0", False),
        Column("ignored", I64, "entries of the source's folder that are no records and were not read: hidden "
               "files (.DS_Store) and sub-folders", False),
        Column("ignored_names", STR, "their names, '; '-separated; null when there are none"),
    ),
    ("round", "source"),
)

ALL_TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        DISPATCH, EMAIL_REPLIES, PHONE_ATTEMPTS, PHONE_UNITS, INTERVIEWS, SERVICES,
        SERVICE_KOMMUNER, KOMMUNE_STATUS, ISSUES, OVERRIDES_APPLIED, FIGURES, FIGURE_SERIES,
        RECONCILIATION, CONSERVATION, KOMMUNER, KOMMUNE_NAVN, BYDELER,
    )
}


def salted_hash(value: str, salt: str = "kartlegging") -> str:
    """Hash an address so replies can be linked without keeping the address.

    Lower-cased and stripped first, so the same address typed differently links.
    """
    digest = hashlib.sha256(f"{salt}:{value.strip().lower()}".encode())
    return digest.hexdigest()[:16]


#: How a finding (unit ``utsagn`` in figures) reads in the reconciliation and the report.
HOLDS, DOES_NOT_HOLD = "holder", "holder ikke"


# -- harmonisation across Klass versions (written by rules/harmonise.smk) ---------

CROSSWALK = Table(
    "crosswalk",
    "The territorial crosswalk: every kommune of one Klass 131 version, and the share of its land that lies in "
    "each kommune of another version; every ordered pair of the Klass versions in the reference folder, a "
    "version with itself included. The candidates of a link come from SSB's change table, chained date by "
    "date; where a kommune has several (a split, or a merger followed by a split), the weights come from "
    "Kartverket's kommune polygons (area of overlap in UTM 33, overlaps below 1 % of both kommuner dropped as "
    "drawing noise). One row per link: a split gives several rows for one from_code, a merger several for one "
    "to_code. Built once by the crosswalk rule; harmonise, map_status, round_map and kostra_crosscheck read it. "
    "File: <processed_dir>/reference/crosswalk.parquet.",
    (
        Column("from_version", STR, "Klass version translated from (the year it took effect)", False),
        Column("from_code", STR, "kommune code in from_version", False),
        Column("from_name", STR, "its name in from_version", False),
        Column("to_version", STR, "Klass version translated to", False),
        Column("to_code", STR, "kommune code in to_version", False),
        Column("to_name", STR, "its name in to_version", False),
        Column("change", STR, "delt: from_code's land goes to several to_codes (wins over sammenslått); "
               "sammenslått: several from_codes go to to_code; else uendret, navn (same code, new name) "
               "or nytt_nummer", False, ("uendret", "nytt_nummer", "navn", "sammenslått", "delt")),
        Column("weight", F64, "share (0-1) of from_code's land that lies in to_code; the weights of one from_code "
               "sum to 1. 1 where the land went whole; null where it cannot be measured (weight_basis uten_kart)"),
        Column("weight_basis", STR, "hel: one candidate, the land went whole (no polygons needed); areal: measured "
               "as area of overlap with the candidates' polygons; uten_kart: several candidates but no polygons "
               "of this kommune's land (2015's 0720 Stokke, split in 2017, before the first polygon year), so "
               "every candidate is kept and the shares are unknown", False, ("hel", "areal", "uten_kart")),
        Column("geometry", STR, "polygon files measured (from / to), for weight_basis areal"),
    ),
    ("from_version", "to_version", "from_code", "to_code"),
    per_round=False,
    path="reference/crosswalk.parquet",
)

HARMONISED_STATUS = Table(
    "harmonised_status",
    "Every round's kommune_status in the kommune structure of one Klass version (config harmonise_to), by the "
    "territorial crosswalk. Rule: a kommune had a service in a round when at least one of the round's kommuner "
    "that gave it land (a link of the crosswalk) had one; else none when one of them answered; else unknown. "
    "File: <processed_dir>/harmonised/harmonised_status.parquet (named as its view, so that "
    "<processed_dir>/*/kommune_status.parquet reads the rounds' own tables only).",
    (
        _ROUND,
        Column("kommunenummer", STR, "kommune in the harmonise_to version", False),
        Column("kommunenavn", STR, "official name in the harmonise_to version", False),
        Column("fylkesnummer", STR, "county number in the harmonise_to version", False),
        Column("fylkesnavn", STR, "county name in the harmonise_to version", False),
        Column("har_tjeneste", STR, "ja if any kommune that gave it land said ja; else nei if any said nei; "
               "else ukjent", False, ("ja", "nei", "ukjent")),
        Column("fra_kommuner", STR_LIST, "kommuner of the round's classification that gave it land", False),
        Column("fra_navn", STR_LIST, "their names, in the order of fra_kommuner", False),
        Column("fra_vekter", F64_LIST, "share of each one's land that lies here, in the order of fra_kommuner "
               "(the crosswalk's weight; null where unknown)", False),
        Column("regel", STR, "uendret, navn, nytt_nummer: 1:1; sammenslått: several whole kommuner combined; "
               "delt_del_av: a split kommune's whole answer attributed to this part of it", False,
               ("uendret", "navn", "nytt_nummer", "sammenslått", "delt_del_av")),
    ),
    ("round", "kommunenummer"),
    per_round=False,
    path="harmonised/harmonised_status.parquet",
)

ALL_TABLES.update({t.name: t for t in (CROSSWALK, HARMONISED_STATUS)})


# -- KOSTRA (SSB statbank extracts on frisklivssentraler) -------------------------

#: Yes/no variables of the kostra table: Oslo's value derived from its bydeler is "any bydel has it", not a sum.
FLAG_VARIABLES: frozenset[str] = frozenset({"Frisklivssentral", "AndreLMTilbud", "LiknendeTilbud", "EPJ"})

KOSTRA_STATUS = (".", "..", "...", ":", "-", "ugyldig")

KOSTRA = Table(
    "kostra",
    "SSB KOSTRA extracts on frisklivssentraler from {raw_dir}/kostra/, CSV and JSON-stat alike: one row per "
    "region, year and variable. Written to {processed_dir}/kostra/kostra.parquet; it belongs to no round.",
    (
        Column("region_code", STR, "kommune (four digits), Oslo bydel (six digits) or aggregate code (EAK, EKA03), "
               "K- prefix stripped", False),
        Column("region_level", STR, "kommune: a kommune of the structure valid on 1 January of the year; bydel: one of "
               "Oslo's 15 bydeler; aggregat: a configured aggregate pattern; ukjent: none of these (a review item), "
               "never counted", False, ("kommune", "bydel", "aggregat", "ukjent")),
        Column("year", I64, "KOSTRA year", False),
        Column("variable", STR, "project variable the table's code or label maps to (config kostra.variables)", False),
        Column("value", F64, "the number; 0 for '-'; null where another symbol stands"),
        Column("status", STR, "SSB symbol of the cell, null for a number: '.' cannot occur, '..' not available, '...' "
               "not yet available, ':' suppressed, '-' nil (value 0); ugyldig: text that is no number nor symbol",
               True, KOSTRA_STATUS),
        Column("source_file", STR, "file name under {raw_dir}/kostra/", False),
    ),
    ("variable", "year", "region_code", "source_file"),
    per_round=False,
    path="kostra/kostra.parquet",
)

KOSTRA_CROSSCHECK = Table(
    "kostra_crosscheck",
    "Kommuner where the kartlegging and KOSTRA disagree about a frisklivssentral, KOSTRA read in the year nearest "
    "the round and in the round's kommune structure. Written per round to {processed_dir}/{round}/.",
    (
        _ROUND,
        Column("kommunenummer", STR, "kommune in the round's classification", False),
        Column("kommunenavn", STR, "its name", False),
        Column("avvik", STR, "fls_i_kartlegging_kostra_0: an included service organised as frisklivssentral, KOSTRA 0; "
               "fls_i_kartlegging_kostra_mangler: the same, KOSTRA has no number; kostra_fls_ingen_tjeneste: KOSTRA 1, "
               "no included service found", False,
               ("fls_i_kartlegging_kostra_0", "fls_i_kartlegging_kostra_mangler", "kostra_fls_ingen_tjeneste")),
        Column("har_tjeneste", STR, "kommune_status.har_tjeneste", False, ("ja", "nei", "ukjent")),
        Column("service_ids", STR_LIST, "included services covering the kommune (the frisklivssentral ones where any)"),
        Column("organisering", STR, "T06 of those services, comma-separated"),
        Column("rolle", STR, "the kommune's role in them (vert, medlem), comma-separated"),
        Column("kostra_aar", I64, "KOSTRA year the value is from; null if KOSTRA has nothing for the kommune"),
        Column("kostra_verdi", F64, "KOSTRA Frisklivssentral (1 = ja, 0 = nei); null where a symbol stands"),
        Column("kostra_status", STR, "SSB symbol(s) when there is no number"),
        Column("kostra_regioner", STR, "KOSTRA region codes the value comes from (several after a merger)"),
        Column("oversatt", BOOL, "the value was translated from another kommune structure", False),
        Column("merknad", STR, "what disagrees", False),
    ),
    ("round", "avvik", "kommunenummer"),
    per_round=True,
)

ALL_TABLES.update({t.name: t for t in (KOSTRA, KOSTRA_CROSSCHECK)})


# -- coverage map (written per round by rules/map.smk) ------------------------------

MAP_CLASSES = ("kommunal", "interkommunal", "ingen", "ukjent")

MAP_STATUS = Table(
    "map_status",
    "One round's coverage in the kommune structure of the map geometry (Kartverket 2024): one row per kommune "
    "of that structure, with the class it is drawn in. A kommune made of several of the round's kommuner (or of "
    "a part of one) has a service if any of them had one. File: <processed_dir>/<round>/map_status.parquet.",
    (
        _ROUND,
        Column("kommunenummer", STR, "kommune in the map's Klass version", False),
        Column("kommunenavn", STR, "official name in the map's Klass version", False),
        Column("fylkesnummer", STR, "county number in the map's Klass version", False),
        Column("fylkesnavn", STR, "county name in the map's Klass version", False),
        Column("status", STR, "kommunal: some part has an included service, none of them interkommunal; "
               "interkommunal: some part takes part in an interkommunal service; ingen: no part has a service and "
               "at least one answered; ukjent: no part is mentioned in any source", False, MAP_CLASSES),
        Column("fra_kommuner", STR_LIST, "kommuner of the round's classification that make up this one", False),
        Column("regel", STR, "how the round's kommuner were combined, as in harmonised_status", False,
               ("uendret", "navn", "nytt_nummer", "sammenslått", "delt_del_av")),
        Column("map_version", STR, "Klass version of the map's kommune structure", False),
    ),
    ("round", "kommunenummer"),
)

ALL_TABLES.update({MAP_STATUS.name: MAP_STATUS})


# -- comparison between rounds (written per later round by the comparison rule) -----

COMPARISON = Table(
    "comparison",
    "A round set beside the rounds before it, as its report shows it: coverage per round in each round's own "
    "structure and in the common one (config harmonise_to), per county, the kommuner that gained or lost a "
    "service, services by organisation, and split kommuner. Long like figure_series: one row per series, "
    "category, round compared and measure. Empty for the first round (nothing to compare with); "
    "file: <processed_dir>/<round>/comparison.parquet.",
    (
        _ROUND,
        Column("series_id", STR, "runder, dekning_fylke, endring, endring_antall, organisering, delte or "
               "kart_runder", False),
        Column("nr", I64, "position of the category in the series, as the report shows it", False),
        Column("category", STR, "code of the category (round, county number, kommune number, organisation code)",
               False),
        Column("label", STR, "bokmål label the report prints for the category", False),
        Column("of_round", STR, "the round the value describes; null for a value across rounds (a change)"),
        Column("measure", STR, "what is counted or described", False),
        Column("value", F64, "the count; null for a text"),
        Column("denominator", F64, "the base of a share shown beside the value"),
        Column("text", STR, "value that is not a number (a status code, a county name, a list of kommuner)"),
    ),
    ("series_id", "nr", "of_round", "measure"),
)

ALL_TABLES.update({COMPARISON.name: COMPARISON})


# -- the one inclusion rule ------------------------------------------------------------

#: ``services.inkludert`` of a service that meets the kartlegging's definition (T18 = ja).
INCLUDED = "ja"


def included(services):  # noqa: ANN001, ANN201 (a pandas frame; pandas is not imported by the contracts)
    """The services that meet the definition: the one place the ``inkludert = ja`` rule is written.

    Every count of services, every kommune's status and every list the report shows goes through
    this predicate (in SQL: ``WHERE inkludert = 'ja'``, as the data dictionary says).
    """
    return services.loc[services["inkludert"].astype("object") == INCLUDED]
