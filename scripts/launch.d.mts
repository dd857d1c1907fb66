import type { ChildProcess } from 'node:child_process';

export const GATEWAY_CLI: string;
export const AGENT_CLI: string;

export interface LaunchOptions {
  /** Gateway port; 0 picks a free one. Default 8080. */
  port?: number;
  host?: string;
  env?: Record<string, string>;
  agentId?: string;
  agentArgs?: string[];
  /** Extra gateway flags, e.g. the default session runtime: ['--runtime', 'x11', '--cmd', 'ltris']. */
  gatewayArgs?: string[];
  /** Receives every output line of both processes. */
  log?: (line: string, source: 'gateway' | 'agent') => void;
  readyTimeoutMs?: number;
}

export interface LaunchedFrameway extends AsyncDisposable {
  /** Player page URL, e.g. http://127.0.0.1:8080/ */
  url: string;
  gateway: ChildProcess;
  agent: ChildProcess;
  /** Kills the agent with SIGKILL, as a crashed node would die. */
  killAgent(): Promise<void>;
  /** SIGTERM to both (SIGKILL after 5 s); resolves once both exited. */
  stop(): Promise<void>;
}

export function launchFrameway(options?: LaunchOptions): Promise<LaunchedFrameway>;
