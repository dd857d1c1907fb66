# An example game image for the edge agent's docker runtime: LTris, a Debian
# X11 game. The image only holds the game; the agent gives each session's
# container its display and sound at start (bind-mounted sockets and the
# DISPLAY, XAUTHORITY and PULSE_SERVER variables), the GPUs through the NVIDIA
# device request, and cgroup limits; the container is removed when the
# session ends.
#
#   docker build -f docker/example-game.Dockerfile -t frameway/example-ltris:1 docker/
#   node edge-agent/dist/cli.js --runtime docker --image frameway/example-ltris:1 ...
FROM debian:bookworm-slim
# libgl1-mesa-dri / libglx-mesa0: OpenGL games render with Mesa where no NVIDIA
# driver is mounted; with the NVIDIA runtime, the driver's libGLX_nvidia wins.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ltris libgl1-mesa-dri libglx-mesa0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 player
# The game never needs root: the agent drops every capability anyway.
USER player
WORKDIR /home/player
CMD ["/usr/games/ltris"]
