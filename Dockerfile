# duty-desk as a container image: `docker build -t duty-desk .` from the checkout.
# CI does not build it (no base image can be pulled there); tests/deploy/ check what can be
# checked without building: the entrypoint, the settings named, `duty-desk run` under the
# compose file's environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # matplotlib (/stats charts) keeps its font cache here; the root filesystem may be read-only.
    MPLCONFIGDIR=/tmp/matplotlib

# Only what the package needs: the build copies the migrations and catalogs inside it.
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY alembic ./alembic
COPY locales ./locales
COPY bot ./bot
RUN pip install . && rm -rf /src

# Never root: a fixed uid, so volumes and secrets can be owned by it on the host.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/duty-desk --create-home duty-desk
WORKDIR /var/lib/duty-desk
USER duty-desk

# The signed alert intake (intake.port), when enabled.
EXPOSE 8443
# The operator's port (ops.port): /healthz, /readyz, /metrics.
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9464/healthz', timeout=4)"]

ENTRYPOINT ["duty-desk"]
CMD ["run"]
