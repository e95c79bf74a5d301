"""The demo report in a real browser: headless Chromium draws the map and the charts, and the filter narrows the list.

No extra Python packages: Chromium's own ``--dump-dom`` gives the page after its
script ran (the filter is preset from the address, ``#fylke=18`` or ``?q=Bodø``,
and hides rows with the ``hidden`` attribute), and ``--screenshot`` gives a PNG,
read with matplotlib. Skipped only when no Chromium binary exists; install it
with ``apt-get install -y chromium`` (CI does).
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest

from kartlegging.report import maps

# A headless browser on the demo run's report: make test only.
pytestmark = pytest.mark.e2e

ROUND = "2015"
CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
)


def _chromium() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium()
    if path is None:
        pytest.skip("no Chromium binary found (looked for /usr/bin/chromium, chromium, chromium-browser); "
                    "install it with `apt-get install -y chromium` to run the browser checks")
    return path


@pytest.fixture(scope="module")
def report(demo_run) -> Path:
    return demo_run / "report" / ROUND / "kartlegging.html"


@pytest.fixture(scope="module")
def status(demo_run) -> pd.DataFrame:
    return pd.read_parquet(demo_run / "processed" / ROUND / "kommune_status.parquet")


def _browse(chromium: str, url: str, *extra: str) -> subprocess.CompletedProcess:
    """One headless Chromium run with a fresh profile, which is removed after."""
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class _Rows(HTMLParser):
    """Rows of the kommune table as (kommunenummer, fylke, status, hidden), and the filter form's state."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str, str, bool]] = []
        self.open_groups: list[str] = []
        self.form_hidden: bool | None = None
        self.counter = ""
        self._in_counter = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-kommune" in a and "data-sok" in a:
            self.rows.append((a["data-kommune"] or "", a.get("data-fylke") or "", a.get("data-status") or "",
                              "hidden" in a))
        elif tag == "details" and "fylke-gruppe" in (a.get("class") or "") and "open" in a:
            self.open_groups.append(a.get("data-fylke") or "")
        elif tag == "form" and a.get("id") == "kommune-filter":
            self.form_hidden = "hidden" in a
        elif tag == "output" and a.get("id") == "kommune-antall":
            self._in_counter = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "output":
            self._in_counter = False

    def handle_data(self, data: str) -> None:
        if self._in_counter:
            self.counter += data


def _dom(chromium: str, url: str, *extra: str) -> _Rows:
    done = _browse(chromium, url, "--virtual-time-budget=10000", "--dump-dom", *extra)
    parser = _Rows()
    parser.feed(done.stdout)
    assert parser.rows, "the dumped DOM has no kommune table"
    return parser


def _visible(parser: _Rows) -> list[str]:
    return [code for code, _, _, hidden in parser.rows if not hidden]


def test_filter_by_county_from_the_address(chromium, report, status):
    dom = _dom(chromium, report.as_uri() + "#fylke=18")
    nordland = sorted(status.loc[status["fylkesnummer"] == "18", "kommunenummer"])
    assert len(dom.rows) == len(status) == 428
    assert sorted(_visible(dom)) == nordland and len(nordland) == 44
    assert dom.form_hidden is False  # the script shows the controls
    assert dom.counter.strip() == f"Viser {len(nordland)} av 428 kommuner"
    assert dom.open_groups == ["18"]  # the filter opens the fylke that holds the matches


def test_search_by_name_from_the_query(chromium, report):
    dom = _dom(chromium, report.as_uri() + "?q=" + quote("Bodø"))
    assert _visible(dom) == ["1804"]


def test_county_and_status_together(chromium, report, status, demo_run):
    services = pd.read_parquet(demo_run / "processed" / ROUND / "services.parquet")
    classes = maps.kommune_classes(status, services)
    dom = _dom(chromium, report.as_uri() + "#fylke=18&status=med")
    expected = sorted(k for k, f in zip(status["kommunenummer"], status["fylkesnummer"])
                      if f == "18" and classes[k] in ("kommunal", "interkommunal"))
    assert expected and sorted(_visible(dom)) == expected
    dom = _dom(chromium, report.as_uri() + "#status=interkommunal")
    assert sorted(_visible(dom)) == sorted(k for k, c in classes.items() if c == "interkommunal")


def test_without_a_preset_every_row_shows(chromium, report):
    """The script hides nothing by itself. (Without JavaScript nothing is hidden either: the server-rendered
    table has no hidden row, see test_report; --dump-dom needs JavaScript, so it cannot show that here.)"""
    dom = _dom(chromium, report.as_uri() + "#figur-2")  # an ordinary anchor is not a filter
    assert len(_visible(dom)) == 428
    assert dom.counter.strip() == "Viser 428 av 428 kommuner"
    assert dom.open_groups == []  # every fylke collapsed


def _near(pixels: np.ndarray, colour: str, tolerance: int = 6) -> int:
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int(np.all(np.abs(pixels - rgb) <= tolerance, axis=2).sum())


def test_map_and_charts_are_drawn(chromium, report, tmp_path):
    """A screenshot tall enough for the map and the first charts shows their colours, not a blank page."""
    import matplotlib.image

    shot = tmp_path / "report.png"
    _browse(chromium, report.as_uri(), "--window-size=900,11000", f"--screenshot={shot}")
    image = matplotlib.image.imread(str(shot))
    pixels = np.rint(image[:, :, :3] * 255).astype(int)
    assert pixels.std() > 20  # not blank
    # Colours only the map uses (fill of 'ingen', and the interkommunal fill between its hatch lines) ...
    assert _near(pixels, maps.CLASS_STYLES["ingen"].face) > 20_000
    assert _near(pixels, maps.CLASS_STYLES["interkommunal"].face) > 1_000
    # ... the dark fill of kommunal services and of the first series, and the charts' second series.
    assert _near(pixels, maps.CLASS_STYLES["kommunal"].face) > 10_000
    assert _near(pixels, "#9dbcdb") > 5_000


# --------------------------------------------------------------------------- phone and desktop layout

PROBE = (Path(__file__).with_name("layout_probe.js")).read_text(encoding="utf-8")


def _layout(chromium: str, page: str, width: int, tmp_path: Path) -> dict:
    """The layout probe's findings for the page drawn at ``width`` CSS px.

    Headless Chromium will not make a window narrower than 500 px, so the
    report is drawn in an iframe of the wanted width (its own viewport), with
    the page inline (``srcdoc``, same origin) so the probe can read it.
    """
    outer = tmp_path / f"outer-{width}.html"
    outer.write_text(
        "<!DOCTYPE html><html><body style='margin:0'>"
        f"<iframe id='f' style='border:0;width:{width}px;height:900px' srcdoc=\"{html.escape(page, quote=True)}\">"
        f"</iframe><script>{PROBE}\nvar f=document.getElementById('f');f.addEventListener('load',function(){{"
        "var pre=document.createElement('pre');pre.id='probe';"
        "pre.textContent=JSON.stringify(probe(f.contentWindow,f.contentDocument));document.body.appendChild(pre);});"
        "</script></body></html>", encoding="utf-8")
    done = _browse(chromium, outer.as_uri(), "--window-size=1400,1000", "--virtual-time-budget=10000", "--dump-dom")
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, "the layout probe wrote no result"
    result = json.loads(html.unescape(found.group(1)))
    assert result["viewport"] == width
    return result


@pytest.fixture(scope="module")
def page(report) -> str:
    return report.read_text(encoding="utf-8")


def test_phone_nothing_overflows_and_the_kommune_list_opens_collapsed(chromium, page, status, tmp_path):
    phone = _layout(chromium, page, 390, tmp_path)
    # (the probe opens every chart's table of numbers first: they may not widen the page either)
    assert phone["scrollWidth"] <= 390 and phone["overflowing"] == [], phone["overflowing"]
    assert phone["scrolling_figures"] == []  # charts and the map scale to the width
    assert phone["broken_codes"] == []  # identifiers never break inside
    assert phone["groups"] == status["fylkesnummer"].nunique() and phone["open_groups"] == 0


def test_desktop_no_table_cell_breaks_a_word(chromium, page, tmp_path):
    desktop = _layout(chromium, page, 1280, tmp_path)
    assert desktop["broken_cells"] == [] and desktop["overflowing"] == []
    assert desktop["scrolling_tables"] == []  # every table shows its last column (B.2 included)


def test_the_probe_sees_overflow_and_broken_identifiers(chromium, page, tmp_path):
    """The checks above can fail: with identifiers allowed to break and tables not scrolling, they do."""
    broken = page.replace("</style>", "code{white-space:normal!important;overflow-wrap:anywhere!important}"
                                      ".table-wrap{overflow:visible!important}"
                                      ".table-wrap table{min-width:600px}</style>", 1)
    phone = _layout(chromium, broken, 390, tmp_path)
    assert phone["overflowing"] and phone["broken_codes"]


# --------------------------------------------------------------------------- accessibility (axe-core)


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_wcag21_aa_violation(chromium, page, width, tmp_path):
    """axe-core's WCAG 2.1 A and AA rules over the 2015 report on a phone and on a desktop: no violation
    (a table box that scrolls is reachable by keyboard, every image has its text, contrast holds, ...)."""
    from axe_check import axe_results

    result = axe_results(chromium, page, width, tmp_path)
    assert result["violations"] == [], result["violations"]


def test_axe_sees_a_scroll_box_the_keyboard_cannot_reach(chromium, page, tmp_path):
    """The check above can fail: with the table boxes taken out of the tab order, axe reports them."""
    from axe_check import axe_results

    broken = page.replace('class="table-wrap" tabindex="0"', 'class="table-wrap"').replace(
        "</style>", ".table-wrap table{min-width:900px}</style>", 1)
    result = axe_results(chromium, broken, 390, tmp_path)
    assert "scrollable-region-focusable" in {v["id"] for v in result["violations"]}
