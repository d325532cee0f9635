# hwc-chatops, compiled, on node:20-slim; runs as the unprivileged `node` user with SQLite in the /app/data volume.
# The build steps are the README's ("Running in production"): test/dockerfile.test.ts keeps them the same.

FROM node:20-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci
RUN npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/flows ./flows
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
# HTTP mode (PORT): /slack/events, /healthz, /readyz, /metrics. Socket Mode: set METRICS_PORT for the probes.
EXPOSE 3000
CMD ["node", "--max-old-space-size=192", "--initial-old-space-size=128", "--heap-growing-percent=100", "--expose-gc", "dist/bundle/main.js"]
