from django import template

from keys import access

register = template.Library()


@register.filter
def works_with_keys(user):
    """Keepers and witnesses: they get the key keepers' page in the menu."""
    return access.works_with_keys(user)


@register.filter
def on_duty(user):
    return access.is_keeper_on_duty(user)
