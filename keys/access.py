"""Who may do what with the spare keys. Views and services ask here, nowhere else.

- A **key keeper on duty** is a volunteer whom the committee has appointed to the
  key cabinet (an open KeyKeeper term) and who still holds the volunteer role.
  Committee members run key custody and are always on duty. Only they see which
  tag belongs to which household, take keys out, take deposits and check the cabinet.
- A **witness** is any registered volunteer or committee member.
- A **household** sees its own deposits, their consent and every hand-over of them.

Nobody authorises themselves: a hand-over's authority is the household's consent
(or a stated emergency), never the role of the person taking the key, and each
of the two people confirms only in their own account. The committee is checked
like anyone else.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from accounts.models import COMMITTEE_KINDS, Role, User
from estate.models import Resident


def is_keeper_on_duty(user):
    if not user.is_authenticated:
        return False
    if user.is_committee:
        return True
    if not user.is_volunteer:
        return False
    # Read once per request: the nav, the view and the template all ask.
    if not hasattr(user, "_keys_on_duty"):
        user._keys_on_duty = user.key_keeper_terms.filter(ended_at__isnull=True).exists()
    return user._keys_on_duty


def can_witness(user):
    return user.is_authenticated and (user.is_committee or user.is_volunteer)


def works_with_keys(user):
    """Keepers and witnesses: the people who may see the key keepers' page."""
    return is_keeper_on_duty(user) or can_witness(user)


def keepers_on_duty():
    """Users who may take a key out: committee members and appointed volunteers."""
    from keys.models import KeyKeeper

    appointed = KeyKeeper.objects.filter(ended_at__isnull=True).values("user")
    return User.objects.filter(
        Q(roles__kind__in=COMMITTEE_KINDS) | Q(roles__kind=Role.Kind.VOLUNTEER, pk__in=appointed),
        roles__ended_at__isnull=True, is_active=True,
    ).distinct()


def possible_witnesses():
    return User.objects.filter(
        roles__ended_at__isnull=True, roles__kind__in=(*COMMITTEE_KINDS, Role.Kind.VOLUNTEER), is_active=True
    ).distinct()


def belongs_to(user, household):
    """A member of the household: an active resident role for it, or a resident record linked to the login."""
    if household.pk in user.household_ids:
        return True
    return Resident.objects.filter(household=household, user=user, is_active=True).exists()


def require_keeper(user):
    if not is_keeper_on_duty(user):
        raise PermissionDenied


def sees_households(user):
    """May see the link between tags and households in general (not just one's own)."""
    return is_keeper_on_duty(user)
