"""Every change to logins, roles and invitations, each atomic and written to the activity log."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.activity import log_action
from accounts.models import COMMITTEE_KINDS, Invitation, Role, User
from estate.models import Resident


def _role_details(role):
    return {"role": role.kind, "scope": str(role.scope) if role.scope else ""}


COMMITTEE_ROLE_REFUSED = _(
    "Committee roles (chair, member, treasurer) come only from the owners' election, or before the first "
    "election from the chair with a second committee member confirming: see the committee page."
)


@transaction.atomic
def role_grant(*, user, kind, building=None, household=None, by):
    """Give `user` a role; building heads need a building, residents a household.

    Never a committee role: those approve spending, so nobody may create them alone
    (docs/ARCHITECTURE.md, "Owners' decisions"); committee.services grants them from a decision.
    """
    if not by.is_chair:
        raise PermissionDenied
    if kind in COMMITTEE_KINDS:
        raise ValidationError(COMMITTEE_ROLE_REFUSED, code="committee_role")
    return _role_create(user=user, kind=kind, building=building, household=household, by=by)


@transaction.atomic
def committee_role_create(*, user, kind, by, details=None):
    """A committee role, for committee.services alone, which checks the decision or the confirmation first."""
    if kind not in COMMITTEE_KINDS:
        raise ValueError(kind)
    return _role_create(user=user, kind=kind, by=by, details=details)


def _role_create(*, user, kind, by, building=None, household=None, details=None):
    role = Role(
        user=user,
        kind=kind,
        building=building if kind == Role.Kind.BUILDING_HEAD else None,
        household=household if kind == Role.Kind.RESIDENT else None,
        granted_by=by,
    )
    if kind == Role.Kind.BUILDING_HEAD and building is None:
        raise ValidationError(_("A building head needs a building."))
    if kind == Role.Kind.RESIDENT and household is None:
        raise ValidationError(_("A resident needs a household."))
    try:
        # A savepoint, so that a duplicate leaves the caller's transaction usable.
        with transaction.atomic():
            role.save()
    except IntegrityError:
        raise ValidationError(_("%(user)s already holds this role.") % {"user": user}) from None
    log_action("role.grant", user, by=by, details={**_role_details(role), **(details or {})})
    return role


@transaction.atomic
def role_withdraw(*, role, by):
    """End a role (the row stays, as history). The estate always keeps at least one chair."""
    if not by.is_chair:
        raise PermissionDenied
    return role_end(role=role, by=by)


@transaction.atomic
def role_end(*, role, by, details=None):
    """End a role once, keeping a chair; the caller has checked that `by` may (the chair, or an election)."""
    role = Role.objects.select_for_update().get(pk=role.pk)
    if not role.is_active:
        raise ValidationError(_("This role has already been withdrawn."))
    if role.kind == Role.Kind.CHAIR:
        # Lock every active chair role: two chairs withdrawing each other at the same
        # moment must not both succeed. (SQLite serialises writers by itself.)
        chairs = list(Role.objects.select_for_update().filter(kind=Role.Kind.CHAIR, ended_at__isnull=True))
        if len(chairs) <= 1:
            raise ValidationError(
                _("This is the estate's last chair. Grant the chair role to someone else first.")
            )
    role.ended_at = timezone.now()
    role.ended_by = by
    role.save(update_fields=["ended_at", "ended_by"])
    log_action("role.withdraw", role.user, by=by, details={**_role_details(role), **(details or {})})
    return role


def may_invite(by, *, role_kind="", user=None):
    """The committee invites residents and resets residents' passwords; the chair does the rest.

    Other roles are granted by the chair alone, and a new password for a committee
    member's login would hand its powers to whoever holds the slip.
    """
    if not by.is_committee:
        return False
    if user is not None:
        return by.is_chair or not user.is_committee
    if role_kind in COMMITTEE_KINDS:
        # A new login never comes with a committee role: invite the person as a resident, then the
        # election (or the chair with a second member) makes them a member.
        return False
    return by.is_chair or role_kind == Role.Kind.RESIDENT


def may_print(by, invitation):
    """Whether `by` may see the slip (its address is the login it creates or resets): whoever may issue it."""
    return may_invite(by, role_kind=invitation.role_kind, user=invitation.user)


@transaction.atomic
def invitation_create(
    *, by, name, role_kind="", household=None, building=None, resident=None, user=None, valid_for=None
):
    """A one-time invitation: for a new login with a role, or (with `user`) a new password.

    An earlier open invitation for the same person is revoked, so that a lost slip stops working.
    """
    if not may_invite(by, role_kind=role_kind, user=user):
        raise PermissionDenied
    invitation = Invitation(
        name=name,
        role_kind="" if user else role_kind,
        household=household if role_kind == Role.Kind.RESIDENT else None,
        building=building if role_kind == Role.Kind.BUILDING_HEAD else None,
        resident=resident if role_kind == Role.Kind.RESIDENT else None,
        user=user,
        created_by=by,
    )
    invitation.expires_at = invitation.created_at + (valid_for or Invitation.VALID_FOR)
    if resident is not None and resident.household_id != getattr(household, "pk", None):
        raise ValidationError(_("This person does not live in that household."))
    if resident is not None and resident.user_id:
        raise ValidationError(_("This person already has a login: issue a new password for it instead."))
    earlier = Invitation.objects.open().select_for_update()
    if user is not None:
        earlier = earlier.filter(user=user)
    elif resident is not None:
        earlier = earlier.filter(resident=resident)
    else:
        earlier = earlier.none()
    for old in earlier:
        _revoke(old, by=by, reason="replaced")
    invitation.save()
    log_action(
        "invitation.create", invitation, by=by,
        details={"role": invitation.role_kind, "scope": str(invitation.scope or ""),
                 "valid_until": invitation.expires_at.isoformat()},
    )
    return invitation


def _revoke(invitation, *, by, reason=""):
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    log_action("invitation.revoke", invitation, by=by, details={"reason": reason} if reason else None)


@transaction.atomic
def invitation_revoke(*, invitation, by):
    if not by.is_committee:
        raise PermissionDenied
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(_("Only an open invitation can be revoked."))
    _revoke(invitation, by=by)
    return invitation


class InvitationUnusable(Exception):
    """The invitation was used, revoked or expired: `status` says which."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


@transaction.atomic
def invitation_accept(*, invitation, password, username=""):
    """Use an invitation: create the login (with its role and link to the resident) or set a new password.

    The invitation row is locked first, so that the same slip opened on two phones
    at once creates one login, not two. Returns the user.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationUnusable(invitation.status)
    now = timezone.now()
    if invitation.is_password_reset:
        user = invitation.user
        user.set_password(password)
        # A new password also ends every session of the old one (Django checks the
        # password hash stored in each session).
        user.save(update_fields=["password"])
        log_action("user.password_reset", user, by=user, details={"invitation": invitation.pk})
    else:
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken. Please choose another."), code="username_taken")
        user = User(username=username, name=invitation.name)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same name chosen on another phone a moment ago
            raise ValidationError(_("This username is taken. Please choose another."), code="username_taken") from None
        role = Role.objects.create(
            user=user, kind=invitation.role_kind, building=invitation.building, household=invitation.household,
            granted_by=invitation.created_by, granted_at=now,
        )
        if invitation.resident_id:
            # Link the register entry, unless another invitation got there first.
            linked = Resident.objects.filter(pk=invitation.resident_id, user__isnull=True).update(user=user)
            if not linked:
                raise ValidationError(_("This person already has a login. Please ask the committee."))
        log_action(
            "user.join", user, by=user,
            details={"invitation": invitation.pk, **_role_details(role)},
        )
    invitation.used_at = now
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return user


@transaction.atomic
def chair_bootstrap(*, username, name, password):
    """The first chair of a new installation, from the command line; later chairs are granted on the web.

    Refused once any chair is active: from then on roles are the chair's to give.
    """
    if Role.objects.select_for_update().filter(kind=Role.Kind.CHAIR, ended_at__isnull=True).exists():
        raise ValidationError(_("The estate already has a chair; roles are granted on the web from now on."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The username %(username)s is taken.") % {"username": username})
    user = User(username=username, name=name)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    role = Role.objects.create(user=user, kind=Role.Kind.CHAIR)
    log_action("role.grant", user, by=None, details={**_role_details(role), "bootstrap": True})
    return user
