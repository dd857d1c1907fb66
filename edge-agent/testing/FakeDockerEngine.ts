import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as v from 'valibot';
import { ContainerCreateBody, ContainerName } from './engineApiSchema.js';

type CreateBody = v.InferOutput<typeof ContainerCreateBody>;

export interface FakeContainer {
  id: string;
  name: string;
  body: CreateBody;
  state: 'created' | 'running' | 'exited';
  removed: boolean;
  process?: ChildProcess;
  exitCode?: number;
}

export interface EngineRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

/**
 * A Docker Engine API stand-in on a unix socket, for the agent's real
 * dockerode client: create (the body is checked against the API schema
 * subset, 400 like the daemon otherwise), start, wait, stop, delete. A
 * "container" is a local process: the image names a command, and the
 * container's environment is passed with every bind-mount target path
 * rewritten to its host source — what the mount namespace would show the
 * program. It proves the request wires display, cookie and audio correctly,
 * not that an image runs: that needs a real engine.
 */
export class FakeDockerEngine {
  readonly requests: EngineRequest[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly socketPath: string;
  readonly #server: Server;
  readonly #images: Readonly<Record<string, readonly string[]>>;

  private constructor(server: Server, socketPath: string, images: Readonly<Record<string, readonly string[]>>) {
    this.#server = server;
    this.socketPath = socketPath;
    this.#images = images;
  }

  /** `images`: image reference → the command its "container" runs. */
  static async start(dir: string, images: Readonly<Record<string, readonly string[]>>): Promise<FakeDockerEngine> {
    const socketPath = join(dir, 'docker.sock');
    let engine: FakeDockerEngine | undefined;
    const server = createServer((request, response) => {
      engine?.handle(request, response).catch((error: unknown) => reply(response, 500, { message: String(error) }));
    });
    server.listen(socketPath);
    await once(server, 'listening');
    engine = new FakeDockerEngine(server, socketPath, images);
    return engine;
  }

  async close(): Promise<void> {
    for (const container of this.containers.values()) container.process?.kill('SIGKILL');
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** @internal */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://engine');
    const path = url.pathname.replace(/^\/v1\.\d+/, '');
    this.requests.push({ method: request.method ?? '', path, query: url.searchParams });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const match = /^\/containers\/([^/]+)(?:\/(start|wait|stop))?$/.exec(path);
    if (request.method === 'POST' && path === '/containers/create') {
      return this.#create(url.searchParams.get('name') ?? '', Buffer.concat(chunks).toString('utf8'), response);
    }
    const container = match ? this.containers.get(match[1] as string) : undefined;
    if (!match || !container || container.removed) return reply(response, 404, { message: 'No such container' });
    const action = match[2];
    if (request.method === 'POST' && action === 'start') return this.#start(container, response);
    if (request.method === 'POST' && action === 'wait') return this.#wait(container, response);
    if (request.method === 'POST' && action === 'stop') {
      if (container.state !== 'running') return reply(response, 304);
      container.process?.kill('SIGTERM');
      await once(container.process as ChildProcess, 'exit');
      return reply(response, 204);
    }
    if (request.method === 'DELETE' && action === undefined) {
      if (container.state === 'running') {
        if (url.searchParams.get('force') !== 'true') return reply(response, 409, { message: 'container is running' });
        container.process?.kill('SIGKILL');
        await once(container.process as ChildProcess, 'exit');
      }
      container.removed = true;
      return reply(response, 204);
    }
    return reply(response, 404, { message: `no route ${request.method} ${path}` });
  }

  #create(name: string, json: string, response: ServerResponse): void {
    // dockerode sends its whole options object as the body too, `name` included;
    // the daemon takes the name from the query and ignores it in the body.
    const { name: _ignored, ...body } = JSON.parse(json) as Record<string, unknown>;
    const parsed = v.safeParse(ContainerCreateBody, body);
    if (!parsed.success) {
      const issues = parsed.issues.map((issue) => `${issue.path?.map((p) => p.key).join('.')}: ${issue.message}`);
      reply(response, 400, { message: `invalid body: ${issues.join('; ')}` });
      return;
    }
    if (!v.is(ContainerName, name)) {
      reply(response, 400, { message: `invalid container name ${name}` });
      return;
    }
    if (!this.#images[parsed.output.Image]) {
      reply(response, 404, { message: `No such image: ${parsed.output.Image}` });
      return;
    }
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, { id, name, body: parsed.output, state: 'created', removed: false });
    reply(response, 201, { Id: id, Warnings: [] });
  }

  #start(container: FakeContainer, response: ServerResponse): void {
    const [file, ...args] = this.#images[container.body.Image] as [string, ...string[]];
    const mounts = (container.body.HostConfig?.Binds ?? []).map((bind) => bind.split(':') as [string, string]);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    for (const entry of container.body.Env ?? []) {
      const at = entry.indexOf('=');
      let value = entry.slice(at + 1);
      for (const [source, target] of mounts) value = value.split(target).join(source);
      env[entry.slice(0, at)] = value;
    }
    const child = spawn(file, args, { env, stdio: 'ignore' });
    container.process = child;
    container.state = 'running';
    child.once('exit', (code) => {
      container.state = 'exited';
      container.exitCode = code ?? 137;
    });
    reply(response, 204);
  }

  async #wait(container: FakeContainer, response: ServerResponse): Promise<void> {
    if (container.state === 'running') await once(container.process as ChildProcess, 'exit');
    reply(response, 200, { StatusCode: container.exitCode ?? 0, Error: null });
  }
}

function reply(response: ServerResponse, status: number, body?: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}
