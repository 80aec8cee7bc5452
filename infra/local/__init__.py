"""The embedded local cloud: DynamoDB Local, moto server, and a function runtime that runs the
real handlers from ``functions/`` in-process with Lambda semantics. Start it with
``python -m infra.local up`` (``make up``)."""
