"""The Django app: ``"dockerflow.django"`` in INSTALLED_APPS (label ``dockerflow``).

Its settings, system checks, built-in checks, views, urls, middleware and
signals translate Django's types into calls on the framework-free core.
"""
