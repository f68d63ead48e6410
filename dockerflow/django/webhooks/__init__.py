"""Webhooks: each status change the history records, POSTed once to each
webhook of DOCKERFLOW_WEBHOOKS that wants it, signed, in order, retried until
it is delivered or too old. docs/notifications.rst is the user's guide.

``config`` parses the setting, ``outbox`` writes a delivery per change and
webhook beside the change, ``delivery`` claims and settles them, ``sending``
makes one POST, ``sender`` runs it all on a thread of each process.
"""
