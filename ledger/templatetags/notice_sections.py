from django import template

from ledger.notice import notice_sections as _sections

register = template.Library()


@register.simple_tag
def notice_sections():
    """The other apps' sections of the notice (ledger.notice.notice_sections), for _notice.html."""
    return _sections()
