"""The benchmark runs: `benchmarks/bench.py --quick` end to end, and its pure helpers.

No timing is asserted here. Timings depend on the machine and its load; the
targets are judged by the benchmark itself and written to RESULTS.md. These
tests only make sure `make bench` keeps working as the pipeline changes.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks" / "bench.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("kartlegging_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_job_lines_and_rule_graph_are_parsed():
    bench = _bench_module()
    log = "Select jobs to execute...\nlocalrule ingest_epost:\n    jobid: 6\nrule report:\n    jobid: 2\n"
    assert bench.jobs_in(log) == ["ingest_epost", "report"]
    dot = (
        'digraph snakemake_dag {\n\t0[label = "all", color = "0 0 0"];\n\t1[label = "ingest_epost"];\n'
        '\t2[label = "ingest_telefon"];\n\t3[label = "consolidate"];\n\t4[label = "ingest_intervjuer"];\n'
        "\t1 -> 2\n\t1 -> 3\n\t2 -> 3\n\t4 -> 3\n\t3 -> 0\n}\n"
    )
    rules, edges = bench.parse_rulegraph(dot)
    assert rules == {"all", "ingest_epost", "ingest_telefon", "consolidate", "ingest_intervjuer"}
    assert bench.downstream_of("ingest_epost", edges) == {"ingest_telefon", "consolidate", "all"}
    chain, total = bench.critical_path({"ingest_epost": 1.0, "ingest_telefon": 2.0, "consolidate": 0.5,
                                        "ingest_intervjuer": 2.5}, rules, edges)
    assert chain == ["ingest_epost", "ingest_telefon", "consolidate"] and total == pytest.approx(3.5)


def test_override_edit_changes_only_the_first_epost_reason(tmp_path):
    import yaml

    bench = _bench_module()
    path = tmp_path / "2015.yaml"
    path.write_text(
        "round: '2015'\noverrides:\n"
        "  - {id: a, source: telefon, file: t.xlsx, record: '3', set: {svar: ja}, reason: r0}\n"
        "  - {id: b, source: epost, file: e.eml, record: '', set: {q1: ja}, reason: r1}\n"
        "  - {id: c, source: epost, file: f.eml, record: '', set: {q1: nei}, reason: r2}\n",
        encoding="utf-8",
    )
    assert bench.edit_first_epost_override(path, "1") == "b"
    assert bench.edit_first_epost_override(path, "2") == "b"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["overrides"]
    assert [o["reason"] for o in items] == ["r0", "r1 [benchmark edit 2]", "r2"]
    assert [o["set"] for o in items] == [{"svar": "ja"}, {"q1": "ja"}, {"q1": "nei"}]


@pytest.mark.e2e
def test_quick_benchmark_prints_the_table_and_writes_results(tmp_path):
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.startswith("| measurement | median | × floor |")
    for row in ("**floor**", "cold build", "no-op rerun", "one e-mail override edited", "exit wait",
                "cold build at 2x, in threads", "cold build at 2x, a process per job",
                "e-mail ingest 2x", "interview ingest 2x", "growth 1x → 2x"):
        assert row in proc.stdout, row
    text = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Results", "## Targets", "## Cold build: where the time goes",
                    "## One e-mail override edited", "## Scaling"):
        assert heading in text, heading
    assert "- cores: " in text and "- memory: " in text
    assert "ingest_epost" in text.split("## One e-mail override edited")[1]
