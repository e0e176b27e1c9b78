# FinPipe in one image; the role (scheduler, worker, web, migrate, produce,
# standalone) is the command. Build: docker build -t finpipe .

# Build with cgo: confluent-kafka-go links the static librdkafka it ships for
# glibc, so the builder and the runtime are both Debian bookworm (glibc).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/finpipe ./cmd/finpipe

FROM debian:bookworm-slim
# ca-certificates for TLS to managed Kafka/PostgreSQL; curl for health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin finpipe \
 && mkdir -p /data \
 && chown finpipe:finpipe /data
COPY --from=build /out/finpipe /usr/local/bin/finpipe
# /data is owned by finpipe in the image, so a fresh named volume mounted
# there inherits that owner and the non-root process can write the lake.
USER finpipe
WORKDIR /data
ENV FINPIPE_DATA_DIR=/data \
    FINPIPE_HTTP_ADDR=0.0.0.0:8080 \
    FINPIPE_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080 9090
ENTRYPOINT ["finpipe"]
CMD ["standalone"]
