"""A seeded fault simulator: the real domain and handler code in-process against DynamoDB Local,
everything around it (SQS, the stream, the payout state machine, schedules, the provider) simulated
by one scheduler in virtual time. ``python -m infra.sim`` (``make simulate``); see ``simulator.py``."""
