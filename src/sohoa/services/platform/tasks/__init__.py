"""The cluster profile's Celery tasks: ``celery_app(settings)`` and what `sohoa worker`, `sohoa beat` and
`sohoa ingest --wait` use (see docs/cluster.md).

Tasks: ``sohoa.ingest_file`` (one staged file or folder sequence), ``sohoa.page`` (a page of a long file),
``sohoa.periodic.<name>`` (webhooks, audit checkpoints, formats, sealing, OCFL, fixity, replica, backups).
"""

from sohoa.services.platform.metrics import queue_depth
from sohoa.services.platform.tasks.base import QUEUES, require_broker
from sohoa.services.platform.tasks.config import backend_url, celery_app
from sohoa.services.platform.tasks.failures import task_failure_count

__all__ = ["QUEUES", "backend_url", "celery_app", "queue_depth", "require_broker", "task_failure_count"]
