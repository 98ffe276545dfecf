from django import template
from django.utils.html import format_html

from ledger.notice import notice_sections as _sections

register = template.Library()


@register.simple_tag
def notice_sections():
    """The other apps' sections of the notice (ledger.notice.notice_sections), for _notice.html."""
    return _sections()


@register.simple_tag(takes_context=True)
def data_label(context, label):
    """A cell's label for the narrow-screen notice, which shows each row as a card (app.css, .an-rows). The
    printed notice (notice_pdf.html sets `printed`) leaves it out: weasyprint's HTML parser is slow on
    attributes, and these were a third of its time on a notice."""
    return "" if context.get("printed") else format_html(' data-label="{}"', label)
