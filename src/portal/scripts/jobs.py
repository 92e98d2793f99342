"""``portal-jobs <ini> <job>``: the portal's scheduled work, run from cron or a systemd timer.

Jobs:

- ``auto-close [--days N]`` closes the requests that have been resolved for more
  than N days without the customer confirming them (N defaults to the setting
  ``portal.requests.auto_close_days``). Each one moves through the request
  workflow's ``auto_close`` transition with no actor, so its timeline shows it
  was closed automatically and its author gets the usual in-app notice and e-mail.

- ``prune-outbox [--days N]`` deletes the e-mails sent more than N days ago
  (N defaults to the setting ``portal.mail.keep_days``, else 90); e-mails
  still waiting or failed stay.

- ``remind-due [--hours N]`` reminds the people working open requests and service
  tickets that fall due within N hours (default: the setting
  ``portal.reminders.due_soon_hours``, else 4), and again once they are overdue:
  each stage once per due time (outbox/reminders.py), so it can run every few
  minutes. The assignee is reminded, else the group the item is routed to.

- ``prune-registrations [--days N]`` removes the self-registrations begun more
  than N days ago (default: the setting ``portal.registrations.keep_days``, else
  30) whose address or phone was never confirmed, with their users, who could
  never log in: the address is free for a new registration.

- ``prune-form-tokens`` deletes the record of one-time form tokens used longer
  ago than their lifetime (``portal.forms.token_hours``, else 24): such a token
  is refused as expired, so its record keeps nothing from filing twice.

A job runs in one transaction: it closes all it finds or, on an error, nothing.
Running it again at once finds nothing more to do.
"""
import argparse
import sys
from datetime import timedelta

from portal.db.meta import utcnow
from portal.formtokens.services import TokenPolicy, prune_used
from portal.onboarding.registration import prune_abandoned
from portal.outbox.letters import letters_for
from portal.outbox.reminders import DueReminders, soon_hours
from portal.outbox.services import prune_sent
from portal.requests.services import auto_close
from portal.scripts.common import app_request, db_session, load_settings

AUTO_CLOSE_SETTING = "portal.requests.auto_close_days"
KEEP_SENT_SETTING = "portal.mail.keep_days"
KEEP_REGISTRATIONS_SETTING = "portal.registrations.keep_days"
DEFAULT_KEEP_REGISTRATIONS_DAYS = 30
DEFAULT_KEEP_SENT_DAYS = 90
MAX_DAYS = 3650


class JobError(Exception):
    """A mistake in the arguments or the settings, reported as one line and exit status 2."""


def days_value(value) -> int:
    """``value`` as a number of days from 1 to ``MAX_DAYS``."""
    try:
        days = int(str(value).strip())
    except ValueError:
        raise JobError(f"The number of days must be a whole number, not {value!r}.") from None
    if not 1 <= days <= MAX_DAYS:
        raise JobError(f"The number of days must be from 1 to {MAX_DAYS}, not {days}.")
    return days


def run_auto_close(settings, args) -> str:
    if args.days is not None:
        days = days_value(args.days)
    elif settings.get(AUTO_CLOSE_SETTING):
        days = days_value(settings[AUTO_CLOSE_SETTING])
    else:
        raise JobError(f"Give --days or set {AUTO_CLOSE_SETTING} in the .ini file.")
    with app_request(args.config_uri) as request:
        closed = auto_close(request.dbsession, days, notify=request.registry.notify)
    noun = "request" if closed == 1 else "requests"
    return f"Closed {closed} {noun} resolved more than {days} days ago."


def hours_value(value) -> float:
    """``value`` as a number of hours above 0, up to a year."""
    try:
        hours = float(str(value).strip())
    except ValueError:
        raise JobError(f"The number of hours must be a number, not {value!r}.") from None
    if not 0 < hours <= 24 * 365:
        raise JobError(f"The number of hours must be above 0 and at most {24 * 365}, not {value}.")
    return hours


def run_remind_due(settings, args) -> str:
    hours = hours_value(args.hours if args.hours is not None else soon_hours(settings))
    with app_request(args.config_uri) as request:
        done = DueReminders(request.registry, letters_for(request.registry)).run(
            request.dbsession, utcnow(), timedelta(hours=hours))
    return (f"Reminded of {done.due_soon} items due within {hours:g} hours and {done.overdue} overdue: "
            f"{done.notices} notices, {done.letters} e-mails or SMS.")


def run_prune_outbox(settings, args) -> str:
    days = days_value(args.days if args.days is not None
                           else settings.get(KEEP_SENT_SETTING) or DEFAULT_KEEP_SENT_DAYS)
    with db_session(settings) as db:
        pruned = prune_sent(db, days)
    noun = "e-mail" if pruned == 1 else "e-mails"
    return f"Deleted {pruned} {noun} sent more than {days} days ago."


def run_prune_registrations(settings, args) -> str:
    days = days_value(args.days if args.days is not None
                      else settings.get(KEEP_REGISTRATIONS_SETTING) or DEFAULT_KEEP_REGISTRATIONS_DAYS)
    with db_session(settings) as db:
        pruned = prune_abandoned(db, days)
    noun = "registration" if pruned == 1 else "registrations"
    return f"Removed {pruned} unfinished {noun} begun more than {days} days ago."


def run_prune_form_tokens(settings, args) -> str:
    lifetime = TokenPolicy.from_settings(settings).lifetime
    with db_session(settings) as db:
        pruned = prune_used(db, lifetime)
    noun = "form token" if pruned == 1 else "form tokens"
    return f"Deleted {pruned} used {noun} older than {int(lifetime.total_seconds() // 3600)} hours."


def build_parser():
    parser = argparse.ArgumentParser(prog="portal-jobs", description="Run the portal's scheduled jobs.")
    parser.add_argument("config_uri", help="the .ini file, e.g. production.ini")
    sub = parser.add_subparsers(dest="job", required=True)
    close = sub.add_parser("auto-close", help="close requests resolved longer ago than N days")
    close.add_argument("--days", help=f"N (default: the setting {AUTO_CLOSE_SETTING})")
    close.set_defaults(func=run_auto_close)
    prune = sub.add_parser("prune-outbox", help="delete e-mails sent longer ago than N days")
    prune.add_argument("--days", help=f"N (default: the setting {KEEP_SENT_SETTING}, else {DEFAULT_KEEP_SENT_DAYS})")
    prune.set_defaults(func=run_prune_outbox)
    remind = sub.add_parser("remind-due", help="remind the people working items due soon or overdue")
    remind.add_argument("--hours", help="what \"soon\" is, in hours (default: the setting "
                                        "portal.reminders.due_soon_hours, else 4)")
    remind.set_defaults(func=run_remind_due)
    registrations = sub.add_parser("prune-registrations",
                                   help="remove self-registrations never finished in N days, with their users")
    registrations.add_argument("--days", help=f"N (default: the setting {KEEP_REGISTRATIONS_SETTING}, else "
                                              f"{DEFAULT_KEEP_REGISTRATIONS_DAYS})")
    registrations.set_defaults(func=run_prune_registrations)
    tokens = sub.add_parser("prune-form-tokens", help="delete the used one-time form tokens that have expired")
    tokens.set_defaults(func=run_prune_form_tokens)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    settings = load_settings(args.config_uri)
    try:
        message = args.func(settings, args)
    except JobError as exc:
        print(f"portal-jobs: {exc}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
