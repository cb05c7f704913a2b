"""What several processes of one deployment share: scheduler leadership, per-person locks, change signals, send
rate limits. Each has an in-process implementation (one process, SQLite: `make run`) and one on PostgreSQL or
Redis for production; the composition root picks by configuration."""
