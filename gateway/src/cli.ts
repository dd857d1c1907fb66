#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEMO_AGENT_SECRET } from '@frameway/protocol';
import { loadGatewayConfig } from './config.js';
import { Gateway } from './Gateway.js';
import { rootLogger } from './logging/logger.js';

/**
 * frameway-gateway [--host H] [--port P] [--demo] [--engine auto|uws|node]
 * Environment: HOST, PORT, FRAMEWAY_DEMO=1, FRAMEWAY_AGENT_SECRET, FRAMEWAY_TOKEN_SECRET,
 * FRAMEWAY_PUBLIC_URL, FRAMEWAY_SERVER_ENGINE, FRAMEWAY_DATABASE (default .data/gateway.db), LOG_LEVEL.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      demo: { type: 'boolean' },
      engine: { type: 'string' },
    },
  });
  const env = process.env;
  const demo = values.demo ?? env.FRAMEWAY_DEMO === '1';
  const agentSecret = env.FRAMEWAY_AGENT_SECRET ?? (demo ? DEMO_AGENT_SECRET : undefined);
  if (!agentSecret) throw new Error('FRAMEWAY_AGENT_SECRET is required outside demo mode');
  const config = loadGatewayConfig({
    host: values.host ?? env.HOST ?? '127.0.0.1',
    port: Number(values.port ?? env.PORT ?? 8080),
    demo,
    agentSecret,
    database: env.FRAMEWAY_DATABASE ?? '.data/gateway.db',
    ...(env.FRAMEWAY_TOKEN_SECRET ? { tokenSecret: env.FRAMEWAY_TOKEN_SECRET } : {}),
    ...(env.FRAMEWAY_PUBLIC_URL ? { publicUrl: env.FRAMEWAY_PUBLIC_URL } : {}),
    server: { engine: values.engine ?? env.FRAMEWAY_SERVER_ENGINE ?? 'auto' },
  });
  const gateway = new Gateway(config);
  await gateway.start();
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
