"""The one way the app tells people things: `message_send` and its siblings.

Call them inside the transaction of the change they tell about: the message, its
deliveries and the background tasks that send them (a row in the database queue) are
committed with the change or not at all. Nothing is sent inside a web request.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from estate.models import Resident
from messaging import channels
from messaging.models import Channel, Delivery, Message, Reach


def phone_of(user):
    """The person's phone as the household register has it, or ''."""
    return (Resident.objects.filter(user=user, is_active=True).exclude(phone="")
            .order_by("pk").values_list("phone", flat=True).first() or "")


def reach_of(user):
    """[(channel, address)] besides the inbox: each channel the person has and has not turned off."""
    reach = Reach.objects.filter(user=user).first()
    result = []
    if user.email and (reach is None or reach.email):
        result.append((Channel.EMAIL, user.email))
    if channels.sms_enabled() and (reach is None or reach.sms):
        phone = phone_of(user)
        if phone:
            result.append((Channel.SMS, phone))
    return result


def _written(text):
    """Messages are stored in the estate's language; callers may pass a lazy string or a callable."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text() if callable(text) else text)


def _create(*, deliveries, **fields):
    """The message and its deliveries, or None when this recipient was told under this dedupe key already."""
    try:
        with transaction.atomic():
            message = Message.objects.create(**fields)
    except IntegrityError:
        if fields.get("dedupe_key"):
            return None  # a scheduled job told them already (or is telling them right now)
        raise
    for channel, address in deliveries:
        delivery = Delivery.objects.create(message=message, channel=channel, address=address)
        _enqueue(delivery)
    return message


def _enqueue(delivery, run_after=None):
    from messaging.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    task.enqueue(delivery.pk)


@transaction.atomic
def message_send(*, to, topic, subject, body, link="", household=None, dedupe_key=""):
    """Tell each active user in `to`: the inbox always, and every channel they have. Returns the new messages."""
    subject, body = _written(subject), _written(body)
    sent = []
    for user in {user.pk: user for user in to if user.is_active}.values():
        message = _create(recipient=user, household=household, topic=topic, subject=subject, body=body,
                          link=link, dedupe_key=dedupe_key, deliveries=reach_of(user))
        if message:
            sent.append(message)
    return sent


@transaction.atomic
def message_to_household(*, household, topic, subject, body, link="", dedupe_key=""):
    """Tell every member of the household with a login, on every channel each has."""
    return message_send(to=household.member_logins(), household=household, topic=topic, subject=subject,
                        body=body, link=link, dedupe_key=dedupe_key)


@transaction.atomic
def message_to_phone(*, phone, topic, subject, body, household=None, dedupe_key=""):
    """An SMS to someone without a login (a family contact). None when SMS is off."""
    if not (phone and channels.sms_enabled()):
        return None
    return _create(phone=phone, household=household, topic=topic, subject=_written(subject), body=_written(body),
                   dedupe_key=dedupe_key, deliveries=[(Channel.SMS, phone)])


@transaction.atomic
def message_to_group(*, group, topic, subject, body, link="", dedupe_key=""):
    """A group robot's message ('committee' or 'building:<code>'). None when that group has no webhook."""
    if not channels.robot_url(group):
        return None
    return _create(group=group, topic=topic, subject=_written(subject), body=_written(body), link=link,
                   dedupe_key=dedupe_key, deliveries=[(Channel.ROBOT, group)])


def message_read(*, message):
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())


def messages_read_all(*, user):
    return Message.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def reach_set(*, user, email, sms, notices):
    Reach.objects.update_or_create(user=user, defaults={
        "email": email, "sms": sms, "notices": notices, "changed_at": timezone.now(),
    })


# --- Sending ----------------------------------------------------------------------------------


def retry_delay(attempts):
    return timedelta(seconds=settings.MESSAGES_RETRY_SECONDS * 2 ** (attempts - 1))


def delivery_attempt(delivery_id):
    """Send one delivery once, if it is due and nobody else has it. Runs in a worker, never in a request.

    The claim (queued → sending) is committed before the provider is called, so a second worker
    finds nothing to do, and a worker killed mid-send leaves the delivery "sending": it is then
    marked uncertain and never sent again (deliveries_requeue), because the provider may have it.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.QUEUED, next_attempt_at__lte=now).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "not due"
    delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
    try:
        reference = channels.SENDERS[delivery.channel](delivery)
    except channels.SendFailed as error:
        delivery.last_error = str(error)[:300]
        if delivery.attempts >= settings.MESSAGES_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
        else:
            delivery.status = Delivery.Status.QUEUED
            delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
        with transaction.atomic():
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            if delivery.status == Delivery.Status.QUEUED:
                _enqueue(delivery, run_after=delivery.next_attempt_at)
        return delivery.status
    delivery.status, delivery.sent_at, delivery.provider_ref = Delivery.Status.SENT, timezone.now(), reference[:100]
    delivery.save(update_fields=["status", "sent_at", "provider_ref"])
    return delivery.status


def sending_deadline():
    """A claim older than this belongs to a worker that died (the send itself times out long before)."""
    return timedelta(seconds=settings.MESSAGES_TIMEOUT * 3 + 60)


def deliveries_requeue(*, now):
    """The schedule's part in sending: interrupted sends become uncertain; due retries get a task again.

    A retry normally has its own deferred task; this catches one whose task was lost. Running it
    twice enqueues a second task at most, and the claim lets only one of them send.
    """
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - sending_deadline())
    uncertain = stale.update(status=Delivery.Status.UNCERTAIN,
                             last_error="The worker stopped while sending; not sent again in case it arrived.")
    overdue = list(Delivery.objects.due(now - timedelta(minutes=5)).values_list("pk", flat=True)[:500])
    for pk in overdue:
        Delivery.objects.filter(pk=pk).update(next_attempt_at=now)
        _enqueue(Delivery(pk=pk))
    return {"uncertain": uncertain, "requeued": len(overdue)}
