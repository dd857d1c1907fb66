import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEMO_AGENT_SECRET } from '@frameway/protocol';
import { ConfigError } from './ConfigError.js';
import type { AgentConfigInput } from './config.js';
import { FLEET_CLI_OPTIONS, FLEET_CLI_USAGE, fleetConfigFromCli } from './fleet/parseFleetCliArgs.js';
import { implementedRuntimes } from './runtime/createRuntime.js';

export const CLI_USAGE = `Usage: frameway-agent [options]

Runs a Frameway edge agent: registers with a gateway and streams the sessions it starts.

Options (environment fallback in brackets):
  --gateway <url>   gateway agent WebSocket [FRAMEWAY_GATEWAY_URL] (default ws://127.0.0.1:8080/ws/agent)
  --secret <s>      fleet secret [FRAMEWAY_AGENT_SECRET] (required; the demo secret when FRAMEWAY_DEMO=1)
  --id <id>         agent id [FRAMEWAY_AGENT_ID] (default agent-<hostname>)
  --slots <n>       concurrent sessions [FRAMEWAY_AGENT_SLOTS] (default 1)
  --region <name>   region label sent at registration [FRAMEWAY_REGION]
  --ffmpeg <path>   ffmpeg binary [FFMPEG_BIN] (default: ffmpeg-static, then ffmpeg on PATH)
  --runtime <kind>  runtime to offer, repeatable: scene, x11, docker, android [FRAMEWAY_AGENT_RUNTIMES, comma list]
                    (default scene)
  --cmd <line>      x11: a program sessions may run, repeatable; the first is the default [FRAMEWAY_X11_CMD]
                    e.g. --runtime x11 --cmd ltris
  --image <ref>     docker: a game image sessions may run, repeatable [FRAMEWAY_DOCKER_IMAGES, comma list]
  --adb <host:port> android: a device reachable by ADB over TCP, repeatable [FRAMEWAY_ANDROID_DEVICES, comma list]
  --scrcpy-server <path>  android: the scrcpy-server v3.3.3 jar [FRAMEWAY_SCRCPY_SERVER]
  --intra-refresh   periodic intra refresh, an IDR forced every GOP [FRAMEWAY_INTRA_REFRESH=1]
  --cli-encoder     always encode with the ffmpeg CLI, never in-process [FRAMEWAY_CLI_ENCODER=1]
${FLEET_CLI_USAGE}  -h, --help        show this help

Logging: LOG_LEVEL=trace|debug|info|warn|error|fatal|silent (default info), JSON lines on stdout.
`;

export type CliCommand = { kind: 'help' } | { kind: 'run'; config: AgentConfigInput };

/** Turns argv and the environment into a config input (validated later by loadConfig). Throws ConfigError. */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  host: string = hostname(),
): CliCommand {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        gateway: { type: 'string' },
        secret: { type: 'string' },
        id: { type: 'string' },
        slots: { type: 'string' },
        region: { type: 'string' },
        ffmpeg: { type: 'string' },
        runtime: { type: 'string', multiple: true },
        cmd: { type: 'string', multiple: true },
        image: { type: 'string', multiple: true },
        adb: { type: 'string', multiple: true },
        'scrcpy-server': { type: 'string' },
        'intra-refresh': { type: 'boolean' },
        'cli-encoder': { type: 'boolean' },
        ...FLEET_CLI_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ConfigError([error instanceof Error ? error.message : String(error)]);
  }
  if (values.help) return { kind: 'help' };

  const pick = (flag: string, envName: string): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };

  const secret = pick('secret', 'FRAMEWAY_AGENT_SECRET') ?? (env.FRAMEWAY_DEMO === '1' ? DEMO_AGENT_SECRET : undefined);
  if (secret === undefined) {
    throw new ConfigError([
      'secret: pass --secret or set FRAMEWAY_AGENT_SECRET (FRAMEWAY_DEMO=1 uses the demo secret)',
    ]);
  }
  const slotsText = pick('slots', 'FRAMEWAY_AGENT_SLOTS');
  let slots: number | undefined;
  if (slotsText !== undefined) {
    slots = /^\d+$/.test(slotsText.trim()) ? Number(slotsText.trim()) : Number.NaN;
    if (Number.isNaN(slots)) throw new ConfigError([`slots: '${slotsText}' is not a whole number`]);
  }
  const gatewayUrl = pick('gateway', 'FRAMEWAY_GATEWAY_URL');
  const region = pick('region', 'FRAMEWAY_REGION');
  const ffmpegPath = typeof values.ffmpeg === 'string' ? values.ffmpeg : undefined;
  const list = (flag: string, envName: string): string[] | undefined => {
    const value = values[flag];
    if (Array.isArray(value) && value.length > 0) return value;
    const fromEnv = env[envName]?.trim();
    return fromEnv ? fromEnv.split(',').map((item) => item.trim()) : undefined;
  };
  const runtimes = list('runtime', 'FRAMEWAY_AGENT_RUNTIMES');
  for (const runtime of runtimes ?? []) {
    if (!(implementedRuntimes as readonly string[]).includes(runtime)) {
      throw new ConfigError([`runtime: '${runtime}' is not one of ${implementedRuntimes.join(', ')}`]);
    }
  }
  // A command line contains commas and spaces: the environment carries exactly one.
  const commands = Array.isArray(values.cmd) ? values.cmd : env.FRAMEWAY_X11_CMD ? [env.FRAMEWAY_X11_CMD] : undefined;
  const images = list('image', 'FRAMEWAY_DOCKER_IMAGES');
  const devices = list('adb', 'FRAMEWAY_ANDROID_DEVICES');
  const scrcpyServerPath = pick('scrcpy-server', 'FRAMEWAY_SCRCPY_SERVER');
  const intraRefresh = values['intra-refresh'] === true || env.FRAMEWAY_INTRA_REFRESH === '1';
  const cliEncoder = values['cli-encoder'] === true || env.FRAMEWAY_CLI_ENCODER === '1';

  return {
    kind: 'run',
    config: {
      agentId: pick('id', 'FRAMEWAY_AGENT_ID') ?? defaultAgentId(host),
      secret,
      ...(gatewayUrl === undefined ? {} : { gatewayUrl }),
      ...(slots === undefined ? {} : { slots }),
      ...(region === undefined ? {} : { region }),
      // FFMPEG_BIN itself is read by resolveFfmpeg, which also tries the fallbacks.
      ...(ffmpegPath === undefined ? {} : { ffmpegPath }),
      ...fleetSection(fleetConfigFromCli(values, env)),
      ...(runtimes === undefined ? {} : { runtimes: runtimes as (typeof implementedRuntimes)[number][] }),
      ...(commands === undefined ? {} : { x11: { commands } }),
      ...(images === undefined ? {} : { docker: { images } }),
      ...(devices === undefined && scrcpyServerPath === undefined
        ? {}
        : { android: { devices: devices ?? [], scrcpyServerPath: scrcpyServerPath ?? '' } }),
      ...(intraRefresh ? { intraRefresh } : {}),
      ...(cliEncoder ? { inProcessEncoder: false } : {}),
    },
  };
}

/** `agent-<hostname>`, reduced to the id alphabet [A-Za-z0-9._:-] and 64 characters. */
export function defaultAgentId(host: string): string {
  const cleaned = host.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^-+|-+$/g, '');
  return `agent-${cleaned || 'local'}`.slice(0, 64);
}

function fleetSection(fleet: ReturnType<typeof fleetConfigFromCli>): { fleet?: AgentConfigInput['fleet'] } {
  return Object.keys(fleet).length === 0 ? {} : { fleet: fleet as AgentConfigInput['fleet'] };
}
