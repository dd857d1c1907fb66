// Starts a gateway and one edge agent (or several: `agents`) as real child
// processes. Used by `npm start` (scripts/demo.mjs) and by the end-to-end test
// fixture, so the demo and the tests run the system exactly the same way.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const GATEWAY_CLI = join(root, 'gateway', 'dist', 'cli.js');
export const AGENT_CLI = join(root, 'edge-agent', 'dist', 'cli.js');
/** Time a process gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * @param {{ port?: number, host?: string, env?: Record<string,string>, agentId?: string,
 *           agentArgs?: string[], gatewayArgs?: string[],
 *           agents?: { id: string, args?: string[], env?: Record<string,string> }[],
 *           log?: (line: string, source: 'gateway'|'agent', agentId?: string) => void,
 *           readyTimeoutMs?: number }} [options]
 */
export async function launchFrameway(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const secret = randomBytes(18).toString('base64url');
  const env = { ...process.env, FRAMEWAY_AGENT_SECRET: secret, ...options.env };
  const log = options.log ?? (() => {});
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const children = new Set();

  /** @type {WeakMap<import('node:child_process').ChildProcess, EventEmitter>} */
  const stdoutLines = new WeakMap();
  const start = (name, cli, args, extra = {}, agentId = undefined) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    // One reader per stream for the child's whole life: a second readline that closes would
    // pause the stream, and a child whose stdout pipe fills up blocks on its next log line.
    const lines = new EventEmitter();
    stdoutLines.set(child, lines);
    createInterface({ input: child.stdout }).on('line', (line) => {
      log(line, name, agentId);
      lines.emit('line', line);
    });
    createInterface({ input: child.stderr }).on('line', (line) => log(line, name, agentId));
    return child;
  };

  const stopAll = async () => {
    await Promise.all([...children].map((child) => stopChild(child, STOP_GRACE_MS)));
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
    const url = await waitForLine(
      gateway,
      stdoutLines.get(gateway),
      /^FRAMEWAY_GATEWAY_READY (\S+)/,
      readyTimeoutMs,
      'gateway',
    );
    const agentUrl = `${url.replace(/^http/, 'ws')}/ws/agent`;
    // One agent unless `agents` lists several (each its own id, flags and environment).
    const specs = options.agents ?? [{ id: options.agentId ?? 'local-agent', args: options.agentArgs ?? [] }];
    const multi = options.agents !== undefined;
    /** @type {Map<string, import('node:child_process').ChildProcess>} */
    const agents = new Map();
    for (const spec of specs) {
      if (agents.has(spec.id)) throw new Error(`agent id ${spec.id} is listed twice`);
      const args = ['--gateway', agentUrl, '--secret', secret, '--id', spec.id, ...(spec.args ?? [])];
      agents.set(spec.id, start('agent', AGENT_CLI, args, spec.env, multi ? spec.id : undefined));
    }
    await waitForNodes(url, [...agents.keys()], readyTimeoutMs, [...agents.values()]);
    const agent = agents.values().next().value;
    return {
      url: `${url}/`,
      gateway,
      agent,
      agents,
      /** Kills an agent (the first one by default) abruptly (SIGKILL), as a crashed node would die. */
      async killAgent(id) {
        const child = id === undefined ? agent : agents.get(id);
        if (!child) throw new Error(`no agent ${id}`);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
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

/**
 * Stops a child the way the agent's stopChildProcess does (this script is plain
 * JS outside the packages, so it keeps its own copy of the steps): SIGTERM, then
 * SIGCONT (a stopped process acts on SIGTERM only once continued), SIGKILL after
 * the grace; resolves once it has exited. A child that already exited or never
 * started is not signalled.
 */
async function stopChild(child, graceMs) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  child.kill('SIGCONT');
  const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(force);
  }
}

function waitForLine(child, lines, pattern, timeoutMs, name) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} not ready within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code) => fail(new Error(`${name} exited with ${code} before it was ready`));
    const done = () => {
      clearTimeout(timer);
      lines.off('line', onLine);
      child.off('exit', onExit);
    };
    const fail = (error) => {
      done();
      reject(error);
    };
    const onLine = (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      done();
      resolve(match[1]);
    };
    child.once('exit', onExit);
    lines.on('line', onLine);
  });
}

async function waitForNodes(url, agentIds, timeoutMs, agents) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = agents.findIndex((agent) => agent.exitCode !== null);
    if (dead >= 0) throw new Error(`agent ${agentIds[dead]} exited with ${agents[dead].exitCode} before registering`);
    try {
      const health = await (await fetch(`${url}/healthz`)).json();
      if (health.nodes >= agentIds.length) return;
    } catch {
      // gateway still starting
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`agent ${agentIds.join(', ')} did not register within ${timeoutMs} ms`);
}
