"""Posting rendered messages to robots: the batch, the robot client, retries, pacing, the ledger, and results."""
