"""`{% kept_part name value… %}…{% end_kept_part %}`: a part of the layout kept as HTML in the process's `fragments`
cache, per template, language and the values named (docs/ARCHITECTURE.md, "Caching").

The header, the menu and the footer are the same on a person's every page but cost more to render than many a page's
own content (about 1.4 ms of CPU of every page). A part is kept under the values it shows: whatever it reads that is
not named there must be the same for every request (the site's name, the URLs, the languages). The template being
rendered is part of the key, since a page may override a block inside the part (the error pages leave out the
menu). The form token differs per session: the part is kept with a stand-in that each request replaces with its own.
A part that carries the request's CSP nonce is not kept (estate.panels.carries_nonce).
"""

import hashlib

from django import template
from django.core.cache import caches
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from estate.panels import FORM_TOKEN, carries_nonce

register = template.Library()


@register.tag
def kept_part(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a name and the values the part shows")
    nodelist = parser.parse(("end_kept_part",))
    parser.delete_first_token()
    return KeptPartNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


class KeptPartNode(template.Node):
    def __init__(self, name, values, nodelist):
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context):
        form_token = str(context.get("csrf_token") or "NOTPROVIDED")
        if form_token == "NOTPROVIDED":  # rendered without a request: no token to put in the stand-in's place
            return self.nodelist.render(context)
        values = [value.resolve(context) for value in self.values]
        state = (self.name, context.template.origin.name, get_language(), values)
        key = "part:" + hashlib.sha256(repr(state).encode()).hexdigest()
        parts = caches["fragments"]
        html = parts.get(key)
        if html is None:
            with context.push(csrf_token=FORM_TOKEN):
                html = self.nodelist.render(context)
            if not carries_nonce(getattr(context, "request", None), html):
                parts.set(key, html)
        return mark_safe(html.replace(FORM_TOKEN, form_token))
