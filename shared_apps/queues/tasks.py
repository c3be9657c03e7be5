from shared_apps.core.tasks import platform_task
from shared_apps.queues.services import broadcast_queue_sync


@platform_task(name="queues.sync_worker_queues")
def sync_worker_queues() -> None:
    """Periodic safety net: workers re-read their queues even if a broadcast was missed."""
    broadcast_queue_sync()
