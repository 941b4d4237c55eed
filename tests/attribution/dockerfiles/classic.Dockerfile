FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ARG VERSION=1.2
ARG OTHER
ENV APP=/app
WORKDIR ${APP}
RUN echo $VERSION > v.txt && \
    echo hi  >  h.txt
COPY Dockerfile /app/
ADD Dockerfile ${APP}/df2
COPY . /ctx/
WORKDIR /app
WORKDIR sub
SHELL ["/bin/sh", "-ec"]
RUN echo shell > s.txt
