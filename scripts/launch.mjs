// Starts a gateway and one edge agent as real child processes. Used by
// `npm start` (scripts/demo.mjs) and by the end-to-end test fixture, so the
// demo and the tests run the system exactly the same way.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const GATEWAY_CLI = join(root, 'gateway', 'dist', 'cli.js');
export const AGENT_CLI = join(root, 'edge-agent', 'dist', 'cli.js');

/**
 * @param {{ port?: number, host?: string, env?: Record<string,string>, agentId?: string,
 *           agentArgs?: string[], gatewayArgs?: string[],
 *           log?: (line: string, source: 'gateway'|'agent') => void,
 *           readyTimeoutMs?: number }} [options]
 */
export async function launchFrameway(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const secret = randomBytes(18).toString('base64url');
  const env = { ...process.env, FRAMEWAY_AGENT_SECRET: secret, ...options.env };
  const log = options.log ?? (() => {});
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const children = new Set();

  const start = (name, cli, args) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => log(line, name));
    }
    return child;
  };

  const stopAll = async () => {
    const exiting = [...children].map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      return exited.finally(() => clearTimeout(force));
    });
    await Promise.all(exiting);
  };

  try {
    const gateway = start('gateway', GATEWAY_CLI, [
      '--host',
      host,
      '--port',
      String(options.port ?? 8080),
      '--demo',
      ...(options.gatewayArgs ?? []),
    ]);
    const url = await waitForLine(gateway, /^FRAMEWAY_GATEWAY_READY (\S+)/, readyTimeoutMs, 'gateway');
    const agentId = options.agentId ?? 'local-agent';
    const agentUrl = `${url.replace(/^http/, 'ws')}/ws/agent`;
    const agent = start('agent', AGENT_CLI, [
      '--gateway',
      agentUrl,
      '--secret',
      secret,
      '--id',
      agentId,
      ...(options.agentArgs ?? []),
    ]);
    await waitForNode(url, agentId, readyTimeoutMs, agent);
    return {
      url: `${url}/`,
      gateway,
      agent,
      /** Kills the agent abruptly (SIGKILL), as a crashed node would die. */
      async killAgent() {
        if (agent.exitCode !== null || agent.signalCode !== null) return;
        const exited = once(agent, 'exit');
        agent.kill('SIGKILL');
        await exited;
      },
      stop: stopAll,
      async [Symbol.asyncDispose]() {
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function waitForLine(child, pattern, timeoutMs, name) {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error(`${name} not ready within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code) => fail(new Error(`${name} exited with ${code} before it was ready`));
    const fail = (error) => {
      clearTimeout(timer);
      rl.close();
      child.off('exit', onExit);
      reject(error);
    };
    child.once('exit', onExit);
    rl.on('line', (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      rl.close();
      resolve(match[1]);
    });
  });
}

async function waitForNode(url, agentId, timeoutMs, agent) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (agent.exitCode !== null) throw new Error(`agent exited with ${agent.exitCode} before registering`);
    try {
      const health = await (await fetch(`${url}/healthz`)).json();
      if (health.nodes >= 1) return;
    } catch {
      // gateway still starting
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`agent ${agentId} did not register within ${timeoutMs} ms`);
}
