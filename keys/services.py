"""Every change to the key register: atomic, checked against the rules, logged in the same transaction.

A refused change raises KeyRefused with a message for the person and writes nothing.
Every change that concerns one key ring first locks its KeyDeposit row, so that two
phones confirming at the same moment are served one after the other.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.activity import log_action
from estate.uploads import cleanup_on_error, store
from keys import access
from keys.models import (
    InventoryCheck,
    InventoryLine,
    KeyConsent,
    KeyDeposit,
    KeyHandover,
    KeyHandoverEvent,
    KeyKeeper,
    Purpose,
)
from keys.notify import tell_household
from messaging.models import Topic

CONSENT_FIELDS = ("emergency", "plants", "airing", "repair", "weekdays", "period_start", "period_end", "notify")
Event = KeyHandoverEvent.Kind
State = KeyHandover.State


class KeyRefused(Exception):
    """A rule of key custody says no. str(error) is the message for the person."""


def _local(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _lock(deposit):
    return KeyDeposit.objects.select_for_update().select_related("household").get(pk=deposit.pk)


def _require_keeper(user):
    if not access.is_keeper_on_duty(user):
        raise KeyRefused(_("Only a key keeper on duty or a committee member can do this."))


# --- Key keepers ---------------------------------------------------------------------------


@transaction.atomic
def keeper_appoint(*, user, by):
    if not user.is_volunteer:
        raise KeyRefused(_("Only a registered volunteer can be appointed key keeper."))
    if KeyKeeper.objects.filter(user=user, ended_at__isnull=True).exists():
        raise KeyRefused(_("%(name)s is already a key keeper.") % {"name": user})
    term = KeyKeeper.objects.create(user=user, appointed_by=by)
    log_action("keys.keeper_appointed", term, by=by, details={"user": user.pk})
    return term


@transaction.atomic
def keeper_end(*, term, by):
    term = KeyKeeper.objects.select_for_update().get(pk=term.pk)
    if term.ended_at:
        raise KeyRefused(_("This appointment has already ended."))
    term.ended_at, term.ended_by = timezone.now(), by
    term.save(update_fields=["ended_at", "ended_by"])
    log_action("keys.keeper_ended", term, by=by, details={"user": term.user_id})
    return term


# --- Deposits and consent ------------------------------------------------------------------


def _check_consent(consent):
    if not any(consent.get(name) for name in ("emergency", "plants", "airing", "repair")):
        raise KeyRefused(_("Tick at least one service, or withdraw the consent."))
    start, end = consent.get("period_start"), consent.get("period_end")
    if start and end and end < start:
        raise KeyRefused(_("The period ends before it starts."))


def _consent_create(deposit, consent, by, *, withdrawn=False):
    values = {name: consent.get(name) for name in CONSENT_FIELDS if consent.get(name) is not None}
    values["weekdays"] = sorted({int(day) for day in values.get("weekdays", [])})
    return KeyConsent.objects.create(deposit=deposit, recorded_by=by, withdrawn=withdrawn, **values)


def _consent_details(consent):
    return {
        "services": [purpose.value for purpose in consent.services()],
        "weekdays": consent.weekdays,
        "period": [str(consent.period_start or ""), str(consent.period_end or "")],
        "withdrawn": consent.withdrawn,
    }


@transaction.atomic
def deposit_create(*, household, depositor, tag_number, hook, door_keys=0, mailbox_keys=0, bike_shed_keys=0,
                   description="", consent, by):
    """Take a household's key ring into the cabinet under tag `tag_number` on `hook`, with its consent."""
    _require_keeper(by)
    if depositor.household_id != household.pk or not depositor.is_active:
        raise KeyRefused(_("The person depositing must be a resident of this household."))
    if not household.is_active:
        raise KeyRefused(_("This household is no longer in the register."))
    if door_keys + mailbox_keys + bike_shed_keys < 1:
        raise KeyRefused(_("A deposit holds at least one key."))
    _check_consent(consent)
    if KeyDeposit.objects.filter(tag_number=tag_number).exists():
        raise KeyRefused(_("Tag K-%(number)03d has been used before; take the next free tag.") % {"number": tag_number})
    if KeyDeposit.objects.filter(hook=hook, status=KeyDeposit.Status.ACTIVE).exists():
        raise KeyRefused(_("Hook %(hook)d already holds a key ring.") % {"hook": hook})
    try:
        # Another keeper may take the same tag or hook at the same moment: the constraints decide.
        with transaction.atomic():
            deposit = KeyDeposit.objects.create(
                household=household, depositor=depositor, tag_number=tag_number, hook=hook, door_keys=door_keys,
                mailbox_keys=mailbox_keys, bike_shed_keys=bike_shed_keys, description=description, received_by=by,
            )
    except IntegrityError:
        raise KeyRefused(_("That tag or hook was taken a moment ago; please choose again.")) from None
    version = _consent_create(deposit, consent, by)
    log_action("keys.deposit_created", deposit, by=by, details={
        "household": household.pk, "hook": hook, "keys": [door_keys, mailbox_keys, bike_shed_keys],
        "consent": _consent_details(version),
    })
    return deposit


def _may_change_consent(user, deposit):
    return access.is_keeper_on_duty(user) or access.belongs_to(user, deposit.household)


@transaction.atomic
def consent_change(*, deposit, by, **consent):
    """Record a new version of the consent (the household's own wish, or on its instruction)."""
    deposit = _lock(deposit)
    if not _may_change_consent(by, deposit):
        raise KeyRefused(_("Only the household or a key keeper can change the consent."))
    if deposit.status != KeyDeposit.Status.ACTIVE:
        raise KeyRefused(_("This key is no longer in the cabinet."))
    _check_consent(consent)
    version = _consent_create(deposit, consent, by)
    log_action("keys.consent_changed", deposit, by=by, details=_consent_details(version))
    _tell_consent(deposit, by, version)
    return version


@transaction.atomic
def consent_withdraw(*, deposit, by):
    """From now on the key is taken out only in an emergency, until it goes back to the household."""
    deposit = _lock(deposit)
    if not _may_change_consent(by, deposit):
        raise KeyRefused(_("Only the household or a key keeper can change the consent."))
    if deposit.status != KeyDeposit.Status.ACTIVE:
        raise KeyRefused(_("This key is no longer in the cabinet."))
    version = _consent_create(deposit, {"emergency": False}, by, withdrawn=True)
    log_action("keys.consent_withdrawn", deposit, by=by, details=_consent_details(version))
    _tell_consent(deposit, by, version)
    return version


def _tell_consent(deposit, by, version):
    tell_household(
        deposit.household,
        lambda: _("The consent for key %(tag)s was changed") % {"tag": deposit.tag},
        lambda: _("%(name)s recorded a new consent for your key %(tag)s: %(services)s.") % {
            "name": by, "tag": deposit.tag,
            "services": ("、".join(map(str, version.service_labels())) if not version.withdrawn
                         else _("consent withdrawn")),
        },
    )


# --- Hand-overs ---------------------------------------------------------------------------


def _busy(deposit):
    return KeyHandover.objects.filter(deposit=deposit).open().exists()


def _check_people(deposit, keeper, witness):
    if keeper.pk == witness.pk:
        raise KeyRefused(_("The witness must be another person: nobody takes a key out alone."))
    if not access.is_keeper_on_duty(keeper):
        raise KeyRefused(_("Only a key keeper on duty or a committee member can take a key out."))
    if not access.can_witness(witness) or not witness.is_active:
        raise KeyRefused(_("The witness must be a registered volunteer or a committee member."))
    if access.belongs_to(keeper, deposit.household):
        raise KeyRefused(_("A member of the household cannot take its key out; ask another key keeper."))
    if access.belongs_to(witness, deposit.household):
        raise KeyRefused(_("A member of the household cannot be the witness; choose someone else."))


@transaction.atomic
def handover_start(*, deposit, witness, purpose, emergency_reason="", by):
    """The keeper (`by`) asks to take the key out and so gives the first confirmation."""
    deposit = _lock(deposit)
    if deposit.status != KeyDeposit.Status.ACTIVE:
        raise KeyRefused(_("This key is no longer in the cabinet."))
    if _busy(deposit):
        raise KeyRefused(_("This key is already in a hand-over; finish that one first."))
    _check_people(deposit, by, witness)
    purpose = Purpose(purpose)
    reason = (emergency_reason or "").strip()
    consent = deposit.consents.order_by("-recorded_at", "-pk").first()
    within = consent.allows(purpose, timezone.localdate())
    if purpose == Purpose.EMERGENCY:
        if not reason:
            raise KeyRefused(_("Say what the emergency is (for example: water coming through the ceiling below)."))
    elif not within:
        raise KeyRefused(
            _("%(purpose)s is not within the household's consent today. Outside the consent a key leaves the "
              "cabinet only in an emergency, with its reason.") % {"purpose": purpose.label}
        )
    else:
        reason = ""
    now = timezone.now()
    handover = KeyHandover.objects.create(
        deposit=deposit, purpose=purpose, emergency_reason=reason, consent=consent, within_consent=within,
        keeper=by, witness=witness, created_at=now,
    )
    KeyHandoverEvent.objects.create(handover=handover, kind=Event.OUT, by=by, at=now)
    log_action("keys.handover_started", handover, by=by, details={
        "deposit": deposit.pk, "purpose": purpose.value, "witness": witness.pk, "within_consent": within,
        "emergency_reason": reason,
    })
    return handover


def _locked_handover(handover):
    _lock(handover.deposit)
    return KeyHandover.objects.select_related("deposit__household", "keeper", "witness").get(pk=handover.pk)


@transaction.atomic
def handover_confirm_out(*, handover, by):
    """The witness's confirmation: with it, and only with it, the key is out."""
    handover = _locked_handover(handover)
    if by.pk == handover.keeper_id:
        raise KeyRefused(_("You have confirmed already. The witness must confirm in their own account."))
    if by.pk != handover.witness_id:
        raise KeyRefused(_("Only the witness named in this hand-over can confirm it."))
    state = handover.state
    if state == State.EXPIRED:
        raise KeyRefused(
            _("More than %(minutes)d minutes have passed since the keeper confirmed, so the key stays in the "
              "cabinet. Please start a new hand-over together.") % {"minutes": settings.KEYS_CONFIRM_MINUTES}
        )
    if state != State.AWAITING_WITNESS:
        raise KeyRefused(_("This hand-over is not waiting for a confirmation."))
    _check_people(handover.deposit, handover.keeper, by)
    event = KeyHandoverEvent.objects.create(handover=handover, kind=Event.OUT, by=by)
    log_action("keys.handover_out", handover, by=by, details={"deposit": handover.deposit_id})
    tell_household(
        handover.deposit.household,
        lambda: _("Your key %(tag)s was taken out") % {"tag": handover.deposit.tag},
        lambda: _("At %(time)s %(keeper)s took your key %(tag)s out of the cabinet, with %(witness)s as witness. "
                  "Purpose: %(purpose)s%(reason)s.") % {
            "time": _local(event.at), "keeper": handover.keeper, "witness": handover.witness,
            "tag": handover.deposit.tag, "purpose": handover.get_purpose_display(),
            "reason": f" ({handover.emergency_reason})" if handover.emergency_reason else "",
        },
        topic=Topic.KEY_OUT,
    )
    return event


def handover_confirm_back(*, handover, by, note="", photo=None):
    """One of the two confirms the key back in the cabinet, saying what was done; `photo` is a PreparedFile."""
    with cleanup_on_error():
        return _confirm_back(handover=handover, by=by, note=(note or "").strip(), photo=photo)


@transaction.atomic
def _confirm_back(*, handover, by, note, photo):
    handover = _locked_handover(handover)
    if by.pk not in (handover.keeper_id, handover.witness_id):
        raise KeyRefused(_("Only the key keeper and the witness of this hand-over can confirm its return."))
    if handover.state not in (State.OUT, State.RETURNING):
        raise KeyRefused(_("This key is not out of the cabinet."))
    if handover.event_by(Event.BACK, by):
        raise KeyRefused(_("You have confirmed the return already; now the other person confirms."))
    first = not handover.events_of(Event.BACK)
    if first and not note:
        raise KeyRefused(_("Write down what was done in the flat."))
    photo_name = store(photo, folder="keys") if photo else ""
    event = KeyHandoverEvent.objects.create(handover=handover, kind=Event.BACK, by=by, note=note, photo=photo_name)
    log_action("keys.handover_back" if not first else "keys.handover_back_first", handover, by=by,
               details={"deposit": handover.deposit_id, "note": note, "photo": bool(photo_name)})
    if not first:
        notes = "；".join(e.note for e in [*handover.events_of(Event.BACK), event] if e.note)
        tell_household(
            handover.deposit.household,
            lambda: _("Your key %(tag)s is back in the cabinet") % {"tag": handover.deposit.tag},
            lambda: _("At %(time)s %(keeper)s and %(witness)s put your key %(tag)s back in the cabinet. "
                      "What was done: %(notes)s") % {
                "time": _local(event.at), "keeper": handover.keeper, "witness": handover.witness,
                "tag": handover.deposit.tag, "notes": notes,
            },
        )
    return event


@transaction.atomic
def handover_cancel(*, handover, by):
    """Either of the two calls off a hand-over the witness has not confirmed yet."""
    handover = _locked_handover(handover)
    if by.pk not in (handover.keeper_id, handover.witness_id):
        raise KeyRefused(_("Only the key keeper and the witness of this hand-over can cancel it."))
    if handover.state != State.AWAITING_WITNESS:
        raise KeyRefused(_("Only a hand-over that is still waiting for the witness can be cancelled."))
    event = KeyHandoverEvent.objects.create(handover=handover, kind=Event.CANCELLED, by=by)
    log_action("keys.handover_cancelled", handover, by=by, details={"deposit": handover.deposit_id})
    return event


# --- The end of a deposit -----------------------------------------------------------------


@transaction.atomic
def deposit_hand_back(*, deposit, resident, by):
    """A keeper gives the keys back to a resident; the deposit ends when the household confirms."""
    deposit = _lock(deposit)
    _require_keeper(by)
    if deposit.status != KeyDeposit.Status.ACTIVE:
        raise KeyRefused(_("This key is no longer in the cabinet."))
    if _busy(deposit):
        raise KeyRefused(_("This key is in a hand-over; it can go back to the household once it is back."))
    if resident.household_id != deposit.household_id or not resident.is_active:
        raise KeyRefused(_("The keys go back only to a resident of this household."))
    if access.belongs_to(by, deposit.household):
        raise KeyRefused(_("A member of the household cannot hand its keys back to itself; ask another key keeper."))
    deposit.status = KeyDeposit.Status.RETURNING
    deposit.returned_to, deposit.hand_back_at, deposit.hand_back_by = resident, timezone.now(), by
    deposit.save(update_fields=["status", "returned_to", "hand_back_at", "hand_back_by"])
    log_action("keys.deposit_handed_back", deposit, by=by, details={"resident": resident.pk})
    tell_household(
        deposit.household,
        lambda: _("Please confirm that you have key %(tag)s back") % {"tag": deposit.tag},
        lambda: _("%(keeper)s has given key %(tag)s back to %(resident)s. Please confirm on your key page that "
                  "you have it.") % {"keeper": by, "tag": deposit.tag, "resident": resident.name},
    )
    return deposit


@transaction.atomic
def deposit_return_confirm(*, deposit, by, on_paper=False):
    """The household confirms it has its keys back, in its own account or (for the committee) on paper."""
    deposit = _lock(deposit)
    if deposit.status != KeyDeposit.Status.RETURNING:
        raise KeyRefused(_("These keys are not waiting for the household's confirmation."))
    if on_paper:
        if not by.is_committee:
            raise KeyRefused(_("Only a committee member can record a confirmation signed on paper."))
        if by.pk == deposit.hand_back_by_id:
            raise KeyRefused(_("The person who handed the keys back cannot also record the confirmation."))
    elif not access.belongs_to(by, deposit.household):
        raise KeyRefused(_("Only the household can confirm that it has its keys back."))
    deposit.status = KeyDeposit.Status.RETURNED
    deposit.ended_at, deposit.ended_by, deposit.confirmed_on_paper = timezone.now(), by, on_paper
    deposit.save(update_fields=["status", "ended_at", "ended_by", "confirmed_on_paper"])
    log_action("keys.deposit_returned", deposit, by=by, details={"on_paper": on_paper})
    return deposit


@transaction.atomic
def deposit_report_lost(*, deposit, by, circumstances):
    """The key ring is gone: the deposit ends, an open hand-over ends with it, the household is told."""
    deposit = _lock(deposit)
    _require_keeper(by)
    circumstances = (circumstances or "").strip()
    if not circumstances:
        raise KeyRefused(_("Describe when and how the key was lost."))
    if deposit.status != KeyDeposit.Status.ACTIVE:
        raise KeyRefused(_("This key is no longer in the cabinet."))
    for handover in KeyHandover.objects.filter(deposit=deposit).open():
        kind = Event.LOST if handover.n_out == 2 else Event.CANCELLED
        KeyHandoverEvent.objects.create(handover=handover, kind=kind, by=by, note=circumstances)
    deposit.status = KeyDeposit.Status.LOST
    deposit.ended_at, deposit.ended_by, deposit.end_note = timezone.now(), by, circumstances
    deposit.save(update_fields=["status", "ended_at", "ended_by", "end_note"])
    log_action("keys.deposit_lost", deposit, by=by, details={"circumstances": circumstances})
    tell_household(
        deposit.household,
        lambda: _("Your key %(tag)s has been lost") % {"tag": deposit.tag},
        lambda: _("%(name)s reported your key %(tag)s lost: %(what)s. The committee will contact you; "
                  "you may want to change the lock.") % {"name": by, "tag": deposit.tag, "what": circumstances},
    )
    return deposit


# --- Inventory ----------------------------------------------------------------------------


@transaction.atomic
def inventory_record(*, present, by, note=""):
    """Record a check of the cabinet. `present` maps each active deposit's pk to True (found) or False."""
    _require_keeper(by)
    deposits = list(KeyDeposit.objects.select_for_update().filter(status=KeyDeposit.Status.ACTIVE))
    if {d.pk for d in deposits} != set(present):
        raise KeyRefused(_("The register changed while you were checking; please go through the cabinet again."))
    out = set(KeyHandover.objects.filter(deposit__in=deposits).out_now().values_list("deposit_id", flat=True))
    check = InventoryCheck.objects.create(by=by, note=(note or "").strip())
    lines = InventoryLine.objects.bulk_create(
        InventoryLine(inventory=check, deposit=d, expected_in_cabinet=d.pk not in out, present=present[d.pk])
        for d in deposits
    )
    differences = sorted(line.deposit.tag for line in lines if line.is_difference)
    log_action("keys.inventory_checked", check, by=by, details={"tags": len(lines), "differences": differences})
    return check
