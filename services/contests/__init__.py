"""Contests: periods, metrics and prizes set by managers; live leaderboards for partners; winners confirmed once."""
