from tests.access import EVERYONE, Access, AccessTestCase


class EstateAccessTest(AccessTestCase):
    rules = [
        Access("estate:dashboard", ok=EVERYONE),
        Access("healthz", ok=EVERYONE, public=True),
        Access("set_language", ok=EVERYONE, public=True, method="post", data=lambda t: {"language": "en"}),
    ]
