"""Welfare check-ins for people living alone (关爱约定), and the visits the key register promises.

An Agreement exists only with recorded consent: of the person, or of their family (who
gave it is recorded). On each of its days the buddy (or the person) records the sign by the
deadline; a day without it raises one Alert, which escalates on a schedule until a person
resolves it with what they found. docs/ARCHITECTURE.md, "Care and messages".
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keys.models import WEEKDAYS


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The person, their buddy and backup, the building head and the committee
        (docs/ARCHITECTURE.md, "Care and messages")."""
        if not user.is_authenticated:
            return self.none()
        if user.is_committee:
            return self
        return self.filter(
            Q(person__user=user) | Q(buddy=user) | Q(backup=user)
            | Q(household__building_id__in=user.headed_building_ids)
        )

    def in_force(self):
        return self.filter(status=Agreement.Status.ACTIVE)


class Agreement(models.Model):
    class Sign(models.TextChoices):
        CURTAINS = "curtains", _("Curtains open")
        LIGHT = "light", _("Light on")
        TAP = "tap", _("A tap on “I am fine today” on the phone")
        CALL = "call", _("A call answered")

    class ConsentBy(models.TextChoices):
        PERSON = "person", _("The person")
        FAMILY = "family", _("Their family")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("household"))
    person = models.ForeignKey("estate.Resident", on_delete=models.PROTECT, related_name="care_agreements",
                               verbose_name=_("person looked after"))
    sign = models.CharField(_("the sign to look for"), max_length=10, choices=Sign.choices)
    deadline = models.TimeField(_("by what time"))
    weekdays = models.JSONField(_("on these days"), default=list, blank=True, help_text=_("None ticked: every day."))
    buddy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("buddy"))
    backup = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("backup buddy"))
    family_name = models.CharField(_("family contact"), max_length=50, blank=True)
    family_phone = models.CharField(_("family contact's phone"), max_length=20, blank=True)
    family2_name = models.CharField(_("second family contact"), max_length=50, blank=True)
    family2_phone = models.CharField(_("second family contact's phone"), max_length=20, blank=True)
    key_opening = models.BooleanField(
        _("emergency key opening allowed"), default=False,
        help_text=_("Only with a spare key in the cabinet whose consent allows emergency entry."))
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=ConsentBy.choices)
    consent_name = models.CharField(_("name of who consented"), max_length=50)
    consent_relation = models.CharField(_("their relation to the person"), max_length=30, blank=True)
    consent_at = models.DateTimeField(default=timezone.now)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    pause_reason = models.CharField(_("why paused"), max_length=100, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["household__code", "pk"]
        verbose_name = _("check-in agreement")
        verbose_name_plural = _("check-in agreements")
        constraints = [
            models.CheckConstraint(condition=~Q(buddy=models.F("backup")), name="care_backup_is_another_person"),
            models.CheckConstraint(condition=~Q(consent_name=""), name="care_consent_is_recorded"),
            models.UniqueConstraint(fields=["person"], condition=~Q(status="ended"),
                                    name="care_one_agreement_per_person"),
        ]

    def __str__(self):
        # Never the person's name or address: this goes into the activity log.
        return _("Check-in agreement no. %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("care:agreement", kwargs={"pk": self.pk})

    def is_due_on(self, day):
        if self.status != self.Status.ACTIVE:
            return False
        return not self.weekdays or day.weekday() in self.weekdays

    def deadline_on(self, day):
        return timezone.make_aware(datetime.combine(day, self.deadline))

    def weekday_labels(self):
        names = dict(WEEKDAYS)
        return [names[day] for day in sorted(self.weekdays)] if self.weekdays else [_("Every day")]

    def family_contacts(self):
        return [(name, phone) for name, phone in ((self.family_name, self.family_phone),
                                                  (self.family2_name, self.family2_phone)) if name or phone]

    def is_buddy(self, user):
        return user.pk in (self.buddy_id, self.backup_id)

    def is_person(self, user):
        return bool(self.person.user_id) and self.person.user_id == user.pk

    def may_record(self, user):
        return self.is_buddy(user) or self.is_person(user)


class Check(models.Model):
    """The sign, seen on a day. One a day; append-only."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="checks")
    day = models.DateField()
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["agreement", "day"], name="care_one_check_a_day")]

    def __str__(self):
        return f"{self.agreement} {self.day}"


class Alert(models.Model):
    """A missed check. Escalates step by step until somebody resolves it."""

    class Level(models.IntegerChoices):
        BUDDY = 0, _("Buddy")
        BACKUP = 1, _("Backup buddy")
        HEAD = 2, _("Building head")
        COMMITTEE = 3, _("Committee and family")

    class Outcome(models.TextChoices):
        WELL = "well", _("All well")
        PHONED = "phoned", _("Reached by phone")
        VISITED = "visited", pgettext_lazy("care outcome", "Visited")
        EMERGENCY_CALL = "called_120", _("Called 120 / 110")
        HOSPITAL = "hospital", _("In hospital")
        CHECKED = "checked", _("The sign was recorded after the alert")
        PAUSED = "paused", _("The person paused the agreement")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="alerts")
    day = models.DateField()
    raised_at = models.DateTimeField(default=timezone.now)
    level = models.PositiveSmallIntegerField(_("told so far"), choices=Level.choices, default=Level.BUDDY)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    outcome = models.CharField(_("what was found"), max_length=12, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    handover = models.ForeignKey("keys.KeyHandover", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("emergency key hand-over"))

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "day"], name="care_one_alert_a_day"),
            models.CheckConstraint(condition=Q(resolved_at__isnull=True, outcome="")
                                   | Q(resolved_at__isnull=False) & ~Q(outcome=""),
                                   name="care_resolved_alert_has_outcome"),
        ]

    def __str__(self):
        return _("Alert no. %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self):
        return reverse("care:alert", kwargs={"pk": self.pk})

    @property
    def is_open(self):
        return self.resolved_at is None

    def level_due(self, now):
        """The step the schedule has reached by `now`: one step every CARE_ESCALATE_MINUTES after raising."""
        steps = int((now - self.raised_at) / timedelta(minutes=settings.CARE_ESCALATE_MINUTES))
        return min(steps, self.Level.COMMITTEE)

    def next_step_at(self):
        if self.level >= self.Level.COMMITTEE:
            return None
        return self.raised_at + timedelta(minutes=settings.CARE_ESCALATE_MINUTES * (self.level + 1))
