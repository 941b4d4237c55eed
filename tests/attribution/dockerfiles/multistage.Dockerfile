# syntax=docker/dockerfile:1
ARG PYTHON=3.12
ARG BASE=python:${PYTHON}-slim

FROM ${BASE} AS build
ARG PIP_FLAGS="--no-cache-dir"
WORKDIR /src
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \
    pip install ${PIP_FLAGS} \
        --prefix=/install \
        -r requirements.txt

FROM ${BASE}
ENV APP_HOME=/srv/app \
    PYTHONDONTWRITEBYTECODE=1
ARG VERSION=1.0
RUN apt-get update && \
    # a comment inside the continuation
    apt-get install -y --no-install-recommends curl && \

    rm -rf /var/lib/apt/lists/*
WORKDIR ${APP_HOME}
COPY --from=build /install /usr/local
COPY . .
RUN <<EOF
set -e
python -m compileall -q .
echo "${VERSION}" > VERSION
EOF
USER nobody
CMD ["python", "-m", "app"]
