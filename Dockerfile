# auger as a container image.
#
#   docker build -t auger .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock \
#       --group-add "$(stat -c %g /var/run/docker.sock)" auger check IMAGE
#   docker run --rm auger registry://ghcr.io/OWNER/APP:TAG --json -     # no socket needed
#
# The first stage installs auger and its dependencies into a virtual environment; the final
# stage is the base with that environment copied in, and nothing else: no compiler, no pip, no
# build files, no package lists. It runs as an unprivileged user (uid 10001) with no entry in
# /etc/passwd, so that no file of the base is rewritten; its home is the one directory it may
# write (auger's layer cache goes to ~/.cache/auger).
#
# BASE is any image with Python 3.11 or later and its venv module, at the same path in both
# stages. VERSION is the version to build: setuptools-scm finds no git metadata in the build
# context (see .dockerignore), so without it the version is 0.0; the release workflow passes
# the tag's. pip's own settings pass through as build arguments, e.g. an offline build from
# wheels put in ./wheelhouse (as the tests build it):
#   --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=/src/wheelhouse
ARG BASE=python:3.12-slim

FROM ${BASE} AS build
ARG VERSION=
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY . .
# zstandard's wheels carry two backends; the C one loads by default, so the CFFI one (12 MB,
# and the cffi package it would need) is left out.
RUN if [ -n "${VERSION}" ]; then export SETUPTOOLS_SCM_PRETEND_VERSION_FOR_AUGER="${VERSION}"; fi \
    && python3 -m venv /opt/auger \
    && /opt/auger/bin/pip install --no-compile . \
    && /opt/auger/bin/pip uninstall --yes pip setuptools \
    && rm -f /opt/auger/lib/python3*/site-packages/zstandard/_cffi.* \
             /opt/auger/lib/python3*/site-packages/zstandard/backend_cffi.py \
    && /opt/auger/bin/python -m compileall -q -j 0 /opt/auger/lib \
    && mkdir -p /home/auger

FROM ${BASE}
LABEL org.opencontainers.image.title="auger" \
      org.opencontainers.image.description="Container image layer inspector and size-budget gate" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /opt/auger /opt/auger
COPY --from=build --chown=10001:10001 /home/auger /home/auger
ENV PATH="/opt/auger/bin:${PATH}" \
    AUGER_CONTAINER_IMAGE=1 \
    HOME=/home/auger \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /home/auger
ENTRYPOINT ["auger"]
CMD ["--help"]
