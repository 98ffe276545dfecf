"""Next year's budget drawn up with residents (与居民共编预算).

See docs/ARCHITECTURE.md, "Residents' voice". The committee drafts a `Plan`'s
lines freely (`DraftLine`); publishing it makes revision 1 and opens a comment
period. Every later revision is a new `Revision` with its lines and a note
answering the comments: revisions, their lines, comments, hidings and the
putting of a revision to the owners' vote are append-only (database triggers).
The budget in force is set in the ledger (ledger.services.budget_set) only from
the revision the owners passed, citing their decision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.models import money_field
from voice.models import HideableComment, HidingRecord, author_label


class Plan(models.Model):
    """One year's budget as it is drawn up, from the committee's draft to its adoption."""

    # The shortest comment period the committee may set: residents need a weekend and a week to read and answer.
    MIN_COMMENT_DAYS = 7

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (seen by the committee only)")
        PUBLISHED = "published", _("Published")
        ADOPTED = "adopted", _("Adopted")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("What residents should know first: what the budget covers and why.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    comments_end = models.DateField(
        _("comments until"),
        null=True,
        blank=True,
        help_text="The last day residents may comment (local date, inclusive).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        "decisions.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owners' decision"),
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("budget drawn up with residents")
        constraints = [
            models.CheckConstraint(
                name="budgeting_published_with_a_period",
                condition=Q(status="draft") | Q(comments_end__isnull=False, published_at__isnull=False),
            ),
            models.CheckConstraint(
                name="budgeting_adopted_cites_a_decision",
                condition=~Q(status="adopted") | Q(decision__isnull=False, adopted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return str(_("Budget %(year)s") % {"year": self.year})

    def get_absolute_url(self):
        return reverse("budgeting:plan", args=[self.pk])

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_adopted(self):
        return self.status == self.Status.ADOPTED

    def comments_open(self, today=None):
        """Residents comment from publication to the end of `comments_end`, that day included."""
        today = today or timezone.localdate()
        return self.status == self.Status.PUBLISHED and today <= self.comments_end

    def comments_over(self, today=None):
        today = today or timezone.localdate()
        return self.comments_end is not None and today > self.comments_end


class DraftLine(models.Model):
    """A line of the committee's draft before it is published: changed and removed freely until then."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="draft_lines")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    amount = money_field(_("amount"))
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)

    class Meta:
        ordering = ["account__position", "account__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "account"], name="budgeting_draft_line_once")]

    def __str__(self):
        return f"{self.account_id} {self.amount}"


class Revision(models.Model):
    """A published version of the budget, kept for good; number 1 is the draft as first published."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    note = models.TextField(_("what changed and why"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="budgeting_revision_number_once")]

    def __str__(self):
        return str(_("Budget %(year)s, revision %(number)s") % {"year": self.plan.year, "number": self.number})


class RevisionLine(models.Model):
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    amount = money_field(_("amount"))
    explanation = models.CharField(_("explanation"), max_length=300, blank=True)

    class Meta:
        ordering = ["account__position", "account__code"]
        constraints = [models.UniqueConstraint(fields=["revision", "account"], name="budgeting_line_once")]

    def __str__(self):
        return f"{self.account_id} {self.amount}"


class Comment(HideableComment):
    """A resident's comment on one line of a published budget, or (no account) on the budget as a whole."""

    MAX_LENGTH = 1000

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="comments")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("line")
    )
    revision = models.ForeignKey(
        Revision,
        on_delete=models.PROTECT,
        related_name="comments",
        help_text="The revision in force when the comment was written.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    body = models.TextField(_("comment"), max_length=MAX_LENGTH)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return self.body[:50]

    @property
    def author_label(self):
        return author_label(self.author, self.household)


class CommentHiding(HidingRecord):
    comment = models.OneToOneField(Comment, on_delete=models.PROTECT, related_name="hiding")


class Putting(models.Model):
    """A revision put to the owners' vote: the BUDGET motion made from it, and the SHA-256 of the text they read.

    A failed vote leaves it here; the committee may revise and put the budget again (a new Putting).
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="puttings")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="puttings")
    motion = models.OneToOneField("decisions.Motion", on_delete=models.PROTECT, related_name="budget_putting")
    text_sha256 = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.plan_id} r{self.revision_id} m{self.motion_id}"
