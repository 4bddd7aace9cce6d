"""gunicorn settings for OpenDeal: `gunicorn -c python:opendeal.gunicorn_conf opendeal.wsgi`.

With several workers, each keeps its own request metrics; with PROMETHEUS_MULTIPROC_DIR set to
a directory of its own, /metrics adds them up. The directory is emptied when gunicorn starts,
and a dead worker's live gauges are dropped.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request that takes longer than this is stuck; its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Access lines carry paths, and paths can carry signed tokens: the proxy's log is enough.
accesslog = None
# gunicorn (27 here) opens a control socket at one fixed path per user, so a second instance on the
# same machine fails to make it; OpenDeal is run by systemd or a container, never through it.
control_socket_disable = True


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
