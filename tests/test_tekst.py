"""The analysts' Markdown chapters: live numbers, stops on unknown ids, typed numbers reported, escaped."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from markupsafe import Markup

from kartlegging.report.tekst import POSITIONS, TekstError, read_chapter, read_chapters, render_chapter

ROOT = Path(__file__).resolve().parents[1]
KNOWN = ("kommuner_totalt", "epost_kommuner_med_svar", "kommuner_uten_tjeneste_andel")


def _write(tmp_path: Path, body: str, name: str = "01-bakgrunn.md", position: str = "etter-sammendrag") -> Path:
    path = tmp_path / name
    path.write_text(f"---\ntittel: Bakgrunn\nplassering: {position}\n---\n{body}", encoding="utf-8")
    return path


def _fig(figure_id: str) -> Markup:
    return Markup('<span data-figure-id="{0}">[{0}]</span>').format(figure_id)


def test_reference_renders_the_figure(tmp_path):
    text = "Av {{ tall.kommuner_totalt }} kommuner svarte {{tall.epost_kommuner_med_svar}}.\n"
    ch = read_chapter(_write(tmp_path, text), KNOWN)
    html = str(render_chapter(ch, _fig))
    assert html == ('<p>Av <span data-figure-id="kommuner_totalt">[kommuner_totalt]</span> kommuner svarte '
                    '<span data-figure-id="epost_kommuner_med_svar">[epost_kommuner_med_svar]</span>.</p>\n')
    assert ch.references == ("kommuner_totalt", "epost_kommuner_med_svar") and ch.typed_numbers == ()


def test_unknown_id_stops_naming_file_and_line(tmp_path):
    path = _write(tmp_path, "Første linje.\n\nHer står {{ tall.finnes_ikke }}.\n")
    with pytest.raises(TekstError, match=rf"{re.escape(str(path))} line 7: unknown figure id 'finnes_ikke'"):
        read_chapter(path, KNOWN)


@pytest.mark.parametrize("body", ["{{ tall.kommuner_totalt | safe }}", "{% include 'x' %}", "{{ 7 * 7 }}",
                                  "{{ config.__class__ }}"])
def test_other_template_syntax_stops_and_is_never_run(tmp_path, body):
    with pytest.raises(TekstError, match="line 5"):
        read_chapter(_write(tmp_path, body + "\n"), KNOWN)


def test_typed_number_is_reported_with_file_and_line(tmp_path, caplog):
    body = ("I 2015, den 1. januar 2015, og i kapittel 3 og figur 2 er tallene lov.\n"
            "Men 188 kommuner svarte, og 12,5 tilbud er for mange.\n")
    path = _write(tmp_path, body)
    with caplog.at_level(logging.WARNING, logger="kartlegging.report.tekst"):
        ch = read_chapter(path, KNOWN)
    assert [(n.line, n.number) for n in ch.typed_numbers] == [(6, "188"), (6, "12,5")]
    assert f"{path} line 6: number 188 typed as digits" in caplog.text


def test_text_is_escaped_and_raw_html_does_not_pass(tmp_path):
    body = ('<script>alert("x")</script>\n\nTekst med <b onclick="x()">fet</b> & [lenke](javascript:alert(1)).\n\n'
            "# Underkapittel\n")
    html = str(render_chapter(read_chapter(_write(tmp_path, body), KNOWN), _fig))
    assert "<script" not in html and "<b " not in html and "href=\"javascript:" not in html  # the link stays text
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert "<h3>Underkapittel</h3>" in html  # a # inside a chapter is a subsection under the chapter's h2


@pytest.mark.parametrize(("body", "tags"), [
    ("## Del\n\ntekst\n", ["h3"]),  # the highest level used opens a subsection, # or ## alike
    ("# Del\n\n### Under\n\n# Neste\n", ["h3", "h4", "h3"]),  # no level skipped below the one before
    ("## A\n\n#### B\n\n###### C\n", ["h3", "h4", "h5"]),
])
def test_chapter_headings_start_under_the_chapter_title_and_skip_no_level(tmp_path, body, tags):
    html = str(render_chapter(read_chapter(_write(tmp_path, body), KNOWN), _fig))
    assert re.findall(r"<(h[1-6])>", html) == tags


def test_front_matter_is_required_and_checked(tmp_path):
    bare = tmp_path / "bare.md"
    bare.write_text("Ingen front matter.\n", encoding="utf-8")
    with pytest.raises(TekstError, match="bare.md line 1"):
        read_chapter(bare, KNOWN)
    with pytest.raises(TekstError, match="plassering must be one of"):
        read_chapter(_write(tmp_path, "x\n", position="midt-i"), KNOWN)


def test_demo_chapters_have_every_number_live():
    """The shipped chapters of the demo round: known positions, no typed number, each quotes figures."""
    paths = sorted((ROOT / "config" / "tekst" / "2015").glob("*.md"))
    import yaml

    from kartlegging.analysis.findings import FINDINGS

    register = yaml.safe_load((ROOT / "config" / "register" / "2015.yaml").read_text(encoding="utf-8"))
    chapters = read_chapters(paths, [f["id"] for f in register["figures"]], FINDINGS)
    assert [c.title for c in chapters] == ["Forord", "Bakgrunn", "Hva tjenestene gir brukere og fagfolk",
                                           "Avslutning"]
    assert all(c.position in POSITIONS for c in chapters)
    assert all(c.typed_numbers == () for c in chapters)
    assert sum(len(c.references) for c in chapters) >= 15


def test_unknown_id_stops_the_report_rule_with_one_line(tmp_path, capsys, quiet_logger):
    """Through the runner the report rule uses: exit 1, one line naming the file and line, no output left."""
    from corpus import stopped

    path = _write(tmp_path, "{{ tall.kommuner_totlat }}\n")
    html = tmp_path / "kartlegging.html"
    stop = stopped("report", [str(html)], tmp_path / "report.log", lambda: read_chapters([path], KNOWN))
    assert stop == (f"rule report stopped: TekstError: {path} line 5: unknown figure id 'kommuner_totlat' "
                    "in {{ tall.kommuner_totlat }}")
    assert capsys.readouterr().err == ""


# -- conditions: a sentence that states a finding renders only where the finding holds -------------------------

FINDINGS = ("navn_som_organisering", "fire_diagnoser")
CONDITIONAL = ("Første setning.\n"
               "{% hvis funn.navn_som_organisering %}\n"
               "Navn og organisering deler likt.\n"
               "{% ellers hvis tall.kommuner_totalt > 400 %}\n"
               "Mange kommuner.\n"
               "{% ellers %}\n"
               "Navn og organisering gir ulike tall.\n"
               "{% slutt %}\n"
               "Siste setning{% hvis ikke funn.fire_diagnoser %}, uten de fire{% slutt %}.\n")


def _lookup(values):
    return lambda kind, fid: values.get(f"{kind}.{fid}")


@pytest.mark.parametrize(("values", "shown", "hidden"), [
    ({"funn.navn_som_organisering": 1.0, "tall.kommuner_totalt": 428.0, "funn.fire_diagnoser": 1.0},
     ["Navn og organisering deler likt.", "Siste setning."], ["ulike tall", "Mange kommuner", "uten de fire"]),
    ({"funn.navn_som_organisering": 0.0, "tall.kommuner_totalt": 428.0, "funn.fire_diagnoser": 0.0},
     ["Mange kommuner.", "Siste setning, uten de fire."], ["deler likt", "ulike tall"]),
    ({"funn.navn_som_organisering": 0.0, "tall.kommuner_totalt": 357.0, "funn.fire_diagnoser": 1.0},
     ["Navn og organisering gir ulike tall."], ["deler likt", "Mange kommuner"]),
])
def test_a_condition_chooses_the_sentence_the_data_bear_out(tmp_path, values, shown, hidden):
    ch = read_chapter(_write(tmp_path, CONDITIONAL), KNOWN, FINDINGS)
    html = str(render_chapter(ch, _fig, _lookup(values)))
    for text in shown:
        assert text in html, text
    for text in hidden:
        assert text not in html, text
    # a line holding only a tag leaves no blank line: the block stays inside the paragraph around it
    assert html.count("<p>") == 1
    assert ch.typed_numbers == ()  # the number a condition compares with is not a typed number


def test_a_finding_not_computed_shows_neither_the_claim_nor_its_opposite(tmp_path, caplog):
    ch = read_chapter(_write(tmp_path, CONDITIONAL), KNOWN, FINDINGS)
    with caplog.at_level(logging.WARNING, logger="kartlegging.report.tekst"):
        html = str(render_chapter(ch, _fig, _lookup({"tall.kommuner_totalt": 428.0})))
    assert "deler likt" not in html and "ulike tall" not in html and "Mange kommuner" not in html
    assert "Første setning." in html and "not computed" in caplog.text


@pytest.mark.parametrize(("body", "message"), [
    ("{% hvis funn.finnes_ikke %}x{% slutt %}\n", "line 5: unknown finding 'finnes_ikke'"),
    ("{% hvis tall.finnes_ikke > 1 %}x{% slutt %}\n", "line 5: unknown figure id 'finnes_ikke' in a condition"),
    ("{% hvis kommuner_totalt %}x{% slutt %}\n", "line 5: cannot read the condition"),
    ("{% hvis tall.kommuner_totalt + 1 %}x{% slutt %}\n", "line 5: cannot read the condition"),
    ("{% hvis 1 > 0 %}x{% slutt %}\n", "names no figure or finding"),
    ("Tekst.\n{% slutt %}\n", "line 6: {% slutt %} without an open"),
    ("{% hvis funn.fire_diagnoser %}\nx\n", "line 5: {% hvis ... %} is never closed"),
    ("{% hvis funn.fire_diagnoser %}a{% ellers %}b{% ellers %}c{% slutt %}\n", "after {% ellers %}"),
    ("{% for x in y %}{% endfor %}\n", "line 5: '{% for x in y %}' is not a condition"),
    ("{% hvis funn.fire_diagnoser and config %}x{% slutt %}\n", "cannot read the condition"),
])
def test_a_bad_condition_stops_with_file_and_line(tmp_path, body, message):
    with pytest.raises(TekstError, match=re.escape(message)):
        read_chapter(_write(tmp_path, body), KNOWN, FINDINGS)


def test_conditions_nest(tmp_path):
    body = ("{% hvis funn.fire_diagnoser %}A{% hvis tall.kommuner_totalt >= 428 %} og B{% ellers %} men ikke B"
            "{% slutt %}.{% slutt %}\n")
    ch = read_chapter(_write(tmp_path, body), KNOWN, FINDINGS)
    both = str(render_chapter(ch, _fig, _lookup({"funn.fire_diagnoser": 1.0, "tall.kommuner_totalt": 428.0})))
    one = str(render_chapter(ch, _fig, _lookup({"funn.fire_diagnoser": 1.0, "tall.kommuner_totalt": 357.0})))
    none = str(render_chapter(ch, _fig, _lookup({"funn.fire_diagnoser": 0.0, "tall.kommuner_totalt": 428.0})))
    assert "A og B." in both and "A men ikke B." in one and none == ""


def test_a_publication_number_is_not_a_typed_number(tmp_path):
    ch = read_chapter(_write(tmp_path, "Notat 4/2016 fra NK LMH, men 12 tjenester.\n"), KNOWN)
    assert [n.number for n in ch.typed_numbers] == ["12"]
