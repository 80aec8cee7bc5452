"""LocalStack as a second target of the local cloud (``PAYRAIL_TARGET=localstack``): LocalStack's
own services on the host, with payrail's runtime executor plugin (``plugin/``) running the real
handlers in payrail's function host (``host.py``). ``engine.py`` installs nothing: ``make
localstack`` does, from the pins in ``requirements-runtime.txt``."""
