"""``stepflow serve``: the Step Functions API over HTTP (AWS's JSON 1.0 protocol) and a local console.

- ``protocol``: the wire format: ``X-Amz-Target`` dispatch, JSON bodies, AWS's error shapes.
- ``guard``: the door: Host/Origin checks against DNS rebinding and cross-site requests, the
  optional access token.
- ``app``: the Starlette application that puts them together around one ``stepflow.api`` client.
- ``run``: uvicorn, and the one ``listening on http://HOST:PORT`` line.

Needs the ``server`` extra (Starlette, uvicorn, Jinja2, botocore).
"""
