# Dossier — multi-stage image. Runs as a non-root user; all data lives in the /data volume.
# Build:  docker build -t dossier .
# Run:    docker run -p 3000:3000 -v dossier-data:/data dossier

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# Toolchain for native modules (better-sqlite3) when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
# poppler-utils/qpdf: PDF inspection and thumbnails; LibreOffice: Word/Excel → PDF renditions;
# fonts-noto-cjk: Chinese glyphs in converted documents.
RUN apt-get update \
 && apt-get install -y --no-install-recommends poppler-utils qpdf libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system dossier && useradd --system --gid dossier --home /app dossier \
 && mkdir -p /data && chown dossier:dossier /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY views ./views
COPY migrations ./migrations
COPY standards ./standards
COPY public ./public
ENV NODE_ENV=production \
    PORT=3000 \
    DOSSIER_DATA_DIR=/data
USER dossier
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "src/server.ts"]
