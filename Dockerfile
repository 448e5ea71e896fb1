# The metis-streams image: the compiled command (dist/, the dashboard's built assets included) with its
# production dependencies, and the tools the media step runs (ffprobe, poppler's pdftoppm, pdftotext and
# pdfimages). One image for every role: `worker`, `serve`, `submit`, `status`, … (deploy/docker-compose.yml,
# deploy/k8s/). The EDM schemas are not in it: give METIS_SCHEMAS (a mounted folder or an http(s) zip URL).
#
#   docker build -t metis-streams:0.1.0 .

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The build needs no native modules: the Kafka client is installed in the runtime stage.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
RUN npm run build

FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg poppler-utils ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Production dependencies, with install scripts: the Kafka client (@confluentinc/kafka-javascript)
# fetches its prebuilt librdkafka binding here.
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Worker memory (docs/BENCHMARKS.md "Worker memory"): glibc gives each of a worker's ~20 threads
# (librdkafka's, the step threads, libuv's) a malloc arena of its own, ~45-50 MB in all; two arenas
# hold the same work in ~18 MB. A 4 MB semi-space keeps each V8 young generation at 8 MB instead of
# 32 MB. (The worker command also fixes V8's old-space growth, src/cli/worker-heap.ts.)
ENV MALLOC_ARENA_MAX=2
ENV NODE_OPTIONS=--max-semi-space-size=4
# Embedded database, caches and thumbnails (METIS_DATA_DIR); mount a volume here.
RUN mkdir -p /data && chown node:node /data
ENV METIS_DATA_DIR=/data
USER node
# The API server's default port (serve --port, METIS_API_PORT).
EXPOSE 8080
ENTRYPOINT ["node", "bin/metis-streams.js"]
CMD ["help"]
