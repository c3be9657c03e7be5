"""Periodic work as `make run` runs it: deploy/run-dev.sh's beat and worker expire unanswered
requests and complete past stays in every marketplace with no one asking, and Ctrl-C stops
everything it started; beat's schedule does it again at its intervals; `manage.py
complete_stays` fast-forwards a stay for a demo."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import User
from shared_apps.accounts.tests.factories import member_factory
from tenant_apps.bookings.constants import BookingStatus
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.services import booking_create
from tenant_apps.bookings.tests.factories import stay_factory
from tenant_apps.listings.models import Property
from tenant_apps.listings.tests.factories import listing_factory
from tests.support.concurrency import committed
from tests.support.days import day
from tests.support.workers import ROOT, Worker, _detach_and_die_with_parent, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=False)


class Beat:
    """`celery -A config beat` as deploy/run-dev.sh starts it, on this test run's database
    and Redis prefix, its schedule state in `folder`."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.log_path = folder / "beat.log"
        self.log = self.log_path.open("w")
        command = [
            sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
            f"--schedule={folder / 'celerybeat-schedule'}",
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603  (our own Celery app)
            command, cwd=ROOT, env={**worker_env(), **env}, stdout=self.log,
            stderr=subprocess.STDOUT, preexec_fn=_detach_and_die_with_parent,  # noqa: PLW1509
        )  # fmt: skip

    def output(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        self.log.close()


@pytest.fixture(scope="module")
def worker(marketplaces, tmp_path_factory):
    started = Worker("periodic", log_dir=tmp_path_factory.mktemp("periodic"))
    started.wait_ready()
    yield started
    started.stop()


@pytest.fixture
def overdue(marketplaces):
    """In alpha and in bravo, committed (the worker can't see a test's transaction): a
    confirmed stay that ended yesterday and a request left unanswered for 25 hours (the
    marketplaces expire requests after 24)."""

    def make(tenant):
        host = member_factory(tenant, Role.HOST).user
        guest = member_factory(tenant).user
        listing = listing_factory(tenant, host)
        stay = stay_factory(tenant, guest, listing, ended_days_ago=1, complete=False)
        with tenant_context(tenant):
            request = booking_create(
                property_id=listing.pk, guest=guest, check_in=day(20), check_out=day(22),
                guests=1,
            )  # fmt: skip
            Booking.objects.filter(pk=request.pk).update(
                updated=timezone.now() - timedelta(hours=25)
            )
        return listing, stay, request

    made = {
        slug: committed(lambda tenant=market.tenant: make(tenant))
        for slug, market in marketplaces.items()
    }
    yield {slug: (stay.pk, request.pk) for slug, (_, stay, request) in made.items()}

    def clean():
        for slug, (listing, stay, _request) in made.items():
            with tenant_context(marketplaces[slug].tenant):
                Booking.objects.filter(property=listing).delete()
                Property.objects.filter(pk=listing.pk).delete()
                # in the marketplace's schema: Django follows the users' rows into it
                User.objects.filter(pk__in=[listing.host_id, stay.guest_id]).delete()

    committed(clean)


def _statuses(marketplaces, overdue) -> dict[str, tuple[str, str]]:
    found = {}
    for slug, ids in overdue.items():
        with tenant_context(marketplaces[slug].tenant):
            by_id = dict(Booking.objects.filter(pk__in=ids).values_list("pk", "status"))
        found[slug] = tuple(by_id[pk] for pk in ids)
    return found


DONE = (BookingStatus.COMPLETED, BookingStatus.EXPIRED)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


# First in the module: no worker of the tests' own is running yet, so what happens is
# make run's doing.
def test_make_run_expires_and_completes_without_anyone_asking_and_ctrl_c_stops_it_all(
    marketplaces, overdue, tmp_path, settings
):
    port = _free_port()
    env = {
        **worker_env(),
        "PORT": str(port),
        "BEAT_SCHEDULE_FILE": str(tmp_path / "celerybeat-schedule"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        # the test run's pool size: make run's worker refills the pool as it starts, and a
        # larger pool would have the next test refill drop spares under other tests' feet
        "SCHEMA_POOL_SIZE": str(settings.SCHEMA_POOL_SIZE),
    }
    env.pop("DJANGO_SETTINGS_MODULE")  # make run's own settings (dev), as from a shell
    env.pop("MARKETPLACE_URL_TEMPLATE", None)
    log_path = tmp_path / "run-dev.log"
    with log_path.open("w") as log:
        run = subprocess.Popen(  # noqa: S603  (our own script)
            [str(ROOT / "deploy" / "run-dev.sh")], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(lambda: _answers(port), timeout=60, interval=0.5)
        # its beat sends the jobs as it starts (dev), not an hour later
        settled = wait_for(
            lambda: set(_statuses(marketplaces, overdue).values()) == {DONE}, timeout=60
        )
        output = log_path.read_text()

        os.killpg(run.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
        run.wait(timeout=30)
        stopped = wait_for(lambda: _gone(run.pid), timeout=30)
    finally:
        if not _gone(run.pid):
            os.killpg(run.pid, signal.SIGKILL)

    assert settled
    assert stopped
    assert f"Serving on port {port}" in output
    assert f"http://alpine.localhost:{port}/api/docs/" in output
    assert "beat: Starting..." in output
    assert "celery.apps.worker: celery@" in output  # the worker started too


def test_beat_expires_requests_and_completes_stays_on_its_schedule(
    worker, marketplaces, overdue, tmp_path
):
    assert set(_statuses(marketplaces, overdue).values()) == {
        (BookingStatus.CONFIRMED, BookingStatus.REQUESTED)
    }

    beat = Beat(tmp_path, EXPIRE_REQUESTS_SECONDS="1", COMPLETE_STAYS_SECONDS="1")
    try:
        settled = wait_for(
            lambda: set(_statuses(marketplaces, overdue).values()) == {DONE}, timeout=60
        )
    finally:
        beat.stop()

    assert settled, beat.output()
    assert "Sending due task every-marketplace:bookings.complete_stays" in beat.output()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("complete_stays", *args, stdout=out)
    return out.getvalue()


def test_a_demo_fast_forwards_a_stay_of_one_marketplace_and_its_guest_can_review(alpha, bravo, api):
    stays = {}
    for market in (alpha, bravo):
        host = member_factory(market.tenant, Role.HOST).user
        guest = member_factory(market.tenant).user
        listing = listing_factory(market.tenant, host)
        stays[market.slug] = stay_factory(
            market.tenant, guest, listing, ended_days_ago=-10, complete=False
        )
    booking = stays["alpha"]
    review = {"rating": 5, "comment": "Lovely place, we would come back."}
    too_early = api(alpha.host, booking.guest).post(f"/api/v1/bookings/{booking.pk}/review", review)

    today = _run("--marketplace", "alpha")
    later = _run("--marketplace", "alpha", "--as-of", day(10).isoformat())

    assert too_early.status_code == 409
    assert f"alpha: 0 stay(s) completed (check-out on or before {day(0)})" in today
    assert f"alpha: 1 stay(s) completed (check-out on or before {day(10)})" in later
    reviewed = api(alpha.host, booking.guest).post(f"/api/v1/bookings/{booking.pk}/review", review)
    assert reviewed.status_code == 201, reviewed.json()
    with tenant_context(alpha.tenant):
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.COMPLETED
    with tenant_context(bravo.tenant):  # another marketplace's stay is left alone
        assert Booking.objects.get(pk=stays["bravo"].pk).status == BookingStatus.CONFIRMED


def test_the_command_says_what_is_wrong_with_its_input(alpha):
    with pytest.raises(CommandError, match="No marketplace has the slug.*ghost"):
        _run("--marketplace", "ghost")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("--as-of", "next week")
