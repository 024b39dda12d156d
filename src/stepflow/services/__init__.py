"""Local stand-ins for S3 (buckets), DynamoDB (tables) and Rekognition (face collections)."""
