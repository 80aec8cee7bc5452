"""Webhooks: merchants' endpoints (``endpoints``), safe URLs (``urls``) and signed deliveries with
retries and a log (``delivery``), on the Standard Webhooks specification. Events come from the
outbox (``payrail.core.events``)."""
