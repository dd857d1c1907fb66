# Frameway gateway. Node 24 on Debian trixie: glibc 2.41 satisfies the
# uWebSockets.js binary (needs >= 2.38), so the gateway runs its production
# socket engine here (the node:http fallback is only for older hosts).
FROM node:24-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY protocol/package.json protocol/
COPY gateway/package.json gateway/
COPY edge-agent/package.json edge-agent/
COPY client-sdk/package.json client-sdk/
COPY test/package.json test/
# Build tools: better-sqlite3 13 (the optional `better-sqlite3-napi`, the
# driver on Node >= 22; 12.x aborts Node >= 24.19 on GC) compiles from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm ci --no-audit --no-fund \
 && node -e "require('better-sqlite3-napi')" # fail the build rather than fall back to 12.x
COPY protocol protocol
COPY gateway gateway
COPY client-sdk client-sdk
COPY edge-agent edge-agent
RUN npx tsc -b protocol gateway client-sdk && npm run build --workspace @frameway/client-sdk \
 && npm prune --omit=dev

FROM node:24-trixie-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 FRAMEWAY_SERVER_ENGINE=uws
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/package.json package.json
COPY --from=build /app/protocol/package.json protocol/package.json
COPY --from=build /app/protocol/dist protocol/dist
COPY --from=build /app/gateway/package.json gateway/package.json
COPY --from=build /app/gateway/dist gateway/dist
COPY --from=build /app/client-sdk/package.json client-sdk/package.json
COPY --from=build /app/client-sdk/dist client-sdk/dist
USER node
EXPOSE 8080/tcp
# RTP ingest and WebRTC use ephemeral UDP ports; run with host networking or
# publish a UDP range and set FRAMEWAY_PUBLIC_URL.
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "gateway/dist/cli.js"]
