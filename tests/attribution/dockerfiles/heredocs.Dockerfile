FROM debian:bookworm-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN <<-SETUP
	apt-get update
	apt-get install -y make
	SETUP
RUN <<"SCRIPT"
#!/usr/bin/env python3
print("hello")
SCRIPT
RUN python3 <<PY && echo done
print("from a heredoc")
PY
COPY <<CONF /etc/app.conf
key=value
CONF
RUN ["/bin/echo", "exec", "form"]
