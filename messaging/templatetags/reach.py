from django import template

register = template.Library()


@register.filter
def reminder_for(reminders, household_id):
    """The household's latest arrears reminder from {household_id: reminder}, or None."""
    return reminders.get(household_id)
