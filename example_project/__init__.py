"""A small but real Django project that follows the Dockerflow pattern.

Every setting comes from the environment; see docs/example_project.rst.
"""
