"""Personal data never leaves the ingest: a scan of every output of the demo round.

The names, phone numbers and e-mail addresses are collected from the raw files
themselves (``privacy_scan.collect_round``: From/To addresses and signature
names of the .eml files, T20/T21 of the workbooks, Kontakt/Kommentar of the
phone log, the dispatch addresses), joined with what the generator says it
wrote (``Generated.personal``, every combination of its first and last names,
and its ``PERSONAL_PATTERNS``). Every file under the processed and report
folders is read as a person would read it (Parquet decoded, PDF text, HTML with
entities resolved, the DuckDB file's views) and so are the logs.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from privacy_scan import Personal, collect_round, digits, leaks, output_text, scan_folders

ROOT = Path(__file__).resolve().parents[1]
RAW_ROUND = ROOT / "data" / "raw" / "2015"


@pytest.fixture(scope="module")
def personal(tmp_path_factory) -> Personal:
    """Every personal value of the demo round: from the raw files, plus the generator's own lists."""
    from kartlegging_synth import FIRST_NAMES, LAST_NAMES, generate

    found = collect_round(RAW_ROUND)
    generated = generate(tmp_path_factory.mktemp("synth"), "2015", 2015).personal
    for value in generated:
        if "@" in value:
            found.addresses.add(value.lower())
        elif any(ch.isdigit() for ch in value):
            found.phones.add(digits(value))
        elif " " in value:  # a lone first name ("Hilsen Randi") is also an ordinary word: not searched
            found.names.add(value)
    found.names |= {f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES}
    return found


@pytest.fixture(scope="module")
def patterns() -> tuple[str, ...]:
    from kartlegging_synth import PERSONAL_PATTERNS

    return tuple(PERSONAL_PATTERNS)


def test_the_raw_round_holds_what_the_scan_looks_for(personal):
    """The collector must find personal data in the raw files, or a clean scan would prove nothing."""
    raw_only = collect_round(RAW_ROUND)
    assert len(raw_only.names) > 150 and len(raw_only.addresses) > 400 and len(raw_only.phones) > 200
    # T20 of a workbook, a signature, a phone-log comment: each kind is collected
    from python_calamine import CalamineWorkbook

    t20 = set()
    for path in sorted((RAW_ROUND / "intervjuer").glob("*.xlsx"))[:5]:
        for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Intervju").to_python():
            if str(row[0]).strip().upper() in ("T20", "T 20"):
                t20.add(" ".join(str(row[2]).split()))
    assert t20 and t20 <= raw_only.names
    assert all(not a.endswith("@nklmh.no") for a in raw_only.addresses)  # the project's own mailbox is not personal


def test_scanner_finds_what_was_planted(tmp_path, personal, patterns):
    """Names across a line break, numbers in another spelling, addresses in other case, in each format."""
    name = sorted(personal.names)[0]
    phone = sorted(personal.phones)[0]
    address = sorted(personal.addresses)[0]
    first, last = name.split(" ", 1)
    spaced = " ".join(phone[i:i + 2] for i in range(0, 8, 2))
    (tmp_path / "a.log").write_text(f"INFO ok\nINFO {first}\n{last} said hi\n", encoding="utf-8")
    (tmp_path / "b.html").write_text(f"<p>ring +47 {spaced}</p>", encoding="utf-8")
    pq.write_table(pa.table({"x": [None, address.upper()]}), tmp_path / "c.parquet")
    db = tmp_path / "d.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"CREATE VIEW v AS SELECT '{address}' AS x")
    con.close()
    found = scan_folders([tmp_path], personal, patterns)
    assert set(found) == {str(tmp_path / n) for n in ("a.log", "b.html", "c.parquet", "d.duckdb")}
    assert leaks("dato 24.11.2014, 12 000 deltakere, kommune 0301", personal, ()) == []


@pytest.mark.e2e
def test_no_output_of_the_demo_round_holds_personal_data(demo_run, personal, patterns):
    folders = [demo_run / "processed", demo_run / "report"]
    assert sum(1 for f in folders for p in f.rglob("*") if p.is_file()) > 20
    assert scan_folders(folders, personal, patterns) == {}


@pytest.mark.e2e
def test_no_log_line_holds_personal_data(demo_run, personal, patterns):
    logs = sorted((demo_run / "logs").rglob("*.log"))
    assert len(logs) >= 10
    bad = {str(p): found for p in logs if (found := leaks(p.read_text(encoding="utf-8"), personal, patterns))}
    assert bad == {}


@pytest.mark.e2e
def test_the_pdf_is_read_as_text(demo_run):
    """A PDF whose text cannot be extracted would pass the scan vacuously."""
    text = output_text(demo_run / "report" / "2015" / "kartlegging.pdf")
    assert "kommune" in text.casefold() and len(text) > 5000


@pytest.mark.parametrize("text, masked", [
    ("ring 41 23 45 67 eller kari.nordmann@bodo.kommune.no", "ring [telefon] eller [e-post]"),
    ("+47 92 34 56 78", "[telefon]"),
    ("99.00.12.34", "[telefon]"),
    ("99.00.1234", "[telefon]"),
    ("not a valid date: '31.02.2014'", "not a valid date: '31.02.2014'"),  # a date is no phone number
    ("12.11.2014 kl. 10", "12.11.2014 kl. 10"),
    ("bydel 030102, kommune 1804", "bydel 030102, kommune 1804"),
])
def test_mask_personal_masks_numbers_and_addresses_but_not_dates(text, masked):
    from kartlegging.core.issues import mask_personal

    assert mask_personal(text, 500) == masked


def test_issue_reasons_and_log_lines_are_masked_too():
    """A coding error quotes what was typed; the reason reaches the issues table and the log, so the
    quoted value is dropped and numbers, addresses and Message-IDs are masked. No raw value is kept."""
    from kartlegging.core.issues import Issue, issues_frame

    issue = Issue("telefon", "telefonrunde.xlsx", "7", "svar", "telefon.svar_ukjent",
                  "phone answer not recognised: 'ring Kari Nordmann 41 23 45 67 / ola@x.no'; "
                  "see +44 20 7946 0958, <CAF3x.ola.nordmann@mail.gmail.com>", locator="cell E7")
    frame = issues_frame("t", [issue])
    assert frame.loc[0, "reason"] == "phone answer not recognised: '…'; see [tall], [message-id]"
    assert (frame.loc[0, "reason_code"], frame.loc[0, "locator"]) == ("telefon.svar_ukjent", "cell E7")
    assert "raw_value" not in frame.columns
    for secret in ("Kari", "41 23", "ola@", "7946", "CAF3x", "ola.nordmann"):
        assert secret not in issue.message()
    assert "telefon.svar_ukjent" in issue.message() and "cell E7" in issue.message()


def test_an_issue_with_a_code_outside_the_catalogue_is_a_programming_error():
    from kartlegging.core.issues import Issue
    from kartlegging.core.reasons import UnknownReason

    with pytest.raises(UnknownReason):
        Issue("telefon", "t.xlsx", "7", "svar", "telefon.no_such_code", "x")


def test_every_reason_code_has_a_bokmal_and_an_english_message():
    from kartlegging.core.reasons import CATALOGUE

    for code, entry in CATALOGUE.items():
        assert code.split(".", 1)[0] in {"epost", "telefon", "intervju", "kostra"}, code
        assert entry.nb.strip() and entry.en.strip() and entry.nb != entry.en, code


@pytest.mark.parametrize("typed, kept", [
    ("sentralbord", "sentralbord"),
    ("Helseleder", "helseleder"),
    ("Kari Nordmann, helseleder, 41 23 45 67", "helseleder"),
    ("enhetsleder helse", "enhetsleder helse"),
    ("Ola på legekontoret", "legekontoret"),
    ("Kari", "annet"),
    (None, None),
])
def test_kontakt_keeps_only_roles(typed, kept):
    from kartlegging.core.coding import kontakt_role

    assert kontakt_role(typed) == kept
