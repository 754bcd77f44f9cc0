"""One rule per module, named `innNNN_<slug>.py`; the registry discovers them by that prefix."""
