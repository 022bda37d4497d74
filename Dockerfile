# syntax=docker/dockerfile:1
#
# The gluster-operator image: compiled JavaScript and production dependencies on a distroless
# Node.js 24 base, with no shell, no package manager and no compiler at run time. It runs as
# 65532:65532 and writes nothing, so it works with a read-only root filesystem
# (deploy/deployment.yaml sets readOnlyRootFilesystem). Build:
#
#   docker build -t ghcr.io/gluster-operator/gluster-operator:0.1.0 \
#     --build-arg REVISION="$(git rev-parse HEAD)" .
#
# The runtime tree (/app) is made by scripts/runtime-tree, which a developer can run without
# Docker: test/e2e/runtime-tree.test.ts runs the operator from that tree, read-only, as 65532.

FROM node:24-bookworm-slim AS build
WORKDIR /src
# Dependencies first, so that a change under src/ reuses this layer. Dev dependencies are needed
# for TypeScript; no install script runs (none is needed to compile).
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
COPY scripts/runtime-tree scripts/runtime-tree
# dist/ plus production node_modules in /app, the same commands as on a developer's machine;
# there is no .git here, so the commit for --version and build_info comes from the build arg.
ARG REVISION=unknown
RUN --mount=type=cache,target=/root/.npm \
    GLUSTER_OPERATOR_REVISION="${REVISION}" scripts/runtime-tree /app

FROM gcr.io/distroless/nodejs24-debian12:nonroot
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="gluster-operator" \
      org.opencontainers.image.description="Kubernetes operator that keeps GlusterFS trusted storage pools in the shape their owners declare" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/gluster-operator/gluster-operator" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs24-debian12:nonroot"
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the operator's user: the code cannot be changed at run time.
COPY --from=build /app /app
# Numeric, so that the kubelet can check runAsNonRoot against the image itself.
USER 65532:65532
# /healthz, /readyz and /metrics.
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "dist/main.js"]
