"""What the service tells its operators: log lines, Prometheus metrics, traces."""
