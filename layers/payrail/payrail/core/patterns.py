"""Patterns shared by the API models and the connectors (a module of its own, so the API's
models do not import the connectors' models and their validators at a cold start)."""

#: a UPI virtual payment address: ``<handle>@<bank>``
VPA_PATTERN = r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z][A-Za-z0-9.\-]{1,63}$"
