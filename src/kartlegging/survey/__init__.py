"""Preparing a survey round: the commands a person runs before and during the field work.

The pipeline (Snakemake) reads a round after the fact. This package writes what the round
needs while it happens, in exactly the layout the pipeline then reads:

- :mod:`.rounds`: ``new-round``, the round's folder with a blank template for every input, its
  config entry, register stub and letter template;
- :mod:`.contacts`: the contact list every letter goes from, checked against Klass 131;
- :mod:`.letters`: one ``.eml`` draft per recipient with the unit's tag in the subject, the
  dispatch list with each draft's Message-ID, a mail-merge list; the reminders;
- :mod:`.phone_list`: after the e-mail deadline, the phone log pre-filled with the units
  that did not reply;
- :mod:`.interview_workbooks`: one interview workbook per service the answers name.

Run them as ``python -m kartlegging.survey <command> <round>`` or ``make <command> ROUND=<round>``.
Everything they write under ``data/raw/<round>/`` holds names and addresses and stays there
(gitignored); what they print holds counts and paths only.
"""
