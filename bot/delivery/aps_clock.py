"""APScheduler's asyncio scheduler, told the time and woken by the bot's ``Clock``.

Production and tests take the same path: the real clock sleeps on real time, a ``FakeClock``
wakes sleepers when a test moves it, and in both cases APScheduler's own job processing decides
which wake-up jobs are due (against ``clock.now()``) and when to look again. There is no branch
on the clock's type anywhere in the scheduler.

Three pieces of ``AsyncIOScheduler`` read the machine's time, so they are replaced or fed:
- ``_start_timer``: instead of ``loop.call_later(seconds)``, a task that waits with
  ``clock.sleep_until(now + seconds)`` and then calls ``wakeup()``;
- ``_process_jobs``: the same steps as APScheduler 3.11's (due jobs, coalesced run times, submit,
  next run time, next wake-up), with ``clock.now()`` for "now".
- ``_real_add_job``: a job's first run time is computed against ``clock.now()`` (APScheduler
  would ask the machine).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.executors.base import MaxInstancesReachedError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import Clock

log = logging.getLogger(__name__)


class ClockScheduler(AsyncIOScheduler):
    def __init__(self, clock: Clock, **options: Any) -> None:
        self.clock = clock
        self._sleeper: asyncio.Task[None] | None = None
        super().__init__(**options)

    def interval_from(self, seconds: float) -> IntervalTrigger:
        """An interval trigger whose first fire is ``seconds`` after the clock's now."""
        return IntervalTrigger(seconds=seconds, start_date=self.clock.now() + timedelta(seconds=seconds),
                               timezone=self.timezone)

    def _real_add_job(self, job: Any, jobstore_alias: str, replace_existing: bool) -> None:
        if not hasattr(job, "next_run_time"):
            job._modify(next_run_time=job.trigger.get_next_fire_time(None, self.clock.now().astimezone(self.timezone)))
        super()._real_add_job(job, jobstore_alias, replace_existing)

    # -- waking: by the clock, not the event loop's timer -----------------------------------------

    def _start_timer(self, wait_seconds: float | None) -> None:
        self._stop_timer()
        if wait_seconds is not None:
            target = self.clock.now() + timedelta(seconds=wait_seconds)
            self._sleeper = self._eventloop.create_task(self._wake_at(target), name="apscheduler-wake")

    async def _wake_at(self, target: datetime) -> None:
        await self.clock.sleep_until(target)
        self._sleeper = None
        self.wakeup()

    def _stop_timer(self) -> None:
        sleeper, self._sleeper = self._sleeper, None
        if sleeper is not None and sleeper is not asyncio.current_task():
            sleeper.cancel()

    # -- due jobs: by the clock ---------------------------------------------------------------------

    def _process_jobs(self) -> float | None:
        if self.state == STATE_PAUSED:
            return None
        now = self.clock.now().astimezone(self.timezone)
        next_wakeup: datetime | None = None
        events: list[JobSubmissionEvent] = []
        with self._jobstores_lock:
            for alias, store in self._jobstores.items():
                for job in store.get_due_jobs(now):
                    executor = self._lookup_executor(job.executor)
                    run_times = job._get_run_times(now)
                    run_times = run_times[-1:] if run_times and job.coalesce else run_times
                    if not run_times:
                        continue
                    try:
                        executor.submit_job(job, run_times)
                    except MaxInstancesReachedError:
                        # The wake-up it stands for is already being handled: nothing is lost.
                        events.append(JobSubmissionEvent(EVENT_JOB_MAX_INSTANCES, job.id, alias, run_times))
                    else:
                        events.append(JobSubmissionEvent(EVENT_JOB_SUBMITTED, job.id, alias, run_times))
                    following = job.trigger.get_next_fire_time(run_times[-1], now)
                    if following:
                        job._modify(next_run_time=following)
                        store.update_job(job)
                    else:
                        self.remove_job(job.id, alias)
                upcoming = store.get_next_run_time()
                if upcoming and (next_wakeup is None or upcoming < next_wakeup):
                    next_wakeup = upcoming
        for event in events:
            self._dispatch_event(event)
        if self.state == STATE_PAUSED or next_wakeup is None:
            return None
        return max((next_wakeup - self.clock.now()).total_seconds(), 0.0)
