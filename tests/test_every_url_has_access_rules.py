import importlib
import pkgutil

from django.urls import URLPattern, URLResolver, get_resolver

import tests
from tests.access import AccessTestCase

# allauth's own pages are allauth's to test; Jiayuan only wraps them in its layout.
LIBRARY_NAMESPACES = ("allauth", "django.contrib")


def _named_patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if module.startswith(LIBRARY_NAMESPACES):
                continue
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def _declared_rules():
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.rsplit(".", 1)[-1].startswith("test_access"):
            importlib.import_module(module.name)
    declared = set()
    stack = list(AccessTestCase.__subclasses__())
    while stack:
        case = stack.pop()
        stack.extend(case.__subclasses__())
        declared.update(rule.url_name for rule in case.rules)
    return declared


def test_every_url_pattern_has_access_rules():
    patterns = set(_named_patterns(get_resolver()))
    assert "estate:dashboard" in patterns
    missing = sorted(patterns - _declared_rules())
    assert not missing, f"URL patterns without access rules in tests/<app>/test_access.py: {missing}"


def test_every_url_pattern_has_a_name():
    def unnamed(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if not getattr(pattern.urlconf_module, "__name__", "").startswith(LIBRARY_NAMESPACES):
                    yield from unnamed(pattern)
            elif not pattern.name:
                yield str(pattern.pattern)

    assert list(unnamed(get_resolver())) == []
