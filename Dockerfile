# One image for every app of the playground; docker-compose.yml picks the part with XAA_ONLY.
FROM node:22-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm i -g pnpm@10.34.9
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY packages ./packages
COPY apps ./apps
COPY e2e/package.json ./e2e/package.json
COPY bench ./bench
COPY scripts ./scripts
RUN pnpm install --frozen-lockfile
# The console SPA and the bundled xaa CLI (scripts/build.mjs): what `npm start` runs, prebuilt.
RUN node scripts/build.mjs
ENV XAA_DATA_DIR=/data NODE_ENV=production
VOLUME ["/data"]
ENTRYPOINT ["node", "apps/cli/dist/xaa.mjs"]
CMD ["start"]
