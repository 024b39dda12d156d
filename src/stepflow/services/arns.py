"""The region and account every local service reports, and the ARNs built from them."""
from __future__ import annotations

REGION = "us-east-1"
ACCOUNT = "123456789012"


def arn(service: str, resource: str, region: str = REGION) -> str:
    """``arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`` (S3 leaves region and account empty)."""
    if service == "s3":
        return f"arn:aws:s3:::{resource}"
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{resource}"
