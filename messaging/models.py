"""How the estate tells people things: one message, delivered over each channel the person has.

A Message is what the person reads in their inbox (always). Each other channel it goes
out on is a Delivery, one per message and channel (the idempotency key): a delivery is
claimed by one worker, sent at most once, retried after a failure and visible as failed
after its last try. docs/ARCHITECTURE.md, "Care and messages".
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estate.models import mask_phone


class Topic(models.TextChoices):
    KEY_OUT = "key_out", _("Your key was taken out")
    KEY = "key", _("Spare keys")
    KEY_OVERDUE = "key_overdue", _("A key is overdue")
    CHECKIN_ALERT = "checkin_alert", _("A daily check was missed")
    CARE = "care", _("Care")
    VISITS = "visits", _("Visits due")
    REPAIR_LATE = "repair_late", _("An emergency repair is waiting")
    MOTION = "motion", _("A new motion")
    NOTICE = "notice", _("A new notice")
    ARREARS = "arrears", _("Property fee reminder")


class Channel(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ROBOT = "robot", _("Group robot")


class Reach(models.Model):
    """The channels a person chose besides the inbox; without a row, every channel they have."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reach")
    email = models.BooleanField(_("also by e-mail"), default=True)
    sms = models.BooleanField(_("also by SMS"), default=True)
    notices = models.BooleanField(_("tell me about new notices and motions"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("channel choice")
        verbose_name_plural = _("channel choices")

    def __str__(self):
        return str(self.user)


class MessageQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    """One message to one person (their inbox), a phone number (SMS only) or a group robot."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="messages", verbose_name=_("to"))
    phone = models.CharField(_("phone"), max_length=20, blank=True,
                             help_text="For a person without a login (a family contact): SMS only.")
    group = models.CharField(_("group"), max_length=20, blank=True,
                             help_text="A group robot: 'committee' or 'building:<code>'.")
    household = models.ForeignKey("estate.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("household"))
    topic = models.CharField(_("about"), max_length=20, choices=Topic.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    link = models.CharField(max_length=200, blank=True)
    # The same news is never told twice to the same recipient (scheduled jobs run every few minutes).
    dedupe_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient__isnull=False) & Q(phone="") & Q(group=""))
                | (Q(recipient__isnull=True) & ~Q(phone="") & Q(group=""))
                | (Q(recipient__isnull=True) & Q(phone="") & ~Q(group="")),
                name="messaging_one_kind_of_recipient",
            ),
            models.UniqueConstraint(fields=["recipient", "dedupe_key"],
                                    condition=~Q(dedupe_key="") & Q(recipient__isnull=False),
                                    name="messaging_person_told_once"),
            models.UniqueConstraint(fields=["phone", "dedupe_key"], condition=~Q(dedupe_key="") & ~Q(phone=""),
                                    name="messaging_phone_told_once"),
            models.UniqueConstraint(fields=["group", "dedupe_key"], condition=~Q(dedupe_key="") & ~Q(group=""),
                                    name="messaging_group_told_once"),
        ]

    def __str__(self):
        return self.subject

    @property
    def to_label(self):
        """Who it went to, fit for the committee's log (phones masked)."""
        if self.recipient_id:
            return str(self.recipient)
        if self.phone:
            return mask_phone(self.phone)
        return group_label(self.group)


def group_label(group):
    if group == "committee":
        return _("The committee's group")
    if group.startswith("building:"):
        return _("Building %(code)s's group") % {"code": group.split(":", 1)[1]}
    return group


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        return self.filter(status=Delivery.Status.QUEUED, next_attempt_at__lte=now or timezone.now())


class Delivery(models.Model):
    """One message on one channel. (message, channel) is unique: it is the idempotency key."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", pgettext_lazy("delivery", "Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNCERTAIN = "uncertain", _("Interrupted while sending: not sent again")

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254, help_text="E-mail address, phone number or group.")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                           help_text="Sent to providers that accept one, and logged with every attempt.")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="messaging_one_delivery_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.message} ({self.get_channel_display()})"

    @property
    def address_label(self):
        if self.channel == Channel.SMS:
            return mask_phone(self.address)
        if self.channel == Channel.ROBOT:
            return group_label(self.address)
        return self.address
