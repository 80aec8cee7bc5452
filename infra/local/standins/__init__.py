"""Local stand-ins for real payout providers, one module per provider, speaking that
provider's API shapes and keeping their transfers on disk (see :mod:`.common`):

* :func:`infra.local.standins.cashfree.serve_cashfree` — Cashfree Payouts V2
* :func:`infra.local.standins.safepay.serve_safepay` — Safepay Raast payouts (Pakistan)
"""
