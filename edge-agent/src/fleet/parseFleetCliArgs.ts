import { ConfigError } from '../ConfigError.js';
import type { AgentFleetConfig } from './fleetConfig.js';

/** The fleet's command-line options (merged into the agent's parseArgs table). */
export const FLEET_CLI_OPTIONS = {
  'node-key': { type: 'string' },
  country: { type: 'string' },
  city: { type: 'string' },
  lat: { type: 'string' },
  lon: { type: 'string' },
  price: { type: 'string' },
  'stake-wei': { type: 'string' },
  'encoder-sessions': { type: 'string' },
  'probe-host': { type: 'string' },
  'probe-port': { type: 'string' },
  'probe-url': { type: 'string' },
  'probe-delay-ms': { type: 'string' },
  'no-probe': { type: 'boolean' },
} as const;

export const FLEET_CLI_USAGE = `  --node-key <file> node key file, 'ephemeral' for a throw-away key [FRAMEWAY_NODE_KEY_FILE]
                    (default .data/node-keys/<id>.key)
  --country <CC>    ISO country code, with --city, --lat, --lon [FRAMEWAY_COUNTRY, _CITY, _LAT, _LON]
  --price <n>       asking price per 15-minute block [FRAMEWAY_PRICE_PER_BLOCK]
  --stake-wei <n>   stake this node claims, in wei [FRAMEWAY_STAKE_WEI]
  --encoder-sessions <n>  hardware encoder sessions the GPU allows [FRAMEWAY_ENCODER_SESSIONS]
  --probe-host <addr>, --probe-port <n>  latency probe echo address [FRAMEWAY_PROBE_HOST, _PORT]
  --probe-url <url> URL players dial for probes [FRAMEWAY_PROBE_URL]
  --probe-delay-ms <ms>  simulated extra RTT of this node (loopback tests) [FRAMEWAY_PROBE_DELAY_MS]
  --no-probe        do not serve the latency probe endpoint
  SIGUSR2           drain: take no new sessions, finish the current ones
`;

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** The fleet section of the agent config from flags and environment (validated later by loadConfig). */
export function fleetConfigFromCli(
  values: Values,
  env: Readonly<Record<string, string | undefined>>,
): Partial<Record<keyof AgentFleetConfig, unknown>> {
  const pick = (flag: string, envName: string): string | undefined => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    const fromEnv = env[envName];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const number = (flag: string, envName: string): number | undefined => {
    const text = pick(flag, envName);
    if (text === undefined) return undefined;
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError([`${flag}: '${text}' is not a number`]);
    return value;
  };
  const location = {
    ...defined('country', pick('country', 'FRAMEWAY_COUNTRY')?.toUpperCase()),
    ...defined('city', pick('city', 'FRAMEWAY_CITY')),
    ...defined('lat', number('lat', 'FRAMEWAY_LAT')),
    ...defined('lon', number('lon', 'FRAMEWAY_LON')),
  };
  const probe = {
    ...(values['no-probe'] === true ? { enabled: false } : {}),
    ...defined('host', pick('probe-host', 'FRAMEWAY_PROBE_HOST')),
    ...defined('port', number('probe-port', 'FRAMEWAY_PROBE_PORT')),
    ...defined('publicUrl', pick('probe-url', 'FRAMEWAY_PROBE_URL')),
    ...defined('delayMs', number('probe-delay-ms', 'FRAMEWAY_PROBE_DELAY_MS')),
  };
  return {
    ...defined('nodeKeyFile', pick('node-key', 'FRAMEWAY_NODE_KEY_FILE')),
    ...(Object.keys(location).length > 0 ? { location } : {}),
    ...defined('pricePerBlock', number('price', 'FRAMEWAY_PRICE_PER_BLOCK')),
    ...defined('stakeWei', pick('stake-wei', 'FRAMEWAY_STAKE_WEI')),
    ...defined('encoderSessions', number('encoder-sessions', 'FRAMEWAY_ENCODER_SESSIONS')),
    ...(Object.keys(probe).length > 0 ? { probe } : {}),
  };
}

function defined<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}
