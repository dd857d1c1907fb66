import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputEventType } from '@frameway/protocol';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDockerEngine } from '../../../testing/FakeDockerEngine.js';
import { eventually } from '../../../testing/processes.js';
import type { VideoSink } from '../SessionRuntime.js';
import { findExecutable } from '../spawnTied.js';
import { DockerRuntime } from './DockerRuntime.js';

const PROBE_APP = join(import.meta.dirname, '..', 'x11', 'fixtures', 'x11ProbeApp.mjs');
const hasXvfb = findExecutable('Xvfb') !== undefined;
if (!hasXvfb) console.warn('[skip] docker runtime tests: Xvfb is not installed (apt: xvfb)');

// A real engine is only used when one is reachable and an image to run is named.
const engineSocket = process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') ?? '/var/run/docker.sock';
const liveImage = process.env.FRAMEWAY_TEST_DOCKER_IMAGE;
const liveSkip = !existsSync(engineSocket)
  ? `no Docker engine at ${engineSocket} (set DOCKER_HOST or start dockerd)`
  : !liveImage
    ? 'FRAMEWAY_TEST_DOCKER_IMAGE is not set (an X11 game image present on the engine)'
    : undefined;
if (liveSkip) console.warn(`[skip] docker runtime live test: ${liveSkip}`);

const video = { width: 320, height: 240, fps: 30 };
const nullSink: VideoSink = { ready: false, pushFrame: () => false, writeEncoded: () => false };
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-docker-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.skipIf(!hasXvfb)('DockerRuntime against the Engine API (dockerode → fake engine on a unix socket)', () => {
  async function session(images: Record<string, string[]>, image: string) {
    const engine = await FakeDockerEngine.start(tempDir(), images);
    cleanups.push(() => engine.close());
    const runtime = new DockerRuntime({
      sessionId: 'docker-1',
      video,
      docker: new Docker({ socketPath: engine.socketPath }),
      image,
      gpus: 'all',
      limits: { memoryMiB: 1024, cpus: 1, pids: 256 },
      readyTimeoutMs: 5_000,
    });
    cleanups.push(() => runtime.close());
    return { engine, runtime };
  }

  it('runs the game container on the session display with input, and removes it at the end', async () => {
    const events = join(tempDir(), 'events.jsonl');
    const { engine, runtime } = await session({ 'games/probe:1': ['node', PROBE_APP, events] }, 'games/probe:1');
    const capture = await runtime.prepare();
    expect(capture.video.kind).toBe('x11grab');
    await runtime.start(nullSink);
    expect(runtime.lifecycle).toBe('ready');
    const [container] = [...engine.containers.values()];
    expect(container?.name).toBe('frameway-docker-1');
    expect(container?.body.HostConfig?.DeviceRequests?.[0]).toMatchObject({ Driver: 'nvidia', Count: -1 });
    // The program reached the display through the mounted socket and cookie, and gets input.
    runtime.applyInput([
      { type: InputEventType.KeyDown, usage: 0x04, modifiers: 0 },
      { type: InputEventType.KeyUp, usage: 0x04, modifiers: 0 },
    ]);
    await eventually(() => existsSync(events) && readFileSync(events, 'utf8').includes('"keysym":97'), 5_000, 'key');
    await runtime.close();
    expect(container?.removed).toBe(true);
    expect(engine.requests.map((r) => `${r.method} ${r.path.replace(container!.id, 'ID')}`)).toEqual(
      expect.arrayContaining(['POST /containers/create', 'POST /containers/ID/start', 'DELETE /containers/ID']),
    );
  });

  it('ends the session when the container exits, and still removes it', async () => {
    const { engine, runtime } = await session({ 'games/crash:1': ['sh', '-c', 'sleep 0.5; exit 3'] }, 'games/crash:1');
    await runtime.prepare();
    const exit = runtime.waitFor('exit');
    await runtime.start(nullSink).catch(() => undefined);
    const [message] = await exit;
    expect(message).toMatch(/exited with code 3/);
    await runtime.close();
    expect([...engine.containers.values()][0]?.removed).toBe(true);
  });

  it('fails start with FW_ERR_RUNTIME_FAILED naming the image the engine does not have', async () => {
    const { runtime } = await session({}, 'games/missing:1');
    await runtime.prepare();
    await expect(runtime.start(nullSink)).rejects.toMatchObject({
      code: 'FW_ERR_RUNTIME_FAILED',
      message: expect.stringContaining('games/missing:1'),
    });
  });
});

describe.skipIf(liveSkip !== undefined || !hasXvfb)('DockerRuntime on a real Docker engine', () => {
  it('starts the image with the GPU request, streams its display and removes the container', async () => {
    const docker = new Docker({ socketPath: engineSocket });
    const runtime = new DockerRuntime({ sessionId: 'docker-live', video, docker, image: liveImage as string });
    cleanups.push(() => runtime.close());
    await runtime.prepare();
    await runtime.start(nullSink);
    const id = runtime.containerId as string;
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(true);
    await runtime.close();
    await expect(docker.getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
