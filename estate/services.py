"""Every change to the household register: one atomic function each, logged in the same transaction.

Edits log what changed as {field: [old, new]}; an edit that changes nothing logs nothing.

Households and residents are never deleted, only deactivated (and reactivated if that was a
mistake). This holds even for a household with nothing attached yet: the append-only activity
log already names it (household.created), and bills, payments, roles, invitations and keys will
point at it; a deleted row would leave those records pointing at nothing. A household entered
by mistake is corrected by editing it, or deactivated; deactivated ones leave the lists (and,
when the ledger lands, billing) but keep their history.
"""

from decimal import Decimal

from django.db import models, transaction

from accounts.activity import log_action
from estate.models import Building, Household, Resident


def _loggable(value):
    if isinstance(value, models.Model | Decimal):
        return str(value)
    return value


def _set_fields(obj, values):
    """Set `values` on `obj` and return {field: [old, new]} for those that really changed."""
    changed = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changed[field] = [_loggable(old), _loggable(new)]
            setattr(obj, field, new)
    return changed


def _locked(instance):
    """The row as it is in the database now, locked until the transaction ends (old values for the log)."""
    return type(instance).objects.select_for_update().get(pk=instance.pk)


# --- Buildings ----------------------------------------------------------------

def _building_create(*, code, by):
    building = Building.objects.create(code=code, name=f"{code}栋")
    log_action("building.created", building, by=by, details={"code": code})
    return building


# --- Households ---------------------------------------------------------------

def _household_create(*, building, entrance, floor, room, area, occupancy, notes, by):
    household = Household(building=building, entrance=entrance, floor=floor, room=room, area=area,
                          occupancy=occupancy, notes=notes)
    household.save()
    log_action("household.created", household, by=by, details={
        "code": household.code, "area": str(area), "floor": floor, "occupancy": occupancy,
    })
    return household


@transaction.atomic
def household_create(*, building, entrance, floor, room, area, occupancy=Household.Occupancy.OWNER, notes="", by):
    return _household_create(building=building, entrance=entrance, floor=floor, room=room, area=area,
                             occupancy=occupancy, notes=notes, by=by)


def _household_update(household, values, *, by, verb="household.updated"):
    old_code = household.code
    changed = _set_fields(household, values)
    if changed:
        household.save()
        if household.code != old_code:
            changed["code"] = [old_code, household.code]
        log_action(verb, household, by=by, details=changed)
    return changed


@transaction.atomic
def household_update(*, household, by, **values):
    """Change any of building, entrance, floor, room, area, occupancy, notes; returns what changed."""
    return _household_update(_locked(household), values, by=by)


@transaction.atomic
def household_deactivate(*, household, by):
    """A household leaves the register's lists but keeps its history; it can be reactivated."""
    return _household_update(_locked(household), {"is_active": False}, by=by, verb="household.deactivated")


@transaction.atomic
def household_reactivate(*, household, by):
    return _household_update(_locked(household), {"is_active": True}, by=by, verb="household.reactivated")


# --- Residents ----------------------------------------------------------------

def _resident_create(*, household, name, phone, relation, by):
    resident = Resident.objects.create(household=household, name=name, phone=phone, relation=relation)
    log_action("resident.created", resident, by=by, details={
        "household": household.code, "name": name, "phone": phone, "relation": relation,
    })
    return resident


@transaction.atomic
def resident_create(*, household, name, phone="", relation=Resident.Relation.OWNER, by):
    return _resident_create(household=household, name=name, phone=phone, relation=relation, by=by)


def _resident_update(resident, values, *, by, verb="resident.updated"):
    changed = _set_fields(resident, values)
    if changed:
        resident.save()
        log_action(verb, resident, by=by, details={"household": resident.household.code, **changed})
    return changed


@transaction.atomic
def resident_update(*, resident, by, **values):
    """Change any of name, phone, relation; returns what changed."""
    return _resident_update(_locked(resident), values, by=by)


@transaction.atomic
def resident_deactivate(*, resident, by):
    """Moved out or sold: the record stays (with its login link) for the history, marked inactive."""
    return _resident_update(_locked(resident), {"is_active": False}, by=by, verb="resident.deactivated")


@transaction.atomic
def resident_reactivate(*, resident, by):
    return _resident_update(_locked(resident), {"is_active": True}, by=by, verb="resident.reactivated")


# --- Roster import ------------------------------------------------------------

class RosterChanged(Exception):
    """The register changed between the preview and the confirmation: the committee must look again."""


@transaction.atomic
def roster_import(*, rows, by, filename="", expected_digest=None):
    """Apply a parsed roster (estate.roster.parse) to the register, all of it or nothing.

    The plan is made again inside this transaction, with the households locked, so what is
    applied is measured against the register as it is now; `expected_digest` (from the preview)
    makes sure that is also exactly what the committee was shown.
    """
    from estate import roster

    plan = roster.make_plan(rows, lock=True)
    if expected_digest is not None and plan.digest != expected_digest:
        raise RosterChanged
    if not plan.has_changes:
        return plan  # the same file again: nothing to write, nothing to log
    buildings = {b.code: b for b in Building.objects.filter(code__in={row.building for row in rows})}
    for code in plan.new_buildings:
        buildings[code] = _building_create(code=code, by=by)
    for row in plan.new:
        household = _household_create(
            building=buildings[row.building], entrance=row.entrance, floor=row.floor_or_guess, room=row.room,
            area=row.area, occupancy=row.occupancy or Household.Occupancy.OWNER, notes=row.notes, by=by,
        )
        if row.owner:
            _resident_create(household=household, name=row.owner, phone=row.phone,
                             relation=Resident.Relation.OWNER, by=by)
    for change in plan.changed:
        _household_update(change.household, change.household_values, by=by)
        if change.owner_update:
            _resident_update(change.owner, change.owner_update, by=by)
        for old_owner in change.owners_leaving:
            _resident_update(old_owner, {"is_active": False}, by=by, verb="resident.deactivated")
        if change.new_owner:
            name, phone = change.new_owner
            _resident_create(household=change.household, name=name, phone=phone,
                             relation=Resident.Relation.OWNER, by=by)
    log_action("roster.imported", None, by=by, details={
        "file": filename, "new": len(plan.new), "changed": len(plan.changed), "unchanged": plan.unchanged,
        "new_buildings": plan.new_buildings,
    })
    return plan
