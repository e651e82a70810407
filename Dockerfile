# syntax=docker/dockerfile:1
# kfed's controller image: `kfed controller` on Node.js 20, as a non-root user, with only
# the compiled code and the production dependencies.
#   docker build -t kfed:0.1.0 .
# charts/kfed runs it with the same command (ENTRYPOINT) and user (USER); a test in
# test/unit/deploy keeps the two in step.
ARG NODE_IMAGE=node:20-bookworm-slim
# The build stage needs python3, make and g++ for the DNS server's native addon.
ARG BUILD_IMAGE=node:20-bookworm

# 1. Compile TypeScript to dist/ and the native addon with the full toolchain.
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY native ./native
ENV KFED_NATIVE_REQUIRED=1
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Production dependencies only (no tsx, typescript, vitest, eslint).
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: compiled code, production node_modules, the CLI entry and the CRDs.
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="kfed" \
      org.opencontainers.image.description="Kubefed-compatible multi-cluster control plane with geo-aware global DNS" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/native/udp-batch/build/Release/udp_batch.node ./native/udp-batch/build/Release/udp_batch.node
COPY package.json ./
COPY bin ./bin
COPY crds ./crds
# Numeric, so the kubelet can verify runAsNonRoot; matches the chart's podSecurityContext.
USER 10001:10001
# /metrics /healthz /readyz; the embedded DNS server (above 1024: no NET_BIND_SERVICE).
EXPOSE 8080/tcp 5353/udp 5353/tcp
ENTRYPOINT ["node", "/app/bin/kfed.js"]
CMD ["controller"]
