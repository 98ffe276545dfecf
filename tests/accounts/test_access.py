from accounts import services
from accounts.models import Role
from tests.access import COMMITTEE, EVERYONE, NOT_COMMITTEE, Access, AccessTestCase

NOT_CHAIR = tuple(name for name in EVERYONE if name != "chair")


class AccountsAccessTest(AccessTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.invitation = services.invitation_create(
            by=cls.chair, name="钱大爷", role_kind=Role.Kind.RESIDENT, household=cls.household_a2
        )
        cls.volunteer_role = cls.volunteer.roles.get()

    rules = [
        Access("accounts:user-list", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("accounts:user-detail", ok=COMMITTEE, forbidden=NOT_COMMITTEE,
               kwargs=lambda t: {"pk": t.resident.pk}),
        Access("accounts:role-grant", ok=("chair",), forbidden=NOT_CHAIR, method="post",
               kwargs=lambda t: {"pk": t.outsider.pk}, data=lambda t: {"kind": Role.Kind.VOLUNTEER}),
        Access("accounts:role-withdraw", ok=("chair",), forbidden=NOT_CHAIR, method="post",
               kwargs=lambda t: {"pk": t.volunteer_role.pk}),
        Access("accounts:invitation-reset", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.resident.pk}),
        Access("accounts:invitation-list", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("accounts:invitation-new", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        Access("accounts:invitation-slip", ok=COMMITTEE, forbidden=NOT_COMMITTEE,
               kwargs=lambda t: {"pk": t.invitation.pk}),
        Access("accounts:invitation-revoke", ok=COMMITTEE, forbidden=NOT_COMMITTEE, method="post",
               kwargs=lambda t: {"pk": t.invitation.pk}),
        # The token is the permission: whoever holds the slip may open it, logged in or not.
        Access("accounts:invitation-accept", ok=EVERYONE, public=True,
               kwargs=lambda t: {"token": t.invitation.token}),
        Access("accounts:activity", ok=COMMITTEE, forbidden=NOT_COMMITTEE),
        # Anyone logged in may turn on two-step login (first confirming the password: a redirect, hence POST
        # here, where any answer but 403/404/500 counts); tests/accounts/test_two_step.py walks the pages.
        Access("accounts:two-step", ok=EVERYONE, method="post"),
        Access("accounts:two-step-done", ok=EVERYONE, method="post"),
        # allauth's page of one's own two-step login, served kept by a view of ours (accounts.views.two_step_index).
        Access("mfa_index", ok=EVERYONE),
    ]
