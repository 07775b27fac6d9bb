"""The JSON Schemas alcheck publishes: the declaration model and the JSON report."""
