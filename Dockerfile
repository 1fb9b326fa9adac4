# syntax=docker/dockerfile:1
# connect-backend: a small, non-root image that runs `connect-backend serve`.
#
#   docker build -t connect-backend .
#   docker run --env-file prod.env -v /secure/keys.pem:/run/secrets/signing_keys:ro \
#     -e SESSION_SIGNING_KEYS=/run/secrets/signing_keys -p 8000:8000 connect-backend
#
# Pin the base by digest in your registry mirror for reproducible builds, e.g.
#   --build-arg PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# ---- build: resolve exactly uv.lock into a virtual environment ----------------------------
FROM ${PYTHON_IMAGE} AS build
# The same uv as the Makefile, so the image installs what `make test` tested.
ARG UV_VERSION=0.13.8
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /src
# Dependencies first: this layer is reused until the lock file changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY domain/ domain/
COPY adapters/ adapters/
COPY entrypoints/ entrypoints/
# The project itself as a wheel (not editable), so the runtime stage needs no source tree.
RUN uv sync --frozen --no-dev --no-editable

# ---- runtime: the interpreter, the environment, nothing else --------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin app
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# Liveness only; readiness (database, Redis, key) is /readyz for the orchestrator to probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# On SIGTERM granian lets requests in flight finish for up to 30 s, then kills the worker: give it
# longer than that (docker stop -t 35, Kubernetes terminationGracePeriodSeconds: 35).
STOPSIGNAL SIGTERM
ENTRYPOINT ["connect-backend"]
CMD ["serve"]
