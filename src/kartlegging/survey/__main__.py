"""``python -m kartlegging.survey <command> <round>``: the commands that prepare and follow a survey round.

    new-round 2026             the round's folder, templates, config entry, register stub, letter
    letters 2026               one .eml draft per recipient, the dispatch list, a mail-merge list
    reminders 2026             a reminder to every unit without an e-mail reply
    phone-list 2026            the phone log with the units without an e-mail reply (and reminders)
    interview-workbooks 2026   one pre-filled interview workbook per service the answers name

Each prints what it wrote (counts and paths; never an address or a name) and exits 2 with one
message when something must be fixed first.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from kartlegging.survey.context import SurveyError, load_context


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kartlegging.survey", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="config/config.yaml", help="the pipeline's config file")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("new-round", help="start a round: folder, templates, config entry, register, letter")
    p.add_argument("round")
    p.add_argument("--date", type=_date, help="the round's date, for its Klass version (default 1 January of "
                                              "the round's year)")
    p.add_argument("--reply-by", type=_date, help="the answer deadline in the letter (default 30 November)")
    for name, what in (("letters", "write the letters"), ("reminders", "write reminders"),
                       ("phone-list", "write the phone list"),
                       ("interview-workbooks", "write the interview workbooks")):
        p = sub.add_parser(name, help=what)
        p.add_argument("round")
        if name in ("letters", "reminders", "phone-list"):
            p.add_argument("--sendt", type=_date, default=None,
                           help="the date the letters go out (default today)")
        if name in ("letters", "phone-list"):
            p.add_argument("--force", action="store_true", help="replace what an earlier run wrote")
        if name == "phone-list":
            p.add_argument("--no-reminders", action="store_true", help="write no reminders")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "new-round":
            from kartlegging.survey.rounds import new_round

            lines = new_round(args.config, args.round, args.date, args.reply_by).lines
        else:
            ctx = load_context(args.config, args.round)
            lines = _run(ctx, args)
    except (SurveyError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


def _run(ctx, args) -> list[str]:
    sent = getattr(args, "sendt", None) or date.today()
    if args.command == "letters":
        from kartlegging.survey.letters import write_letters

        return write_letters(ctx, sent, args.force).lines
    if args.command == "reminders":
        from kartlegging.survey.letters import write_reminders
        from kartlegging.survey.replies import read_replies

        replies = read_replies(ctx)
        return write_reminders(ctx, replies.without_reply, sent).lines
    if args.command == "phone-list":
        from kartlegging.survey.letters import write_reminders
        from kartlegging.survey.phone_list import write_phone_list

        written, todo = write_phone_list(ctx, args.force)
        lines = list(written.lines)
        if not args.no_reminders and todo:
            lines += write_reminders(ctx, todo, sent).lines
        return lines
    from kartlegging.survey.interview_workbooks import write_interview_workbooks

    return write_interview_workbooks(ctx).lines


if __name__ == "__main__":
    sys.exit(main())
