"""催缴登记: reminders to households in arrears, each recorded with its outcome, never more often than allowed."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.activity import log_action
from chasing.models import ArrearsReminder, ReminderPolicy
from estate.models import Household
from ledger.money import ZERO
from messaging.models import Topic
from messaging.services import message_to_household


class ReminderRefused(Exception):
    """str(error) is the message for the person."""


def may_remind(user, household):
    return user.is_committee or household.building_id in user.headed_building_ids


def owed_by(household):
    from ledger import reports

    rows = reports.arrears(households=Household.objects.filter(pk=household.pk))
    return rows[0].owed if rows else ZERO


def next_allowed_at(last_at):
    return last_at + timedelta(days=ReminderPolicy.current_min_days())


@transaction.atomic
def arrears_remind(*, household, means, outcome, note="", next_step="", next_on=None, by):
    """Record one reminder; a reminder by message is also sent to the household on its channels."""
    household = Household.objects.select_for_update().get(pk=household.pk)  # one reminder at a time per household
    if not may_remind(by, household):
        raise PermissionDenied
    owed = owed_by(household)
    if owed <= ZERO:
        raise ReminderRefused(_("This household owes nothing."))
    last = ArrearsReminder.objects.filter(household=household).first()
    if last and timezone.now() < next_allowed_at(last.at):
        raise ReminderRefused(
            _("The last reminder was on %(last)s; the committee allows one every %(days)d days, so the next one "
              "from %(next)s.") % {"last": timezone.localdate(last.at).isoformat(),
                                   "days": ReminderPolicy.current_min_days(),
                                   "next": timezone.localdate(next_allowed_at(last.at)).isoformat()})
    if next_on and next_on < timezone.localdate():
        raise ReminderRefused(_("The next step cannot be in the past."))
    message = None
    if means == ArrearsReminder.Means.MESSAGE:
        sent = message_to_household(
            household=household, topic=Topic.ARREARS,
            subject=_("Property fee reminder for %(unit)s") % {"unit": household.code},
            body=_("Dear neighbour, %(unit)s owes %(owed)s yuan of property fees. Please pay at the committee's "
                   "office or to your building head. Thank you.") % {"unit": household.code, "owed": owed},
            link=reverse("ledger:household", kwargs={"pk": household.pk}),
        )
        if not sent:
            raise ReminderRefused(_("Nobody in this household has a login to receive messages; use a slip, a call "
                                    "or a visit."))
        message = sent[0]
    reminder = ArrearsReminder.objects.create(household=household, means=means, outcome=outcome, note=note.strip(),
                                              next_step=next_step.strip(), next_on=next_on, owed=owed, by=by,
                                              message=message)
    log_action("messaging.arrears_reminded", household, by=by, details={
        "means": means, "outcome": outcome, "owed": str(owed), "next_step": reminder.next_step})
    return reminder


@transaction.atomic
def reminder_policy_set(*, min_days, by):
    if not by.is_committee:
        raise PermissionDenied
    policy = ReminderPolicy.objects.create(min_days=min_days, set_by=by)
    log_action("messaging.reminder_policy_set", policy, by=by, details={"min_days": min_days})
    return policy


def last_reminders(household_ids):
    """{household_id: its latest reminder} in one query."""
    latest = {}
    for reminder in ArrearsReminder.objects.filter(household_id__in=household_ids).order_by("household_id", "-at",
                                                                                            "-pk"):
        latest.setdefault(reminder.household_id, reminder)
    return latest
