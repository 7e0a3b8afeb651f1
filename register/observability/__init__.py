"""What operators see of a running service: metrics, structured logs, readiness."""
