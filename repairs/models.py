"""Repair tickets (报修), their timeline and photos, the talent pool (能人库), contractors and quotes.

A ticket moves through the states of repairs/workflow.py, and only through
the services in repairs/services.py, each of which writes a TicketEvent (the
timeline, append-only) and an activity record in the same transaction.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Skill(models.TextChoices):
    """What a volunteer can do or a contractor's trade."""

    PLUMBING = "plumbing", _("Plumbing")
    ELECTRICAL = "electrical", _("Electrical")
    WATERPROOFING = "waterproofing", _("Waterproofing")
    LOCKS = "locks", _("Locks and doors")
    CARPENTRY = "carpentry", _("Carpentry")
    MASONRY = "masonry", _("Masonry and building work")
    GREENING = "greening", _("Greening and gardening")
    CLEANING = "cleaning", _("Cleaning")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    IT = "it", _("Computers and phones")
    ELDERLY_CARE = "elderly_care", _("Care for the elderly")
    OTHER = "other", _("Other")


class Volunteer(models.Model):
    """A resident in the talent pool: what they can do and when."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="talent",
                                verbose_name=_("login"))
    skills = models.JSONField(_("skills"), default=list, blank=True, help_text="Values of Skill.")
    availability = models.CharField(_("availability"), max_length=100, blank=True,
                                    help_text=_("For example: weekday mornings, weekends"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("available for jobs"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_active", "user__name", "pk"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return str(self.user)

    @property
    def skill_labels(self):
        return [Skill(value).label for value in self.skills if value in Skill.values]


class Contractor(models.Model):
    """A firm or tradesman the estate pays for work."""

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    trade = models.CharField(_("trade"), max_length=20, choices=Skill.choices)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("still used"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_active", "name", "pk"]
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")

    def __str__(self):
        return self.name


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tickets `user` may see.

        Common-area tickets: everyone with a role in the estate. A flat's ticket:
        the committee, that household, the head of its building, whoever reported
        it and the volunteer assigned to it.
        """
        if not user.is_authenticated or not user.active_roles:
            return self.none()
        if user.is_committee:
            return self
        return self.filter(
            Q(household__isnull=True)
            | Q(household_id__in=user.household_ids)
            | Q(building_id__in=user.headed_building_ids)
            | Q(reported_by=user)
            | Q(volunteer__user=user)
        )

    def open(self):
        return self.filter(status__in=Ticket.OPEN)

    def overdue(self, now=None):
        """Open tickets past the time the estate promises (see Ticket.ACCEPT_WITHIN, FINISH_WITHIN)."""
        return self.filter(Ticket.overdue_condition(now or timezone.now()))

    def awaiting_confirmation_too_long(self, now=None):
        return self.filter(Ticket.unconfirmed_condition(now or timezone.now()))


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        ASSIGNED = "assigned", _("Assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CLOSED = "closed", pgettext_lazy("repair ticket", "Closed")
        REJECTED = "rejected", _("Rejected")

    class Category(models.TextChoices):
        LEAK = "leak", _("Leaks and waterproofing")
        PLUMBING = "plumbing", _("Water pipes")
        DRAINS = "drains", _("Blocked drains")
        ELECTRICAL = "electrical", _("Electricity and lights")
        DOORS = "doors", _("Doors, gates and locks")
        GREENING = "greening", _("Trees and greenery")
        FIRE = "fire", _("Fire safety")
        FACILITIES = "facilities", _("Shared facilities")
        OTHER = "other", _("Other")

    class Place(models.TextChoices):
        FLAT = "flat", _("Inside a flat")
        BUILDING = "building", _("Building (walls, outside)")
        STAIRWELL = "stairwell", _("Stairwell")
        ROOF = "roof", _("Roof")
        GARDEN = "garden", _("Garden and greenery")
        PARKING = "parking", _("Parking")
        PIPES = "pipes", _("Pipes and drains")
        LIGHTS = "lights", _("Outdoor lights")
        GATE = "gate", _("Gate and fence")
        OTHER = "other", _("Elsewhere in the estate")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        EMERGENCY = "emergency", _("Emergency")

    OPEN = (Status.NEW, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS)
    FINISHED = (Status.DONE, Status.CONFIRMED, Status.CLOSED)
    # What the committee promises residents: an emergency (a burst pipe, no light in a
    # stairwell at night) is looked at the same day and fixed within two days.
    ACCEPT_WITHIN = {Urgency.EMERGENCY: timedelta(hours=4), Urgency.NORMAL: timedelta(days=2)}
    FINISH_WITHIN = {Urgency.EMERGENCY: timedelta(days=2), Urgency.NORMAL: timedelta(days=14)}
    # A finished job the reporter has not confirmed may be closed by the committee after this.
    CONFIRM_WITHIN = timedelta(days=7)
    MAX_PHOTOS = 6  # in one report or comment
    MAX_PHOTOS_IN_ALL = 30  # on one ticket, so that nobody fills the disk through it

    category = models.CharField(_("what is broken"), max_length=20, choices=Category.choices)
    place = models.CharField(_("where"), max_length=20, choices=Place.choices)
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="repair_tickets", verbose_name=_("flat"))
    building = models.ForeignKey("estate.Building", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="repair_tickets", verbose_name=_("building"))
    spot = models.CharField(_("exact spot"), max_length=100, blank=True,
                            help_text=_("For example: entrance 2, between the 5th and 6th floor"))
    description = models.TextField(_("what is wrong"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)

    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Confirmed, closed or rejected.")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="tickets", verbose_name=_("volunteer"))
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="tickets", verbose_name=_("contractor"))

    chosen_quote = models.ForeignKey("Quote", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    choice_reason = models.TextField(blank=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    chosen_at = models.DateTimeField(null=True, blank=True)

    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("comment on the work"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("repair ticket")
        verbose_name_plural = _("repair tickets")
        constraints = [
            models.CheckConstraint(
                name="ticket_flat_has_household",
                condition=Q(place="flat", household__isnull=False) | (~Q(place="flat") & Q(household__isnull=True)),
            ),
            models.CheckConstraint(
                name="ticket_one_assignee",
                condition=Q(volunteer__isnull=True) | Q(contractor__isnull=True),
            ),
            models.CheckConstraint(
                name="ticket_rating_1_to_5",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "reported_at"]),
            models.Index(fields=["done_at"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()}"

    def get_absolute_url(self):
        return reverse("repairs:detail", args=[self.pk])

    @property
    def number(self):
        return f"#{self.pk}"

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def is_common_area(self):
        return self.household_id is None

    @property
    def is_emergency(self):
        return self.urgency == self.Urgency.EMERGENCY

    @property
    def assignee(self):
        return self.volunteer or self.contractor

    @property
    def public_location(self):
        """Where, without names or free text: the building and the kind of place (for public lists)."""
        place = self.get_place_display()
        return f"{self.building} · {place}" if self.building_id else str(place)

    @property
    def location(self):
        """Where, as the people who may see the ticket read it."""
        parts = [str(self.household) if self.household_id else self.public_location, self.spot]
        return " · ".join(part for part in parts if part)

    @classmethod
    def overdue_condition(cls, now):
        late = Q()
        for urgency in cls.Urgency.values:
            late |= Q(urgency=urgency, status=cls.Status.NEW, reported_at__lt=now - cls.ACCEPT_WITHIN[urgency])
            late |= Q(urgency=urgency, reported_at__lt=now - cls.FINISH_WITHIN[urgency])
        return Q(status__in=cls.OPEN) & late

    @classmethod
    def unconfirmed_condition(cls, now):
        return Q(status=cls.Status.DONE, done_at__lte=now - cls.CONFIRM_WITHIN)

    def age(self, now=None):
        return (now or timezone.now()) - self.reported_at

    def falls_overdue_at(self):
        """When the clock alone may make an open ticket overdue (is_overdue): not accepted in time, not finished in
        time. What is kept as HTML ends at the first of these still to come (estate/panels.py)."""
        if not self.is_open:
            return []
        return [self.reported_at + limit[self.urgency] for limit in (self.ACCEPT_WITHIN, self.FINISH_WITHIN)]

    def is_overdue(self, now=None):
        """Same rule as TicketQuerySet.overdue, for one ticket already in hand."""
        if not self.is_open:
            return False
        age = self.age(now)
        if self.status == self.Status.NEW and age > self.ACCEPT_WITHIN[self.urgency]:
            return True
        return age > self.FINISH_WITHIN[self.urgency]

    def may_be_closed_at(self):
        """When the committee may close this finished, unconfirmed ticket."""
        return self.done_at + self.CONFIRM_WITHIN if self.done_at else None

    def time_to_accept(self):
        return self.accepted_at - self.reported_at if self.accepted_at else None

    def time_to_finish(self):
        return self.done_at - self.reported_at if self.done_at else None


# Who is suited to a kind of job: volunteers with these skills are offered first.
SKILLS_FOR = {
    Ticket.Category.LEAK: (Skill.WATERPROOFING, Skill.PLUMBING),
    Ticket.Category.PLUMBING: (Skill.PLUMBING,),
    Ticket.Category.DRAINS: (Skill.PLUMBING,),
    Ticket.Category.ELECTRICAL: (Skill.ELECTRICAL,),
    Ticket.Category.DOORS: (Skill.LOCKS, Skill.CARPENTRY),
    Ticket.Category.GREENING: (Skill.GREENING,),
    Ticket.Category.FIRE: (Skill.FIRE_SAFETY, Skill.PLUMBING),
    Ticket.Category.FACILITIES: (Skill.MASONRY, Skill.CARPENTRY),
}


class TicketEvent(models.Model):
    """One line of a ticket's timeline: a change of state, an assignment, a quote, a comment.

    Append-only (a database trigger refuses UPDATE and DELETE): the timeline is
    the record of who did what to a ticket.
    """

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        MOVED = "moved", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        COMMENTED = "commented", _("Comment")
        QUOTE_ADDED = "quote_added", _("Quote added")
        QUOTE_CHOSEN = "quote_chosen", _("Quote chosen")
        RATED = "rated", _("Rated")

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    move = models.CharField(max_length=20, blank=True, help_text="The workflow move, for MOVED events.")
    from_status = models.CharField(max_length=12, choices=Ticket.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Ticket.Status.choices, blank=True)
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    MOVE_HEADLINES = {
        "accept": _("Accepted the report"),
        "reject": _("Rejected the report"),
        "start": _("Started the work"),
        "finish": _("Finished the work"),
        "confirm": _("Confirmed it is fixed"),
        "reopen": _("Reopened: not fixed"),
        "close": _("Closed without the reporter's confirmation"),
    }

    @property
    def headline(self):
        """What happened, in a few words, for the timeline."""
        d = self.details
        if self.kind == self.Kind.MOVED:
            return self.MOVE_HEADLINES.get(self.move, self.get_kind_display())
        if self.kind == self.Kind.ASSIGNED:
            return _("Assigned to %(name)s") % {"name": d.get("volunteer") or d.get("contractor")}
        if self.kind in (self.Kind.QUOTE_ADDED, self.Kind.QUOTE_CHOSEN):
            text = _("Quote added: %(contractor)s, %(amount)s CNY") if self.kind == self.Kind.QUOTE_ADDED \
                else _("Quote chosen: %(contractor)s, %(amount)s CNY")
            return text % {"contractor": d.get("contractor"), "amount": _money(d.get("amount"))}
        if self.kind == self.Kind.RATED:
            return _("Rated the work: %(stars)s") % {"stars": "★" * int(d.get("rating") or 0)}
        return self.get_kind_display()


def _money(text):
    return f"{Decimal(text):,.2f}" if text else ""


def photo_folder(ticket_id):
    return f"repairs/photos/{ticket_id}"


class Photo(models.Model):
    """A photo of the problem or of the finished work, cleaned by estate.uploads.

    `file` and `thumbnail` are storage names (random); they are served only by
    repairs.views.ticket_photo after checking who asks.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(TicketEvent, on_delete=models.PROTECT, related_name="photos")
    file = models.CharField(max_length=200)
    thumbnail = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.ticket_id}/{self.pk}"


class PendingPhoto(models.Model):
    """A photo received with a report or comment and waiting for the background worker (处理中).

    `upload` is the storage name of the bytes as they arrived (checked cheaply in the request, not yet
    decoded). repairs.services.photo_finish turns it into a Photo and removes this row and that file; a
    picture that cannot be decoded after all is dropped, with an activity record.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="pending_photos")
    event = models.ForeignKey(TicketEvent, on_delete=models.PROTECT, related_name="pending_photos")
    upload = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.ticket_id}/pending {self.pk}"


class Quote(models.Model):
    """A contractor's price for a ticket's work; the committee compares them and chooses one."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="quotes")
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, related_name="quotes",
                                   verbose_name=_("contractor"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    attachment = models.CharField(max_length=200, blank=True, help_text="Storage name of the quote document.")
    notes = models.TextField(_("notes"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # The ledger expense entered when this quote was chosen (its `source` points back here); see repairs.costs.
    expense = models.OneToOneField("ledger.Expense", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="repair_quote")

    class Meta:
        ordering = ["amount", "pk"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="quote_amount_positive")]

    def __str__(self):
        return f"{self.contractor} {self.amount}"

    def get_absolute_url(self):
        return reverse("repairs:quotes", args=[self.ticket_id])
