"""Broadcasts: managers' messages to a segment of partners, delivered as a resumable, rate-limited job."""
