"""State-changing requests through the JSON API: an applicant files an objection, the office refuses it, again.

Run by tests/bench/test_http_bench.py as `locust --headless`, the clients without a wait or at a given rate; each
simulated client is one applicant (from BENCH_APPLICANTS, "entry_id:token,...") with its own list entry, so
clients never collide; the office's token is BENCH_OFFICE_TOKEN. The tokens are asked for before the run, so that
no password is checked (tens of milliseconds of CPU each) while the requests are timed.
"""
from __future__ import annotations

import itertools
import os
import random
import time

from locust import FastHttpUser, task

APPLICANTS = itertools.cycle([tuple(a.split(":", 1)) for a in os.environ["BENCH_APPLICANTS"].split(",")])
OFFICE = {"Authorization": f"Bearer {os.environ['BENCH_OFFICE_TOKEN']}"}
GROUNDS = "该记录所依据的行政处罚决定已被复议机关撤销，请核实。"
# BENCH_REQUESTS_PER_CLIENT: the requests a second each client offers, at random moments; unset: no wait, the next
# request as soon as the answer to the last one is in (the server's capacity)
PACE = float(os.environ.get("BENCH_REQUESTS_PER_CLIENT") or 0)


class Applicant(FastHttpUser):
    due = 0.0  # when a paced client files next

    def wait_time(self) -> float:
        """No wait without a pace. With one, each client files at random moments, a Poisson stream at its share of
        the rate (two requests a filing), as people at their desks do: clients filing in step, as a fixed pace
        started together makes them, would queue behind each other in bursts the rate alone does not cause. A
        client whose answers came late files at once, without a backlog of the filings it missed."""
        if not PACE:
            return 0.0
        now = time.monotonic()
        self.due = max(self.due + random.expovariate(PACE / 2), now)
        return self.due - now

    def on_start(self):
        entry, token = next(APPLICANTS)
        self.entry_id = int(entry)
        self.mine = {"Authorization": f"Bearer {token}"}
        self.office = OFFICE
        self.due = time.monotonic()
        if PACE:  # the first filing at a random moment too: clients started together would all file at once
            self.wait()

    @task
    def file_and_refuse(self):
        with self.client.post("/api/v1/cases", headers=self.mine, name="file a case", catch_response=True,
                              json={"process": "objection", "list_entry_id": self.entry_id, "grounds": GROUNDS}) as r:
            if r.status_code != 201:
                r.failure(f"{r.status_code} {r.text[:200]}")
                return
            case_id = r.json()["id"]
        with self.client.post(f"/api/v1/cases/{case_id}/actions/refuse", headers=self.office, name="take an action",
                              json={"reason": "材料不全，不予受理。"}, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.text[:200]}")
