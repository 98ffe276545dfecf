"""Django's own words that its Chinese catalogue lacks.

Jiayuan's catalogue takes precedence over Django's, and makemessages keeps a string only while the
source names it: so it is named here. Django 6 labels the empty choice of every select
"- Select an option -", a string its zh_Hans catalogue does not have yet.
"""

from django.utils.translation import gettext_noop, pgettext

DJANGO_WORDING = [
    gettext_noop("- Select an option -"),
]


def labelled(label, value):
    """"label: value" with the colon of the language: full-width in Chinese (标签：值), ": " in English."""
    return pgettext("a label and its value", "%(label)s: %(value)s") % {"label": label, "value": value}
