import { type LaunchedFrameway, type LaunchOptions, launchFrameway } from '../../scripts/launch.mjs';

export interface StartedFrameway extends LaunchedFrameway {
  /** Every output line of both processes, for diagnosing a failed test. */
  readonly logs: string[];
}

/**
 * Starts the built gateway and one edge agent (or `agents`) as real processes on loopback
 * (port 0 = any free port). Dispose it to stop both.
 * @example await using frameway = await startFrameway({ port: 0 });
 */
export async function startFrameway(options: Omit<LaunchOptions, 'log'> = {}): Promise<StartedFrameway> {
  const logs: string[] = [];
  const launched = await launchFrameway({
    port: 0,
    ...options,
    // Tests never share state through the demo's database file.
    env: { FRAMEWAY_DATABASE: ':memory:', ...options.env },
    log: (line, source, agentId) => {
      const from = agentId === undefined ? source : `${source} ${agentId}`;
      logs.push(`[${from}] ${line}`);
      if (logs.length > 5000) logs.shift();
      if (process.env.FRAMEWAY_TEST_LOGS === '1') process.stderr.write(`[${from}] ${line}\n`);
    },
  });
  return Object.assign(launched, { logs });
}
