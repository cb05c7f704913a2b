"""Milestone bonuses: monthly plans with steps, credited once per partner and month, clawed back on refunds."""
