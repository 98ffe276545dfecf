from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.utils.translation import gettext_noop

# allauth's own sentences that assume strangers may sign up. Signup is closed here, so
# Jiayuan's catalogues (which take precedence over allauth's) word them as things are:
# logins come from the committee's invitation slips.
ALLAUTH_WORDING = [
    gettext_noop("If you have not created an account yet, then please %(link)ssign up%(end_link)s first."),
    gettext_noop("Sign Up Closed"),
    gettext_noop("We are sorry, but the sign up is currently closed."),
]


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Logins are created by the committee's invitations, never by strangers.
        return False

    def set_password(self, user, password):
        # Changed, set, or reset by e-mail: the new password and its activity record commit together.
        from accounts.audit import log_password_set

        with transaction.atomic():
            super().set_password(user, password)
            log_password_set(user)
