"""Manual balance adjustments by staff (credit / debit with a reason, audited, admin approval over a limit)."""
