# The production worker: compiled TypeScript and a prebuilt workflow bundle, run as a non-root user,
# with the pinned trivy the security workflows run (keep in step with scripts/tools/versions.env).
FROM golang:1.26-bookworm AS trivy
ARG TRIVY_VERSION=v0.74.0
RUN CGO_ENABLED=0 GOEXPERIMENT=jsonv2 GOBIN=/out go install -trimpath -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
    github.com/aquasecurity/trivy/cmd/trivy@${TRIVY_VERSION}

FROM node:24.11.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node would download CUDA files; the worker runs CPU inference.
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN npm ci --no-fund --no-audit
COPY tsconfig.json tsconfig.build.json ./
COPY types types
COPY workflows workflows
COPY activities activities
COPY workers workers
COPY schedules schedules
COPY config config
COPY cli cli
RUN npm run build && npm prune --omit=dev

FROM node:24.11.1-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PNO_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The shipped configuration, every default spelled out: mount your own at PNO_CONFIG_FILE.
COPY config/pno-maintenance.yaml config/pno-maintenance.yaml
COPY --from=trivy /out/trivy /usr/local/bin/trivy
COPY package.json ./
USER node
CMD ["node", "dist/workers/main.js"]
