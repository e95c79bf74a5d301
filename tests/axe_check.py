"""axe-core (the rule engine most accessibility audits use) over a report page, in Debian's Chromium.

No browser automation library: the report is drawn in an iframe of the wanted width (its own viewport;
headless Chromium will not make a window narrower than 500 px), with axe-core's script and a small
runner added at its end; the runner calls ``axe.run`` with the WCAG 2.1 A and AA rules and hands the
result to the outer page, and Chromium's ``--dump-dom`` prints it. axe-core is the npm package pinned
in ``tests/a11y/package.json``, installed by ``make a11y-deps`` (the test set-up runs it).
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
#: The rule sets of WCAG 2.0 and 2.1, levels A and AA (axe-core's tags).
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
)

RUNNER = """
<script>
axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(function (r) {
  var out = {passes: r.passes.length, violations: r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 12).map(function (n) {
              return n.target.join(" ") + " :: " + n.html.slice(0, 160);
            }),
            count: v.nodes.length};
  })};
  parent.document.getElementById("axe").textContent = JSON.stringify(out);
}, function (e) { parent.document.getElementById("axe").textContent = JSON.stringify({error: String(e)}); });
</script>
"""


def axe_results(chromium: str, page: str, width: int, tmp: Path) -> dict:
    """axe-core's findings for the page (HTML text) drawn ``width`` CSS px wide: passes and violations."""
    if not AXE.exists():
        raise FileNotFoundError(f"{AXE} is missing: run `make a11y-deps` (npm ci in tests/a11y)")
    script = AXE.read_text(encoding="utf-8").replace("</script", "<\\/script")
    inner = page.replace("</body>", f"<script>{script}</script>{RUNNER % json.dumps(list(TAGS))}</body>", 1)
    outer = tmp / f"axe-{width}.html"
    outer.write_text(
        "<!DOCTYPE html><html lang='nb'><head><title>axe</title></head><body style='margin:0'>"
        f"<iframe title='rapport' style='border:0;width:{width}px;height:900px' "
        f"srcdoc=\"{html.escape(inner, quote=True)}\"></iframe><pre id='axe'></pre></body></html>",
        encoding="utf-8")
    profile = tempfile.mkdtemp(prefix="chromium-axe-")
    try:
        done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,1000",
                               "--virtual-time-budget=60000", "--dump-dom", outer.as_uri()],
                              capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    found = re.search(r'<pre id="axe">(.*?)</pre>', done.stdout, re.S)
    if not found or not found.group(1).strip():
        raise AssertionError(f"axe-core wrote no result (Chromium exit {done.returncode}): {done.stderr[-1500:]}")
    result = json.loads(html.unescape(found.group(1)))
    if "error" in result:
        raise AssertionError(f"axe-core failed: {result['error']}")
    return result
