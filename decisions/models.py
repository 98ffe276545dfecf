"""Owners' decisions under 《民法典》第二百七十八条: assemblies, motions, ballots, tallies, decisions.

Counting follows 最高人民法院《关于审理建筑物区分所有权纠纷案件具体应用法律若干问题的解释》arts. 8–9
(docs/ARCHITECTURE.md, "Owners' decisions"): area is each unit's registered floor
area; heads are one per unit, except that the units the committee marks as
sharing an owner (`Owner`) count once, and co-owners of one unit are one head.

When voting opens, the roll (`RollEntry`: every active unit, its area and its
head) is frozen for the motion, so a later change of the register cannot
change a vote already under way. Ballots, their confirmations, the roll, the
tally and the decision are append-only (database triggers, see the
migrations): a correction is a new ballot that replaces the old one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estate.models import StoredFile


class Owner(models.Model):
    """One owner holding several units: those units count as one head (司法解释 art. 9).

    A unit not marked here is its own head, whoever and however many its
    co-owners are. The name stays inside the committee; public lists show units.
    """

    name = models.CharField(_("owner's name"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("How the committee knows, for example: property certificates seen."))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("owner of several units")
        verbose_name_plural = _("owners of several units")

    def __str__(self):
        return self.name


class OwnedUnit(models.Model):
    """A unit marked as belonging to an `Owner` of several units; a unit belongs to at most one."""

    owner = models.ForeignKey(Owner, on_delete=models.PROTECT, related_name="units")
    household = models.OneToOneField("estate.Household", on_delete=models.PROTECT, related_name="shared_owner",
                                     verbose_name=_("unit"))
    marked_at = models.DateTimeField(default=timezone.now)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["household__code"]

    def __str__(self):
        return f"{self.owner} {self.household}"


def head_key(household_id, owner_id=None):
    """The head a unit counts as: its shared owner's, else its own."""
    return f"owner:{owner_id}" if owner_id else f"unit:{household_id}"


class Assembly(models.Model):
    """An owners' assembly (业主大会会议) at which one or more motions are put to the owners.

    By law it is held either as a meeting (集体讨论) or by written consultation
    (书面征求意见); either way every ballot is recorded here, on a phone or on paper.
    """

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written consultation (书面征求意见)")
        MEETING = "meeting", _("Meeting (集体讨论)")

    title = models.CharField(_("title"), max_length=100)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.WRITTEN)
    description = models.TextField(
        _("description"), blank=True,
        help_text=_("Where and when the meeting is held, where paper ballots are collected."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("owners' assembly")
        verbose_name_plural = _("owners' assemblies")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decisions:assembly", args=[self.pk])


class MotionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Motion.Status.OPEN)

    def closed(self):
        return self.filter(status=Motion.Status.CLOSED)

    def published(self):
        """What residents see: every motion once voting has opened (drafts stay with the committee)."""
        return self.exclude(status=Motion.Status.DRAFT)


class Motion(models.Model):
    """One matter put to the owners. Drafted and edited by the committee until voting opens, then fixed."""

    class Kind(models.TextChoices):
        """The matter, after 《民法典》第二百七十八条; the item number decides the majority (ITEM below)."""

        RULES = "rules", _("Rules of procedure of the owners' assembly")
        STATUTE = "statute", _("Management statute of the estate")
        ELECTION = "election", _("Electing or replacing the committee")
        MANAGER = "manager", _("Hiring or dismissing the estate's manager")
        REPAIR_FUND = "repair_fund", _("Using the repair fund")
        FUND_RAISING = "fund_raising", _("Raising funds from owners")
        REBUILD = "rebuild", _("Rebuilding or altering buildings and facilities")
        COMMON_PARTS_USE = "common_parts_use", _("Changing the use of common parts, or earning from them")
        FEE_RATE = "fee_rate", _("Changing the property fee rate")
        BUDGET = "budget", _("The annual budget")
        MAJOR_EXPENSE = "major_expense", _("A major expense")
        OTHER = "other", _("Another major matter")

    # The item of art. 278 each kind falls under (fee rate, budget and large expenses are "other major matters").
    ITEM = {
        Kind.RULES: 1, Kind.STATUTE: 2, Kind.ELECTION: 3, Kind.MANAGER: 4, Kind.REPAIR_FUND: 5,
        Kind.FUND_RAISING: 6, Kind.REBUILD: 7, Kind.COMMON_PARTS_USE: 8,
        Kind.FEE_RATE: 9, Kind.BUDGET: 9, Kind.MAJOR_EXPENSE: 9, Kind.OTHER: 9,
    }
    # Items 6–8 pass with ≥ 3/4 of the participating area and heads; the others with more than half of both.
    THREE_QUARTERS = frozenset({Kind.FUND_RAISING, Kind.REBUILD, Kind.COMMON_PARTS_USE})

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Voting open")
        CLOSED = "closed", pgettext_lazy("vote", "Closed")

    class Accepts(models.TextChoices):
        BOTH = "both", _("On a phone or on paper")
        ONLINE = "online", _("On a phone only")
        PAPER = "paper", _("On paper only")

    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, related_name="motions",
                                 verbose_name=_("assembly"))
    title = models.CharField(_("title"), max_length=150)
    text = models.TextField(_("full text"))
    kind = models.CharField(_("matter"), max_length=20, choices=Kind.choices)
    voting_starts = models.DateTimeField(_("voting starts"))
    voting_ends = models.DateTimeField(_("voting ends"))
    accepts = models.CharField(_("ballots accepted"), max_length=10, choices=Accepts.choices, default=Accepts.BOTH)
    public_shows_units = models.BooleanField(
        _("public tally lists each unit's choice"), default=False,
        help_text=_("Residents who log in always see every unit's choice after the close; this decides whether "
                    "the printed sheet and its public page show them too, or only the totals."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    # The roll frozen when voting opened: the denominators of participation.
    total_area = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    total_heads = models.PositiveIntegerField(null=True, blank=True)

    objects = MotionQuerySet.as_manager()

    class Meta:
        ordering = ["-voting_starts", "-pk"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        constraints = [
            models.CheckConstraint(condition=Q(voting_ends__gt=models.F("voting_starts")),
                                   name="decisions_voting_period_in_order"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opened_at__isnull=False, total_area__gt=0, total_heads__gt=0),
                name="decisions_open_motion_has_a_roll",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("decisions:motion", args=[self.pk])

    @property
    def item(self):
        """The item of art. 278 (1–9)."""
        return self.ITEM[self.kind]

    @property
    def needs_three_quarters(self):
        return self.kind in self.THREE_QUARTERS

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_closed(self):
        return self.status == self.Status.CLOSED

    def accepts_online(self):
        return self.accepts in (self.Accepts.BOTH, self.Accepts.ONLINE)

    def accepts_paper(self):
        return self.accepts in (self.Accepts.BOTH, self.Accepts.PAPER)

    def voting_now(self, now=None):
        """Open, and within its voting period."""
        now = now or timezone.now()
        return self.is_open and self.voting_starts <= now < self.voting_ends


class MotionAttachment(StoredFile):
    """A quote, a budget, a drawing: read before voting. Served only through decisions:attachment."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="attachments")


class RollEntry(models.Model):
    """A unit entitled to vote on a motion, as the register stood when voting opened. Append-only."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="roll")
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="+")
    area = models.DecimalField(max_digits=8, decimal_places=2)
    head = models.CharField(max_length=30, help_text="head_key(): units with the same value count as one head")

    class Meta:
        ordering = ["household__code"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "household"], name="decisions_one_roll_entry_per_unit"),
            models.CheckConstraint(condition=Q(area__gt=0), name="decisions_roll_area_positive"),
        ]

    def __str__(self):
        return f"{self.motion_id} {self.household_id}"


class Proxy(models.Model):
    """A written proxy (委托书): the owner lets someone else cast the unit's ballots. The scan is kept.

    For one assembly, or for every vote until `valid_until`. Revoking it is the
    only change it can take (a trigger refuses anything once revoked).
    """

    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="proxies",
                                  verbose_name=_("unit"))
    grantor_name = models.CharField(_("owner who signed"), max_length=100)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="proxies_held", verbose_name=_("proxy holder's login"),
                               help_text=_("Empty when the holder has no login and signs paper ballots only."))
    holder_name = models.CharField(_("proxy holder"), max_length=100)
    assembly = models.ForeignKey(Assembly, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies",
                                 verbose_name=_("for the assembly"),
                                 help_text=_("Empty: for every vote until the end date."))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scan = models.CharField(max_length=200, help_text="Storage name of the signed proxy's scan")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    revoked_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["household__code", "-recorded_at"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.CheckConstraint(condition=~Q(scan=""), name="decisions_proxy_has_a_scan"),
        ]

    def __str__(self):
        return f"{self.household} → {self.holder_name}"

    def covers(self, motion, now=None):
        """Whether this proxy lets its holder vote on `motion` now."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        if self.assembly_id is not None and self.assembly_id != motion.assembly_id:
            return False
        return self.valid_until is None or timezone.localdate(now) <= self.valid_until


class BallotQuerySet(models.QuerySet):
    def current(self):
        """Ballots not replaced by a correction."""
        return self.filter(replaced_by__isnull=True)

    def counted(self):
        """Current ballots that count: cast on a phone, or on paper and confirmed by a second member."""
        return self.current().filter(Q(channel=Ballot.Channel.ONLINE) | Q(confirmation__isnull=False))

    def awaiting_confirmation(self):
        return self.current().filter(channel=Ballot.Channel.PAPER, confirmation__isnull=True)


class Ballot(models.Model):
    """One unit's vote on one motion. Append-only: a correction is a new ballot that `replaces` this one.

    The database allows one original ballot per unit and motion, and each
    ballot to be replaced at most once, so two submissions at the same moment
    leave one ballot. A paper ballot counts once a second committee member
    confirms it (BallotConfirmation).
    """

    class Choice(models.TextChoices):
        YES = "yes", _("For (同意)")
        NO = "no", _("Against (反对)")
        ABSTAIN = "abstain", _("Abstain (弃权)")

    class Channel(models.TextChoices):
        ONLINE = "online", _("On a phone")
        PAPER = "paper", _("On paper")

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("unit"))
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    channel = models.CharField(_("cast"), max_length=10, choices=Channel.choices)
    voter_name = models.CharField(_("voted by"), max_length=100)
    proxy = models.ForeignKey(Proxy, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots",
                              verbose_name=_("by proxy"))
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                help_text="The voter's login (phone), or the committee member who entered the paper")
    cast_at = models.DateTimeField(default=timezone.now)
    scan = models.CharField(max_length=200, blank=True, help_text="Storage name of the paper ballot's scan")
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by")
    reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    code = models.CharField(_("verification code"), max_length=12)

    objects = BallotQuerySet.as_manager()

    class Meta:
        ordering = ["household__code", "cast_at", "pk"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["motion", "household"], condition=Q(replaces__isnull=True),
                                    name="decisions_one_ballot_per_unit"),
            models.UniqueConstraint(fields=["motion", "code"], name="decisions_ballot_code_unique"),
            models.CheckConstraint(condition=Q(channel="online") | ~Q(scan=""), name="decisions_paper_has_a_scan"),
            models.CheckConstraint(condition=Q(replaces__isnull=True) | ~Q(reason=""),
                                   name="decisions_correction_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.motion_id}/{self.household} {self.code}"

    @property
    def is_paper(self):
        return self.channel == self.Channel.PAPER


class BallotConfirmation(models.Model):
    """A second committee member checked a paper ballot's entry against the paper. Append-only."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="confirmation")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.ballot} ✓ {self.by}"


class Tally(models.Model):
    """The result, computed once when voting closed and stored; never recomputed. Append-only.

    `reasons` says in codes with figures why the motion passed or failed
    (rendered in words by decisions.tally); `data` is the snapshot the sheet
    (表决结果公告), its PDF and the public verification page are rendered from;
    `pdf` names the stored PDF whose SHA-256 is `sha256`.
    """

    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="tally")
    total_area = models.DecimalField(max_digits=12, decimal_places=2)
    total_heads = models.PositiveIntegerField()
    voted_area = models.DecimalField(max_digits=12, decimal_places=2)
    voted_heads = models.PositiveIntegerField()
    yes_area = models.DecimalField(max_digits=12, decimal_places=2)
    yes_heads = models.PositiveIntegerField()
    no_area = models.DecimalField(max_digits=12, decimal_places=2)
    no_heads = models.PositiveIntegerField()
    abstain_area = models.DecimalField(max_digits=12, decimal_places=2)
    abstain_heads = models.PositiveIntegerField()
    quorum_met = models.BooleanField()
    passed = models.BooleanField()
    reasons = models.JSONField(default=list)
    data = models.JSONField(default=dict)
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    code = models.CharField(max_length=32, unique=True)
    pdf = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.CheckConstraint(condition=Q(quorum_met=True) | Q(passed=False),
                                   name="decisions_no_pass_without_quorum"),
            models.CheckConstraint(condition=Q(voted_area__lte=models.F("total_area"))
                                   & Q(voted_heads__lte=models.F("total_heads")),
                                   name="decisions_voted_within_total"),
        ]

    def __str__(self):
        return f"{self.motion}"


class DecisionCounter(models.Model):
    """The last decision number of a year. Locked while a number is taken: gapless, never twice."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class DecisionQuerySet(models.QuerySet):
    def passed(self, kind=None):
        """The owners' decisions in force, newest first, of one kind (a Motion.Kind) if given.

        Every Decision is a motion the owners passed; this is the one place to ask
        for them, so that a later way of superseding a decision changes only here.
        """
        decisions = self.select_related("motion").order_by("-decided_at", "-pk")
        return decisions if kind is None else decisions.filter(kind=kind)

    def for_motion(self, motion):
        return self.filter(motion=motion).first()


class Decision(models.Model):
    """A motion the owners passed, numbered 2027-决-003 (per year, gapless). Append-only.

    Cite it wherever its effect appears (a fee rate, a fund, a budget, an
    expense, the committee's roles): `decision.number` is what people read.
    """

    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="decision")
    kind = models.CharField(_("matter"), max_length=20, choices=Motion.Kind.choices)
    title = models.CharField(_("title"), max_length=150)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    decided_at = models.DateTimeField(default=timezone.now)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("owners' decision")
        verbose_name_plural = _("owners' decisions")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="decisions_number_unique"),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="decisions_sequence_positive"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return self.motion.get_absolute_url()

    @property
    def number(self):
        """2027-决-003: the year, 决 for 决定, and the sequence within the year."""
        return f"{self.year}-决-{self.sequence:03d}"
