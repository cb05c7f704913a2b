"""Payouts: details on file (encrypted, shown masked), requests that reserve their money in the ledger at once,
the managers' queue and decisions, scheduled payouts, and the payout_events audit trail."""
