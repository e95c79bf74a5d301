"""A throwaway project folder for the survey commands: the repo's config and schema copied, the reference
data linked, so that ``new-round`` and the rest edit copies, never a tracked file of the repository."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_project(tmp: Path, keep_rounds: bool = True) -> Path:
    """``tmp/project`` with config/config.yaml (the repository's text; without its rounds' entries when
    ``keep_rounds`` is false) and config/schema.yaml, and data/reference linked to the repository's."""
    project = tmp / "project"
    (project / "config").mkdir(parents=True)
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    if not keep_rounds:
        lines = text.split("\n")
        start = lines.index("rounds:")
        end = start + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
            end += 1
        text = "\n".join(lines[:start + 1] + [""] + lines[end:])
    (project / "config" / "config.yaml").write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "config" / "schema.yaml", project / "config" / "schema.yaml")
    (project / "data").mkdir()
    (project / "data" / "reference").symlink_to(ROOT / "data" / "reference")
    return project


def survey(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m kartlegging.survey ...`` run in the project folder, as ``make`` runs it."""
    return subprocess.run([sys.executable, "-m", "kartlegging.survey", *args], cwd=project, capture_output=True,
                          text=True, timeout=600)


def address_of(name: str) -> str:
    slug = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return "postmottak@" + re.sub(r"[^a-z0-9]+", "-", slug).strip("-") + ".kommune.no"


def fill_contacts(round_dir: Path, encoding: str = "windows-1252") -> dict[str, str]:
    """Fill in an address and a switchboard on every row, saved as Excel on a Norwegian machine would
    (windows-1252, ';', CRLF); returns the address of every unit."""
    path = round_dir / "kontaktliste.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    header, addresses = rows[0], {}
    for row in rows[1:]:
        row[header.index("epost")] = addresses.setdefault(row[0], address_of(row[3]))
        row[header.index("sentralbord")] = f"+47 99 00 {len(addresses):04d}"
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return addresses


def set_sender(project: Path, round_name: str, address: str = "kartlegging@example.no") -> None:
    path = project / "config" / "letters" / f"{round_name}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('address: ""', f'address: "{address}"'), encoding="utf-8")


def start_round(tmp: Path, round_name: str = "2026") -> Path:
    """A project whose round is started, its contact list filled in and the letter's sender set."""
    project = make_project(tmp, keep_rounds=False)
    proc = survey(project, "new-round", round_name)
    assert proc.returncode == 0, proc.stderr
    fill_contacts(project / "data" / "raw" / round_name)
    set_sender(project, round_name)
    return project


def without_sign_off(lines: list[str]) -> list[str]:
    """The quote a client keeps when it cuts the letter at its closing: the questions, no sign-off."""
    cut = lines[:lines.index("Vennlig hilsen")]
    while cut and not cut[-1].strip():
        cut.pop()
    return cut


def quote(lines: list[str], style: str) -> list[str]:
    """The letter's lines quoted as a mail client quotes them in a reply."""
    if style == "gt":
        return ["Den 01.10.2026 09:00, skrev Kartleggingen:"] + [("> " + ln).rstrip() for ln in lines]
    if style == "gt-rewrapped":   # a client that rewraps the quote at 60 columns
        text = "\n".join(lines).split("\n\n")
        out = ["On Thu, Oct 1, 2026 at 9:00 AM Kartleggingen <kartlegging@example.no> wrote:"]
        for para in text:
            out += ["> " + w for w in textwrap.wrap(" ".join(para.split()), 60)] + [">"]
        return out
    if style == "outlook":
        return ["-----Opprinnelig melding-----", "Fra: Kartleggingen [mailto:kartlegging@example.no]",
                "Sendt: 1. oktober 2026 09:00", "Til: Postmottak", "Emne: Kartlegging", ""] + lines
    if style == "paragraphs":    # HTML mail turned into text: one line per paragraph
        return ["________________________________", "Fra: Kartleggingen <kartlegging@example.no>",
                "Sendt: torsdag 1. oktober 2026 09:00", "Til: postmottak", "Emne: Kartlegging", ""] + [
            " ".join(p.split()) for p in "\n".join(lines).split("\n\n")]
    raise ValueError(style)
