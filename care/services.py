"""Every write of care: agreements, checks, alerts and their escalation (docs/ARCHITECTURE.md, "Care and messages").

Views ask `care/access.py` who may look; the services check who may act, so that a
rule holds whichever page (or schedule) calls them.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.activity import log_action
from accounts.models import COMMITTEE_KINDS, Role, User
from care.models import Agreement, Alert, Check
from keys import services as key_services
from keys.access import is_keeper_on_duty
from keys.models import KeyDeposit, Purpose
from messaging.models import Topic
from messaging.services import message_send, message_to_group, message_to_phone


class CareRefused(Exception):
    """A rule of care says no; str(error) is the message for the person."""


def _lock(agreement):
    return Agreement.objects.select_for_update().select_related("household__building", "person").get(pk=agreement.pk)


def _require_committee(by):
    if not by.is_committee:
        raise PermissionDenied


def emergency_deposit(household):
    """The household's key in the cabinet whose consent allows emergency entry, or None."""
    for deposit in KeyDeposit.objects.filter(household=household, status=KeyDeposit.Status.ACTIVE).prefetch_related(
            "consents"):
        consent = deposit.current_consent
        if consent and consent.emergency and not consent.withdrawn:
            return deposit
    return None


def _check_fields(fields):
    if fields["person"].household_id != fields["household"].pk:
        raise CareRefused(_("The person must live in this household."))
    if fields.get("backup") and fields["backup"].pk == fields["buddy"].pk:
        raise CareRefused(_("The backup buddy must be another person than the buddy."))
    if fields.get("key_opening") and not emergency_deposit(fields["household"]):
        raise CareRefused(_("An emergency key opening needs a spare key of this household in the cabinet whose "
                            "consent allows emergency entry. Record that consent in the key register first."))


def _details(agreement):
    return {"household": agreement.household.code, "sign": agreement.sign, "deadline": agreement.deadline.isoformat(
        "minutes"), "weekdays": agreement.weekdays, "buddy": agreement.buddy_id, "backup": agreement.backup_id,
        "key_opening": agreement.key_opening, "consent_by": agreement.consent_by}


def _tell_buddies(agreement, subject, body, *, dedupe_key=""):
    people = [agreement.buddy, agreement.backup, agreement.person.user]
    message_send(to=[p for p in people if p], topic=Topic.CARE, subject=subject, body=body,
                 link=agreement.get_absolute_url(), household=agreement.household, dedupe_key=dedupe_key)


@transaction.atomic
def agreement_create(*, by, **fields):
    """The committee records an agreement, with the consent of the person or their family."""
    _require_committee(by)
    _check_fields(fields)
    if Agreement.objects.filter(person=fields["person"]).exclude(status=Agreement.Status.ENDED).exists():
        raise CareRefused(_("This person already has a check-in agreement."))
    agreement = Agreement.objects.create(consent_recorded_by=by, consent_at=timezone.now(), **fields)
    log_action("care.agreement_created", agreement, by=by, details=_details(agreement))
    _tell_buddies(agreement, _("A check-in agreement starts"),
                  _("From today %(buddy)s looks for the agreed sign by %(time)s. Open the link to see the "
                    "agreement.") % {"buddy": agreement.buddy, "time": agreement.deadline.strftime("%H:%M")})
    return agreement


@transaction.atomic
def agreement_update(*, agreement, by, **fields):
    _require_committee(by)
    agreement = _lock(agreement)
    if agreement.status == Agreement.Status.ENDED:
        raise CareRefused(_("This agreement has ended; record a new one with new consent."))
    _check_fields({"household": agreement.household, "person": agreement.person, "buddy": agreement.buddy,
                   "backup": agreement.backup, **fields})
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.save()
    log_action("care.agreement_changed", agreement, by=by, details=_details(agreement))
    return agreement


def _may_pause(agreement, by):
    return by.is_committee or agreement.is_person(by)


@transaction.atomic
def agreement_pause(*, agreement, by, reason, until=None):
    """The person (from their phone) or the committee pauses the checks: travelling, in hospital."""
    agreement = _lock(agreement)
    if not _may_pause(agreement, by):
        raise PermissionDenied
    if agreement.status != Agreement.Status.ACTIVE:
        raise CareRefused(_("Only an agreement in force can be paused."))
    reason = (reason or "").strip()
    if not reason:
        raise CareRefused(_("Say why the checks pause (for example: visiting my daughter)."))
    if until and until < timezone.localdate():
        raise CareRefused(_("The pause cannot end in the past."))
    agreement.status, agreement.pause_reason, agreement.paused_until = Agreement.Status.PAUSED, reason, until
    agreement.save(update_fields=["status", "pause_reason", "paused_until"])
    log_action("care.agreement_paused", agreement, by=by, details={"reason": reason, "until": str(until or "")})
    if agreement.is_person(by):
        # The person paused it from their own phone: whoever is looking for them today can stop.
        for alert in agreement.alerts.filter(resolved_at__isnull=True):
            _resolve(alert, by=by, outcome=Alert.Outcome.PAUSED, note=reason)
    _tell_buddies(agreement, _("Check-ins paused"), _("%(name)s paused the daily check: %(reason)s.") % {
        "name": by, "reason": reason})
    return agreement


@transaction.atomic
def agreement_resume(*, agreement, by):
    agreement = _lock(agreement)
    if not _may_pause(agreement, by):
        raise PermissionDenied
    if agreement.status != Agreement.Status.PAUSED:
        raise CareRefused(_("This agreement is not paused."))
    agreement.status, agreement.pause_reason, agreement.paused_until = Agreement.Status.ACTIVE, "", None
    agreement.save(update_fields=["status", "pause_reason", "paused_until"])
    log_action("care.agreement_resumed", agreement, by=by)
    _tell_buddies(agreement, _("Check-ins resume"), _("%(name)s resumed the daily check.") % {"name": by})
    return agreement


@transaction.atomic
def agreement_end(*, agreement, by, reason):
    """Consent withdrawn (by the person, their family through the committee) or no longer needed.

    An open alert ends with it: nobody may go on looking for a person who said no. A key
    hand-over already started from it runs its own course in the key register.
    """
    agreement = _lock(agreement)
    if not _may_pause(agreement, by):
        raise PermissionDenied
    if agreement.status == Agreement.Status.ENDED:
        raise CareRefused(_("This agreement has ended already."))
    reason = (reason or "").strip()
    if not reason:
        raise CareRefused(_("Say who withdrew the consent, or why the agreement ends."))
    agreement.status, agreement.ended_at, agreement.end_reason = Agreement.Status.ENDED, timezone.now(), reason
    agreement.save(update_fields=["status", "ended_at", "end_reason"])
    log_action("care.agreement_ended", agreement, by=by, details={"reason": reason})
    for alert in agreement.alerts.filter(resolved_at__isnull=True):
        _resolve(alert, by=by, outcome=Alert.Outcome.WITHDRAWN, note=reason)
    _tell_buddies(agreement, _("Check-in agreement ended"),
                  _("The check-in agreement has ended (%(reason)s). Please stop the daily checks.") % {
                      "reason": reason})
    return agreement


@transaction.atomic
def agreement_viewed(*, agreement, by):
    """Check-in data is sensitive: every look at an agreement is in the activity log
    (docs/ARCHITECTURE.md, "Care and messages")."""
    log_action("care.agreement_viewed", agreement, by=by)


# --- The daily check --------------------------------------------------------------------------


@transaction.atomic
def check_record(*, agreement, by):
    """One tap: the buddy saw the sign, or the person says "I am fine today". Resolves today's alert."""
    agreement = _lock(agreement)
    if not agreement.may_record(by):
        raise PermissionDenied
    if agreement.status == Agreement.Status.ENDED:
        raise CareRefused(_("This agreement has ended."))
    today = timezone.localdate()
    check, created = Check.objects.get_or_create(agreement=agreement, day=today, defaults={"by": by})
    if created:
        log_action("care.check_recorded", agreement, by=by, details={"day": today.isoformat()})
    for alert in agreement.alerts.filter(resolved_at__isnull=True, day__lte=today):
        _resolve(alert, by=by, outcome=Alert.Outcome.CHECKED)
    return check


# --- Alerts -----------------------------------------------------------------------------------


def _resolve(alert, *, by, outcome, note=""):
    alert.resolved_at, alert.resolved_by, alert.outcome, alert.note = timezone.now(), by, outcome, note
    alert.save(update_fields=["resolved_at", "resolved_by", "outcome", "note"])
    log_action("care.alert_resolved", alert, by=by, details={"outcome": outcome, "note": note})
    agreement = alert.agreement
    message_send(to=_told(alert), topic=Topic.CHECKIN_ALERT, household=agreement.household,
                 link=alert.get_absolute_url(), dedupe_key=f"alert:{alert.pk}:resolved",
                 subject=_("Resolved: the check for %(unit)s") % {"unit": agreement.household.code},
                 body=_("%(name)s resolved the alert for %(unit)s: %(outcome)s. %(note)s") % {
                     "name": by, "unit": agreement.household.code, "outcome": Alert.Outcome(outcome).label,
                     "note": note})


RESOLVE_OUTCOMES = (Alert.Outcome.WELL, Alert.Outcome.PHONED, Alert.Outcome.VISITED,
                    Alert.Outcome.EMERGENCY_CALL, Alert.Outcome.HOSPITAL)


def may_act_on_alert(alert, user):
    agreement = alert.agreement
    return (user.is_committee or agreement.is_buddy(user) or agreement.is_person(user)
            or agreement.household.building_id in user.headed_building_ids)


@transaction.atomic
def alert_resolve(*, alert, by, outcome, note=""):
    alert = Alert.objects.select_for_update().select_related("agreement__household", "agreement__person").get(
        pk=alert.pk)
    if not may_act_on_alert(alert, by):
        raise PermissionDenied
    if not alert.is_open:
        raise CareRefused(_("This alert was resolved already."))
    if outcome not in RESOLVE_OUTCOMES:
        raise CareRefused(_("Choose what you found."))
    note = (note or "").strip()
    if outcome in (Alert.Outcome.EMERGENCY_CALL, Alert.Outcome.HOSPITAL) and not note:
        raise CareRefused(_("Write down what happened, for the family and the committee."))
    _resolve(alert, by=by, outcome=outcome, note=note)
    return alert


def alert_reason(alert):
    agreement = alert.agreement
    return str(_("Welfare check: %(sign)s not seen by %(time)s on %(day)s, nobody has reached the person "
                 "(alert no. %(pk)s).") % {"sign": agreement.get_sign_display(),
                                            "time": agreement.deadline.strftime("%H:%M"),
                                            "day": alert.day.isoformat(), "pk": alert.pk})


@transaction.atomic
def alert_key_handover(*, alert, witness, reason, by):
    """A key keeper starts the emergency hand-over from an open alert: still two people, through keys/services.py."""
    alert = Alert.objects.select_for_update().select_related("agreement__household").get(pk=alert.pk)
    if not (may_act_on_alert(alert, by) and is_keeper_on_duty(by)):
        raise PermissionDenied
    if not alert.is_open:
        raise CareRefused(_("This alert was resolved already."))
    if not alert.agreement.key_opening:
        raise CareRefused(_("The agreement does not allow an emergency key opening. Call 110 or 119 if you "
                            "fear for the person."))
    deposit = emergency_deposit(alert.agreement.household)
    if deposit is None:
        raise CareRefused(_("There is no spare key of this household in the cabinet that may be used in an "
                            "emergency."))
    try:
        handover = key_services.handover_start(deposit=deposit, witness=witness, purpose=Purpose.EMERGENCY,
                                               emergency_reason=reason, by=by)
    except key_services.KeyRefused as error:
        raise CareRefused(str(error)) from error
    alert.handover = handover
    alert.save(update_fields=["handover"])
    log_action("care.alert_key_started", alert, by=by, details={"handover": handover.pk})
    return handover


def _people_of_level(alert, level):
    agreement = alert.agreement
    if level == Alert.Level.BUDDY:
        return [agreement.buddy]
    if level == Alert.Level.BACKUP:
        return [agreement.backup] if agreement.backup else []
    if level == Alert.Level.HEAD:
        return list(User.objects.filter(roles__kind=Role.Kind.BUILDING_HEAD, roles__ended_at__isnull=True,
                                        roles__building=agreement.household.building_id).distinct())
    return list(User.objects.filter(roles__kind__in=COMMITTEE_KINDS, roles__ended_at__isnull=True).distinct())


def _told(alert):
    people = {}
    for level in range(alert.level + 1):
        for user in _people_of_level(alert, level):
            people[user.pk] = user
    return list(people.values())


def _announce(alert, level):
    """Tell the people of one escalation step (each only once: the dedupe key carries the step)."""
    agreement = alert.agreement
    unit = agreement.household.code
    subject = _("Check missed: %(unit)s") % {"unit": unit}
    body = _("%(sign)s was not seen at %(unit)s by %(time)s today. Please check on the person and record what "
             "you found. Told so far: %(level)s.") % {
        "sign": agreement.get_sign_display(), "unit": unit, "time": agreement.deadline.strftime("%H:%M"),
        "level": Alert.Level(level).label}
    key = f"alert:{alert.pk}:{level}"
    message_send(to=_people_of_level(alert, level), topic=Topic.CHECKIN_ALERT, subject=subject, body=body,
                 link=reverse("care:alert", kwargs={"pk": alert.pk}), household=agreement.household,
                 dedupe_key=key)
    if level == Alert.Level.COMMITTEE:
        message_to_group(group="committee", topic=Topic.CHECKIN_ALERT, subject=subject, body=body,
                         link=reverse("care:alert", kwargs={"pk": alert.pk}), dedupe_key=key)
        for _name, phone in agreement.family_contacts():
            message_to_phone(phone=phone, topic=Topic.CHECKIN_ALERT, household=agreement.household, dedupe_key=key,
                             subject=_("%(site)s: no sign from your relative today") % {"site": unit},
                             body=body)


@transaction.atomic
def alerts_raise(*, now):
    """At each agreement's deadline, a day without the sign raises one alert (the schedule's job)."""
    today = timezone.localdate(now)
    raised = 0
    for agreement in Agreement.objects.in_force().select_related("household__building", "person", "buddy",
                                                                 "backup"):
        deadline = agreement.deadline_on(today)
        # Not before the deadline, and not on the day the agreement was made after its deadline.
        if not agreement.is_due_on(today) or now < deadline or agreement.consent_at > deadline:
            continue
        if agreement.checks.filter(day=today).exists():
            continue
        alert, created = Alert.objects.get_or_create(agreement=agreement, day=today,
                                                     defaults={"raised_at": agreement.deadline_on(today)})
        if created:
            log_action("care.alert_raised", alert, details={"household": agreement.household.code})
            _announce(alert, Alert.Level.BUDDY)
            raised += 1
    return raised


@transaction.atomic
def alerts_escalate(*, now):
    """Each open alert reaches the next step of its schedule: buddy → backup → building head → committee, family."""
    stepped = 0
    for alert in Alert.objects.select_for_update().filter(resolved_at__isnull=True).select_related(
            "agreement__household__building", "agreement__person", "agreement__buddy", "agreement__backup"):
        due = alert.level_due(now)
        if alert.level >= due:
            continue
        while alert.level < due:
            alert.level += 1
            _announce(alert, alert.level)
            stepped += 1
        alert.save(update_fields=["level"])
        log_action("care.alert_escalated", alert, details={"level": alert.level})
    return stepped


@transaction.atomic
def agreements_unpause(*, now):
    """A pause with an end date ends by itself on that day."""
    today = timezone.localdate(now)
    resumed = 0
    for agreement in Agreement.objects.select_for_update().filter(status=Agreement.Status.PAUSED,
                                                                 paused_until__lt=today):
        agreement.status, agreement.pause_reason, agreement.paused_until = Agreement.Status.ACTIVE, "", None
        agreement.save(update_fields=["status", "pause_reason", "paused_until"])
        log_action("care.agreement_resumed", agreement, details={"automatic": True})
        resumed += 1
    return resumed
