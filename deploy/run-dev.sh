#!/usr/bin/env bash
# `make run`'s foreground: the web server and a Celery worker, stopped together by Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

"$PY" manage.py run_worker --concurrency=2 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo
echo "Serving on port $PORT (Ctrl-C stops the web server and the worker)."
echo "  Operator:     http://localhost:$PORT/api/docs/"
echo "  Marketplaces: http://alpine.localhost:$PORT/api/docs/  http://coastal.localhost:$PORT/api/docs/"
echo
"$PY" manage.py runserver "0.0.0.0:$PORT"
