"""The round report: one Jinja2 template and one stylesheet, rendered to HTML and PDF.

Public API:

- :class:`ReportInputs`, :func:`load_inputs`, :func:`read_inputs`: the processed tables the report reads
- :class:`ExtraPaths`: the optional inputs (map, earlier rounds, KOSTRA) for :func:`read_inputs`
- :class:`ReportMeta`: round, run date, commit, synthetic flag, classification version
- :func:`build_report`: write ``kartlegging.html`` and ``kartlegging.pdf``
- :func:`render_html`, :func:`html_to_pdf`: the two halves, for tests and notebooks
- :func:`run_date_from_env`, :func:`git_commit`: reproducible run metadata

The tables and their loading live in :mod:`kartlegging.report.inputs`, appendix B
(data quality) in :mod:`kartlegging.report.quality`, the PDF typesetting in
:mod:`kartlegging.report.pdf`. The coverage map lives in :mod:`kartlegging.report.maps` (also the ``map_status``
step), the map, comparison, KOSTRA and kommune-list sections in
:mod:`kartlegging.report.sections`.
"""

# The names are loaded on first use (PEP 562), so a step that needs only a light submodule (the PDF
# step: kartlegging.report.pdf) does not import pandas and matplotlib with the package.
_RENDER_NAMES = frozenset({
    "ExtraPaths", "ReportInputs", "ReportMeta", "build_report", "git_commit", "git_commit_time", "html_to_pdf",
    "load_inputs", "read_inputs", "render_html", "run_date_from_env",
})


def __getattr__(name: str):
    if name in _RENDER_NAMES:
        from kartlegging.report import render

        return getattr(render, name)
    raise AttributeError(f"module 'kartlegging.report' has no attribute {name!r}")


__all__ = [
    "ExtraPaths",
    "ReportInputs",
    "ReportMeta",
    "build_report",
    "git_commit",
    "git_commit_time",
    "html_to_pdf",
    "load_inputs",
    "read_inputs",
    "render_html",
    "run_date_from_env",
]
