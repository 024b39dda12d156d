"""Conformance with real AWS Step Functions: scenarios replayed against AWS-recorded histories."""
