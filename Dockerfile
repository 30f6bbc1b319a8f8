# syntax=docker/dockerfile:1.7
#
# One build for every image of the system; pick one with --target:
#   docker build --target gateway      -t chatbot/gateway:0.1.0 .
#   (chat-log, qna-cache, persona, llm-dispatch, migrate alike; docker compose build does all)
#
# The build stage compiles the whole monorepo once; each runtime target then copies only what its
# process loads: its own workspace, the workspaces it imports, and their production npm
# dependencies as `npm ls` resolves them. No secret is read at build time; configuration is the
# environment of the container (see docs/operations.md).

# Node 22 LTS in the images (Node 20 reached its end of life on 2026-04-30); development machines
# and CI may still run Node 20, which package.json's engines also accept. Pinned to a release so
# a rebuild is the same image; raise it with the project's Node 22 point releases.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Manifests first: the dependency layer is reused until a package.json or the lock changes.
# deploy-tests checks that every workspace of package.json is listed here.
COPY package.json package-lock.json ./
COPY proto/package.json proto/
COPY libs/auth/package.json libs/auth/
COPY libs/bus/package.json libs/bus/
COPY libs/devstack/package.json libs/devstack/
COPY libs/mcp-host/package.json libs/mcp-host/
COPY libs/runtime/package.json libs/runtime/
COPY libs/store/package.json libs/store/
COPY libs/testkit/package.json libs/testkit/
COPY services/chat-log/package.json services/chat-log/
COPY services/gateway/package.json services/gateway/
COPY services/llm-dispatch/package.json services/llm-dispatch/
COPY services/persona/package.json services/persona/
COPY services/qna-cache/package.json services/qna-cache/
COPY tools/launcher/package.json tools/launcher/
COPY tools/chaos/package.json tools/chaos/
COPY tools/chat-cli/package.json tools/chat-cli/
COPY tools/mcp-orders/package.json tools/mcp-orders/
COPY tools/eval/package.json tools/eval/
COPY bench/package.json bench/
COPY web/package.json web/
# Install scripts are skipped: the only one the build needs is the root postinstall (Prisma
# client generation), run below once the schemas are in; the others download engines or build
# native add-ons that only the test tooling uses.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts

COPY . .
# The root postinstall: generates each service's Prisma client with the prisma CLI, a
# devDependency, so it must run before the prune below.
RUN node scripts/prisma-generate.js
RUN npm run build
# --omit=optional also drops the prisma CLI, which stays otherwise as @prisma/client's optional peer.
RUN npm prune --omit=dev --omit=optional --ignore-scripts \
 && rm -f node_modules/@prisma/client/runtime/query_compiler_*_bg.{cockroachdb,mysql,sqlite,sqlserver}.*

# bundle <target> <workspace>...: copies into /out/<target> what the workspaces need at run time.
COPY --chmod=755 <<'EOF' /usr/local/bin/bundle
#!/bin/bash
set -euo pipefail
out="${BUNDLE_OUT:-/out}/$1"
shift
mkdir -p "$out"
# hard links: cheap here, and COPY --from copies the contents into the image anyway
copy_workspace() {
  local part
  for part in package.json dist prisma/migrations data; do
    if [ -e "$1/$part" ]; then cp -al --parents "$1/$part" "$out/"; fi
  done
}
for ws in "$@"; do
  copy_workspace "$ws"
  npm ls --parseable --all --omit=dev --omit=optional --workspace "$ws" | while read -r abs; do
    rel="${abs#"$PWD"/}"
    # a workspace's own node_modules holds what could not be hoisted (another version at the root)
    case "$rel" in node_modules/*|*/node_modules/*) ;; *) continue ;; esac
    cp -al --parents "$rel" "$out/"
    # workspace packages are symlinks into the repository: bring their compiled code along
    if [ -L "$rel" ]; then copy_workspace "$(realpath --relative-to="$PWD" "$rel")"; fi
  done
done
find "$out" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.tsbuildinfo' \) -delete
EOF
RUN printf '%s\n' gateway chat-log qna-cache persona llm-dispatch \
  | xargs -P 0 -I '{}' bundle '{}' 'services/{}' \
 && bundle migrate libs/store \
 && cp -a --parents services/*/prisma/migrations /out/migrate/

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="chatbot-platform" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT"
# npm, yarn and corepack are not needed to run `node`; fewer files, fewer CVEs to patch.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 chatbot \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin chatbot
# Exits 0 when the service's /readyz answers 200 (PORT for the gateway, OPS_PORT for the others).
COPY <<'EOF' /usr/local/lib/healthcheck.js
const port = process.env.PORT || process.env.OPS_PORT || '9100';
const req = require('node:http').get({ host: '127.0.0.1', port, path: '/readyz', timeout: 2500 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
EOF
ENV NODE_ENV=production
WORKDIR /app
# Code stays owned by root: the service user can read it, not change it.
USER 10001:10001
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/usr/local/lib/healthcheck.js"]

# ---------------------------------------------------------------------------------------------
FROM runtime AS gateway
COPY --from=build /out/gateway/ ./
ENV PORT=8080
EXPOSE 8080
CMD ["node", "services/gateway/dist/main.js"]

FROM runtime AS chat-log
COPY --from=build /out/chat-log/ ./
ENV OPS_PORT=9100
EXPOSE 9100
CMD ["node", "services/chat-log/dist/main.js"]

FROM runtime AS qna-cache
COPY --from=build /out/qna-cache/ ./
ENV OPS_PORT=9100
EXPOSE 9100
CMD ["node", "services/qna-cache/dist/main.js"]

FROM runtime AS persona
COPY --from=build /out/persona/ ./
ENV OPS_PORT=9100
EXPOSE 9100
CMD ["node", "services/persona/dist/main.js"]

FROM runtime AS llm-dispatch
COPY --from=build /out/llm-dispatch/ ./
ENV OPS_PORT=9100
EXPOSE 9100
CMD ["node", "services/llm-dispatch/dist/main.js"]

# One-shot: applies every service's SQL migrations (DATABASE_URL from the environment), then exits.
FROM runtime AS migrate
COPY --from=build /out/migrate/ ./
HEALTHCHECK NONE
CMD ["node", "libs/store/dist/migrate-cli.js", \
     "chat_log=services/chat-log/prisma/migrations", \
     "qna_cache=services/qna-cache/prisma/migrations", \
     "persona=services/persona/prisma/migrations"]
