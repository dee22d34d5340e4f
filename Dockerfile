# syntax=docker/dockerfile:1
# Chirp's one image: API node, worker and one-off commands, chosen by the command.
#   docker build -t chirp .
#   API node:   docker run chirp                                 (node dist/app/index.js)
#   worker:     docker run chirp node dist/workers/index.js
#   migrations: docker run --rm chirp node dist/app/cli/migrate.js   (before API nodes start)
#   rollback:   docker run --rm chirp node dist/app/cli/rollback.js  (reverts one migration)
#   PM2 on one host instead of one process per container:
#               docker run chirp node_modules/.bin/pm2-runtime start ecosystem.config.js
# No Docker engine runs on the development machine: this file is built by CI
# (.github/workflows/ci.yml), not there.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY app ./app
COPY config ./config
COPY migrations ./migrations
COPY models ./models
COPY seeders ./seeders
COPY workers ./workers
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY ecosystem.config.js ./
# The official image's unprivileged user; nothing in /app needs to be writable.
USER node
EXPOSE 3000
# Liveness of the API node (slim images have no curl). The worker serves no HTTP: its
# container disables this check (docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The API finishes in-flight requests within 10 s of SIGTERM (give `docker stop -t 15`).
STOPSIGNAL SIGTERM
CMD ["node", "dist/app/index.js"]
