# syntax=docker/dockerfile:1
# Socket Playground: the built site and the sandbox on one port, as an unprivileged user.
#   docker build -t socket-playground .
#   docker build --build-arg WITH_TCPDUMP=true -t socket-playground:capture .   (then run with --capture)
#   docker run -p 4321:4321 socket-playground --origin http://localhost:4321
# The sandbox's echo servers listen on the container's own loopback, so nothing but 4321 (and the
# metrics port) needs publishing.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx astro build
# What the server needs at run time: the dependencies, without the test and build tools.
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
# tcpdump is optional: capture needs CAP_NET_RAW, so the binary gets that file capability and the
# unprivileged user may run it (docker run --cap-add NET_RAW … --capture). Without it the lab says
# why and draws the reconstructed handshake.
ARG WITH_TCPDUMP=false
RUN if [ "$WITH_TCPDUMP" = "true" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends tcpdump libcap2-bin \
      && setcap cap_net_raw+eip /usr/bin/tcpdump \
      && apt-get purge -y libcap2-bin \
      && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/server ./server
COPY --from=build /app/src/protocol ./src/protocol
# The node image's own unprivileged user (uid 1000); the files above stay root's and read-only to it.
USER node
EXPOSE 4321 9464
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4321/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "server/main.ts"]
# Behind a proxy, add --origin https://your.name so that the browser's Origin and Host are accepted.
CMD ["--host", "0.0.0.0", "--port", "4321", "--metrics-port", "9464", "--metrics-host", "0.0.0.0"]
