# connect-backend: a small, non-root image that runs `connect-backend serve`.
#
#   docker build -t connect-backend:local .
#   docker run --env-file prod.env --read-only --tmpfs /tmp --cap-drop ALL -p 8000:8000 \
#     -v "$PWD/secrets/signing-keys.pem:/run/secrets/signing_keys:ro" \
#     -e SESSION_SIGNING_KEYS=/run/secrets/signing_keys connect-backend:local
#
# compose.yaml runs it with PostgreSQL and Redis; deploy/make-secrets makes its secret files.
#
# The base is the official Python image, pinned by digest. The digest was taken from public
# projects that pin this tag, not pulled here (no registry is reachable from CI); confirm it
# with `docker buildx imagetools inspect python:3.11.16-slim-bookworm` when you update it.
# Any base with `python3` (3.11 or later, with venv) and CA certificates at /etc/ssl/certs serves:
#   --build-arg PYTHON_IMAGE=registry.example.com/python:3.11-slim-bookworm@sha256:<digest>
# CI builds on a stand-in made from Debian's packages (.ci/debian-python-image).
#
# Plain Dockerfile syntax only: it builds with BuildKit and with the classic builder alike.
ARG PYTHON_IMAGE=python:3.11.16-slim-bookworm@sha256:2e32f7d302adc1c37428355c1e646897c0c53f4fd60b6a551245fb90ee129f91

# ---- build: exactly uv.lock, installed into a virtual environment -----------------------------
FROM ${PYTHON_IMAGE} AS build
# The same uv as the Makefile, so the image installs what `make test` tested.
ARG UV_VERSION=0.13.8
# Only behind a TLS-inspecting proxy: PEM certificates this stage trusts besides the base's own.
# They stay in this stage; the runtime stage below never sees them.
ARG BUILD_CA_CERTS=
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    SSL_CERT_FILE=/build/ca-certificates.pem \
    PIP_CERT=/build/ca-certificates.pem
# uv in a venv of its own: Debian's python3 refuses installs into the system (PEP 668).
RUN mkdir /build \
    && cat /etc/ssl/certs/ca-certificates.crt > /build/ca-certificates.pem \
    && printf '%s\n' "$BUILD_CA_CERTS" >> /build/ca-certificates.pem \
    && python3 -m venv /build/uv \
    && /build/uv/bin/pip install --quiet "uv==${UV_VERSION}"
WORKDIR /src
# Dependencies first: this layer is reused until the lock file changes.
COPY pyproject.toml uv.lock ./
RUN /build/uv/bin/uv sync --frozen --no-dev --no-install-project --no-cache --python python3
COPY README.md ./
COPY domain/ domain/
COPY adapters/ adapters/
COPY entrypoints/ entrypoints/
COPY corbado_emulator/ corbado_emulator/
# The project itself as a wheel (not editable), so the runtime stage needs no source tree.
RUN /build/uv/bin/uv sync --frozen --no-dev --no-editable --no-cache --python python3

# ---- runtime: the interpreter, the environment, nothing else ----------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# Its Python packages are exactly the lock's runtime set, the one `make audit` checks: the base's
# own (pip, setuptools, wheel in the official image) are removed, and the build stops if the
# base holds any that pip cannot remove.
RUN if python3 -m pip --version >/dev/null 2>&1; then \
        python3 -m pip freeze --all --disable-pip-version-check | sed 's/[ =@].*//' \
        | PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore PIP_NO_CACHE_DIR=1 \
          xargs -r python3 -m pip uninstall --yes --quiet --disable-pip-version-check; \
    fi \
    && outside="$(find / -xdev \( -name '*.dist-info' -o -name '*.egg-info' \) -print)" \
    && if [ -n "$outside" ]; then echo "Python packages outside the lock: $outside" >&2; exit 1; fi
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
# Numeric, so that `runAsNonRoot` checks and `docker run --user` agree without reading passwd.
USER 10001:10001
EXPOSE 8000
# Liveness only; readiness (database, Redis, key) is /readyz for the orchestrator to probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=2)"]
# On SIGTERM granian lets requests in flight finish for up to 30 s, then kills the worker: give it
# longer than that (docker stop -t 35, Kubernetes terminationGracePeriodSeconds: 35).
STOPSIGNAL SIGTERM
ENTRYPOINT ["connect-backend"]
CMD ["serve"]
