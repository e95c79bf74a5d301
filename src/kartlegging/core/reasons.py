"""The catalogue of reason codes: why an item went to review or quarantine, one stable code each.

Every :class:`kartlegging.core.issues.Issue` carries a code from this catalogue. The
code is what tables, logs and tests rely on (an English sentence may be
reworded; a code is not). The report's appendix B shows the bokmål message of
the code, the logs and the ``reason`` column keep an English detail.

Codes are ``<source>.<what>``, ASCII, lower case. A code is never reused for
another meaning; a retired code stays here so old tables can still be read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    nb: str  #: bokmål, for the report
    en: str  #: English, for logs and the developer


_ENTRIES: tuple[tuple[str, str, str], ...] = (
    # -- e-mail: whole files -----------------------------------------------------------------
    ("epost.ikke_eml", "Ikke en e-postfil (.eml); ikke lest", "not an .eml file; not read"),
    ("epost.mappe", "En mappe, ikke en e-postfil; ikke lest", "a directory, not an e-mail file; not read"),
    ("epost.uleselig", "Filen kunne ikke leses", "the file cannot be read"),
    ("epost.tom", "Tom fil", "empty file"),
    ("epost.binaer", "Binært innhold, ikke en e-post", "binary content, not an e-mail message"),
    ("epost.ikke_epost", "Ingen e-posthoder; ikke en e-post", "no e-mail headers: not an RFC 5322 message"),
    ("epost.avkortet", "Filen slutter inne i hodet; e-posten er avkortet",
     "truncated: the file ends inside the header block"),
    ("epost.mime_brutt", "Ødelagt MIME-struktur; e-posten kunne ikke leses",
     "broken MIME structure the standard library cannot read"),
    ("epost.koding_brutt", "Ødelagt innholdskoding (base64 eller quoted-printable) i en del",
     "truncated or corrupt content transfer encoding in a part"),
    ("epost.for_dyp", "MIME-delene er nestet for dypt eller er for mange til å leses",
     "MIME parts nested too deeply, or too many of them, to read"),
    ("epost.lesefeil", "Uventet feil i leseren; filen er satt til side (en feil i programmet, meld den)",
     "an unexpected fault in the reader; the file is set aside (a fault in the pipeline: report it)"),
    # -- e-mail: salvaged, read with a note ------------------------------------------------
    ("epost.mime_defekt", "Mindre feil i MIME-strukturen; e-posten er lest likevel",
     "a MIME defect the standard library tolerates; the message is read"),
    ("epost.tegn_erstattet", "Tegn som ikke kunne dekodes, er erstattet; e-posten er lest",
     "characters that could not be decoded were replaced; the message is read"),
    ("epost.tegnsett_ukjent", "E-posten oppgir et ukjent tegnsett; teksten er lest som windows-1252 og bør sjekkes",
     "the declared charset is unknown; the text is read as windows-1252 and should be checked"),
    # -- e-mail: review ------------------------------------------------------------------------
    ("epost.uidentifisert", "Avsenderenheten er ikke identifisert",
     "no unit identified (no tag, reply id, known sender or unit named in the sender's own text)"),
    ("epost.svar_i_vedlegg", "Svaret ligger i et vedlegg og må kodes manuelt",
     "answer in attachment: code manually"),
    ("epost.sp1_ukodet", "Svaret på spørsmål 1 kunne ikke kodes", "answer to question 1 could not be coded"),
    ("epost.sp1_mangler", "Fant ikke noe svar på spørsmål 1", "no answer to question 1 found in the reply"),
    ("epost.sp5_ukodet", "Svaret på spørsmål 5 kunne ikke kodes", "answer to question 5 could not be coded"),
    ("epost.samme_dato", "To svar fra samme enhet med samme dato; det siste filnavnet gjelder",
     "two replies from one unit with the same Date: the later file name wins"),
    ("epost.mangler_dato", "Flere svar fra samme enhet, noen uten lesbar dato",
     "several replies from one unit, some without a readable Date: ordered as earliest"),
    # -- phone round -----------------------------------------------------------------------------
    ("telefon.formel_eller_feilverdi", "Formel eller feilverdi der det skulle stått en verdi",
     "a formula or an error value where a typed value should be"),
    ("telefon.tvetydig_navn", "Tvetydig kommunenavn; enheten må settes ved overstyring",
     "ambiguous name; set the unit by override"),
    ("telefon.navn_og_nummer_strider", "Navn og nummer peker på ulike enheter",
     "name and number point to different units"),
    ("telefon.ukjent_enhet", "Verken navn eller nummer er en kommune eller bydel i klassifikasjonen",
     "neither name nor number is a kommune or bydel of the classification"),
    ("telefon.ingen_enhet", "Ingen kommune eller bydel oppgitt", "no kommune or bydel named"),
    ("telefon.ukjent_nummer", "Nummeret finnes ikke i klassifikasjonen; enheten er tatt fra navnet",
     "the number is no unit of the classification; the unit is taken from the name"),
    ("telefon.dato_uleselig", "Datoen kunne ikke leses", "the date cannot be read"),
    ("telefon.svar_ukjent", "Svaret ble ikke gjenkjent; kodet som ikke konklusivt til en analytiker avgjør",
     "answer not recognised; coded ikke_konklusiv until an analyst decides"),
    ("telefon.ikke_i_utsendelsen", "Enheten som ble ringt, står ikke i utsendelseslisten",
     "the phoned unit is not in the dispatch list"),
    ("telefon.ikke_ringt", "Enheten står på ringelisten, men ingen samtale er ført opp; den regnes som ikke ringt",
     "listed for the phone round but no call recorded; the unit counts as not phoned"),
    # -- interviews: whole files -----------------------------------------------------------------
    ("intervju.arbeidsbok_uleselig", "Arbeidsboken kunne ikke leses", "the workbook cannot be read"),
    ("intervju.ikke_xlsx", "Ikke en .xlsx-arbeidsbok; ikke lest", "not an .xlsx workbook; not read"),
    ("intervju.mappe", "En mappe, ikke en arbeidsbok; ikke lest", "a folder, not a workbook; not read"),
    ("intervju.passordbeskyttet", "Arbeidsboken er passordbeskyttet; lagre en kopi uten passord",
     "the workbook is password-protected; save a copy without a password"),
    ("intervju.arkiv_skadet", "Arbeidsboken er skadet: zip-arkivet er avkortet eller har feil sjekksum",
     "the workbook is damaged: its zip archive is cut off, or a part fails its checksum or cannot be unpacked"),
    ("intervju.ukjent_komprimering", "En del av arbeidsboken er pakket med en metode Excel ikke bruker",
     "a part of the workbook is compressed with a method Excel does not use"),
    ("intervju.xml_ugyldig", "En del av arbeidsboken er ikke gyldig XML",
     "a part of the workbook is not well-formed XML"),
    ("intervju.urimelig_stor", "Arbeidsboken oppgir størrelser eller antall ingen spørreskjema trenger",
     "the workbook declares a size, count or nesting no survey sheet needs"),
    ("intervju.celle_utenfor_ark", "En celle ligger utenfor det største arket Excel kan ha",
     "a cell lies outside any sheet Excel can hold"),
    ("intervju.lesefeil", "Uventet feil i leseren; arbeidsboken er satt til side (en feil i programmet, meld den)",
     "an unexpected fault in the reader; the workbook is set aside (a fault in the pipeline: report it)"),
    ("intervju.mangler_overskrift", "Fant ikke overskriftsraden med kolonnene Nr og Svar",
     "no header row with the columns Nr and Svar"),
    # -- interviews: items -----------------------------------------------------------------------
    ("intervju.nr_formel", "Spørsmålsnummeret er en formel eller feilverdi; raden kan ikke knyttes til et spørsmål",
     "the item code is a formula or an error value; the row cannot be identified"),
    ("intervju.nr_mangler", "Raden har et svar, men ikke noe gyldig spørsmålsnummer; svaret er ikke lest",
     "row has an answer but no item code T01-T23; the answer is not read"),
    ("intervju.formel_eller_feilverdi", "Formel eller feilverdi der det skulle stått et svar",
     "a formula or an error value where an answer should be"),
    ("intervju.motstridende_svar", "Spørsmålet står i flere rader med ulike svar",
     "the item appears in several rows with different answers"),
    ("intervju.sporsmal_mangler", "Spørsmål mangler i skjemaet", "items absent from the sheet"),
    ("intervju.svar_ukodet", "Svaret kunne ikke kodes", "the answer could not be coded"),
    ("intervju.overstyring_ugyldig", "Verdien i overstyringen kunne ikke kodes",
     "the value an override gives could not be coded"),
    ("intervju.kommune_uavklart", "Kommunen kunne ikke avgjøres ut fra svaret",
     "the kommune could not be resolved from the answer"),
    ("intervju.vertskommune_mangler", "Vertskommunen (T02) er ikke oppgitt", "host kommune (T02) not given"),
    ("intervju.bydel_ikke_oslo", "En bydel er oppgitt for en annen vertskommune enn Oslo; bydelen brukes ikke",
     "an Oslo bydel given for another host kommune; the bydel is not used"),
    ("intervju.t03_ikke_bydel", "T03 nevner en kommune, ikke en bydel i Oslo",
     "T03 names a kommune, not an Oslo bydel"),
    ("intervju.inkludering_ubesvart", "Inkludering (T18) er ikke besvart; tjenesten regnes som uavklart",
     "inclusion (T18) not answered: the candidate counts as undecided (vet_ikke)"),
    ("intervju.interkommunal_uten_kommuner",
     "T04 sier interkommunal, men T05 nevner ingen andre kommuner; tjenesten regnes som kommunal",
     "T04 says interkommunal but T05 names no other kommune; the service counts as kommunal"),
    ("intervju.kommunal_med_kommuner",
     "T04 sier kommunal, men T05 nevner andre kommuner; tjenesten regnes som interkommunal",
     "T04 says kommunal but T05 names other kommuner; the service counts as interkommunal"),
    ("intervju.oslo_andre_kommuner",
     "Oslos tjenester teller som én kommunal tjeneste; de andre kommunene brukes ikke",
     "Oslo's services count as one kommunal service; the other kommuner are not used"),
    # -- KOSTRA extracts -------------------------------------------------------------------------
    ("kostra.uleselig", "Filen kunne ikke leses som statistikkbank-CSV eller JSON-stat",
     "cannot be read as statbank CSV or JSON-stat 2.0"),
    ("kostra.json_ugyldig", "Filen er ikke gyldig JSON", "not valid JSON: the text does not parse"),
    ("kostra.for_dyp", "Filen er nestet dypere enn et JSON-stat-datasett kan være",
     "nested deeper than a JSON-stat dataset can be"),
    ("kostra.tall_utenfor", "Et tall er utenfor det som kan leses (for stort, uendelig eller ikke et tall)",
     "a number out of range: too large, infinite or not a number"),
    ("kostra.feil_oppbygning", "Filen følger ikke oppbygningen til JSON-stat 2.0",
     "the file does not follow the layout of JSON-stat 2.0: a field is missing or of the wrong kind"),
    ("kostra.lesefeil", "Uventet feil i leseren; filen er satt til side (en feil i programmet, meld den)",
     "an unexpected fault in the reader; the file is set aside (a fault in the pipeline: report it)"),
    ("kostra.kolonne_ikke_aar", "Kolonnen er ikke et årstall; hoppet over", "column is not a year; skipped"),
    ("kostra.kolonne_uten_aar", "Kolonneoverskriften nevner ikke noe år; hoppet over",
     "column header names no year; skipped"),
    ("kostra.merknadslinje", "En linje med bare ett felt etter overskriften (en merknad?); ikke lest",
     "a line with one field after the header (a note?); not read"),
    ("kostra.feil_antall_felt", "Linjen har et annet antall felt enn overskriften; ikke lest",
     "the line has another number of fields than the header; not read"),
    ("kostra.tom_region", "Tom region; linjen er ikke lest", "empty region; line not read"),
    ("kostra.ugyldig_aar", "Ikke et firesifret årstall; ikke lest", "not a four-digit year; not read"),
    ("kostra.null_med_verdi", "Statuskoden «-» (null) står ved en verdi som ikke er null; verdien beholdes",
     "status '-' (nil) beside a non-zero value; the value is kept"),
    ("kostra.ukjent_status", "Ukjent statuskode fra SSB; verdiene beholdes, statusen ikke",
     "a status symbol SSB does not use; the values are kept, the status is not"),
    ("kostra.ugyldig_verdi", "Verken et tall eller et symbol fra SSB; beholdt uten verdi",
     "neither a number nor an SSB symbol; kept with status ugyldig and no value"),
    ("kostra.ukjent_region", "Regionen er ingen kommune, bydel eller kjent aggregat; holdt utenfor alle tellinger",
     "not a kommune, Oslo bydel or known aggregate; kept with region_level ukjent, left out of every count"),
    ("kostra.tomme_celler", "Tomme celler for kommuner eller bydeler; ikke tatt med som rader",
     "empty cells for kommuner or bydeler of their year; not kept as rows"),
    ("kostra.ukjent_variabel", "Variabelen er ikke koblet til noen variabel i oppsettet; verdiene er ikke lest",
     "variable not mapped in config kostra.variables; its values are not read"),
    ("kostra.ulike_verdier", "Samme tall er oppgitt ulikt to steder; det første etter filnavn brukes",
     "given differently in two places; figures use the first number by file name"),
)

# -- answers that contradict across sources (kartlegging.analysis.consolidate.contradictions) -----
# Found when the sources of a round are put together; the item lies on the record an analyst would
# override, its locator names the other record ("also telefon: telefonrunde.xlsx row 40"). Which
# source counts is docs/SOURCES.md. Settled by an override of either record.
_CONTRADICTION_ENTRIES: tuple[tuple[str, str, str], ...] = (
    ("epost.motstrid_epostsvar", "To e-postsvar fra samme enhet svarer ulikt på spørsmål 1; det siste svaret gjelder",
     "two replies from one unit answer question 1 differently; the latest counts"),
    ("epost.motstrid_telefon", "E-postsvaret og telefonsvaret fra samme enhet svarer ulikt på spørsmål 1",
     "the e-mail reply and the phone answer of one unit differ on question 1"),
    ("intervju.motstrid_epost",
     "Kommunen svarte ja på e-post, men intervjuet fant ingen tjeneste som oppfyller definisjonen; intervjuet gjelder",
     "the kommune answered ja by e-mail, but the interview found no service meeting the definition; "
     "the interview counts"),
    ("intervju.motstrid_telefon",
     "Kommunen svarte ja på telefon, men intervjuet fant ingen tjeneste som oppfyller definisjonen; intervjuet gjelder",
     "the kommune answered ja on the phone, but the interview found no service meeting the definition; "
     "the interview counts"),
)

CATALOGUE: dict[str, Reason] = {code: Reason(code, nb, en) for code, nb, en in _ENTRIES + _CONTRADICTION_ENTRIES}
#: The codes of items that set one source against another: their locator names the other record.
CONTRADICTIONS = frozenset(code for code, _, _ in _CONTRADICTION_ENTRIES)

#: Codes of the last-resort catch of a reader: a file set aside because the reader itself failed
#: on it, not because the file was found to be damaged. The run goes on (one file must not stop a
#: round), but each such item is a fault to fix; the fuzz tests count one as a crash.
INTERNAL_FAULTS: frozenset[str] = frozenset({"epost.lesefeil", "intervju.lesefeil", "kostra.lesefeil"})
#: The English detail of those items: the exception is named in the rule's log, with its traceback.
LAST_RESORT = "an unexpected fault in the reader; the file is set aside (report it: the rule's log has the details)"


class UnknownReason(KeyError):
    """A code that is not in the catalogue: a programming error, caught by the tests."""


def reason(code: str) -> Reason:
    """The catalogue entry of ``code``."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise UnknownReason(f"reason code {code!r} is not in kartlegging.core.reasons.CATALOGUE") from None


def message_nb(code: str) -> str:
    """The bokmål message of a code, for the report."""
    return reason(code).nb

