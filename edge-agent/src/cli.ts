#!/usr/bin/env node
import { ConfigError } from './ConfigError.js';
import { loadConfig } from './config.js';
import { EdgeAgent } from './EdgeAgent.js';
import { createLogger } from './logging/logger.js';
import { CLI_USAGE, parseCliArgs } from './parseCliArgs.js';

const log = createLogger('cli');
// A stuck shutdown must still end the process; the exit hook kills any ffmpeg left.
const SHUTDOWN_DEADLINE_MS = 15_000;

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCliArgs>;
  let agent: EdgeAgent;
  try {
    command = parseCliArgs(process.argv.slice(2), process.env);
    if (command.kind === 'help') {
      process.stdout.write(CLI_USAGE);
      return;
    }
    agent = new EdgeAgent({ config: loadConfig(command.config) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`frameway-agent: ${error.issues.join('\n  ')}\n\n${CLI_USAGE}`);
    process.exitCode = 2;
    return;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without a clean shutdown');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'signal received');
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    agent.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Operator drain: no new sessions here, the current ones finish (docs/placement.md).
  process.on('SIGUSR2', () => {
    agent.drain().then(
      () => log.info('drain requested: no new sessions, the current ones finish'),
      (error: unknown) => log.warn({ err: error }, 'drain request failed'),
    );
  });

  try {
    await agent.start();
  } catch (error) {
    log.fatal({ err: error }, 'agent failed to start');
    await agent.close();
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'agent crashed');
  process.exit(1);
});
