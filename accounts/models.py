import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

COMMITTEE_KINDS = ("chair", "committee", "treasurer")


def display_name(name, username):
    """How a login is named on pages: its person's name, else its username."""
    return name or username


class User(AbstractUser):
    """A login. Most residents have no e-mail; they log in by username."""

    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return display_name(self.name, self.username)

    @cached_property
    def active_roles(self):
        """The roles in force, read once per request."""
        if not self.pk:
            return []
        return list(self.roles.filter(ended_at__isnull=True))

    @property
    def role_kinds(self):
        """The kinds of role in force, e.g. "resident,volunteer": all the menu depends on."""
        return ",".join(sorted({role.kind for role in self.active_roles}))

    def has_role(self, *kinds):
        return any(role.kind in kinds for role in self.active_roles)

    @property
    def is_committee(self):
        return self.has_role(*COMMITTEE_KINDS)

    @property
    def is_chair(self):
        return self.has_role(Role.Kind.CHAIR)

    @property
    def is_treasurer(self):
        return self.has_role(Role.Kind.TREASURER)

    @property
    def is_volunteer(self):
        return self.has_role(Role.Kind.VOLUNTEER)

    @property
    def headed_building_ids(self):
        return {r.building_id for r in self.active_roles if r.kind == Role.Kind.BUILDING_HEAD}

    @property
    def household_ids(self):
        return {r.household_id for r in self.active_roles if r.kind == Role.Kind.RESIDENT}

    @property
    def is_building_head(self):
        return bool(self.headed_building_ids)

    @property
    def is_resident(self):
        return bool(self.household_ids)

    @property
    def needs_mfa_for_money(self):
        """Whoever can move or approve money (every committee role; a building head collecting cash)
        must have two-factor login before they touch it: a password alone is one phished message away."""
        if not (self.is_committee or self.is_building_head):
            return False
        return not self.authenticator_set.filter(type="totp").exists()


class Role(models.Model):
    """A role held by a user, granted and withdrawn by the chair; history is kept."""

    class Kind(models.TextChoices):
        CHAIR = "chair", _("Committee chair")
        COMMITTEE = "committee", _("Committee member")
        TREASURER = "treasurer", _("Treasurer")
        BUILDING_HEAD = "building_head", _("Building head")
        VOLUNTEER = "volunteer", _("Volunteer")
        RESIDENT = "resident", _("Resident")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    building = models.ForeignKey(
        "estate.Building", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("building")
    )
    household = models.ForeignKey(
        "estate.Household", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("household")
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="role_building_only_for_building_head",
                condition=Q(kind="building_head", building__isnull=False)
                | (~Q(kind="building_head") & Q(building__isnull=True)),
            ),
            models.CheckConstraint(
                name="role_household_only_for_resident",
                condition=Q(kind="resident", household__isnull=False)
                | (~Q(kind="resident") & Q(household__isnull=True)),
            ),
            # One active role of a kind per user and scope (NULLs count as equal on neither database).
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(ended_at__isnull=True, building__isnull=True, household__isnull=True),
                name="role_unique_while_active",
            ),
            models.UniqueConstraint(
                fields=["user", "building"],
                condition=Q(ended_at__isnull=True, building__isnull=False),
                name="role_unique_building_while_active",
            ),
            models.UniqueConstraint(
                fields=["user", "household"],
                condition=Q(ended_at__isnull=True, household__isnull=False),
                name="role_unique_household_while_active",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.scope}" if self.scope else self.get_kind_display()

    @property
    def scope(self):
        """The building a building head heads, the household a resident lives in, else None."""
        return self.building or self.household

    @property
    def is_active(self):
        return self.ended_at is None


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither used nor revoked nor expired: a slip that still works."""
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link with which a resident sets up a login from a phone.

    Also the way back in after a forgotten password when there is no e-mail:
    the committee issues a new invitation for the same user (`user` set, no role).
    """

    VALID_FOR = timedelta(days=14)

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        USED = "used", _("Used")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    token = models.CharField(max_length=64, unique=True, editable=False)
    role_kind = models.CharField(_("role"), max_length=20, choices=Role.Kind.choices, blank=True)
    household = models.ForeignKey(
        "estate.Household", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("household")
    )
    building = models.ForeignKey(
        "estate.Building", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("building")
    )
    resident = models.ForeignKey(
        "estate.Resident", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("resident")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations",
        help_text=_("Set when the invitation resets the password of an existing login."),
    )
    name = models.CharField(_("name"), max_length=50)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The login the invitation created or whose password it set."),
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A password reset names the login and grants nothing; a new login always comes with a role.
            models.CheckConstraint(
                name="invitation_role_xor_user",
                condition=Q(user__isnull=True) & ~Q(role_kind="") | Q(user__isnull=False, role_kind=""),
            ),
            models.CheckConstraint(
                name="invitation_resident_has_household",
                condition=~Q(role_kind="resident") | Q(household__isnull=False),
            ),
            models.CheckConstraint(
                name="invitation_building_head_has_building",
                condition=~Q(role_kind="building_head") | Q(building__isnull=False),
            ),
        ]

    def __str__(self):
        if self.is_password_reset:
            return _("New password for %(name)s") % {"name": self.name}
        return f"{self.get_role_kind_display()} {self.name}"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(24)
        if not self.expires_at:
            self.expires_at = self.created_at + self.VALID_FOR
        super().save(*args, **kwargs)

    @property
    def is_password_reset(self):
        return self.user_id is not None

    @property
    def status(self):
        if self.used_at:
            return self.Status.USED
        if self.revoked_at:
            return self.Status.REVOKED
        if timezone.now() >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.OPEN

    @property
    def is_usable(self):
        return self.status == self.Status.OPEN

    @property
    def scope(self):
        """What the new role covers: the household or building, if any."""
        return self.household or self.building

    def suggested_username(self):
        """Easy to remember: the unit code for a resident (1-1-301), else the name; made unique."""
        base = self.household.code if self.household_id else "".join(self.name.split()) or self.role_kind
        base = re.sub(r"[^\w.+-]", "", base)[:30] or "user"
        taken = {name.lower() for name in User.objects.filter(username__istartswith=base)
                 .values_list("username", flat=True)}
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{base}_{n}"
        return candidate


class ActivityRecord(models.Model):
    """Append-only: who changed what, when, and from where (a database trigger forbids edits)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=64, help_text="IP address, or 'command' for the command line")
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_repr}"
