"""payrail's HTTP API: the edge mechanism (``edge``), the models (``models``) and one route module
per resource (``routes``), served by the ``api`` function."""
