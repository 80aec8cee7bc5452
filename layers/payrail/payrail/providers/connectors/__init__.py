"""Payout connectors behind one seam (:mod:`.base`), found by name in :mod:`.registry`.

Each connector lives in its own folder (``cashfree/``, ``safepay/``, ``mtn_momo/`` …): ``connector.py``
holds the transport side (URLs, headers, authentication, one HTTP call per flow and what each
answer means, on :class:`.http.HttpConnector`) and names the documents it follows and what it
assumes; ``transformers.py`` holds the wire side (pydantic models of the provider's requests and
responses, and their mapping to payrail's types). The Ghana mobile-money connectors share
:mod:`.momo` (token, status reading, balance); every signed callback is checked by
:class:`.base.SignedCallbacks`. Money
crosses the seam as int minor units; :mod:`.amounts` converts exactly where a provider wants
decimal major units.
"""
