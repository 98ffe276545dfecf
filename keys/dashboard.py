"""This app's panels on the dashboard: a list of (template, context) pairs."""


def panels(request):
    return []
