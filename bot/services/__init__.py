"""Use-cases. Each opens its own session and transaction, calls the repository and the domain, and
returns plain results. One session per interaction or job, never shared across tasks."""
