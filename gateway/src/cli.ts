#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_AGENT_SECRET } from '@frameway/protocol';
import { loadGatewayConfig } from './config.js';
import { Gateway } from './Gateway.js';
import { ledgerConfigFromEnv } from './ledger/ledgerConfig.js';
import { rootLogger } from './logging/logger.js';
import { mergeConfig } from './mergeConfig.js';

/**
 * frameway-gateway [--host H] [--port P] [--demo] [--engine auto|uws|node]
 *                  [--runtime scene|x11|docker|android] [--cmd LINE] [--runtime-options JSON]
 *                  [--config FILE.json]
 * --config (FRAMEWAY_CONFIG): a JSON file with any configuration (GatewayConfigSchema in config.ts:
 * fleet, placement, registry, session, ledger, …), under the flags and environment below.
 * FRAMEWAY_ADMIN_TOKEN: fleet.adminToken, the bearer token of the fleet admin API (drain etc.).
 * Environment: HOST, PORT, FRAMEWAY_DEMO=1, FRAMEWAY_AGENT_SECRET, FRAMEWAY_TOKEN_SECRET,
 * FRAMEWAY_PUBLIC_URL, FRAMEWAY_SERVER_ENGINE, FRAMEWAY_DATABASE (default .data/gateway.db), LOG_LEVEL,
 * FRAMEWAY_SESSION_RUNTIME and FRAMEWAY_SESSION_RUNTIME_OPTIONS (JSON): the runtime of default
 * (demo) sessions and its options; --cmd is short for runtime options { "cmd": LINE } (x11).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean' },
      engine: { type: 'string' },
      runtime: { type: 'string' },
      cmd: { type: 'string' },
      'runtime-options': { type: 'string' },
      config: { type: 'string' },
    },
  });
  const env = process.env;
  const demo = values.demo ?? env.FRAMEWAY_DEMO === '1';
  const agentSecret = env.FRAMEWAY_AGENT_SECRET ?? (demo ? DEMO_AGENT_SECRET : undefined);
  if (!agentSecret) throw new Error('FRAMEWAY_AGENT_SECRET is required outside demo mode');
  const runtime = values.runtime ?? env.FRAMEWAY_SESSION_RUNTIME;
  const optionsJson = values['runtime-options'] ?? env.FRAMEWAY_SESSION_RUNTIME_OPTIONS;
  const runtimeOptions = {
    ...(optionsJson ? (JSON.parse(optionsJson) as Record<string, unknown>) : {}),
    ...(values.cmd === undefined ? {} : { cmd: values.cmd }),
  };
  const configFile = values.config ?? env.FRAMEWAY_CONFIG;
  const fromFile: unknown = configFile ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
  const defaults = { host: '127.0.0.1', port: 8080, database: '.data/gateway.db', server: { engine: 'auto' } };
  const port = values.port ?? env.PORT;
  const fromCli = {
    host: values.host ?? env.HOST,
    port: port === undefined ? undefined : Number(port),
    demo,
    agentSecret,
    database: env.FRAMEWAY_DATABASE,
    tokenSecret: env.FRAMEWAY_TOKEN_SECRET || undefined,
    publicUrl: env.FRAMEWAY_PUBLIC_URL || undefined,
    server: { engine: values.engine ?? env.FRAMEWAY_SERVER_ENGINE },
    ledger: ledgerConfigFromEnv(env),
    ...(runtime || Object.keys(runtimeOptions).length > 0
      ? {
          session: {
            ...(runtime ? { runtime } : {}),
            ...(Object.keys(runtimeOptions).length > 0 ? { runtimeOptions } : {}),
          },
        }
      : {}),
    ...(env.FRAMEWAY_ADMIN_TOKEN ? { fleet: { adminToken: env.FRAMEWAY_ADMIN_TOKEN } } : {}),
  };
  const config = loadGatewayConfig(mergeConfig(defaults, fromFile, fromCli));
  const gateway = new Gateway(config);
  await gateway.start();
  // Demo mode: the demo studio's API key for this run (loopback callers only), before the ready line.
  if (gateway.demoApiKey) process.stdout.write(`FRAMEWAY_STUDIO_DEMO_KEY ${gateway.demoApiKey}\n`);
  // The one line a launcher waits for: machine-readable, on stdout.
  process.stdout.write(`FRAMEWAY_GATEWAY_READY ${gateway.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    rootLogger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  rootLogger.fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
});
