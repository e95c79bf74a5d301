"""``make new-round ROUND=<round>``: everything a new survey round starts from, and its entry in the config.

Writes, and never overwrites:

- ``data/raw/<round>/`` with a blank template of every input: the contact list pre-filled with
  the round's kommuner and Oslo's bydeler (``kontaktliste.csv``), the dispatch list's header
  (``utsendelse.csv``, written in full by ``make letters``), the phone log's header
  (``telefonrunde.xlsx``), the folders ``epost/`` and ``intervjuer/``, a blank interview
  workbook (``maler/intervju.xlsx``) and ``README.md`` with the round's checklist;
- the round's entry under ``rounds:`` in the config file (the file's comments and layout kept):
  the Klass 131 version in force on the round's date, the addressee's title of the time
  (``kommunedirektør`` from 2020, ``rådmann`` before) and its own ``publication`` block, with
  ``demonstration: false`` and no date (so its report is a draft until one is set);
- ``config/register/<round>.yaml``, saying that nothing is published yet, and
  ``config/letters/<round>.yaml``, the letter (the five questions in bokmål) to edit before sending.

Run again, it completes what is missing of a round it started (the folder carries its marker)
and changes nothing else; a round that exists otherwise (the demonstration round) is refused.
Everything under ``data/raw/<round>/`` is personal data once filled in, and gitignored.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import yaml

from kartlegging.core import classification as klass
from kartlegging.core.letter import leader_title_for
from kartlegging.survey import contacts, interview_workbooks, phone_list
from kartlegging.survey.context import SurveyError, read_config
from kartlegging.survey.letters import DISPATCH_COLUMNS, Written

MARKER = "<!-- written by make new-round -->"
_ROUND_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def slug(text: str) -> str:
    """``Herøy (Nordland)`` → ``heroy-nordland``: ASCII for a file name."""
    import unicodedata

    text = text.replace("æ", "ae").replace("Æ", "Ae").replace("ø", "o").replace("Ø", "O")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def round_date(round_name: str, given: date | None) -> date:
    """The date a round's structure is taken from: ``given``, else 1 January of the year the name is."""
    if given is not None:
        return given
    if re.fullmatch(r"\d{4}", round_name):
        return date(int(round_name), 1, 1)
    raise SurveyError(f"round {round_name!r} is not a year: give its date with --date YYYY-MM-DD (DATE=... for make)")


def config_entry(round_name: str, version: str, when: date, title: str) -> list[str]:
    """The round's lines under ``rounds:`` (indented by two), with the comments an analyst needs."""
    return [
        f'  "{round_name}":',
        f'    classification: "{version}"   # Klass 131 version in force on {when.isoformat()}',
        f"    leader_title: {title}   # the letter's addressee in the kommuner (Oslo's bydeler: bydelsdirektør)",
        "    publication:   # the report's title page; without a date it is marked as a draft",
        "      demonstration: false",
        "      # publisher: ...",
        "      # series: ...",
        '      # number: "1/' + str(when.year + 1) + '"',
        "      # authors: [...]",
        "      # date: YYYY-MM-DD",
    ]


def add_round_entry(text: str, round_name: str, entry: list[str]) -> str:
    """``text`` (a config file) with ``entry`` appended to its ``rounds:`` block, every other line kept.

    The block is the top-level ``rounds:`` line and the indented lines after it; comments and blank
    lines that follow it belong to what comes next. A block in flow style (``rounds: {...}``) or no
    block cannot be edited safely: :class:`SurveyError` with the lines to paste by hand.
    """
    lines = text.split("\n")
    start = next((i for i, ln in enumerate(lines) if re.match(r"^rounds\s*:\s*(#.*)?$", ln)), None)
    if start is None:
        raise SurveyError("no block 'rounds:' (one round per indented entry) in the config file; add by hand:\n"
                          + "\n".join(["rounds:", *entry]))
    end = start + 1
    last = start
    while end < len(lines):
        ln = lines[end]
        if ln.strip() and not ln.startswith((" ", "\t")):
            break
        if ln.strip() and not ln.lstrip().startswith("#"):
            last = end
        end += 1
    new = lines[:last + 1] + entry + lines[last + 1:]
    return "\n".join(new)


def _write_config_entry(config_path: Path, round_name: str, entry: list[str]) -> None:
    text = config_path.read_text(encoding="utf-8")
    before = yaml.safe_load(text)
    new_text = add_round_entry(text, round_name, entry)
    after = yaml.safe_load(new_text)
    expected = dict(before)
    expected["rounds"] = {**(before.get("rounds") or {}), round_name: yaml.safe_load("\n".join(
        ln[2:] for ln in entry))[round_name]}
    if after != expected:
        raise SurveyError(f"{config_path}: could not add round {round_name} without changing other settings; "
                          "add by hand under 'rounds:':\n" + "\n".join(entry))
    tmp = config_path.with_suffix(config_path.suffix + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(config_path)


def _letter_text(round_name: str, reply_by: date) -> str:
    template = resources.files("kartlegging.survey").joinpath("letter_default.yaml").read_text(encoding="utf-8")
    return template.format(round=round_name, reply_by=reply_by.isoformat())


def _register_text(round_name: str) -> str:
    return (f"# Published figures of round {round_name}: none yet.\n"
            "# Until figures are published, the report computes every figure and reconciles none. Once they are,\n"
            "# list each with its published value and definition, as config/register/2015.yaml does\n"
            "# (README, \"Adding a round\").\n"
            f'round: "{round_name}"\n'
            "figures: []\n")


def _readme(round_name: str, version: str) -> str:
    return f"""# Round {round_name}
{MARKER}

Personal data: once filled in, every file in this folder holds names, addresses or answers
people wrote. The folder is gitignored; keep it out of any commit and any shared copy.

Kommune structure: SSB Klass 131 version {version}. In the order of the survey
(docs/INPUTS.md has the whole checklist):

1. Fill in `kontaktliste.csv` (one row per kommune and bydel: e-mail address, switchboard);
   Excel may save it as CSV in any form, or as `kontaktliste.xlsx`.
2. Edit the letter, `config/letters/{round_name}.yaml` (sender address, deadline, text).
3. `make letters ROUND={round_name}`: drafts in `utsendelse/brev/`, the dispatch list
   `utsendelse.csv`. Send them; save every reply as an .eml file in `epost/`.
4. `make run`, then `make review ROUND={round_name}`: settle what the rules cannot decide.
5. After the deadline, `make phone-list ROUND={round_name}`: `telefonrunde.xlsx` with the units
   without a reply, and reminders in `utsendelse/paminnelse/`. Log every call there.
6. `make interview-workbooks ROUND={round_name}`: a workbook in `intervjuer/` per service named.
   `maler/intervju.xlsx` is the blank form for any other interview.
7. `make run`: the round's tables and report.
"""


def new_round(config_path: str | Path, round_name: str, when: date | None = None,
              reply_by: date | None = None) -> Written:
    """Start a round (see the module docstring); returns what was written and what was kept."""
    config_path = Path(config_path)
    if not _ROUND_NAME.match(round_name):
        raise SurveyError(f"round name {round_name!r}: use letters, digits, '-' or '_' (a year: 2026)")
    config = read_config(config_path)
    rounds = {str(k): v for k, v in (config.get("rounds") or {}).items()}
    raw = Path(config.get("raw_dir", "data/raw")) / round_name
    ours = (raw / "README.md").is_file() and MARKER in (raw / "README.md").read_text(encoding="utf-8")
    if raw.exists() and any(raw.iterdir()) and not ours:
        what = "is in the config and " if round_name in rounds else ""
        raise SurveyError(f"round {round_name} {what}already has a folder {raw}/ that new-round did not write; "
                          "new-round never overwrites a round")
    if round_name in rounds and not ours and raw.exists():
        raise SurveyError(f"round {round_name} exists already; new-round never overwrites a round")
    when = round_date(round_name, when)
    reference = Path(config.get("reference_dir", "data/reference"))
    if round_name in rounds:
        wanted = str((rounds[round_name] or {}).get("classification", ""))
    else:
        wanted = when.isoformat()
    try:
        version = klass.version_for(reference, wanted)
        classification = klass.load(reference, version)
    except klass.ClassificationError as exc:
        raise SurveyError(f"round {round_name}: {exc}") from None
    done: list[str] = []

    def write(path: Path, data: bytes | str, what: str) -> None:
        if path.exists():
            done.append(f"kept {path} (exists)")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        done.append(f"wrote {path}: {what}")

    if not ours:
        for sub in ("epost", "intervjuer", "maler"):
            (raw / sub).mkdir(parents=True, exist_ok=True)
        write(raw / "kontaktliste.csv", contacts.template_bytes(classification),
              f"{len(contacts.units_of(classification))} units to fill in (e-mail address, switchboard)")
        write(raw / "utsendelse.csv", contacts.csv_bytes(DISPATCH_COLUMNS, []), "the dispatch list's header "
              "(make letters writes the list)")
        if not (raw / "telefonrunde.xlsx").exists():
            phone_list.write_blank(raw / "telefonrunde.xlsx")
            done.append(f"wrote {raw / 'telefonrunde.xlsx'}: the phone log's header")
        if not (raw / "maler" / "intervju.xlsx").exists():
            interview_workbooks.write_blank(raw / "maler" / "intervju.xlsx", round_name)
            done.append(f"wrote {raw / 'maler' / 'intervju.xlsx'}: the blank interview form")
        write(raw / "README.md", _readme(round_name, version), "the round's checklist")
    else:
        done.append(f"kept {raw}/ (this round was started before)")
    if round_name in rounds:
        done.append(f"kept the entry of round {round_name} in {config_path}")
    else:
        title = leader_title_for(str(when.year))
        _write_config_entry(config_path, round_name, config_entry(round_name, version, when, title))
        done.append(f"added round {round_name} to {config_path}: Klass 131 version {version}, leader_title {title}, "
                    "a draft publication block")
    register = Path(config.get("register_dir", "config/register")) / f"{round_name}.yaml"
    write(register, _register_text(round_name), "no figures published yet")
    letter = Path(config.get("letter_dir", "config/letters")) / f"{round_name}.yaml"
    write(letter, _letter_text(round_name, reply_by or date(when.year, 11, 30)),
          "the letter with the five questions; set the sender's address and the deadline")
    return Written(done)
