from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

# Paragraphs, line breaks, lists and bold/italic — what a notice on a board needs, nothing more.
# Raw HTML in the text is escaped (html is off in the "zero" preset), so a notice cannot carry a script.
_markdown = MarkdownIt("zero", {"breaks": True}).enable(["emphasis", "list", "newline"])


@register.filter
def notice_markup(text):
    return mark_safe(_markdown.render(text or ""))  # noqa: S308 — rendered with HTML disabled
