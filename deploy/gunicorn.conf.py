"""gunicorn settings for a container: `raas serve --bind 0.0.0.0:8080 --config /app/deploy/gunicorn.conf.py`.

`raas serve` starts from its defaults (register/server.py: gthread workers,
SO_REUSEPORT, JSON logs, metrics hooks) and applies this file over them;
--workers and --threads on the command line win over both. Worth changing per
deployment through the environment: RAAS_WORKERS, RAAS_THREADS, RAAS_ACCESS_LOG.
"""

import os

from register.server import default_workers

# One process per CPU of the container's limit (cgroup quota, not the node's CPU count),
# at least 2; threads keep client connections alive while a call waits on PostgreSQL.
workers = int(os.environ.get("RAAS_WORKERS") or default_workers())
threads = int(os.environ.get("RAAS_THREADS") or 4)
worker_class = "gthread"  # keep-alive; sync workers close every connection after one request

# Idle keep-alive longer than the load balancer's (OpenShift router / cloud LB: 30-60 s), so the
# balancer, never the worker, closes an idle connection: no request lost to a closing socket.
keepalive = 75
timeout = 30  # a worker silent this long is killed and replaced (a call takes milliseconds)
graceful_timeout = 25  # below the pod's terminationGracePeriodSeconds (30): calls in flight finish

# Request limits: the SOAP body limit (RAAS_MAX_REQUEST_BYTES, 1 MiB) is enforced by the application;
# these bound what reaches it.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The application writes one JSON line per SOAP call (request id, tenant, operation, outcome, duration).
# gunicorn's access log adds one per HTTP request (probes and scrapes too): off unless RAAS_ACCESS_LOG=1.
accesslog = "-" if os.environ.get("RAAS_ACCESS_LOG") == "1" else None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'

# Workers are not recycled: each counts metrics in its own files, and nothing here leaks.
max_requests = 0
worker_tmp_dir = "/dev/shm"  # the heartbeat file on memory, not on the (read-only) root filesystem
# X-Forwarded-* is trusted only from these addresses (FORWARDED_ALLOW_IPS, gunicorn's own variable)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
