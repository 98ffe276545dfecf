"""This app's part of the demo estate (called by seed_demo, in app order)."""


def seed(*, out):
    pass
