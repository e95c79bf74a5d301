"""Tests of the e-mail ingest: every mess of INPUTS.md section 2, and the failure cases."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from pathlib import Path

import pandas as pd
import pytest

from kartlegging.core.classification import load
from kartlegging.core.issues import issues_frame
from kartlegging.core.overrides import Override, OverrideError
from kartlegging.core.tables import EMAIL_REPLIES, salted_hash
from kartlegging.ingest.dispatch import read_dispatch
from kartlegging.ingest.email.mime import decode_bytes, decode_header_text, html_to_text
from kartlegging.ingest.email.reader import ingest_email
from kartlegging.ingest.email.row import EmailError

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
SUBJECT = "Kartlegging av lærings- og mestringstjenester i kommunene"
DISPATCH_CSV = """enhet_id;kommunenummer;bydelsnummer;enhet_navn;mottaker_rolle;epost;message_id;sendt
K1804;1804;;Bodø kommune;rådmann;postmottak@bodo.kommune.no;<k1804.2014@nklmh.test>;2014-11-10
K0301;0301;;Oslo kommune;rådmann;postmottak@oslo.kommune.no;<k0301.2014@nklmh.test>;2014-11-10
B030102;0301;030102;Bydel Grünerløkka;bydelsdirektør;postmottak@bga.oslo.kommune.no;<b030102.2014@nklmh.test>;2014-11-10
K1840;1840;;Saltdal kommune;rådmann;postmottak@saltdal.kommune.no;<k1840.2014@nklmh.test>;2014-11-10
K1867;1867;;Bø kommune;rådmann;bo@vesteralen.test;<k1867.2014@nklmh.test>;2014-11-10
K1868;1868;;Øksnes kommune;rådmann;oksnes@vesteralen.test;<k1868.2014@nklmh.test>;2014-11-10
K0101;0101;;Halden kommune;rådmann;radmann.halden@gmail.com;<k0101.2014@nklmh.test>;2014-11-10
"""

QUESTIONNAIRE = [
    "1. Har kommunen (bydelen) en lærings- og mestringstjeneste, det vil si et senter, en avdeling eller en "
    "koordinator som utvikler eller tilbyr gruppebaserte lærings- og mestringstilbud med brukermedvirkning? "
    "(ja / nei / vet ikke)",
    "2. Hva heter tjenesten, og hvor er den organisatorisk plassert?",
    "3. Er tjenesten kommunal eller interkommunal? Hvis interkommunal: hvilke kommuner deltar?",
    "4. Navn, telefon og e-post til leder eller koordinator.",
    "5. Har kommunen planer om å etablere en slik tjeneste? (ja / nei / vet ikke)",
]


def wrap(text: str, width: int = 72) -> list[str]:
    """Wrap like a mail client, so quoted questions and option lists break across lines."""
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}".strip()
    return lines + [cur]


def quoted_questionnaire(prefix: str = "> ") -> str:
    out = [f"{prefix}Hei,", f"{prefix}", f"{prefix}Vi ber om svar på følgende spørsmål:", f"{prefix}"]
    for q in QUESTIONNAIRE:
        out += [prefix + ln for ln in wrap(q)] + [prefix]
    return "\n".join(out)


@pytest.fixture(scope="module")
def classification():
    return load(REFERENCE, "2015")


@pytest.fixture()
def dispatch(tmp_path, classification):
    path = tmp_path / "utsendelse.csv"
    path.write_text(DISPATCH_CSV, encoding="utf-8")
    return read_dispatch(path, classification, "2015")


def make(body: str = "1. Ja\n5. Nei", subject: str = f"SV: {SUBJECT} [K1804]",
         sender: str = "Ola Nordmann <postmottak@bodo.kommune.no>",
         date: str = "Tue, 18 Nov 2014 10:00:00 +0100", headers: dict[str, str] | None = None,
         html: str | None = None, attachments: list[tuple[str, bytes, str]] = (),
         message_id: str = "<reply.1@bodo.kommune.no>") -> bytes:
    """An e-mail as bytes, built with the stdlib for the well-formed cases."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "kartlegging@nklmh.test"
    msg["Subject"] = subject
    if date:
        msg["Date"] = date
    msg["Message-ID"] = message_id
    for key, value in (headers or {}).items():
        msg[key] = value
    if body is not None:
        msg.set_content(body)
    if html is not None:
        if body is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def run(tmp_path, dispatch, classification, files: dict[str, bytes], overrides: list[Override] = ()):
    folder = tmp_path / "epost"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return ingest_email(folder, dispatch, classification, "2015", list(overrides))


def row(result, file: str) -> dict:
    table = result.table.set_index("file")
    return {k: (None if not isinstance(v, (bool, list)) and pd.isna(v) else v)
            for k, v in table.loc[file].to_dict().items()}


def issues_of(result, file: str) -> dict[str, object]:
    return {i.field: i for i in result.issues if i.file == file}


# ---------------------------------------------------------------------------
# table shape and personal data
# ---------------------------------------------------------------------------

def test_table_has_the_declared_columns_and_codes(tmp_path, dispatch, classification):
    result = run(tmp_path, dispatch, classification, {"a.eml": make(), "b.txt": b"hei"})
    assert list(result.table.columns) == EMAIL_REPLIES.column_names
    assert str(result.table["date"].dtype) == "datetime64[us, UTC]"
    for col in EMAIL_REPLIES.columns:
        if col.allowed:
            values = set(result.table[col.name].dropna())
            assert values <= set(col.allowed), col.name
        if not col.nullable:
            assert result.table[col.name].notna().all(), col.name


def test_basic_reply_is_identified_and_coded(tmp_path, dispatch, classification):
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make()}), "a.eml")
    assert r["enhet_id"] == "K1804" and r["kommunenummer"] == "1804" and r["ident_method"] == "tag"
    assert r["q1"] == "ja" and r["q5"] == "nei" and r["status"] == "svar"
    assert r["date"] == pd.Timestamp("2014-11-18 09:00:00", tz="UTC")
    assert r["message_id"] == salted_hash("reply.1@bodo.kommune.no")  # hashed: the local part may name the sender
    assert r["content_type"] == "text/plain"
    assert r["sender_hash"] == salted_hash("postmottak@bodo.kommune.no")


def test_no_address_name_or_phone_leaves_the_ingest(tmp_path, dispatch, classification):
    body = ("Hei\n\nVi har ikke noe slikt. Ring meg gjerne på 75 55 50 00.\n\n"
            "Mvh\nKari Hansen\nkari.hansen@privat.test")
    files = {"a.eml": make(body, subject="Svar", sender="Kari Hansen <kari.hansen@privat.test>")}
    result = run(tmp_path, dispatch, classification, files)
    flat = " ".join(str(v) for v in result.table.to_numpy().ravel())
    assert "kari" not in flat.lower() and "privat.test" not in flat and "75 55" not in flat
    frame = issues_frame("2015", result.issues)
    flat_issues = " ".join(str(v) for v in frame.to_numpy().ravel())
    assert "kari.hansen@" not in flat_issues and "75 55 50 00" not in flat_issues


# ---------------------------------------------------------------------------
# identification cascade
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["[K1804]", "[ K1804 ]", "[k1804]", "(K1804)", "K 1804", "[K-1804]", "K1804"])
def test_mangled_tags(tmp_path, dispatch, classification, tag):
    files = {"a.eml": make(subject=f"Sv: {SUBJECT} {tag}", sender="someone@elsewhere.test")}
    r = row(run(tmp_path, dispatch, classification, files), "a.eml")
    assert (r["enhet_id"], r["ident_method"]) == ("K1804", "tag")


def test_bydel_tag_gives_oslo_kommunenummer(tmp_path, dispatch, classification):
    files = {"a.eml": make(subject=f"RE: {SUBJECT} [B030102]", sender="x@elsewhere.test")}
    r = row(run(tmp_path, dispatch, classification, files), "a.eml")
    assert (r["enhet_id"], r["kommunenummer"], r["ident_method"]) == ("B030102", "0301", "tag")


def test_tag_not_in_dispatch_falls_through_to_sender(tmp_path, dispatch, classification):
    files = {"a.eml": make(subject=f"SV: {SUBJECT} [K1103]", sender="POSTMOTTAK@Saltdal.Kommune.no")}
    r = row(run(tmp_path, dispatch, classification, files), "a.eml")
    assert (r["enhet_id"], r["ident_method"]) == ("K1840", "sender_address")


def test_in_reply_to_and_references(tmp_path, dispatch, classification):
    files = {
        "a.eml": make(subject="Svar på kartlegging", sender="x@elsewhere.test",
                      headers={"In-Reply-To": "<K1840.2014@nklmh.test>"}),
        "b.eml": make(subject="Svar på kartlegging", sender="x@elsewhere.test",
                      headers={"References": "<other@x.test> <b030102.2014@nklmh.test>"}),
    }
    result = run(tmp_path, dispatch, classification, files)
    assert (row(result, "a.eml")["enhet_id"], row(result, "a.eml")["ident_method"]) == ("K1840", "in_reply_to")
    assert (row(result, "b.eml")["enhet_id"], row(result, "b.eml")["ident_method"]) == ("B030102", "in_reply_to")


def test_sender_domain_of_exactly_one_dispatch_address(tmp_path, dispatch, classification):
    files = {
        "a.eml": make(subject="Kartlegging", sender="helsesjef@bodo.kommune.no"),
        # two units were mailed at vesteralen.test: the domain identifies neither
        "b.eml": make(subject="Kartlegging", sender="helse@vesteralen.test", body="Nei"),
        # a free-mail domain never identifies a unit, even if one unit was mailed there
        "c.eml": make(subject="Kartlegging", sender="someone@gmail.com", body="Nei"),
    }
    result = run(tmp_path, dispatch, classification, files)
    assert (row(result, "a.eml")["enhet_id"], row(result, "a.eml")["ident_method"]) == ("K1804", "sender_domain")
    for name in ("b.eml", "c.eml"):
        r = row(result, name)
        assert r["enhet_id"] is None and r["ident_method"] == "none" and r["status"] == "til_vurdering"
        assert issues_of(result, name)["enhet_id"].reason.startswith("no unit identified")
    assert "shared by 2" in issues_of(result, "b.eml")["enhet_id"].reason


def test_named_in_signature_and_bydel_of_oslo(tmp_path, dispatch, classification):
    files = {
        "a.eml": make("Nei, vi har ikke en slik tjeneste.\n\nMed vennlig hilsen\nKari\nHelse og omsorg\n"
                      "Saltdal kommune",
                      subject="Spørreskjema", sender="kari@online.no"),
        "b.eml": make("Ja\n\nMvh\nBydel Grünerløkka\nOslo kommune", subject="Spørreskjema", sender="x@online.no"),
        # several kommuner named in the body, the signature decides
        "c.eml": make("Ja. Tjenesten er et samarbeid med Bodø kommune og Saltdal kommune.\n\nHilsen\nSaltdal kommune",
                      subject="Spørreskjema", sender="y@online.no"),
        # several kommuner and no signature: not guessed
        "d.eml": make("Ja. Tjenesten er et samarbeid med Bodø kommune og Saltdal kommune.",
                      subject="Spørreskjema", sender="z@online.no"),
    }
    result = run(tmp_path, dispatch, classification, files)
    assert (row(result, "a.eml")["enhet_id"], row(result, "a.eml")["ident_method"]) == ("K1840", "named_in_text")
    assert (row(result, "b.eml")["enhet_id"], row(result, "b.eml")["kommunenummer"]) == ("B030102", "0301")
    assert row(result, "c.eml")["enhet_id"] == "K1840"
    assert row(result, "d.eml")["enhet_id"] is None and row(result, "d.eml")["status"] == "til_vurdering"


def test_unit_named_only_in_quoted_text_is_not_used(tmp_path, dispatch, classification):
    body = ("Nei.\n\n-----Opprinnelig melding-----\nFra: Postmottak\nSendt: 12. november 2014 10:00\n"
            "Til: Helse\nEmne: VS: Kartlegging\n\nKan du svare? Hilsen Bodø kommune")
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body, subject="Svar", sender="x@online.no")}),
            "a.eml")
    assert r["enhet_id"] is None and r["q1"] == "nei"


# ---------------------------------------------------------------------------
# MIME, charsets and transfer encodings
# ---------------------------------------------------------------------------

def raw_mail(body: bytes, charset: str | None, cte: str, subject: bytes = b"SV: Kartlegging [K1804]",
             ctype: str = "text/plain", extra: bytes = b"") -> bytes:
    ct = f"Content-Type: {ctype}" + (f"; charset={charset}" if charset else "")
    head = (b"From: Kari <kari@bodo.kommune.no>\r\nTo: kartlegging@nklmh.test\r\nSubject: " + subject +
            b"\r\nDate: Wed, 19 Nov 2014 08:00:00 +0100\r\nMessage-ID: <raw@bodo>\r\nMIME-Version: 1.0\r\n" +
            ct.encode() + b"\r\nContent-Transfer-Encoding: " + cte.encode() + b"\r\n" + extra + b"\r\n")
    return head + body


TEXT = "Nei, vi har dessverre ikke en lærings- og mestringstjeneste.\n\nMvh\nKari\nBodø kommune\n"


@pytest.mark.parametrize(
    "data, charset, cte",
    [
        (TEXT.encode("iso-8859-1"), "iso-8859-1", "8bit"),
        (TEXT.encode("utf-8"), "iso-8859-1", "8bit"),            # declared wrongly: utf-8 bytes
        (TEXT.encode("iso-8859-1"), "utf-8", "8bit"),            # declared wrongly: latin-1 bytes
        (TEXT.encode("windows-1252"), None, "8bit"),             # no charset at all
        (TEXT.encode("windows-1252"), "windows-1252", "8bit"),
        (base64.encodebytes(TEXT.encode("utf-8")), "utf-8", "base64"),
        (base64.encodebytes(TEXT.encode("iso-8859-1")), "utf-8", "base64"),
        (b"Nei, vi har dessverre ikke en l=E6rings- og mestringstjeneste.\n\nMvh\nKari\nBod=F8 kommune\n",
         "iso-8859-1", "quoted-printable"),
        (b"Nei, vi har dessverre ikke en l=C3=A6rings- og mestringstjen=\neste.\n\nMvh\nKari\nBod=C3=B8 kommune\n",
         "windows-1252", "quoted-printable"),
    ],
)
def test_charsets_and_transfer_encodings(tmp_path, dispatch, classification, data, charset, cte):
    mail = raw_mail(data, charset, cte, subject=b"Svar kartlegging")
    r = row(run(tmp_path, dispatch, classification, {"a.eml": mail}), "a.eml")
    # the kommune is found only if "Bodø" was decoded right (sender domain is bodo.kommune.no,
    # so use a sender the cascade cannot use)
    assert r["q1"] == "nei"


@pytest.mark.parametrize("encode", ["iso-8859-1", "utf-8", "windows-1252"])
def test_decoded_text_is_used_for_naming(tmp_path, dispatch, classification, encode):
    mail = raw_mail(TEXT.encode(encode), "iso-8859-1" if encode == "utf-8" else "utf-8", "8bit",
                    subject=b"Svar").replace(b"kari@bodo.kommune.no", b"kari@online.no")
    r = row(run(tmp_path, dispatch, classification, {"a.eml": mail}), "a.eml")
    assert (r["enhet_id"], r["ident_method"], r["q1"]) == ("K1804", "named_in_text", "nei")


def test_decode_bytes_repairs_mojibake_and_cp1252():
    assert decode_bytes("Bodø – “svar”".encode("cp1252"), "iso-8859-1") == "Bodø – “svar”"
    assert decode_bytes("Bodø".encode(), "windows-1252") == "Bodø"
    assert decode_bytes("BodÃ¸ kommune".encode(), "utf-8") == "Bodø kommune"  # double-encoded
    assert decode_bytes(b"Bod\xf8", "x-unknown-charset") == "Bodø"
    assert decode_bytes(b"", "utf-8") == ""


def test_header_decoding():
    assert decode_header_text("=?iso-8859-1?q?SV=3A_Kartlegging_av_l=E6rings-?= [K1804]") == \
        "SV: Kartlegging av lærings- [K1804]"
    assert decode_header_text("=?utf-8?b?" + base64.b64encode("Bodø".encode()).decode() + "?=") == "Bodø"
    raw8 = "SV: Bod\xf8".encode("latin-1").decode("ascii", "surrogateescape")
    assert decode_header_text(raw8) == "SV: Bodø"
    assert decode_header_text("SV:\r\n  folded") == "SV: folded"


def test_encoded_subject_tag_and_8bit_header(tmp_path, dispatch, classification):
    files = {
        "a.eml": raw_mail(b"Ja", "utf-8", "7bit", subject=b"=?utf-8?q?SV=3A_Kartlegging_l=C3=A6ring_=5BK1840=5D?=")
        .replace(b"kari@bodo.kommune.no", b"x@online.no"),
        "b.eml": raw_mail(b"Ja", "utf-8", "7bit", subject="SV: Kartlegging læring [B030102]".encode("latin-1"))
        .replace(b"kari@bodo.kommune.no", b"x@online.no"),
    }
    result = run(tmp_path, dispatch, classification, files)
    assert row(result, "a.eml")["enhet_id"] == "K1840"
    assert row(result, "b.eml")["enhet_id"] == "B030102"


def test_html_only_body_ignores_script_and_style(tmp_path, dispatch, classification):
    html = ("<html><head><style>p {color: red} /* ja */</style><title>ja</title></head><body>"
            "<script>document.write('Ja')</script><p>Nei,&nbsp;vi har dessverre ikke en slik tjeneste.</p>"
            "<p>Vi har ingen planer om &aring; etablere det heller.</p></body></html>")
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body=None, html=html)}), "a.eml")
    assert (r["q1"], r["q5"], r["content_type"]) == ("nei", "nei", "text/html")


def test_multipart_alternative_prefers_plain(tmp_path, dispatch, classification):
    mail = make(body="1. Nei\n5. Ja", html="<p>1. Ja</p><p>5. Nei</p>")
    r = row(run(tmp_path, dispatch, classification, {"a.eml": mail}), "a.eml")
    assert (r["q1"], r["q5"], r["content_type"]) == ("nei", "ja", "multipart/alternative")


def test_html_blockquote_is_quoted():
    text = html_to_text("<div>Nei</div><blockquote type='cite'><p>Har kommunen (ja / nei)</p>"
                        "<p>Ja</p></blockquote><div>Mvh<br>Kari</div>")
    assert [ln for ln in text.split("\n") if ln] == ["Nei", "> Har kommunen (ja / nei)", "> Ja", "Mvh", "Kari"]


# ---------------------------------------------------------------------------
# quotes, signatures and coding
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "body, q1, q5",
    [
        ("1. Ja\n2. Frisklivssentralen\n3. Kommunal\n4. Kari, 75 55 50 00\n5. -", "ja", "uklart"),
        ("1) nei\n5) nei", "nei", "nei"),
        ("Spm 1: Ja, vi har en lærings- og mestringstjeneste i helsetjenesten.\nSpm 5: -", "ja", "uklart"),
        ("Spørsmål 1: nei\nSpørsmål 5: Ja, vi planlegger å etablere en i 2015.", "nei", "ja"),
        ("1.Vet ikke\n5.Vet ikke", "vet_ikke", "vet_ikke"),
        ("Svar:\n1 - Nei\n5 - Nei", "nei", "nei"),
        ("Vi har dessverre ikke en slik tjeneste, men frisklivssentralen har noen kurs.", "nei", "uklart"),
        ("Vi har en lærings- og mestringstjeneste som er en del av frisklivssentralen.", "ja", "uklart"),
        ("Kommunen har ingen slik tjeneste og har ingen planer om det.", "nei", "nei"),
        ("Vi har ikke en lærings- og mestringstjeneste, men planlegger å etablere en i 2016.", "nei", "ja"),
        ("Hei!\n\nNei.\n\nHilsen Kari", "nei", "uklart"),
        ("Hei\nTakk for henvendelsen. Her er svaret: ja", "ja", "uklart"),
        ("Nei, vi har ikkje ei slik teneste.", "nei", "uklart"),
        ("Det har vi dessverre ikke.\n5. Vi vurderer det.", "nei", "vet_ikke"),
        ("Dessverre har vi ikke en slik tjeneste i kommunen. Om vi får en, er ikke avklart.", "nei", "vet_ikke"),
        ("Bodø kommune har en lærings- og mestringstjeneste ved rehabiliteringsavdelingen.", "ja", "uklart"),
        ("Beklager sent svar. Nei, vi har ikke dette.", "nei", "uklart"),
        ("Svar fra helse: Nei", "nei", "uklart"),
        ("Har kommunen (bydelen) en lærings- og mestringstjeneste ...? Ja", "ja", "uklart"),
        ("Vi har frisklivssentral.", "uklart", "uklart"),  # whether it meets the definition is not for the e-mail
        ("Vi har ingen planer om å etablere en slik tjeneste.", "uklart", "nei"),
    ],
)
def test_coding_numbered_and_prose(tmp_path, dispatch, classification, body, q1, q5):
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body)}), "a.eml")
    assert (r["q1"], r["q5"]) == (q1, q5)


def with_answers(questionnaire: str, answers: list[str]) -> str:
    """Write the k-th answer on the line after the k-th option list (questions 1 and 5)."""
    out, k = [], 0
    for line in questionnaire.split("\n"):
        out.append(line)
        if line.endswith("ikke)") and k < len(answers):
            out.append(answers[k])
            k += 1
    return "\n".join(out)


def test_answers_inline_under_quoted_questions(tmp_path, dispatch, classification):
    body = "Hei, se svar under.\n\n" + with_answers(quoted_questionnaire(), ["Nei", "Ja, vi planlegger det."])
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body)}), "a.eml")
    assert (r["q1"], r["q5"]) == ("nei", "ja")


def test_answers_under_repeated_question_text(tmp_path, dispatch, classification):
    body = "\n".join([*wrap(QUESTIONNAIRE[0]), "Ja, frisklivs- og mestringssenteret.", "", *wrap(QUESTIONNAIRE[1]),
                      "Friskliv og mestring, helse", *wrap(QUESTIONNAIRE[4]), "Nei"])
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body)}), "a.eml")
    assert (r["q1"], r["q5"]) == ("ja", "nei")


def test_same_line_answer_after_question(tmp_path, dispatch, classification):
    body = QUESTIONNAIRE[0] + " Nei\n" + QUESTIONNAIRE[4] + " Vet ikke"
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body)}), "a.eml")
    assert (r["q1"], r["q5"]) == ("nei", "vet_ikke")


@pytest.mark.parametrize(
    "header",
    [
        "-----Opprinnelig melding-----\nFra: NK LMH [mailto:kartlegging@nklmh.test]\nSendt: 10. november 2014 09:00\n"
        "Til: Postmottak\nEmne: Kartlegging [K1804]\n",
        "-----Original Message-----\nFrom: NK LMH\nSent: Monday, November 10, 2014 9:00 AM\nTo: Postmottak\n",
        "________________________________\nFra: NK LMH <kartlegging@nklmh.test>\nSendt: 10. november 2014 09:00\n"
        "Til: Postmottak\nEmne: Kartlegging\n",
        "From: NK LMH\nSent: 10 November 2014 09:00\nTo: Postmottak\nSubject: Kartlegging\n",
        "Den 10.11.2014 09:00, skrev NK LMH:\n",
        "On Mon, Nov 10, 2014 at 9:00 AM, NK LMH <kartlegging@nklmh.test>\nwrote:\n",
    ],
)
def test_quoted_questionnaire_is_never_an_answer(tmp_path, dispatch, classification, header):
    quote = quoted_questionnaire("> " if header.startswith(("Den", "On")) else "")
    answered = make("Nei, vi har ikke noe slikt tilbud.\n\nMvh Kari\n\n" + header + "\n" + quote)
    unanswered = make("Se vedlagte skjema.\n\n" + header + "\n" + quote)
    result = run(tmp_path, dispatch, classification, {"a.eml": answered, "b.eml": unanswered})
    assert (row(result, "a.eml")["q1"], row(result, "a.eml")["q5"]) == ("nei", "uklart")
    b = row(result, "b.eml")
    assert (b["q1"], b["q5"], b["status"]) == ("uklart", "uklart", "svar")
    assert issues_of(result, "b.eml")["q1"].action == "review"


def test_only_quoted_questionnaire_gives_uklart(tmp_path, dispatch, classification):
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make("\n" + quoted_questionnaire())}), "a.eml")
    assert (r["q1"], r["q5"]) == ("uklart", "uklart")


def test_outlook_inline_answers_below_header_block(tmp_path, dispatch, classification):
    body = ("Se svar i teksten under.\n\nFra: NK LMH\nSendt: 10. november 2014 09:00\nTil: Postmottak\n"
            "Emne: Kartlegging\n\n" + with_answers(quoted_questionnaire(""), ["NEI", "Nei"]))
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body)}), "a.eml")
    assert (r["q1"], r["q5"]) == ("nei", "nei")


def test_forwarded_answer_is_read(tmp_path, dispatch, classification):
    body = ("Videresender svar fra helse.\n\nHilsen\nPostmottak\n\n"
            "-----Opprinnelig melding-----\nFra: Helsesjef\nSendt: 17. november 2014 14:00\nTil: Postmottak\n"
            "Emne: SV: Kartlegging\n\nVi har dessverre ikke en slik tjeneste, men planlegger å etablere en.\n\n"
            "Mvh\nHelsesjefen\nSaltdal kommune\n")
    files = {"a.eml": make(body, subject="VS: SV: Kartlegging", sender="post@online.no")}
    r = row(run(tmp_path, dispatch, classification, files), "a.eml")
    assert (r["q1"], r["q5"], r["enhet_id"], r["ident_method"]) == ("nei", "ja", "K1840", "named_in_text")


def test_forward_with_answers_in_own_text(tmp_path, dispatch, classification):
    body = ("Videresender svar fra fagavdelingen.\n\nHei,\n\n1. Ja\n2. Frisklivssentralen\n5. Nei\n\nMvh Kari\n\n"
            "-----Opprinnelig melding-----\nFra: NK LMH\nSendt: 10. november 2014 09:00\n\n" + quoted_questionnaire(""))
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body, subject=f"VS: {SUBJECT} [K1804]")}), "a.eml")
    assert (r["q1"], r["q5"]) == ("ja", "nei")


def test_encoded_display_name_with_comma(tmp_path, dispatch, classification):
    mail = raw_mail(b"Nei", "utf-8", "7bit", subject=b"Svar").replace(
        b"From: Kari <kari@bodo.kommune.no>", b"From: =?utf-8?q?Nordmann=2C_=C3=98la?= <Ola@Bodo.Kommune.no>")
    r = row(run(tmp_path, dispatch, classification, {"a.eml": mail}), "a.eml")
    assert (r["enhet_id"], r["ident_method"]) == ("K1804", "sender_domain")
    assert r["sender_hash"] == salted_hash("ola@bodo.kommune.no")


def test_signature_is_not_coded(tmp_path, dispatch, classification):
    body = "Vi har ikke en slik tjeneste.\n--\nKari Hansen\nJa-menneske og rådgiver\nBodø kommune"
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(body)}), "a.eml")
    assert r["q1"] == "nei"


@pytest.mark.parametrize("body", ["Ja og nei", "ja/nei", "Det er vanskelig å si.", ""])
def test_undecidable_q1_goes_to_review(tmp_path, dispatch, classification, body):
    result = run(tmp_path, dispatch, classification, {"a.eml": make(body)})
    r = row(result, "a.eml")
    assert r["q1"] == "uklart" and r["status"] == "svar"
    issue = issues_of(result, "a.eml")["q1"]
    assert issue.action == "review" and issue.resolved_by is None


def test_q5_review_only_when_q1_decided_and_q5_unreadable(tmp_path, dispatch, classification):
    files = {
        "a.eml": make("1. Nei\n5. Det avhenger av budsjettet neste år.", subject="SV: [K1804]"),
        "b.eml": make("1. Nei", subject="SV: [K1840]"),                    # q5 absent: uklart, no review
        "c.eml": make("1. Kanskje\n5. Det avhenger av budsjettet.", subject="SV: [K0301]"),  # q1 in review
        "d.eml": make("1. Ja\n5. Ikke aktuelt", subject="SV: [B030102]"),
    }
    result = run(tmp_path, dispatch, classification, files)
    assert row(result, "a.eml")["q5"] == "uklart" and "q5" in issues_of(result, "a.eml")
    assert row(result, "b.eml")["q5"] == "uklart" and "q5" not in issues_of(result, "b.eml")
    assert "q5" not in issues_of(result, "c.eml") and "q1" in issues_of(result, "c.eml")
    assert row(result, "d.eml")["q5"] == "uklart" and issues_of(result, "d.eml") == {}


# ---------------------------------------------------------------------------
# auto-replies, attachments, several replies
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "subject, headers",
    [
        (f"Automatisk svar: {SUBJECT} [K1804]", {}),
        (f"Fraværsmelding: {SUBJECT} [K1804]", {}),
        (f"Out of Office: {SUBJECT} [K1804]", {}),
        (f"{SUBJECT} [K1804]", {"Auto-Submitted": "auto-replied"}),
        (f"{SUBJECT} [K1804]", {"X-Autoreply": "yes"}),
    ],
)
def test_auto_replies(tmp_path, dispatch, classification, subject, headers):
    mail = make("Jeg er borte til 1. desember. Ja, jeg leser e-post.", subject=subject, headers=headers)
    result = run(tmp_path, dispatch, classification, {"a.eml": mail})
    r = row(result, "a.eml")
    assert r["auto_reply"] is True and r["status"] == "autosvar" and r["enhet_id"] == "K1804"
    assert r["q1"] is None and r["q5"] is None
    assert result.issues == []


def test_auto_submitted_no_is_a_normal_reply(tmp_path, dispatch, classification):
    r = row(run(tmp_path, dispatch, classification, {"a.eml": make(headers={"Auto-Submitted": "no"})}), "a.eml")
    assert r["auto_reply"] is False and r["status"] == "svar"


def test_auto_reply_does_not_supersede_the_answer(tmp_path, dispatch, classification):
    files = {"a.eml": make("Nei", date="Tue, 18 Nov 2014 10:00:00 +0100"),
             "b.eml": make("Borte", subject="Automatisk svar: Kartlegging [K1804]",
                           date="Wed, 19 Nov 2014 10:00:00 +0100")}
    result = run(tmp_path, dispatch, classification, files)
    assert row(result, "a.eml")["status"] == "svar" and row(result, "a.eml")["superseded"] is False


def test_answer_only_in_attachment(tmp_path, dispatch, classification):
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    files = {
        "a.eml": make("Se vedlegg.\n\nMvh Kari",
                      attachments=[("svar kartlegging.docx", b"PK\x03\x04" + b"x" * 96, docx)]),
        "b.eml": make("1. Ja\n5. Nei", attachments=[("brosjyre.pdf", b"%PDF-1.4 " + b"y" * 41, "application/pdf")]),
    }
    result = run(tmp_path, dispatch, classification, files)
    a = row(result, "a.eml")
    assert a["attachment_answer"] is True and a["q1"] == "uklart"
    assert a["attachments"] == ".docx (100)"  # type and size; the name may name a person
    assert issues_of(result, "a.eml")["q1"].reason == "answer in attachment: code manually"
    b = row(result, "b.eml")
    assert b["attachment_answer"] is False and b["q1"] == "ja" and b["attachments"] == ".pdf (50)"


def test_inline_logo_is_not_an_answer_attachment(tmp_path, dispatch, classification):
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Date"] = "a@bodo.kommune.no", "SV: [K1804]", "Tue, 18 Nov 2014 10:00:00 +0100"
    msg.set_content("Se under")
    msg.add_alternative("<p>Ingenting her</p><img src='cid:logo'>", subtype="html")
    msg.get_payload()[1].add_related(b"\x89PNG....", maintype="image", subtype="png", cid="<logo>",
                                     filename="image001.png", disposition="inline")
    result = run(tmp_path, dispatch, classification, {"a.eml": bytes(msg)})
    r = row(result, "a.eml")
    assert r["attachments"] == ".png (8)" and r["attachment_answer"] is False
    assert issues_of(result, "a.eml")["q1"].reason != "answer in attachment: code manually"


def test_latest_reply_supersedes_earlier(tmp_path, dispatch, classification):
    files = {
        "a.eml": make("Nei", date="Wed, 19 Nov 2014 10:00:00 +0100"),
        "b.eml": make("Rettelse: Ja, vi har en slik tjeneste.", date="Thu, 20 Nov 2014 08:00:00 +0100",
                      sender="kollega@bodo.kommune.no"),
        "c.eml": make("1. Nei", date="Tue, 18 Nov 2014 10:00:00 +0100", subject="SV: [K1840]"),
    }
    result = run(tmp_path, dispatch, classification, files)
    a, b, c = row(result, "a.eml"), row(result, "b.eml"), row(result, "c.eml")
    assert (a["status"], a["superseded"]) == ("erstattet", True)
    assert (b["status"], b["superseded"], b["q1"]) == ("svar", False, "ja")
    assert (c["status"], c["superseded"]) == ("svar", False)


def test_same_date_later_file_name_wins_with_review(tmp_path, dispatch, classification):
    same = "Wed, 19 Nov 2014 10:00:00 +0100"
    files = {"svar-2.eml": make("Ja", date=same), "svar-1.eml": make("Nei", date="Wed, 19 Nov 2014 09:00:00 +0000")}
    result = run(tmp_path, dispatch, classification, files)
    assert row(result, "svar-1.eml")["status"] == "erstattet"
    assert row(result, "svar-2.eml")["status"] == "svar"
    issue = issues_of(result, "svar-2.eml")["date"]
    assert issue.reason.startswith("two replies with the same Date") and "svar-1.eml" in issue.reason
    assert issue.code == "epost.samme_dato"


def test_missing_date_sorts_first(tmp_path, dispatch, classification):
    files = {"a.eml": make("Ja", date=""), "b.eml": make("Nei", date="Wed, 19 Nov 2014 10:00:00 +0100")}
    result = run(tmp_path, dispatch, classification, files)
    assert row(result, "a.eml")["status"] == "erstattet" and row(result, "a.eml")["date"] is None
    assert row(result, "b.eml")["status"] == "svar"
    assert "without a readable Date" in issues_of(result, "b.eml")["date"].reason


# ---------------------------------------------------------------------------
# unreadable files
# ---------------------------------------------------------------------------

TRUNCATED_MULTIPART = (
    b"From: a@bodo.kommune.no\nSubject: SV: [K1804]\nDate: Wed, 19 Nov 2014 10:00:00 +0100\n"
    b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XYZ\"\n\n--XYZ\n"
    b"Content-Type: text/plain; charset=utf-8\n\nNei\n--XYZ\nContent-Type: application/pdf; name=svar.pdf\n"
    b"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJc"
)


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("tom.eml", b"", "empty file"),
        ("blank.eml", b"\r\n  \n", "empty file"),
        ("svar.txt", b"From: a@b\n\nNei", "not an .eml file"),
        ("svar.msg", b"\xd0\xcf\x11\xe0" + b"\x00" * 20, "not an .eml file"),
        ("notat.eml", "Hei, her er svaret vårt: nei\n".encode(), "no e-mail headers"),
        ("pdf.eml", b"%PDF-1.4\n\x00\x01\x02", "binary content"),
        ("kuttet.eml", b"From: a@bodo.kommune.no\nSubject: SV: Kartlegging [K18", "ends inside the header block"),
        ("kuttet-b64.eml", raw_mail(b"TmVpLCB2aSBoYXIgaWtrZQ", "utf-8", "base64"), "truncated or corrupt"),
    ],
)
def test_unreadable_files_are_quarantined(tmp_path, dispatch, classification, name, data, reason):
    result = run(tmp_path, dispatch, classification, {name: data})
    r = row(result, name)
    assert r["status"] == "karantene" and r["enhet_id"] is None and r["q1"] is None
    issue = issues_of(result, name)["file"]
    assert issue.action == "quarantine" and reason in issue.reason and issue.source == "epost"


def test_subdirectory_and_hidden_files_are_not_read(tmp_path, dispatch, classification):
    """No messages (the conservation table names them: kartlegging.core.rawfolder.ignored_entries)."""
    (tmp_path / "epost" / "gammelt").mkdir(parents=True)
    (tmp_path / "epost" / ".DS_Store").write_bytes(b"Bud1")
    result = run(tmp_path, dispatch, classification, {"a.eml": make()})
    assert list(result.table["file"]) == ["a.eml"]
    assert row(result, "a.eml")["status"] == "svar"


def test_missing_folder(tmp_path, dispatch, classification):
    with pytest.raises(EmailError, match="not found"):
        ingest_email(tmp_path / "nope", dispatch, classification, "2015", [])


# ---------------------------------------------------------------------------
# overrides
# ---------------------------------------------------------------------------

def ov(oid: str, file: str, **values) -> Override:
    return Override(oid, "epost", file, "", dict(values), "analyst")


def test_override_sets_unit_and_answers(tmp_path, dispatch, classification):
    files = {"a.eml": make("Ja og nei", subject="Svar", sender="x@online.no"),
             "b.eml": make("Se vedlegg", attachments=[("svar.pdf", b"%PDF", "application/pdf")])}
    overrides = [ov("ov-1", "a.eml", enhet_id="k1840", q1="nei", q5=False), ov("ov-2", "b.eml", q1="vet ikke"),
                 Override("ov-3", "telefon", "a.eml", "", {"svar": "ja"})]
    result = run(tmp_path, dispatch, classification, files, overrides)
    a = row(result, "a.eml")
    assert (a["enhet_id"], a["kommunenummer"], a["ident_method"], a["q1"], a["q5"], a["status"]) == \
        ("K1840", "1840", "override", "nei", "nei", "svar")
    assert issues_of(result, "a.eml")["q1"].resolved_by == "ov-1"
    # the review item the override settled stays, marked resolved by it
    assert issues_of(result, "a.eml")["enhet_id"].resolved_by == "ov-1"
    b = row(result, "b.eml")
    assert (b["q1"], b["attachment_answer"]) == ("vet_ikke", True)
    assert issues_of(result, "b.eml")["q1"].resolved_by == "ov-2"
    assert result.applied == {"ov-1", "ov-2"}


def test_override_auto_reply_both_ways(tmp_path, dispatch, classification):
    files = {"a.eml": make("Nei", subject="Automatisk svar: [K1804]"),
             "b.eml": make("Jeg er på ferie", subject="SV: [K1840]")}
    result = run(tmp_path, dispatch, classification, files,
                 [ov("ov-1", "a.eml", auto_reply=False), ov("ov-2", "b.eml", auto_reply=True)])
    assert (row(result, "a.eml")["status"], row(result, "a.eml")["q1"]) == ("svar", "nei")
    assert (row(result, "b.eml")["status"], row(result, "b.eml")["q1"]) == ("autosvar", None)


def test_override_rescues_quarantined_file(tmp_path, dispatch, classification):
    result = run(tmp_path, dispatch, classification, {"svar.txt": b"nei"},
                 [ov("ov-1", "svar.txt", enhet_id="K1804", q1="nei")])
    r = row(result, "svar.txt")
    assert (r["status"], r["enhet_id"], r["q1"], r["ident_method"]) == ("svar", "K1804", "nei", "override")
    assert issues_of(result, "svar.txt")["file"].resolved_by == "ov-1"


def test_override_unmatched_is_not_applied(tmp_path, dispatch, classification):
    result = run(tmp_path, dispatch, classification, {"a.eml": make()},
                 [ov("ov-9", "typo.eml", q1="ja"), Override("ov-8", "epost", "a.eml", "3", {"q1": "ja"})])
    assert result.applied == set()


@pytest.mark.parametrize(
    "values, message",
    [({"enhet_id": "K9999"}, "not in the dispatch list"), ({"q1": "kanskje"}, "not one of"),
     ({"svar": "ja"}, "cannot set 'svar'"), ({"auto_reply": "tja"}, "not true or false")],
)
def test_invalid_override_names_its_id(tmp_path, dispatch, classification, values, message):
    with pytest.raises(OverrideError, match=f"ov-7.*{message}"):
        run(tmp_path, dispatch, classification, {"a.eml": make()}, [ov("ov-7", "a.eml", **values)])


# ---------------------------------------------------------------------------
# volume
# ---------------------------------------------------------------------------

def test_two_hundred_generated_messages_parse(tmp_path, dispatch, classification):
    units = ["K1804", "K0301", "B030102", "K1840", "K1867", "K1868", "K0101"]
    bodies = ["1. Ja\n5. Nei", "Nei, vi har ikke en slik tjeneste.", "Se vedlegg", "Vet ikke", "Ja og nei"]
    files = {}
    for n in range(200):
        files[f"svar-{n:04d}.eml"] = make(
            bodies[n % len(bodies)] + "\n\n" + quoted_questionnaire(),
            subject=f"SV: {SUBJECT} [{units[n % len(units)]}]",
            date=f"Wed, 19 Nov 2014 {n % 24:02d}:{n % 60:02d}:00 +0100",
            message_id=f"<m{n}@test>",
        )
    result = run(tmp_path, dispatch, classification, files)
    assert len(result.table) == 200
    assert set(result.table["status"]) <= {"svar", "erstattet"}
    assert result.table["enhet_id"].notna().all()
    assert (result.table["status"] == "svar").sum() == len(units)


def test_empty_folder_gives_an_empty_table(tmp_path, dispatch, classification):
    (tmp_path / "epost").mkdir()
    result = ingest_email(tmp_path / "epost", dispatch, classification, "2015", [])
    assert list(result.table.columns) == EMAIL_REPLIES.column_names and result.table.empty
    assert result.issues == [] and result.applied == set()


# ---------------------------------------------------------------------------
# salvage before quarantine: what the standard library can read is read, with a note
# ---------------------------------------------------------------------------

def test_missing_final_boundary_is_read_with_a_defect_item(tmp_path, dispatch, classification):
    """The multipart's closing boundary and the end of its attachment are missing; the text part is whole."""
    result = run(tmp_path, dispatch, classification, {"kuttet-mime.eml": TRUNCATED_MULTIPART})
    r = row(result, "kuttet-mime.eml")
    assert (r["status"], r["enhet_id"], r["q1"]) == ("svar", "K1804", "nei")
    notes = [i for i in result.issues if i.file == "kuttet-mime.eml" and i.code == "epost.mime_defekt"]
    assert any("final MIME boundary is missing" in i.reason for i in notes)
    assert all(i.action == "review" and i.field == "mime" for i in notes)


def test_header_block_without_the_blank_line_is_read_with_a_defect_item(tmp_path, dispatch, classification):
    mail = (b"From: Kari <kari@bodo.kommune.no>\r\nSubject: SV: Kartlegging [K1804]\r\n"
            b"Date: Wed, 19 Nov 2014 08:00:00 +0100\r\nMessage-ID: <nb@bodo>\r\n"
            b"1. Nei, vi har ikke en slik tjeneste.\r\n5. Nei\r\n\r\nMvh\r\nKari\r\n")
    result = run(tmp_path, dispatch, classification, {"uten-blank.eml": mail})
    r = row(result, "uten-blank.eml")
    assert (r["status"], r["enhet_id"], r["q1"]) == ("svar", "K1804", "nei")
    [note] = [i for i in result.issues if i.file == "uten-blank.eml"]
    assert (note.code, note.locator) == ("epost.mime_defekt", "headers") and "blank line" in note.reason


def test_a_header_block_cut_mid_line_is_still_quarantined(tmp_path, dispatch, classification):
    result = run(tmp_path, dispatch, classification,
                 {"kuttet.eml": b"From: a@bodo.kommune.no\r\nSubject: SV: Kartlegging [K1804]\r\nDa"})
    assert row(result, "kuttet.eml")["status"] == "karantene"
    assert issues_of(result, "kuttet.eml")["file"].code == "epost.avkortet"


def test_one_invalid_byte_does_not_turn_a_utf8_body_into_windows_1252(tmp_path, dispatch, classification):
    """One stray windows-1252 byte in a UTF-8 body: the UTF-8 stays UTF-8 (Bodø, æ, å), the stray byte
    alone falls back, and the replaced characters are counted in a note."""
    body = "Nei, vi har dessverre ingen lærings- og mestringstjeneste – «hilsen» fra Bodø.\n".encode()
    body += b"Sendt fra min mobil \x96 Kari\n" + "Bodø kommune\n".encode()
    from kartlegging.ingest.email.mime import decode_counting

    text, replaced = decode_counting(body, "utf-8")
    assert "lærings- og mestringstjeneste – «hilsen» fra Bodø" in text and "mobil – Kari\nBodø kommune" in text
    assert replaced == 1
    mail = raw_mail(body, "utf-8", "8bit", subject=b"Svar")
    result = run(tmp_path, dispatch, classification,
                 {"a.eml": mail.replace(b"kari@bodo.kommune.no", b"kari@online.no")})
    r = row(result, "a.eml")
    assert (r["q1"], r["enhet_id"], r["ident_method"]) == ("nei", "K1804", "named_in_text")
    [note] = [i for i in result.issues if i.code == "epost.tegn_erstattet"]
    assert note.reason.startswith("1 byte(s)") and note.locator == "part 1"


@pytest.mark.parametrize("charset, label", [("x-nordisk", "x-nordisk"), ("rot13", "rot13"),
                                            ('"Kari Nordmann tlf 99"', "(unreadable name)")])
def test_an_unknown_charset_is_read_as_windows_1252_and_goes_to_review(tmp_path, dispatch, classification, charset,
                                                                       label):
    """A charset Python does not know, over bytes that are neither ASCII nor UTF-8: the text is read as
    windows-1252 (the answer is coded and counted) and an open review item says it was a guess; a declared
    name that is not a
    charset name is not repeated (it came from the file)."""
    mail = raw_mail(TEXT.encode("cp1252"), charset, "8bit")
    result = run(tmp_path, dispatch, classification, {"a.eml": mail})
    r = row(result, "a.eml")
    assert (r["q1"], r["enhet_id"], r["status"]) == ("nei", "K1804", "svar")
    [note] = [i for i in result.issues if i.code == "epost.tegnsett_ukjent"]
    assert (note.action, note.resolved_by, note.locator) == ("review", None, "part 1")
    assert f"{label!r}" in note.reason and "Kari" not in note.reason


def test_an_unknown_charset_over_utf8_bytes_needs_no_guess(tmp_path, dispatch, classification):
    result = run(tmp_path, dispatch, classification, {"a.eml": raw_mail(TEXT.encode(), "x-nordisk", "8bit")})
    assert row(result, "a.eml")["q1"] == "nei"
    assert not [i for i in result.issues if i.code == "epost.tegnsett_ukjent"]


def test_a_windows_1252_body_declared_utf8_is_still_read_whole_as_windows_1252():
    text, replaced = decode_counting_of("Bærum – ingen tjeneste".encode("cp1252"))
    assert text == "Bærum – ingen tjeneste" and replaced == 0


def decode_counting_of(data: bytes) -> tuple[str, int]:
    from kartlegging.ingest.email.mime import decode_counting

    return decode_counting(data, "utf-8")


def test_attachment_names_never_reach_the_table(tmp_path, dispatch, classification):
    mail = make(attachments=[("Svar fra Gunnhild Ødegård-Barstad.docx", b"x" * 10,
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document")])
    result = run(tmp_path, dispatch, classification, {"a.eml": mail})
    assert row(result, "a.eml")["attachments"] == ".docx (10)"
