# Frameway edge agent on a CUDA base. NVENC is reached through the driver
# libraries the NVIDIA container toolkit mounts (NVIDIA_DRIVER_CAPABILITIES
# must include `video`); Ubuntu's ffmpeg is built with h264_nvenc/hevc_nvenc.
# The agent probes the encoder at start and falls back to libx264.
FROM nvidia/cuda:12.6.3-runtime-ubuntu24.04
ENV DEBIAN_FRONTEND=noninteractive \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,video,graphics \
    NODE_ENV=production
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl ffmpeg xvfb xdotool pulseaudio python3-minimal \
 && curl -fsSL https://deb.nodesource.com/setup_24.x | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY protocol protocol
COPY edge-agent edge-agent
COPY gateway/package.json gateway/
COPY client-sdk/package.json client-sdk/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund --workspace @frameway/edge-agent --include-workspace-root \
 && npx tsc -b protocol edge-agent \
 && npm prune --omit=dev
ENV FFMPEG_BIN=/usr/bin/ffmpeg
CMD ["node", "edge-agent/dist/cli.js"]
