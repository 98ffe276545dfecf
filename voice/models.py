"""Residents' voice: proposals (居民提议) answered publicly, and comments on common repairs and quotes (集思广益).

See docs/ARCHITECTURE.md, "Residents' voice". Comments, supports and photos are
append-only (database triggers): the committee may hide a comment with a
recorded reason (a CommentHiding row), never change or delete it.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def author_label(user, household):
    """How a resident is named to other residents: the unit code; committee members by name (they serve publicly)."""
    if household is not None:
        return household.code
    return str(user)


class HideableComment(models.Model):
    """A comment the committee may hide (never delete): its hiding, if any, is `hiding` (a HidingRecord)."""

    class Meta:
        abstract = True

    @property
    def hiding_or_none(self):
        try:
            return self.hiding
        except ObjectDoesNotExist:
            return None


class HidingRecord(models.Model):
    """The committee hid a comment from residents, and said why. The comment itself stays.

    Concrete records add `comment`, a one-to-one link to their comment named `hiding` on its side.
    """

    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.comment_id}: {self.reason}"


class Proposal(models.Model):
    MAX_PHOTOS = 6

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting the committee's answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("proposal"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", help_text="The author's household when it was written.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    ticket = models.OneToOneField("repairs.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="proposal")
    motion = models.ForeignKey("decisions.Motion", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="proposals", help_text="The owners' vote the proposal was put to.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        constraints = [
            models.CheckConstraint(
                name="proposal_answered_with_text",
                condition=Q(status="open", answered_at__isnull=True)
                | (~Q(status="open") & Q(answered_at__isnull=False) & ~Q(answer="")),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("voice:proposal", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def author_label(self):
        return author_label(self.author, self.household)


class ProposalPhoto(models.Model):
    """A photo of a proposal, stored by estate.uploads and served only through voice:photo."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="photos")
    file = models.CharField(max_length=200, unique=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.file


class Support(models.Model):
    """One resident's support (附议) of a proposal: once per person."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="support_once_per_person")]

    def __str__(self):
        return f"{self.proposal_id} {self.user_id}"


class Comment(HideableComment):
    """A resident's comment on a proposal, a common-area repair ticket or one of its quotes."""

    MAX_LENGTH = 1000

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="comments")
    ticket = models.ForeignKey("repairs.Ticket", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="resident_comments")
    quote = models.ForeignKey("repairs.Quote", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="resident_comments", help_text="Set with `ticket`: the quote meant.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    body = models.TextField(_("comment"), max_length=MAX_LENGTH)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="comment_on_proposal_or_ticket",
                condition=Q(proposal__isnull=False, ticket__isnull=True, quote__isnull=True)
                | Q(proposal__isnull=True, ticket__isnull=False),
            ),
        ]

    def __str__(self):
        return self.body[:50]

    @property
    def author_label(self):
        return author_label(self.author, self.household)


class CommentHiding(HidingRecord):
    comment = models.OneToOneField(Comment, on_delete=models.PROTECT, related_name="hiding")
