import type { ChildProcess } from 'node:child_process';

export const GATEWAY_CLI: string;
export const AGENT_CLI: string;

/** One of several agents (`LaunchOptions.agents`). */
export interface AgentSpec {
  /** Its agent id, also the key of `LaunchedFrameway.agents`. */
  id: string;
  /** Agent flags, e.g. ['--probe-delay-ms', '20']. */
  args?: string[];
  /** Extra environment of this agent alone. */
  env?: Record<string, string>;
}

export interface LaunchOptions {
  /** Gateway port; 0 picks a free one. Default 8080. */
  port?: number;
  host?: string;
  env?: Record<string, string>;
  /** Id and flags of the one agent (ignored when `agents` is given). */
  agentId?: string;
  agentArgs?: string[];
  /** Several agents instead of one, each with its own id, flags and environment; all must register. */
  agents?: AgentSpec[];
  /** Extra gateway flags, e.g. the default session runtime: ['--runtime', 'x11', '--cmd', 'ltris']. */
  gatewayArgs?: string[];
  /** Receives every output line of every process (`agentId` only when `agents` was given). */
  log?: (line: string, source: 'gateway' | 'agent', agentId?: string) => void;
  readyTimeoutMs?: number;
}

export interface LaunchedFrameway extends AsyncDisposable {
  /** Player page URL, e.g. http://127.0.0.1:8080/ */
  url: string;
  gateway: ChildProcess;
  /** The (first) agent. */
  agent: ChildProcess;
  /** Every agent by id. */
  agents: ReadonlyMap<string, ChildProcess>;
  /** Kills an agent (the first by default) with SIGKILL, as a crashed node would die; resolves once it exited. */
  killAgent(id?: string): Promise<void>;
  /** SIGTERM to every process (SIGKILL after 5 s); resolves once all exited. */
  stop(): Promise<void>;
}

export function launchFrameway(options?: LaunchOptions): Promise<LaunchedFrameway>;
