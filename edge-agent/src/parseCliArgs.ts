import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEMO_AGENT_SECRET } from '@frameway/protocol';
import { ConfigError } from './ConfigError.js';
import type { AgentConfigInput } from './config.js';

export const CLI_USAGE = `Usage: frameway-agent [options]

Runs a Frameway edge agent: registers with a gateway and streams the sessions it starts.

Options (environment fallback in brackets):
  --gateway <url>   gateway agent WebSocket [FRAMEWAY_GATEWAY_URL] (default ws://127.0.0.1:8080/ws/agent)
  --secret <s>      fleet secret [FRAMEWAY_AGENT_SECRET] (required; the demo secret when FRAMEWAY_DEMO=1)
  --id <id>         agent id [FRAMEWAY_AGENT_ID] (default agent-<hostname>)
  --slots <n>       concurrent sessions [FRAMEWAY_AGENT_SLOTS] (default 1)
  --region <name>   region label sent at registration [FRAMEWAY_REGION]
  --ffmpeg <path>   ffmpeg binary [FFMPEG_BIN] (default: ffmpeg-static, then ffmpeg on PATH)
  -h, --help        show this help

Logging: LOG_LEVEL=trace|debug|info|warn|error|fatal|silent (default info), JSON lines on stdout.
`;

export type CliCommand = { kind: 'help' } | { kind: 'run'; config: AgentConfigInput };

/** Turns argv and the environment into a config input (validated later by loadConfig). Throws ConfigError. */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  host: string = hostname(),
): CliCommand {
  let values: Record<string, string | boolean | undefined>;
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
    },
  };
}

/** `agent-<hostname>`, reduced to the id alphabet [A-Za-z0-9._:-] and 64 characters. */
export function defaultAgentId(host: string): string {
  const cleaned = host.replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^-+|-+$/g, '');
  return `agent-${cleaned || 'local'}`.slice(0, 64);
}
