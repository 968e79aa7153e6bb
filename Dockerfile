# nginx in front of the example backend, with tend as PID 1.
#
#   docker build -t tend-demo .
#   docker run -d -p 8080:80 --name tend-demo tend-demo
#   docker run -d -p 8080:80 --read-only --tmpfs /run --tmpfs /var/lib/nginx tend-demo
#
# BASE is used by both stages, so a locally made Debian 12 image can stand in
# where no registry is reachable (`make test-image` does that): it needs apt
# working inside the build. tend itself is one file, /usr/sbin/tend (libev
# and inih linked in, glibc shared with nginx), that other glibc-based images
# can take with
#   COPY --from=<this image> /usr/sbin/tend /usr/sbin/tend
# Any image, glibc or not (Alpine, distroless, scratch), can take the static
# binary from the stage tend-static instead, which holds only /tend:
#   docker build --target tend-static -t tend-static .
#   COPY --from=tend-static /tend /sbin/tend        (in the other Dockerfile)
ARG BASE=debian:bookworm-slim

FROM ${BASE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc make libc6-dev libev-dev libinih-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile VERSION ./
COPY supervisor/ supervisor/
COPY examples/backend/ examples/backend/
# The commit `tend --version` names (the build context has no .git):
#   docker build --build-arg TEND_COMMIT=$(git rev-parse --short HEAD) .
ARG TEND_COMMIT=unknown
RUN make TEND_COMMIT="$TEND_COMMIT" build/tend build/tend-static build/backend \
 && strip build/tend build/tend-static build/backend \
 && ./build/tend --version && ./build/tend-static --version

# Only the static binary (glibc inside), for COPY --from in any image.
FROM scratch AS tend-static
COPY --from=build /src/build/tend-static /tend
ENTRYPOINT ["/tend"]

# The demo image: the last stage, what `docker build .` makes.
FROM ${BASE}
# nginx-light: nginx with the core modules (proxy, gzip, map…).
# www-data (nginx's workers) joins the group `tend` that tend runs with, so
# that nginx can proxy /health to tend's socket (root:tend, mode 0660);
# the backend runs as its own unprivileged user.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d /var/www/html \
 && groupadd --system tend \
 && usermod --append --groups tend www-data \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin backend
COPY --from=build /src/build/tend /usr/sbin/tend
COPY --from=build /src/build/backend /usr/local/bin/backend
COPY config/tend.ini /etc/tend/tend.ini
COPY config/nginx.conf /etc/nginx/nginx.conf
COPY config/errors/ /usr/share/nginx/errors/
COPY examples/frontend/ /usr/share/nginx/html/
# COPY keeps the modes of the checkout: a clone made with umask 077 has
# files that nginx's workers could not read.
RUN chmod -R a+rX /etc/tend /etc/nginx/nginx.conf /usr/share/nginx/errors /usr/share/nginx/html
# Fail the build, not the container, on a bad configuration.
RUN tend check && nginx -t -q -e stderr

# tend with the group `tend`: the socket it creates is root:tend (see above).
USER root:tend
EXPOSE 80
# `tend health`: 0 when every required program is ready (no curl needed).
# Docker runs the first check one interval after the start.
HEALTHCHECK --interval=10s --timeout=7s --start-period=30s --retries=3 \
  CMD ["/usr/sbin/tend", "health"]
ENTRYPOINT ["/usr/sbin/tend"]
