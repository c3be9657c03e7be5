"""Per-marketplace Celery queues: naming and routing (routing.py), which busy queues a
worker should consume (discovery.py), the worker side that follows marketplaces (worker.py),
depths and purges (selectors.py, services.py) and `manage.py run_worker` / `queues`."""
