"""The Step Functions API, served locally: one implementation for the library and ``stepflow serve``.

- ``client``: ``Client``, boto3's ``stepfunctions`` client shape, running everything in-process.
- ``validation``: requests checked against the Step Functions service model botocore ships.
- ``shapes`` and ``errors``: the API's response shapes and its error codes.

Nothing is imported here, so the lower layers (``integrations.callbacks``) can use ``api.errors``
without pulling in the client.
"""
