"""python-dockerflow's ``dockerflow.django`` package, kept as aliases.

``"dockerflow.django"`` in INSTALLED_APPS loads the same ``dockerflow`` app;
the submodules re-export the objects of their ``dockerflow.*`` counterparts.
"""
