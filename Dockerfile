# syntax=docker/dockerfile:1
# Build: docker build -t convene .
# Run:   docker run -d --name convene -v convene-data:/data -e TELEGRAM_BOT_TOKEN=... -e CONVENE_ADMINS=123456 convene
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/convene ./cmd/convene

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin convene \
 && mkdir -p /data && chown convene /data
COPY --from=build /out/convene /usr/local/bin/convene
USER convene
WORKDIR /data
VOLUME ["/data"]
ENV CONVENE_DB=/data/convene.db \
    CONVENE_HTTP=:8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/convene", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/convene"]
CMD ["serve"]
