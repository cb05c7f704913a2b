"""Contest settings reach the program config validated, and the contest clock is scheduled under a stable id."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.container import build_container
from bot.scheduler import build_scheduler
from services.contests.lifecycle import advance


async def test_contest_job_and_settings():
    container = build_container(Settings(_env_file=None, program_timezone="Asia/Almaty", contest_settle_hours=6))
    try:
        jobs = {job.id: job for job in build_scheduler(container).get_jobs()}
        assert jobs["contests"].func is advance and str(jobs["contests"].trigger) == "interval[0:01:00]"
        assert (container.deps.config.program_timezone, container.deps.config.contest_settle_hours) == (
            "Asia/Almaty", 6)
    finally:
        await container.close()


@pytest.mark.parametrize("values", [{"program_timezone": "Mars/Olympus"}, {"contest_settle_hours": -1}])
def test_bad_contest_settings_are_refused(values):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **values)
