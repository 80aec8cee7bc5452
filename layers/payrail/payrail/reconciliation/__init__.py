"""Reconciliation: each providers books against payrails ledger, every break surfaced and resolved."""
