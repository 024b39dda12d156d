"""Task resources: ARNs resolved to local Python callables with AWS Lambda's signature."""
