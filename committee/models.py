"""Where each committee role comes from: an owners' election, or a confirmed appointment before the first one.

See docs/ARCHITECTURE.md, "Committee roles come from decisions". accounts.Role holds
the power; a Mandate says on what authority and for how long. Nobody creates a
committee role alone: the chair's form in accounts refuses committee kinds.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import COMMITTEE_KINDS, Role

COMMITTEE_CHOICES = [(kind, label) for kind, label in Role.Kind.choices if kind in COMMITTEE_KINDS]


class Appointment(models.Model):
    """Before the owners' first election: the chair proposes a committee role, a second member confirms it.

    On confirmation the role is granted and a notice is posted on the board, so that
    every owner sees who was made a member without an election, and until when.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    kind = models.CharField(_("role"), max_length=20, choices=COMMITTEE_CHOICES)
    term_ends = models.DateField(_("term ends"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Who confirmed or cancelled it.")
    decided_at = models.DateTimeField(null=True, blank=True)
    notice = models.OneToOneField("estate.Notice", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("appointment")
        constraints = [
            # Two accounts, two steps: whoever confirms is neither the proposer nor the person appointed.
            models.CheckConstraint(
                name="appointment_confirmed_by_another",
                condition=~Q(status="confirmed") | (~Q(decided_by=models.F("proposed_by"))
                                                    & ~Q(decided_by=models.F("user"))),
            ),
            models.UniqueConstraint(fields=["user", "kind"], condition=Q(status="proposed"),
                                    name="appointment_one_open_per_person_and_role"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.user}"

    @property
    def is_open(self):
        return self.status == self.Status.PROPOSED


class Candidate(models.Model):
    """A person an election motion names for a committee role, with the term they would serve.

    Part of the motion: added and removed only while the motion is a draft, so that
    every owner votes on the same list (committee.services).
    """

    motion = models.ForeignKey("decisions.Motion", on_delete=models.PROTECT, related_name="candidates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("person"))
    kind = models.CharField(_("role"), max_length=20, choices=COMMITTEE_CHOICES)
    term_ends = models.DateField(_("term ends"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["motion", "kind", "pk"]
        verbose_name = _("candidate")
        constraints = [
            models.UniqueConstraint(fields=["motion", "user", "kind"], name="candidate_once_per_role"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.user}"


class Mandate(models.Model):
    """The authority and term of one committee role: a passed election decision or a confirmed appointment.

    Append-only (a database trigger refuses UPDATE and DELETE): a mandate is what was decided.
    """

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="mandates")
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="mandate")
    decision = models.ForeignKey("decisions.Decision", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="mandates")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("mandate")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="mandate_term_positive"),
            # On the authority of exactly one: the owners' decision, or a confirmed appointment.
            models.CheckConstraint(
                condition=Q(decision__isnull=False, appointment__isnull=True)
                | Q(decision__isnull=True, appointment__isnull=False),
                name="mandate_one_authority",
            ),
        ]

    def __str__(self):
        return f"{self.role} {self.starts_on}–{self.ends_on}"
