from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def mask_phone(phone):
    """138****1234: enough to recognise one's own number, not enough to call it."""
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


class Building(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("As in unit codes: 1, 2, A"))
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self):
        return self.name


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Households a user may see: all for the committee, a building for its head, one's own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_committee:
            return self
        return self.filter(
            models.Q(building_id__in=user.headed_building_ids) | models.Q(pk__in=user.household_ids)
        )


class Household(models.Model):
    class Occupancy(models.TextChoices):
        OWNER = "owner", _("Owner-occupied")
        RENTED = "rented", _("Rented")
        VACANT = "vacant", _("Vacant")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households",
                                 verbose_name=_("building"))
    entrance = models.CharField(_("entrance"), max_length=10, blank=True, help_text=_("单元; may be empty"))
    floor = models.SmallIntegerField(_("floor"))
    room = models.CharField(_("room"), max_length=10)
    code = models.CharField(_("unit"), max_length=40, unique=True, editable=False)
    area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    occupancy = models.CharField(_("occupancy"), max_length=10, choices=Occupancy.choices, default=Occupancy.OWNER)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["building", "entrance", "room"], name="household_unique_unit"),
            models.CheckConstraint(condition=models.Q(area__gt=0), name="household_area_positive"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.make_code(self.building.code, self.entrance, self.room)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("estate:household-detail", args=[self.pk])

    def member_logins(self):
        """The logins that belong to the household: an active resident role for it, or an active resident record
        linked to the login. Messages to the household go to them; its key hand-overs are kept from them."""
        from accounts.models import Role, User

        return User.objects.filter(
            models.Q(roles__kind=Role.Kind.RESIDENT, roles__household=self, roles__ended_at__isnull=True)
            | models.Q(resident_records__household=self, resident_records__is_active=True)
        ).distinct()

    @staticmethod
    def make_code(building_code, entrance, room):
        """1-2-301 with an entrance, 1-301 without."""
        return "-".join(part for part in (building_code, entrance, room) if part)


class Resident(models.Model):
    class Relation(models.TextChoices):
        OWNER = "owner", _("Owner")
        FAMILY = "family", _("Family member")
        TENANT = "tenant", _("Tenant")

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residents",
                                  verbose_name=_("household"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices, default=Relation.OWNER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="resident_records",
        verbose_name=_("login"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["household__code", "pk"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self):
        return f"{self.name} ({self.household.code})"

    def phone_for(self, viewer):
        """The phone as `viewer` may see it: whole for the committee and the person, else masked."""
        if viewer.is_authenticated and (viewer.is_committee or (self.user_id and self.user_id == viewer.pk)):
            return self.phone
        return mask_phone(self.phone)


class Notice(models.Model):
    """A notice for the bulletin board. Once posted it is what hung on the board: never changed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(
        _("text"),
        help_text=_("A blank line starts a new paragraph; lines starting with “- ” or “1. ” make a list; "
                    "**text** is bold."),
    )
    notice_date = models.DateField(_("date"))
    signature = models.CharField(_("signed by"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-notice_date", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("estate:notice-detail", args=[self.pk])

    @property
    def is_posted(self):
        return self.status == self.Status.POSTED


class JobRun(models.Model):
    """The last run of one scheduled job (estate/schedule.py): its row is also the job's lock, so two
    `run_scheduled` started at the same moment run each job one after the other, never side by side."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True)
    last_succeeded_at = models.DateTimeField(_("last succeeded"), null=True)
    last_result = models.CharField(_("last result"), max_length=200, blank=True)
    last_failed_at = models.DateTimeField(_("last failed"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Version(models.Model):
    """A token the database itself changes in the same transaction as every write to the tables it watches
    (triggers of migration 0006, on PostgreSQL and SQLite): a page made from those tables is kept under it
    (estate/cached.py). Writes through the ORM, in bulk or by hand all change it."""

    REGISTER = "register"  # buildings, households, residents
    PEOPLE = "people"  # logins, roles, two-step authenticators, invitation slips, the activity log
    # What the dashboard's panels show (estate/panels.py, triggers of migration 0008): each app's tables.
    NOTICES = "notices"  # the bulletin board's notices
    LEDGER = "ledger"  # the books, bills, payments, expenses and their approvals, monthly notices
    REPAIRS = "repairs"  # tickets, their events, quotes, volunteers, contractors
    KEYS = "keys"  # deposits, consents, hand-overs and their confirmations, keepers
    DECISIONS = "decisions"  # motions, ballots, decisions, owners, proxies, committee mandates, proposals
    BUDGET = "budget"  # budget plans and their comments
    CARE = "care"  # check-in agreements, checks, alerts
    MESSAGES = "messages"  # the inbox and the deliveries by SMS, e-mail and group robot
    CHASING = "chasing"  # the arrears reminders and the committee's rule for them (chasing/migrations/0002)
    BANK = "bank"  # bank statements, their lines and explanations, cash counts (bank/migrations/0002)
    STATE = "state"  # the activity log alone: every change the app makes (migration 0009)
    NAMES = (REGISTER, PEOPLE, NOTICES, LEDGER, REPAIRS, KEYS, DECISIONS, BUDGET, CARE, MESSAGES, CHASING, BANK, STATE)

    name = models.CharField(max_length=20, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.name} {self.token}"


class StoredFile(models.Model):
    """A document kept with a record (an invoice, a quote, a drawing), stored by estate.uploads.store() under
    `name` and served only through a view of its app that checks who asks."""

    name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=100, blank=True)
    content_type = models.CharField(max_length=50)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["pk"]

    def __str__(self):
        return self.original_name or self.name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")
