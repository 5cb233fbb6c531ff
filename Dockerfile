# opsbot container image.
#
#   docker build -t opsbot:0.1.0 .
#   docker run --rm -p 3000:3000 -v opsbot-data:/data \
#     -e SLACK_BOT_TOKEN -e SLACK_SIGNING_SECRET opsbot:0.1.0
#
# No build step: TypeScript runs on Node's type stripping (tsconfig has erasableSyntaxOnly), so
# the image holds the sources as they are in git plus the production dependencies.
#
# Node 24 is the image's own node. In a checkout, Node 24 comes from the `node` devDependency;
# `npm ci --omit=dev` leaves that out, so the command below calls the image's node directly
# (the same flags `npm start` uses). Keep the major version here in step with package.json's
# devDependencies.node.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- Stage 1: production dependencies ------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` installs exactly what the lockfile names (and fails if it disagrees with
# package.json). --omit=dev: no test or lint tools, no second node. --ignore-scripts: no
# production dependency has an install script (only the `node` devDependency does); the
# native canvas library (@napi-rs/canvas) comes as a prebuilt optional package for this
# platform (linux-x64-gnu or linux-arm64-gnu on Debian), which --omit=dev keeps.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- Stage 2: the runtime image ------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    OPSBOT_DATA_DIR=/data \
    PORT=3000
WORKDIR /app
# Code and dependencies stay owned by root: the bot's user can read them, not change them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY assets ./assets
COPY demo ./demo
# The data folder (state database, local uploads) is the only place the bot writes.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The `node` user (uid 1000) comes with the official image.
USER node
EXPOSE 3000
# No HEALTHCHECK: Kubernetes probes GET /healthz itself (deploy/kubernetes/deployment.yaml).
# Exec form, node first: node is PID 1 and receives SIGTERM itself; opsbot handles it (drains
# for up to 25 s, exits 0). No init process: opsbot starts no child processes (its graph
# renderer uses worker threads), so there are no zombies to reap. `docker run --init` adds one
# if you want it anyway.
CMD ["node", "--max-semi-space-size=1", "bin/opsbot.js", "start"]
