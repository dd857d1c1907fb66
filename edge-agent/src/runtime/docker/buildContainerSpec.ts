import { FramewayError } from '@frameway/protocol';
import type Docker from 'dockerode';
import type { RuntimeLimits } from '../SessionRuntime.js';

/** Where the session's display and audio live inside every game container. */
export const CONTAINER_XAUTHORITY = '/run/frameway/Xauthority';
export const CONTAINER_PULSE_SOCKET = '/run/frameway/pulse/native';

/**
 * The NVIDIA capabilities a game container gets: `gpu` selects the device;
 * `graphics` (OpenGL/Vulkan), `video` (NVENC/NVDEC), `compute` (CUDA) and
 * `utility` (nvidia-smi, NVML) mount the matching driver libraries.
 */
export const NVIDIA_CAPABILITIES = ['gpu', 'graphics', 'video', 'compute', 'utility'] as const;

export interface ContainerSpecInput {
  sessionId: string;
  /** Image reference, e.g. `registry.example/game:1.2`. */
  image: string;
  /** The session's X display (`:N`), its host socket and a container-readable Xauthority copy. */
  display: { name: string; socketPath: string; authFile: string };
  /** Host path of the session's PulseAudio socket, if the session has audio. */
  pulseSocket?: string | undefined;
  /** GPUs the container gets: 'all', a count, or 'none'. */
  gpus: 'all' | 'none' | number;
  /** OCI runtime to request (e.g. 'nvidia' where it is not the engine's default). */
  runtime?: string | undefined;
  limits?: RuntimeLimits | undefined;
  /** Docker network mode; default 'bridge'. */
  networkMode?: string | undefined;
  /** Extra environment for the game. */
  env?: Readonly<Record<string, string>> | undefined;
}

/** `[registry[:port]/]name[:tag][@sha256:digest]`, loosely: no spaces, no option-looking leading dash. */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const X_DISPLAY = /^:(\d{1,5})$/;

/**
 * The Docker Engine API ContainerCreate body (`POST /containers/create`) for
 * one game session: the session's X socket, Xauthority and PulseAudio socket
 * bind-mounted (single files, nothing else of the host), the NVIDIA device
 * request for the GPUs, cgroup limits, no capabilities, no privilege gain.
 *
 * @example await docker.createContainer(buildContainerSpec({ sessionId, image, display, gpus: 'all' }))
 */
export function buildContainerSpec(input: ContainerSpecInput): Docker.ContainerCreateOptions {
  if (!IMAGE_REFERENCE.test(input.image) || input.image.length > 255 || input.image.includes('..')) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `'${input.image.slice(0, 100)}' is not an image reference`);
  }
  const match = X_DISPLAY.exec(input.display.name);
  if (!match) throw new FramewayError('FW_ERR_INTERNAL', `X display '${input.display.name}' is not :N`);
  const displayNumber = match[1] as string;
  for (const name of Object.keys(input.env ?? {})) {
    if (!ENV_NAME.test(name)) throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `'${name}' is not an env name`);
  }
  const limits = input.limits ?? {};
  const env: Record<string, string> = {
    ...input.env,
    DISPLAY: `:${displayNumber}`,
    XAUTHORITY: CONTAINER_XAUTHORITY,
    // The container's client runs in another IPC namespace: no MIT-SHM (the display offers none either).
    QT_X11_NO_MITSHM: '1',
    ...(input.pulseSocket ? { PULSE_SERVER: `unix:${CONTAINER_PULSE_SOCKET}` } : {}),
  };
  const binds = [
    // The one display socket, at the path X clients derive from DISPLAY.
    `${input.display.socketPath}:/tmp/.X11-unix/X${displayNumber}`,
    `${input.display.authFile}:${CONTAINER_XAUTHORITY}:ro`,
    ...(input.pulseSocket ? [`${input.pulseSocket}:${CONTAINER_PULSE_SOCKET}`] : []),
  ];
  const host: Docker.HostConfig = {
    Binds: binds,
    NetworkMode: input.networkMode ?? 'bridge',
    // A private IPC namespace: shared memory stays between the game's own processes.
    IpcMode: 'private',
    ShmSize: 256 * 1024 * 1024,
    // tini as PID 1 reaps the game's zombies and forwards the stop signal.
    Init: true,
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges:true'],
    // Removed explicitly at session end (after its logs could be read), never left behind.
    AutoRemove: false,
    Ulimits: [
      { Name: 'core', Soft: 0, Hard: 0 },
      ...(limits.openFiles === undefined ? [] : [{ Name: 'nofile', Soft: limits.openFiles, Hard: limits.openFiles }]),
    ],
    ...(input.runtime ? { Runtime: input.runtime } : {}),
    ...(limits.cpus === undefined ? {} : { NanoCpus: Math.round(limits.cpus * 1e9) }),
    // Memory + swap equal: no swap, the game is killed at its limit instead of thrashing the node.
    ...(limits.memoryMiB === undefined
      ? {}
      : { Memory: limits.memoryMiB * 1024 * 1024, MemorySwap: limits.memoryMiB * 1024 * 1024 }),
    ...(limits.pids === undefined ? {} : { PidsLimit: limits.pids }),
    ...(input.gpus === 'none'
      ? {}
      : {
          DeviceRequests: [
            {
              Driver: 'nvidia',
              // -1 = every GPU of the node
              Count: input.gpus === 'all' ? -1 : input.gpus,
              Capabilities: [[...NVIDIA_CAPABILITIES]],
            },
          ],
        }),
  };
  return {
    name: `frameway-${input.sessionId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60)}`,
    Image: input.image,
    Env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
    Labels: { 'io.frameway.session': input.sessionId, 'io.frameway.runtime': 'docker' },
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    StopSignal: 'SIGTERM',
    StopTimeout: 2,
    HostConfig: host,
  };
}
