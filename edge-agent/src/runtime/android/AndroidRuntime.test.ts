import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputEventType, NavKey } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../testing/processes.js';
import type { VideoSink } from '../SessionRuntime.js';
import { AdbKeyStore } from './AdbKeyStore.js';
import { AndroidRuntime } from './AndroidRuntime.js';
import { connectAdb, splitAddress } from './connectAdb.js';
import { DevicePool } from './DevicePool.js';

// A live phone is used only when one is named: e.g. a redroid container's adbd and the scrcpy jar.
const liveAddress = process.env.FRAMEWAY_TEST_ANDROID_ADB;
const liveJar = process.env.FRAMEWAY_SCRCPY_SERVER;
const liveSkip = !liveAddress
  ? 'FRAMEWAY_TEST_ANDROID_ADB is not set (host:port of a phone’s adbd, e.g. a redroid container on 127.0.0.1:5555)'
  : !liveJar || !existsSync(liveJar)
    ? 'FRAMEWAY_SCRCPY_SERVER does not name a scrcpy-server v3.3.3 jar'
    : undefined;
if (liveSkip) console.warn(`[skip] android runtime live test: ${liveSkip}`);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function keyStore(): AdbKeyStore {
  const dir = mkdtempSync(join(tmpdir(), 'fw-adb-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return new AdbKeyStore(join(dir, 'adbkey.pk8'));
}

const A_CNXN = 0x4e584e43;
const A_OPEN = 0x4e45504f;
const A_CLSE = 0x45534c43;

/** Encodes one ADB packet: 24-byte little-endian header (command, args, length, checksum, magic), then the payload. */
function adbPacket(command: number, arg0: number, arg1: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(command, 0);
  header.writeUInt32LE(arg0, 4);
  header.writeUInt32LE(arg1, 8);
  header.writeUInt32LE(payload.length, 12);
  header.writeUInt32LE(
    payload.reduce((sum, byte) => sum + byte, 0),
    16,
  );
  header.writeUInt32LE((command ^ 0xffffffff) >>> 0, 20);
  return Buffer.concat([header, payload]);
}

/**
 * A minimal adbd (authorisation off, like a redroid container): answers the
 * client's CNXN with its banner and refuses every stream (OPEN → CLSE). Enough
 * to prove the agent frames ADB packets on TCP in both directions.
 */
async function fakeAdbd(): Promise<{ server: Server; address: string; commands: number[]; services: string[] }> {
  const commands: number[] = [];
  const services: string[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 24 && buffer.length >= 24 + buffer.readUInt32LE(12)) {
        const command = buffer.readUInt32LE(0);
        const arg0 = buffer.readUInt32LE(4);
        const length = buffer.readUInt32LE(12);
        const payload = buffer.subarray(24, 24 + length);
        buffer = buffer.subarray(24 + length);
        commands.push(command);
        if (command === A_CNXN) {
          const banner =
            'device::ro.product.name=redroid;ro.product.model=fake;ro.product.device=fake;features=shell_v2,cmd';
          socket.write(adbPacket(A_CNXN, 0x01000001, 256 * 1024, Buffer.from(banner)));
        } else if (command === A_OPEN) {
          services.push(payload.toString('utf8').replace(/\0$/, ''));
          socket.write(adbPacket(A_CLSE, 0, arg0, Buffer.alloc(0)));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as { port: number }).port;
  return { server, address: `127.0.0.1:${port}`, commands, services };
}

describe('connectAdb', () => {
  it('splits host:port addresses, IPv6 in brackets, and refuses anything else', () => {
    expect(splitAddress('127.0.0.1:5555')).toEqual({ host: '127.0.0.1', port: 5555 });
    expect(splitAddress('[::1]:5555')).toEqual({ host: '::1', port: 5555 });
    expect(splitAddress('redroid-3:5555')).toEqual({ host: 'redroid-3', port: 5555 });
    for (const bad of ['redroid', ':5555', 'a:0', 'a:70000', 'a b:1']) {
      expect(() => splitAddress(bad)).toThrow(expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }));
    }
  });

  it('speaks ADB over TCP: the CNXN handshake, then stream opens on the same connection', async () => {
    const adbd = await fakeAdbd();
    const adb = await connectAdb({ address: adbd.address, credentialStore: keyStore(), timeoutMs: 5_000 });
    cleanups.push(() => adb.close());
    expect(adb.banner.product).toBe('redroid');
    await expect(adb.createSocket('localabstract:scrcpy_1234')).rejects.toThrow();
    expect(adbd.commands).toContain(A_CNXN);
    expect(adbd.services).toEqual(['localabstract:scrcpy_1234']);
  });

  it('fails with FW_ERR_RUNTIME_FAILED when nothing listens', async () => {
    const adbd = await fakeAdbd();
    const address = adbd.address;
    await new Promise((resolve) => adbd.server.close(resolve));
    await expect(connectAdb({ address, credentialStore: keyStore(), timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'FW_ERR_RUNTIME_FAILED',
    });
  });
});

describe('AdbKeyStore', () => {
  it('creates one RSA-2048 key on first use and hands the same one back after', () => {
    const store = keyStore();
    expect([...store.iterateKeys()]).toEqual([]);
    const key = store.generateKey();
    expect(key.buffer.byteLength).toBeGreaterThan(1000); // PKCS#8 DER of a 2048-bit key
    expect([...store.iterateKeys()].map((k) => Buffer.from(k.buffer).toString('hex'))).toEqual([
      Buffer.from(key.buffer).toString('hex'),
    ]);
  });
});

describe('DevicePool', () => {
  it('gives each phone to one session at a time, and only phones it drives', () => {
    const pool = new DevicePool(['10.0.0.1:5555', '10.0.0.2:5555']);
    expect(pool.acquire()).toBe('10.0.0.1:5555');
    expect(() => pool.acquire('10.0.0.1:5555')).toThrow(expect.objectContaining({ code: 'FW_ERR_NO_CAPACITY' }));
    expect(() => pool.acquire('10.9.9.9:5555')).toThrow(expect.objectContaining({ code: 'FW_ERR_FORBIDDEN' }));
    expect(pool.acquire()).toBe('10.0.0.2:5555');
    expect(() => pool.acquire()).toThrow(expect.objectContaining({ code: 'FW_ERR_NO_CAPACITY' }));
    pool.release('10.0.0.1:5555');
    expect(pool.free).toBe(1);
  });
});

describe('AndroidRuntime', () => {
  it('fails prepare with FW_ERR_RUNTIME_FAILED when the phone is unreachable, and lets the phone go', async () => {
    let released = 0;
    const runtime = new AndroidRuntime({
      sessionId: 'phone-1',
      video: { width: 720, height: 1280, fps: 30 },
      address: '127.0.0.1:1',
      serverJarPath: '/nonexistent.jar',
      credentialStore: keyStore(),
      onClosed: () => released++,
    });
    await expect(runtime.prepare()).rejects.toMatchObject({ code: 'FW_ERR_RUNTIME_FAILED' });
    expect(runtime.lifecycle).toBe('stopped');
    expect(released).toBe(1);
  });
});

describe.skipIf(liveSkip !== undefined)('AndroidRuntime on a real phone', () => {
  it('streams H.264 from the phone and takes touches, keys and back', async () => {
    const chunks: Uint8Array[] = [];
    const sink: VideoSink = {
      ready: false,
      pushFrame: () => false,
      writeEncoded: (chunk) => chunks.push(chunk) > 0,
    };
    const runtime = new AndroidRuntime({
      sessionId: 'phone-live',
      video: { width: 1280, height: 720, fps: 30 },
      address: liveAddress as string,
      serverJarPath: liveJar as string,
      credentialStore: keyStore(),
    });
    cleanups.push(() => runtime.close());
    const capture = await runtime.prepare();
    expect(capture.video.kind).toBe('h264');
    await runtime.start(sink);
    await eventually(() => chunks.length > 10, 10_000, 'phone frames');
    runtime.applyInput([
      { type: InputEventType.TouchDown, id: 0, x: 32768, y: 32768, pressure: 200 },
      { type: InputEventType.TouchUp, id: 0, x: 32768, y: 32768, pressure: 0 },
      { type: InputEventType.NavKey, key: NavKey.Back, down: true },
      { type: InputEventType.NavKey, key: NavKey.Back, down: false },
    ]);
    expect(runtime.requestKeyframe()).toBe(true);
    expect(runtime.lifecycle).toBe('ready');
  });
});
