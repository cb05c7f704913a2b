"""Personal promo codes: one per partner and offer, readable (IVAN25), matched case-insensitively."""
