#!/bin/sh
# Container entrypoint. The first argument names the role:
#   web     migrate (as below), then serve with gunicorn
#   migrate migrate every schema and make sure the public tenant exists, then exit
#           (a one-off job before rolling out several web replicas)
#   worker  a Celery worker for every marketplace's queue (or --tenants a,b)
#   beat    the Celery beat scheduler (run exactly one)
#   other   run as given, e.g. `python manage.py shell` or `bash`
# Extra arguments after a role go to gunicorn / celery.
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

migrate() {
    # Public schema first, then every marketplace schema behind the code, in parallel
    # processes; current ones are skipped by their stored fingerprint. A failure exits
    # non-zero (after the others are done), so a web container never serves a
    # half-migrated tenant. Then the spare schema pool is refreshed.
    # MIGRATE_CANARY=N (the Kubernetes migration Job): N marketplace schemas first; if one
    # fails, stop before the others.
    python manage.py migrate_all_schemas --noinput ${MIGRATE_CANARY:+--canary "$MIGRATE_CANARY"}
    # Public tenant and its domain; safe to repeat.
    python manage.py setup_platform
}

case "$role" in
migrate)
    migrate
    ;;
web)
    # With several web replicas, run the migrate role once instead and set
    # RUN_MIGRATIONS=0 here: concurrent migrate_schemas runs would race.
    if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
        migrate
    fi
    exec gunicorn --config deploy/gunicorn.conf.py "$@" config.wsgi:application
    ;;
worker)
    # Consumes every active marketplace's queue plus `platform`, following new ones;
    # `worker --tenants big-one` pins a dedicated worker to chosen marketplaces.
    exec python manage.py run_worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" "$@"
    ;;
beat)
    # The schedule state file goes to /tmp: the app folder is read-only for the app user.
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}" \
        --schedule /tmp/celerybeat-schedule "$@"
    ;;
*)
    exec "$role" "$@"
    ;;
esac
