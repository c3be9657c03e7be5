"""Per-marketplace backup and restore, and deletion that archives first."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from shared_apps.accounts.constants import Role
from shared_apps.accounts.models import Membership, User
from shared_apps.accounts.tests.factories import member_factory
from shared_apps.core.errors import ApplicationError
from shared_apps.tenants import dumps
from shared_apps.tenants.backups import archive_read, tenant_backup
from shared_apps.tenants.media import media_files, media_prefix
from shared_apps.tenants.models import Domain, Tenant
from shared_apps.tenants.pg_schemas import quoted, schema_signature
from shared_apps.tenants.restores import tenant_restore
from shared_apps.tenants.services import tenant_delete, tenant_provision
from shared_apps.tenants.tests.probe import storefront_gains_a_migration as gained_migration_in
from tenant_apps.bookings.models import Booking
from tenant_apps.bookings.services import booking_create
from tenant_apps.listings.tests.factories import listing_factory
from tests.support.concurrency import committed

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(scope="module")
def keeper(marketplaces, django_db_blocker, tmp_path_factory):
    """A committed marketplace with members, a listing and a booking, and its archive."""

    def build() -> None:
        tenant = tenant_provision(
            name="Keeper", slug="keeper", admin_email="owner@keeper.test",
            domains=["book.keeper.test"], primary_color="#123456",
        ).tenant  # fmt: skip
        host = member_factory(tenant, Role.HOST, email="host@keeper.test").user
        guest = member_factory(tenant, Role.GUEST, email="guest@keeper.test").user
        listing = listing_factory(tenant, host)
        check_in = timezone.now().date() + timedelta(days=30)
        with tenant_context(tenant):
            booking_create(
                property_id=listing.pk, guest=guest, check_in=check_in,
                check_out=check_in + timedelta(days=3), guests=2,
            )  # fmt: skip

    path = tmp_path_factory.mktemp("archives") / "keeper.tar.gz"
    with django_db_blocker.unblock():
        committed(build)
        committed(lambda: tenant_backup(tenant=Tenant.objects.get(schema_name="keeper"), path=path))
        yield path
        committed(
            lambda: tenant_delete(
                tenant=Tenant.objects.get(schema_name="keeper"),
                confirm_slug="keeper",
                archive=False,
            )
        )
        committed(forget_keeper_users)


def forget_keeper_users() -> None:
    """Removes keeper's people from the platform. Raw SQL: Django's delete would look for
    their listings and bookings in the public schema."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE email LIKE %s", ["%@keeper.test"])


def rows(schema: str) -> dict[str, list[tuple]]:
    """Every row of every table of the schema, in a stable order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        found = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {quoted(schema)}.{quoted(table)}")  # noqa: S608
            found[table] = sorted(cursor.fetchall(), key=repr)
    return found


def public_rows(slug: str) -> dict:
    tenant = Tenant.objects.get(schema_name=slug)
    return {
        "tenant": Tenant.objects.filter(pk=tenant.pk).values().get(),
        "domains": sorted(Domain.objects.filter(tenant=tenant).values_list("domain", "kind")),
        "members": sorted(
            Membership.objects.filter(tenant=tenant).values_list("user__email", "role")
        ),
    }


def moved(found: dict[str, list[tuple]], source: str, target: str) -> dict[str, list[tuple]]:
    """`found` with stored file names under `source`'s media folder moved to `target`'s, as
    a restore under another slug writes them."""
    old, new = media_prefix(source), media_prefix(target)

    def value(v):
        return new + v[len(old) :] if isinstance(v, str) and v.startswith(old) else v

    return {
        table: sorted((tuple(value(v) for v in row) for row in table_rows), key=repr)
        for table, table_rows in found.items()
    }


def everyone_else() -> dict:
    return {slug: (rows(slug), public_rows(slug)) for slug in ("alpha", "bravo", "keeper")}


def test_backup_then_restore_under_a_new_slug_gives_the_same_data(keeper, alpha, bravo):
    before = everyone_else()

    result = tenant_restore(path=keeper, slug="keeper-copy")

    # the schema holds the same rows, table by table (its photos in its own media folder)
    copy = rows("keeper-copy")
    assert copy == moved(rows("keeper"), "keeper", "keeper-copy")
    assert len(copy["bookings_booking"]) == 1
    assert len(copy["listings_property"]) == 1
    # with the same tables, constraints and indexes (the no-double-booking one included)
    original, restored = schema_signature("keeper"), schema_signature("keeper-copy")
    for part in ("columns", "relations", "sequences", "migrations"):
        assert restored[part] == original[part]
    assert {c[1] for c in restored["constraints"]} == {c[1] for c in original["constraints"]}
    assert "bookings_no_overlap" in {c[1] for c in restored["constraints"]}
    # the public rows: same marketplace settings and members; its own subdomain; the
    # custom domain still serves the original, so it is left out
    tenant = result.tenant
    assert (tenant.name, tenant.primary_color) == ("Keeper", "#123456")
    assert public_rows("keeper-copy")["members"] == public_rows("keeper")["members"]
    assert public_rows("keeper-copy")["domains"] == [("keeper-copy.localhost", "subdomain")]
    assert result.domains_skipped == ["book.keeper.test"]
    assert result.users_created == 0
    assert result.users_reused == 3
    # and nothing of any other marketplace changed
    assert everyone_else() == before


def test_a_deleted_marketplace_comes_back_from_its_archive_in_a_fresh_platform(
    keeper, bravo, django_capture_on_commit_callbacks
):
    original = rows("keeper")
    tenant = Tenant.objects.get(schema_name="keeper")
    guest = User.objects.get(email="guest@keeper.test")
    bravo_before = rows("bravo"), public_rows("bravo")

    photos = media_files("keeper")
    # deleting archives first, then removes the marketplace's files
    with django_capture_on_commit_callbacks(execute=True):
        path = tenant_delete(tenant=tenant, confirm_slug="keeper")
    assert path is not None
    assert archive_read(path).manifest["slug"] == "keeper"
    assert sorted(archive_read(path).media) == photos != []
    assert not schema_exists("keeper")
    assert media_files("keeper") == []
    # a fresh platform: none of its users exist, and the guest signed up anew (a new id)
    forget_keeper_users()
    newcomer = User.objects.create_user("guest@keeper.test")

    result = tenant_restore(path=path)

    assert result.tenant.schema_name == "keeper"
    assert result.users_created == 2
    assert result.users_reused == 1
    assert sorted(Domain.objects.filter(tenant=result.tenant).values_list("domain", flat=True)) == [
        "book.keeper.test",
        "keeper.localhost",
    ]
    with tenant_context(result.tenant):
        booking = Booking.objects.get()
    # the booking (and its history) follow the guest to the platform's own identity
    assert booking.guest_id == newcomer.pk != guest.pk
    expected = {
        table: sorted(
            (tuple(newcomer.pk if value == guest.pk else value for value in row) for row in found),
            key=repr,
        )
        for table, found in original.items()
    }
    assert rows("keeper") == expected
    assert (rows("bravo"), public_rows("bravo")) == bravo_before
    assert media_files("keeper") == photos  # its photos are back


def test_deleting_keeps_everything_when_the_archive_cannot_be_written(alpha, monkeypatch):
    def pg_dump_fails(*args, **kwargs):
        raise dumps.DumpError("pg_dump failed: disk full")

    monkeypatch.setattr(dumps, "_run", pg_dump_fails)

    with pytest.raises(ApplicationError) as error:
        tenant_delete(tenant=alpha.tenant, confirm_slug="alpha")

    assert (error.value.code, error.value.status_code) == ("archive_failed", 503)
    assert "disk full" in error.value.message

    assert schema_exists("alpha")
    assert Tenant.objects.filter(schema_name="alpha").exists()


def test_operator_deletion_archives_unless_told_not_to(alpha, bravo, api, django_user_model):
    operator = django_user_model.objects.create_user("ops@platform.test", is_staff=True)
    ops = api("localhost", operator)

    unclear = ops.delete(
        "/api/v1/platform/tenants/alpha",
        {"confirm_slug": "alpha", "archive": "maybe"},
        format="json",
    )
    archived = ops.delete(
        "/api/v1/platform/tenants/alpha", {"confirm_slug": "alpha"}, format="json"
    )
    unarchived = ops.delete(
        "/api/v1/platform/tenants/bravo", {"confirm_slug": "bravo", "archive": False}, format="json"
    )

    assert unclear.status_code == 400
    assert "archive" in unclear.json()["fields"]
    assert archived.status_code == 200
    assert archive_read(archived.json()["archive"]).manifest["slug"] == "alpha"
    assert unarchived.status_code == 200
    assert unarchived.json() == {"slug": "bravo", "archive": None}
    assert not schema_exists("alpha")
    assert not schema_exists("bravo")


def _command_error(*args) -> str:
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(error.value)


def _rewritten(source, target, member: str, change) -> None:
    with tarfile.open(source) as archive:
        parts = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    parts[member] = change(parts[member])
    with tarfile.open(target, "w:gz") as archive:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_bad_input_gets_a_clear_error_and_changes_nothing(keeper, alpha, tmp_path):
    before = Tenant.objects.count(), everyone_else()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(keeper.read_bytes()[:2000])
    tampered = tmp_path / "tampered.tar.gz"
    _rewritten(keeper, tampered, "public.json", lambda data: data.replace(b"Keeper", b"Evil!!"))
    newer = tmp_path / "newer.tar.gz"

    def from_the_future(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["migrations"].append(["bookings", "9999_from_the_future"])
        return json.dumps(manifest).encode()

    _rewritten(keeper, newer, "manifest.json", from_the_future)
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("hello")

    assert "No marketplace has the slug 'ghost'" in _command_error(
        "tenant_backup", "ghost", str(tmp_path / "ghost.tar.gz")
    )
    assert "'keeper' already exists" in _command_error("tenant_restore", str(keeper))
    assert "--as" in _command_error("tenant_restore", str(keeper))
    assert "not a readable archive" in _command_error(
        "tenant_restore", str(truncated), "--as", "try-one"
    )
    assert "public.json does not match its checksum" in _command_error(
        "tenant_restore", str(tampered), "--as", "try-two"
    )
    assert "newer code" in _command_error("tenant_restore", str(newer), "--as", "try-three")
    assert "not a readable archive" in _command_error(
        "tenant_restore", str(not_an_archive), "--as", "try-four"
    )
    assert "No archive at" in _command_error("tenant_restore", str(tmp_path / "none.tar.gz"))
    assert "slug" in _command_error("tenant_restore", str(keeper), "--as", "Bad_Slug")
    assert (Tenant.objects.count(), everyone_else()) == before
    assert not any(schema_exists(s) for s in ("try-one", "try-two", "try-three", "try-four"))


def test_the_backup_command_writes_an_archive_the_restore_command_reads(keeper, tmp_path):
    target = tmp_path / "again.tar.gz"
    out = io.StringIO()

    call_command("tenant_backup", "keeper", str(target), stdout=out)
    call_command("tenant_restore", str(target), "--as", "keeper-two", stdout=out)

    assert "Backed up keeper" in out.getvalue()
    assert "Restored keeper-two (Keeper): 0 users created, 3 already here" in out.getvalue()
    assert rows("keeper-two") == moved(rows("keeper"), "keeper", "keeper-two")


@pytest.fixture
def storefront_gains_a_migration(tmp_path) -> str:
    return gained_migration_in(tmp_path)


def test_an_archive_of_older_code_is_migrated_forward_on_restore(
    keeper, storefront_gains_a_migration
):
    from django.test import override_settings

    from shared_apps.tenants.fingerprints import code_fingerprint

    # the code gained a tenant migration since the archive was written
    with override_settings(MIGRATION_MODULES={"storefront": storefront_gains_a_migration}):
        result = tenant_restore(path=keeper, slug="keeper-later")

        assert result.migrated_forward
        assert result.tenant.schema_fingerprint == code_fingerprint()
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", ['"keeper-later".storefront_probe'])
            assert cursor.fetchone()[0] is not None


def _photo_bytes(host: str, api, listing_id) -> tuple[str, bytes]:
    """The listing's first photo as a guest gets it: its URL, and what that URL serves
    (Django's static file view, as `make run` serves media)."""
    from django.conf import settings
    from django.test import RequestFactory
    from django.views.static import serve

    detail = api(host).get(f"/api/v1/properties/{listing_id}")
    connection.set_schema_to_public()  # the request left its marketplace's schema set
    assert detail.status_code == 200, detail.content
    url = detail.json()["photos"][0]["url"]
    response = serve(
        RequestFactory().get(url), url.removeprefix(settings.MEDIA_URL), settings.MEDIA_ROOT
    )
    return url, b"".join(response.streaming_content)


def test_a_restored_marketplace_serves_the_same_photos_on_an_empty_platform(
    keeper, api, settings, tmp_path
):
    with tenant_context(Tenant.objects.get(schema_name="keeper")):
        from tenant_apps.listings.models import Property

        listing_id = Property.objects.get().pk
    url, photo = _photo_bytes("keeper.localhost", api, listing_id)
    archived = archive_read(keeper).media
    # a platform that never had keeper's files: a storage of its own, empty
    settings.MEDIA_ROOT = str(tmp_path / "fresh-media")

    result = tenant_restore(path=keeper, slug="keeper-new")

    new_url, served = _photo_bytes("keeper-new.localhost", api, listing_id)
    assert served == photo
    assert url.startswith("/media/tenants/keeper/properties/")
    assert new_url == url.replace("/tenants/keeper/", "/tenants/keeper-new/")
    assert result.media_files == len(archived) >= 1
    assert media_files("keeper-new") == sorted(archived)
    assert media_files("keeper") == []  # nothing was written under the original's folder


def test_the_manifest_checksums_every_media_file_and_a_changed_one_is_refused(
    keeper, alpha, tmp_path
):
    import hashlib

    manifest = archive_read(keeper).manifest
    with tarfile.open(keeper) as archive:
        carried = {
            m.name.removeprefix("media/"): hashlib.sha256(archive.extractfile(m).read()).hexdigest()
            for m in archive.getmembers()
            if m.name.startswith("media/")
        }
    assert manifest["media"] == carried
    assert any(name.startswith("properties/") for name in carried)

    photo = next(iter(carried))
    swapped = tmp_path / "swapped.tar.gz"
    _rewritten(keeper, swapped, f"media/{photo}", lambda data: data[:-1] + b"!")
    escaping = tmp_path / "escaping.tar.gz"

    def outside(data: bytes) -> bytes:
        changed = json.loads(data)
        changed["media"]["../../alpha/properties/x.jpg"] = changed["media"][photo]
        return json.dumps(changed).encode()

    _rewritten(keeper, escaping, "manifest.json", outside)
    before = Tenant.objects.count(), media_files("alpha")

    assert f"media/{photo} does not match its checksum" in _command_error(
        "tenant_restore", str(swapped), "--as", "try-five"
    )
    assert "outside its folder" in _command_error(
        "tenant_restore", str(escaping), "--as", "try-six"
    )
    assert (Tenant.objects.count(), media_files("alpha")) == before
    assert media_files("try-five") == media_files("try-six") == []


def test_a_failed_restore_leaves_no_media_behind(keeper, monkeypatch):
    def schema_fails(*args, **kwargs):
        raise dumps.DumpError("disk full")

    monkeypatch.setattr(dumps, "run_sql", schema_fails)

    with pytest.raises(dumps.DumpError):
        tenant_restore(path=keeper, slug="keeper-broken")

    assert media_files("keeper-broken") == []
    assert not Tenant.objects.filter(schema_name="keeper-broken").exists()


def test_an_archive_from_before_backups_carried_media_still_restores(keeper, tmp_path):
    older = tmp_path / "older.tar.gz"
    with tarfile.open(keeper) as archive:
        parts = {
            m.name: archive.extractfile(m).read()
            for m in archive.getmembers()
            if not m.name.startswith("media/")
        }
    manifest = json.loads(parts["manifest.json"])
    del manifest["media"], manifest["media_prefix"]
    parts["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(older, "w:gz") as archive:
        for name, data in parts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))

    result = tenant_restore(path=older, slug="keeper-older")

    # no files to write, and the stored names still point where the photos are
    assert result.media_files == 0
    assert media_files("keeper-older") == []
    assert rows("keeper-older") == rows("keeper")
