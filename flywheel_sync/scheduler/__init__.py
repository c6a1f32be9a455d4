"""``flywheel-sync serve``: the scheduled sync jobs, run by APScheduler 3.11 in one leader process.

- `triggers`: a ``[[jobs]]`` entry's schedule as an APScheduler trigger, with its misfire grace;
- `reconcile`: the stored jobs brought in line with ``flywheel.toml`` (added, changed, removed);
- `leader`: which process schedules (PostgreSQL advisory lock, or a file lock next to SQLite);
- `runs`: one scheduled run: recorded, logged with its run id, counted into the metrics;
- `metrics`, `health`, `http`: ``/metrics`` and ``/healthz``;
- `service`: the process itself: elect, schedule, stand by, stop gracefully.
"""
