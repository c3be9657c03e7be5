#!/usr/bin/env bash
# `make run`'s foreground: the web server, a Celery worker and Celery beat (the periodic
# jobs: request expiry, stay completion, schema pool refills), stopped together by Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# manage.py defaults to it; `celery -A config beat` needs it said.
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.dev}"
# Settings read PORT too: emailed links and the operator API's URLs carry it.
export PORT="${PORT:-8000}"

children=()
stop_children() {
    for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_children EXIT
trap 'exit 130' INT TERM

"$PY" manage.py run_worker --concurrency=2 &
children+=($!)
# A separate beat process (not the worker's embedded -B): run_worker re-plans its queues
# as marketplaces come and go, and beat must stay exactly one however many workers run.
# Its state (when each job last ran) survives restarts, so it keeps each job's interval.
schedule="${BEAT_SCHEDULE_FILE:-.data/celerybeat-schedule}"
mkdir -p "$(dirname "$schedule")"
"$PY" -m celery -A config beat --loglevel=INFO --schedule="$schedule" &
children+=($!)

echo
echo "Serving on port $PORT (Ctrl-C stops the web server, the worker and beat)."
echo "  Operator:     http://localhost:$PORT/api/docs/"
echo "  Marketplaces: http://alpine.localhost:$PORT/api/docs/  http://coastal.localhost:$PORT/api/docs/"
echo
"$PY" manage.py runserver "0.0.0.0:$PORT"
