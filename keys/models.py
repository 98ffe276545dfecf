"""Spare keys kept by the volunteer key keepers (钥匙管家), and every movement of them.

A household deposits a key ring (door, mailbox, bike-shed keys) under an opaque
tag number (K-017) on a numbered hook of the cabinet. What the keepers may do
with it is the household's consent, kept as a history of versions.

A key leaves the cabinet only in a hand-over with two people, the keeper and
a witness, each confirming in their own account. Hand-overs, their events,
consents and inventory checks are append-only (database triggers, see the
migrations): the workflow is written as new rows, never as edits.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
    (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday")),
]


def confirm_window():
    """How long the second person has to confirm after the first (15 minutes by default)."""
    return timedelta(minutes=settings.KEYS_CONFIRM_MINUTES)


def overdue_after():
    """How long a key may stay out of the cabinet (4 hours by default)."""
    return timedelta(hours=settings.KEYS_OVERDUE_HOURS)


class Purpose(models.TextChoices):
    """Why a key leaves the cabinet; the same list is what a household consents to."""

    EMERGENCY = "emergency", _("Emergency entry")
    PLANTS = "plants", _("Watering plants")
    AIRING = "airing", _("Airing the flat")
    REPAIR = "repair", _("Letting in a repair worker")


# Services done on the household's timetable; emergencies and repairs happen when they happen.
SCHEDULED = (Purpose.PLANTS, Purpose.AIRING)


class KeyKeeper(models.Model):
    """A volunteer appointed by the committee to keep the key cabinet.

    "On duty" (keys/access.py): an appointment not ended, held by a user who is
    still a volunteer. Committee members run key custody and are always on duty.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="key_keeper_terms",
                             verbose_name=_("key keeper"))
    appointed_at = models.DateTimeField(default=timezone.now)
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    class Meta:
        ordering = ["appointed_at", "pk"]
        verbose_name = _("key keeper")
        verbose_name_plural = _("key keepers")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(ended_at__isnull=True),
                                    name="keys_one_active_keeper_term"),
        ]

    def __str__(self):
        return str(self.user)


class KeyDeposit(models.Model):
    """One tagged key ring of one household in the cabinet, from deposit to its return or loss."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In custody")
        RETURNING = "returning", _("Handed back, awaiting the household's confirmation")
        RETURNED = "returned", _("Returned to the household")
        LOST = "lost", _("Lost")

    tag_number = models.PositiveIntegerField(_("tag number"), unique=True)
    hook = models.PositiveSmallIntegerField(_("hook"))
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="key_deposits",
                                  verbose_name=_("household"))
    depositor = models.ForeignKey("estate.Resident", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("deposited by"))
    door_keys = models.PositiveSmallIntegerField(_("door keys"), default=0)
    mailbox_keys = models.PositiveSmallIntegerField(_("mailbox keys"), default=0)
    bike_shed_keys = models.PositiveSmallIntegerField(_("bike-shed keys"), default=0)
    description = models.CharField(_("what the keys look like"), max_length=100, blank=True,
                                   help_text=_("For example: red fob, two brass keys. Never the address."))
    deposited_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Handing the keys back: started by a keeper, confirmed by the household.
    returned_to = models.ForeignKey("estate.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    hand_back_at = models.DateTimeField(null=True, blank=True)
    hand_back_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    confirmed_on_paper = models.BooleanField(default=False)
    end_note = models.TextField(blank=True)

    class Meta:
        ordering = ["tag_number"]
        verbose_name = _("key deposit")
        verbose_name_plural = _("key deposits")
        constraints = [
            # A hook holds one key ring at a time.
            models.UniqueConstraint(fields=["hook"], condition=Q(status="active"), name="keys_one_ring_per_hook"),
            models.CheckConstraint(condition=Q(door_keys__gt=0) | Q(mailbox_keys__gt=0) | Q(bike_shed_keys__gt=0),
                                   name="keys_deposit_holds_a_key"),
            models.CheckConstraint(condition=Q(tag_number__gt=0) & Q(hook__gt=0), name="keys_tag_and_hook_positive"),
        ]

    def __str__(self):
        # Never the address: this string goes into logs, e-mails and onto paper.
        return self.tag

    def get_absolute_url(self):
        return reverse("keys:deposit", kwargs={"pk": self.pk})

    @property
    def tag(self):
        return f"K-{self.tag_number:03d}"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def key_list(self):
        """['2 door keys', ...] in the reader's language."""
        parts = []
        for count, label in ((self.door_keys, _("door")), (self.mailbox_keys, _("mailbox")),
                             (self.bike_shed_keys, _("bike shed"))):
            if count:
                parts.append(_("%(label)s ×%(count)d") % {"label": label, "count": count})
        return parts

    @cached_property
    def current_consent(self):
        """The consent in force: the latest version (uses prefetched `consents` when there)."""
        consents = list(self.consents.all())
        return max(consents, key=lambda c: (c.recorded_at, c.pk)) if consents else None


class KeyConsent(models.Model):
    """One version of a household's consent; a change is a new version, the old ones stay."""

    deposit = models.ForeignKey(KeyDeposit, on_delete=models.PROTECT, related_name="consents")
    emergency = models.BooleanField(_("emergency entry"), default=True)
    plants = models.BooleanField(_("watering plants"), default=False)
    airing = models.BooleanField(_("airing the flat"), default=False)
    repair = models.BooleanField(_("letting in a repair worker"), default=False)
    weekdays = models.JSONField(_("on these days"), default=list, blank=True,
                                help_text=_("For watering and airing; none ticked means any day."))
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    notify = models.CharField(_("who to tell afterwards"), max_length=200, blank=True,
                              help_text=_("For example: daughter Ms Li, 139…; the household is always told here."))
    withdrawn = models.BooleanField(_("consent withdrawn"), default=False)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__isnull=True) | Q(period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="keys_consent_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn=False) | Q(emergency=False, plants=False, airing=False, repair=False),
                name="keys_withdrawn_consent_allows_nothing",
            ),
        ]

    def __str__(self):
        return f"{self.deposit} {self.recorded_at:%Y-%m-%d %H:%M}"

    def services(self):
        return [purpose for purpose in Purpose if getattr(self, purpose.value)]

    def service_labels(self):
        return [purpose.label for purpose in self.services()]

    def weekday_labels(self):
        names = dict(WEEKDAYS)
        return [names[day] for day in sorted(self.weekdays)]

    def period_text(self):
        start = date_format(self.period_start, "SHORT_DATE_FORMAT") if self.period_start else ""
        end = date_format(self.period_end, "SHORT_DATE_FORMAT") if self.period_end else ""
        if start and end:
            return f"{start} – {end}"
        if start:
            return _("from %(date)s") % {"date": start}
        if end:
            return _("until %(date)s") % {"date": end}
        return ""

    def allows(self, purpose, day):
        """Whether this consent covers `purpose` on `day` (a local date)."""
        if self.withdrawn or not getattr(self, Purpose(purpose).value):
            return False
        if purpose in SCHEDULED:
            if self.period_start and day < self.period_start:
                return False
            if self.period_end and day > self.period_end:
                return False
            if self.weekdays and day.weekday() not in self.weekdays:
                return False
        return True


class KeyHandoverQuerySet(models.QuerySet):
    def with_counts(self):
        """Counts of the events by kind, so the state can be filtered in SQL."""
        kind = "events__kind"
        return self.annotate(
            n_out=Count("events", filter=Q(**{kind: KeyHandoverEvent.Kind.OUT})),
            n_back=Count("events", filter=Q(**{kind: KeyHandoverEvent.Kind.BACK})),
            n_closed=Count("events", filter=Q(**{f"{kind}__in": KeyHandoverEvent.CLOSING})),
            out_time=Max("events__at", filter=Q(**{kind: KeyHandoverEvent.Kind.OUT})),
        )

    def out_now(self):
        """Keys out of the cabinet: both confirmed out, not both confirmed back, not lost."""
        return self.with_counts().filter(n_out=2, n_back__lt=2, n_closed=0)

    def awaiting_witness(self):
        """Started by the keeper, the witness has not confirmed yet and still may."""
        since = timezone.now() - confirm_window()
        return self.with_counts().filter(n_out=1, n_closed=0, created_at__gte=since)

    def open(self):
        """Awaiting the witness or out: the deposit is busy."""
        since = timezone.now() - confirm_window()
        return self.with_counts().filter(
            Q(n_out=2, n_back__lt=2) | Q(n_out=1, created_at__gte=since), n_closed=0
        )

    def involving(self, user):
        return self.filter(Q(keeper=user) | Q(witness=user))


class KeyHandover(models.Model):
    """A key taken out of the cabinet by a keeper, with a witness, for a purpose.

    Append-only. The row is written when the keeper starts (which is the
    keeper's own confirmation); everything after is a KeyHandoverEvent.
    """

    class State(models.TextChoices):
        AWAITING_WITNESS = "awaiting", _("Waiting for the witness")
        EXPIRED = "expired", _("Not confirmed in time")
        CANCELLED = "cancelled", _("Cancelled")
        OUT = "out", _("Out of the cabinet")
        RETURNING = "returning", _("Back, waiting for the second confirmation")
        BACK = "back", _("Back in the cabinet")
        LOST = "lost", _("Lost while out")

    deposit = models.ForeignKey(KeyDeposit, on_delete=models.PROTECT, related_name="handovers")
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    emergency_reason = models.TextField(_("what the emergency is"), blank=True)
    consent = models.ForeignKey(KeyConsent, on_delete=models.PROTECT, related_name="+",
                                help_text="The consent in force when the hand-over started.")
    within_consent = models.BooleanField()
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("key keeper"))
    witness = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("witness"))
    created_at = models.DateTimeField(default=timezone.now)

    objects = KeyHandoverQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("key hand-over")
        verbose_name_plural = _("key hand-overs")
        constraints = [
            models.CheckConstraint(condition=~Q(keeper=models.F("witness")), name="keys_two_different_people"),
            models.CheckConstraint(condition=~Q(purpose="emergency") | ~Q(emergency_reason=""),
                                   name="keys_emergency_has_a_reason"),
            models.CheckConstraint(condition=Q(purpose="emergency") | Q(within_consent=True),
                                   name="keys_only_emergencies_outside_consent"),
        ]

    def __str__(self):
        return f"{self.deposit} {self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_emergency(self):
        return self.purpose == Purpose.EMERGENCY

    # The state is read from the events (prefetch `events` on list pages).
    @cached_property
    def _events(self):
        return sorted(self.events.all(), key=lambda e: (e.at, e.pk))

    def events_of(self, kind):
        return [event for event in self._events if event.kind == kind]

    def event_by(self, kind, user):
        return next((e for e in self.events_of(kind) if e.by_id == user.pk), None)

    @property
    def confirm_by(self):
        """The moment after which the witness can no longer confirm."""
        return self.created_at + confirm_window()

    @property
    def out_at(self):
        outs = self.events_of(KeyHandoverEvent.Kind.OUT)
        return outs[-1].at if len(outs) == 2 else None

    @property
    def back_at(self):
        backs = self.events_of(KeyHandoverEvent.Kind.BACK)
        return backs[-1].at if len(backs) == 2 else None

    @property
    def closing_event(self):
        return next((e for e in self._events if e.kind in KeyHandoverEvent.CLOSING), None)

    @property
    def state(self):
        closing = self.closing_event
        n_out = len(self.events_of(KeyHandoverEvent.Kind.OUT))
        n_back = len(self.events_of(KeyHandoverEvent.Kind.BACK))
        if closing is not None:
            return self.State.LOST if closing.kind == KeyHandoverEvent.Kind.LOST else self.State.CANCELLED
        if n_out < 2:
            return self.State.AWAITING_WITNESS if timezone.now() <= self.confirm_by else self.State.EXPIRED
        if n_back == 0:
            return self.State.OUT
        return self.State.RETURNING if n_back == 1 else self.State.BACK

    @property
    def state_label(self):
        return self.State(self.state).label

    @property
    def is_out(self):
        """The key is out of the cabinet (both confirmed out, not yet both confirmed back)."""
        return self.state in (self.State.OUT, self.State.RETURNING)

    @property
    def due_back_at(self):
        out_at = self.out_at
        return out_at + overdue_after() if out_at else None

    @property
    def is_overdue(self):
        """Out longer than allowed. Aware datetimes: a key out at 22:30 is due at 02:30, not "yesterday"."""
        return self.is_out and timezone.now() > self.due_back_at


class KeyHandoverEvent(models.Model):
    """A confirmation by one of the two people, or the end of a hand-over that never completed. Append-only."""

    class Kind(models.TextChoices):
        OUT = "out", _("confirmed the key out")
        BACK = "back", _("confirmed the key back")
        CANCELLED = "cancelled", _("cancelled")
        LOST = "lost", _("reported the key lost")

    CLOSING = (Kind.CANCELLED, Kind.LOST)

    handover = models.ForeignKey(KeyHandover, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("what was done"), blank=True)
    photo = models.CharField(max_length=200, blank=True, help_text="Storage name of the photo, if any.")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "kind", "by"], name="keys_one_confirmation_each"),
        ]

    def __str__(self):
        return f"{self.handover} {self.kind} {self.by}"


class InventoryCheck(models.Model):
    """A keeper went through the cabinet and marked each tag present or missing. Append-only."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("inventory check")
        verbose_name_plural = _("inventory checks")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M}"


class InventoryLine(models.Model):
    """One tag in one check: where the register said it was, and what the keeper found."""

    inventory = models.ForeignKey(InventoryCheck, on_delete=models.PROTECT, related_name="lines")
    deposit = models.ForeignKey(KeyDeposit, on_delete=models.PROTECT, related_name="+")
    expected_in_cabinet = models.BooleanField()
    present = models.BooleanField()

    class Meta:
        ordering = ["deposit__tag_number"]
        constraints = [models.UniqueConstraint(fields=["inventory", "deposit"], name="keys_one_line_per_tag")]

    def __str__(self):
        return f"{self.inventory} {self.deposit}"

    @property
    def is_difference(self):
        return self.expected_in_cabinet != self.present
