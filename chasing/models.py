"""催缴登记: the arrears chasing record and how often the committee allows a household to be reminded.

Both tables were made by the messaging app and keep its names; the app that chases arrears sits above the
ledger (what a household owes) and messaging (the reminder sent as a message), so that messaging, a lower
layer, imports no domain app (docs/ARCHITECTURE.md, "Apps and how they depend on each other").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.models import Message


class ReminderPolicy(models.Model):
    """How often the committee allows a household in arrears to be reminded. The latest row is in force."""

    min_days = models.PositiveSmallIntegerField(_("days at least between two reminders"), default=14)
    set_at = models.DateTimeField(default=timezone.now)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        db_table = "messaging_reminderpolicy"  # made by messaging before this app held it (migrations/0001)
        ordering = ["-set_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(min_days__gte=1), name="messaging_reminder_gap_positive")]

    def __str__(self):
        return str(self.min_days)

    @classmethod
    def current_min_days(cls):
        return cls.objects.values_list("min_days", flat=True).first() or cls._meta.get_field("min_days").default


class ArrearsReminder(models.Model):
    """催缴登记: one reminder to a household in arrears, how it was given and what came of it."""

    class Means(models.TextChoices):
        SLIP = "slip", _("Reminder slip")
        CALL = "call", _("Phone call")
        VISIT = "visit", _("Visit")
        MESSAGE = "message", _("Message")

    class Outcome(models.TextChoices):
        PROMISED = "promised", _("Promised to pay")
        PAID = "paid", _("Paid")
        NO_ANSWER = "no_answer", _("Nobody answered")
        DISPUTED = "disputed", _("Disputes the bill")
        HARDSHIP = "hardship", _("Cannot pay now")
        LEFT = "left", _("Slip or message left")

    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    means = models.CharField(_("how"), max_length=10, choices=Means.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    next_step = models.CharField(_("next step"), max_length=100, blank=True)
    next_on = models.DateField(_("next step on"), null=True, blank=True)
    owed = models.DecimalField(_("owed then"), max_digits=12, decimal_places=2)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        db_table = "messaging_arrearsreminder"  # made by messaging before this app held it (migrations/0001)
        ordering = ["-at", "-pk"]
        verbose_name = _("arrears reminder")
        verbose_name_plural = _("arrears reminders")

    def __str__(self):
        return f"{self.household} {self.get_means_display()} {self.at:%Y-%m-%d}"
