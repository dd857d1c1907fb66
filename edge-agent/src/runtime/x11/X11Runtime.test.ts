import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeInputEvents, encodeInputEvents, type InputEvent, InputEventType } from '@frameway/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, isProcessAlive } from '../../../testing/processes.js';
import { resolveFfmpeg } from '../../ffmpeg/resolveFfmpeg.js';
import type { VideoCapture, VideoSink } from '../SessionRuntime.js';
import { findExecutable } from '../spawnTied.js';
import { X11Runtime, type X11RuntimeOptions } from './X11Runtime.js';

const PROBE_APP = join(import.meta.dirname, 'fixtures', 'x11ProbeApp.mjs');
const LTRIS = findExecutable('ltris', `${process.env.PATH}:/usr/games`);
if (!LTRIS) console.warn('[skip] x11 runtime ltris test: ltris is not installed (apt: ltris)');
const missing = ['Xvfb', 'xdpyinfo'].filter((tool) => !findExecutable(tool)).slice(0, 1);
if (missing.length > 0) console.warn(`[skip] x11 runtime tests: ${missing.join(', ')} not installed (apt: xvfb)`);

const video = { width: 320, height: 240, fps: 30 };
const nullSink: VideoSink = { ready: false, pushFrame: () => false, writeEncoded: () => false };

interface Recorded {
  name: string;
  keycode?: number;
  keysym?: number;
  state?: number;
  button?: number;
  x?: number;
  y?: number;
  text?: string | null;
}

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-x11-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function runtime(command: string[], options: Partial<X11RuntimeOptions> = {}): X11Runtime {
  const created = new X11Runtime({ sessionId: 'x11-test', video, command, audio: false, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** Starts the probe app; resolves with the runtime and a reader of the events it recorded. */
async function probeSession(options: Partial<X11RuntimeOptions> = {}) {
  const events = join(tempDir(), 'events.jsonl');
  const x11 = runtime(['node', PROBE_APP, events], options);
  const capture = await x11.prepare();
  await x11.start(nullSink);
  const recorded = (): Recorded[] =>
    existsSync(events)
      ? readFileSync(events, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Recorded)
      : [];
  await eventually(() => recorded().some((e) => e.name === 'Ready'), 5_000, 'probe app ready');
  return { x11, capture, recorded };
}

/** One frame of the display as packed RGB, grabbed the way the session's encoder grabs it. */
function grab(capture: VideoCapture): Buffer {
  if (capture.kind !== 'x11grab') throw new Error('not an X display');
  const result = spawnSync(
    resolveFfmpeg().path,
    [
      '-loglevel',
      'error',
      '-f',
      'x11grab',
      '-video_size',
      `${capture.width}x${capture.height}`,
      '-i',
      capture.display,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { env: { ...process.env, ...capture.env }, maxBuffer: 16 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`x11grab failed: ${result.stderr}`);
  return result.stdout;
}

function pixel(frame: Buffer, x: number, y: number, width = video.width): [number, number, number] {
  const offset = (y * width + x) * 3;
  return [frame[offset] as number, frame[offset + 1] as number, frame[offset + 2] as number];
}

const key = (usage: number, down = true): InputEvent => ({
  type: down ? InputEventType.KeyDown : InputEventType.KeyUp,
  usage,
  modifiers: 0,
});
const tap = (usage: number): InputEvent[] => [key(usage), key(usage, false)];

describe.skipIf(missing.length > 0)('X11Runtime', () => {
  it('runs a program on a private display that ffmpeg can grab and the program draws on', async () => {
    const { x11, capture } = await probeSession();
    expect(capture.video).toMatchObject({ kind: 'x11grab', width: 320, height: 240 });
    expect(x11.lifecycle).toBe('ready');
    const display = (capture.video as { display: string }).display;
    expect(display).toMatch(/^:\d+$/);
    // The probe app paints its first marker colour (red) into the top-left square.
    await eventually(() => pixel(grab(capture.video), 10, 10)[0] > 200, 5_000, 'marker drawn');
    // Only the session's cookie opens the display.
    const noAuth = spawnSync('xdpyinfo', ['-display', display], {
      env: { PATH: process.env.PATH, XAUTHORITY: '/nonexistent' },
    });
    expect(noAuth.status).not.toBe(0);
    const withAuth = spawnSync('xdpyinfo', ['-display', display], { env: { PATH: process.env.PATH, ...x11.env } });
    expect(withAuth.status).toBe(0);
  });

  it('delivers keys by physical position and pointer events at the scaled position, and the picture changes', async () => {
    const { x11, capture, recorded } = await probeSession();
    const before = pixel(grab(capture.video), 10, 10);
    // KeyA, ArrowUp, then Shift+KeyA; physical keys whatever the layout.
    x11.applyInput([...tap(0x04), ...tap(0x52), key(0xe1), ...tap(0x04), key(0xe1, false)]);
    x11.applyInput([
      { type: InputEventType.PointerMove, x: 0xffff, y: 0xffff },
      { type: InputEventType.PointerDown, button: 0, x: 32768, y: 16384 },
      { type: InputEventType.PointerUp, button: 0, x: 32768, y: 16384 },
      { type: InputEventType.PointerDown, button: 2, x: 0, y: 0 },
      { type: InputEventType.PointerUp, button: 2, x: 0, y: 0 },
    ]);
    await eventually(() => recorded().filter((e) => e.name === 'ButtonRelease').length >= 2, 5_000, 'buttons');
    const presses = recorded().filter((e) => e.name === 'KeyPress');
    expect(presses.map((e) => e.keysym)).toEqual([0x61, 0xff52, 0xffe1, 0x61]);
    // Shift is held (state bit 0) for the second 'a'.
    expect((presses[3]?.state ?? 0) & 1).toBe(1);
    expect(recorded().filter((e) => e.name === 'KeyRelease')).toHaveLength(4);
    expect(recorded().some((e) => e.name === 'MotionNotify' && e.x === 319 && e.y === 239)).toBe(true);
    const buttons = recorded().filter((e) => e.name === 'ButtonPress');
    expect(buttons).toEqual([
      expect.objectContaining({ button: 1, x: 160, y: 60 }),
      expect.objectContaining({ button: 3, x: 0, y: 0 }),
    ]);
    const after = grab(capture.video);
    expect(pixel(after, 10, 10)).not.toEqual(before);
    // The probe app marks the left click where it landed.
    expect(pixel(after, 160, 60)).toEqual([255, 255, 255]);
  });

  it('types text the layout lacks through a borrowed keycode, and serves the player clipboard to a paste', async () => {
    // A second display in the same process: atom numbers differ per server, and
    // the x11 package shares one atom cache across clients unless isolated.
    await probeSession();
    const { x11, recorded } = await probeSession();
    x11.applyInput([{ type: InputEventType.Text, text: 'hé€' }]);
    x11.applyInput([{ type: InputEventType.Clipboard, text: 'copied from the player ✓' }, ...tap(0x42 /* F9 */)]);
    await eventually(() => recorded().some((e) => e.name === 'Paste'), 5_000, 'paste');
    const typed = recorded()
      .filter((e) => e.name === 'KeyPress' && e.keysym !== 0xffc6)
      .map((e) => e.keysym);
    expect(typed).toEqual([0x68, 0xe9, 0x10020ac]);
    expect(recorded().find((e) => e.name === 'Paste')?.text).toBe('copied from the player ✓');
    expect(x11.clipboardText).toBe('copied from the player ✓');
  });

  it('takes any input the codec accepts without losing its X connection or the program', async () => {
    const { x11, recorded } = await probeSession();
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const i16 = fc.integer({ min: -32768, max: 32767 });
    const event: fc.Arbitrary<InputEvent> = fc.oneof(
      fc.record({
        type: fc.constantFrom(InputEventType.KeyDown, InputEventType.KeyUp),
        usage: u16,
        modifiers: fc.nat(255),
      }),
      fc.record({ type: fc.constant(InputEventType.PointerMove), x: u16, y: u16 }),
      fc.record({ type: fc.constantFrom(InputEventType.PointerDelta, InputEventType.Wheel), dx: i16, dy: i16 }),
      fc.record({
        type: fc.constantFrom(InputEventType.PointerDown, InputEventType.PointerUp),
        button: fc.nat(4),
        x: u16,
        y: u16,
      }),
      fc.record({
        type: fc.constantFrom(InputEventType.TouchDown, InputEventType.TouchMove, InputEventType.TouchUp),
        id: fc.nat(9),
        x: u16,
        y: u16,
        pressure: fc.nat(255),
      }),
      fc.record({ type: fc.constant(InputEventType.Text), text: fc.string({ maxLength: 8 }) }),
      fc.record({ type: fc.constant(InputEventType.Clipboard), text: fc.string({ maxLength: 40 }) }),
      fc.record({ type: fc.constant(InputEventType.NavKey), key: fc.constantFrom(0, 1, 2), down: fc.boolean() }),
    ) as fc.Arbitrary<InputEvent>;
    const batches = fc.sample(fc.array(event, { minLength: 1, maxLength: 8 }), { numRuns: 300, seed: 7 });
    let applied = 0;
    for (const batch of batches) {
      // Through the wire format, as the agent gets them.
      x11.applyInput(decodeInputEvents(encodeInputEvents(batch)));
      applied++;
    }
    expect(applied).toBe(300);
    // Release whatever the noise left held, then a plain key still arrives as itself.
    const before = recorded().length;
    x11.applyInput([...tap(0x1d /* KeyZ */)]);
    await eventually(
      () =>
        recorded()
          .slice(before)
          .some((e) => e.name === 'KeyPress' && e.keysym === 0x7a),
      5_000,
      'KeyZ after the noise',
    );
    expect(x11.lifecycle).toBe('ready');
  });

  it('gives two sessions two displays, and frees display, program and files on close', async () => {
    const a = await probeSession();
    const b = await probeSession();
    expect(a.x11.display).not.toBe(b.x11.display);
    const pid = a.x11.pid as number;
    const display = a.x11.display as string;
    await a.x11.close();
    expect(a.x11.lifecycle).toBe('stopped');
    expect(isProcessAlive(pid)).toBe(false);
    await eventually(() => !existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), 3_000, 'display socket removed');
  });

  it('ends the session when the program exits on its own', async () => {
    const x11 = runtime(['sh', '-c', 'sleep 0.3; exit 7'], { readyTimeoutMs: 100 });
    await x11.prepare();
    await x11.start(nullSink);
    const [message] = await x11.waitFor('exit');
    expect(message).toMatch(/exited with code 7/);
    expect(x11.lifecycle).toBe('stopped');
  });

  it('fails start with FW_ERR_RUNTIME_FAILED when the program cannot run, naming it', async () => {
    const x11 = runtime(['/nonexistent/game']);
    await x11.prepare();
    await expect(x11.start(nullSink)).rejects.toMatchObject({
      code: 'FW_ERR_RUNTIME_FAILED',
      message: expect.stringContaining('/nonexistent/game'),
    });
  });

  it('hides the agent environment (the fleet secret) from the program', async () => {
    process.env.FRAMEWAY_AGENT_SECRET = 'must-not-leak';
    cleanups.push(() => delete process.env.FRAMEWAY_AGENT_SECRET);
    const out = join(tempDir(), 'env.txt');
    const x11 = runtime(['sh', '-c', `env > ${out}; sleep 5`], { readyTimeoutMs: 200 });
    await x11.prepare();
    await x11.start(nullSink);
    await eventually(() => existsSync(out) && readFileSync(out, 'utf8').includes('DISPLAY='), 3_000, 'env dump');
    const env = readFileSync(out, 'utf8');
    expect(env).not.toContain('must-not-leak');
    expect(env).toMatch(/^XAUTHORITY=/m);
    expect(env).toMatch(/^HOME=.*frameway-/m);
  });

  it.skipIf(!LTRIS)('plays a real Debian game: the ltris menu follows the arrow keys and Enter', async () => {
    const x11 = runtime([LTRIS as string], { video: { width: 640, height: 480, fps: 30 }, readyTimeoutMs: 10_000 });
    const capture = await x11.prepare();
    await x11.start(nullSink);
    /** Pixels whose red channel moved by more than 40. */
    const changed = (a: Buffer, b: Buffer) => {
      let count = 0;
      for (let i = 0; i < a.length; i += 3) if (Math.abs((a[i] as number) - (b[i] as number)) > 40) count++;
      return count;
    };
    // The title screen fades in, then stands still until a key arrives.
    let title = grab(capture.video);
    await eventually(
      () => {
        const previous = title;
        title = grab(capture.video);
        return title.some((byte) => byte > 100) && changed(previous, title) === 0;
      },
      10_000,
      'a still ltris menu',
    );
    x11.applyInput(tap(0x51)); // ArrowDown highlights "New Game"
    let highlighted = title;
    await eventually(
      () => {
        highlighted = grab(capture.video);
        return changed(title, highlighted) > 100;
      },
      5_000,
      'menu highlight',
    );
    x11.applyInput(tap(0x28)); // Enter opens the New Game menu
    await eventually(() => changed(highlighted, grab(capture.video)) > 2_000, 5_000, 'new game menu');
  });
});
