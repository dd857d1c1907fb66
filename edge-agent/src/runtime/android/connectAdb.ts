import { connect, type Socket } from 'node:net';
import { FramewayError } from '@frameway/protocol';
import {
  Adb,
  type AdbCredentialStore,
  type AdbDaemonConnection,
  AdbDaemonTransport,
  AdbPacket,
  AdbPacketSerializeStream,
} from '@yume-chan/adb';
import { type Consumable, pipeFrom, StructDeserializeStream, WritableStream } from '@yume-chan/stream-extra';
import { toStreamExtraReadable } from './toStreamExtraReadable.js';

export interface ConnectAdbOptions {
  /** `host:port` of the device's adbd (a redroid container: its 5555). */
  address: string;
  credentialStore: AdbCredentialStore;
  timeoutMs?: number;
}

/**
 * Opens an ADB session to a device's adbd over TCP (no adb server on the
 * host): ADB packets framed on the socket, the CNXN/AUTH handshake done by
 * @yume-chan/adb. Rejects with FW_ERR_RUNTIME_FAILED when the device cannot
 * be reached or refuses the key.
 */
export async function connectAdb(options: ConnectAdbOptions): Promise<Adb> {
  const { host, port } = splitAddress(options.address);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new FramewayError('FW_ERR_RUNTIME_FAILED', `adb ${options.address}: no connection after ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new FramewayError('FW_ERR_RUNTIME_FAILED', `adb ${options.address}: ${error.message}`, undefined, {
          cause: error,
        }),
      );
    });
  });
  // Small control messages must not wait for Nagle.
  socket.setNoDelay(true);
  const connection: AdbDaemonConnection = {
    readable: toStreamExtraReadable(socket).pipeThrough(new StructDeserializeStream(AdbPacket)),
    writable: pipeFrom(
      new WritableStream<Consumable<Uint8Array>>({
        write: (chunk) =>
          chunk.tryConsume(
            (data) =>
              // The serializer reuses its header buffer: copy before handing it to the socket.
              new Promise<void>((resolve, reject) =>
                socket.write(Buffer.from(data), (error) => (error ? reject(error) : resolve())),
              ),
          ),
        close: () => {
          socket.end();
        },
        abort: () => {
          socket.destroy();
        },
      }),
      new AdbPacketSerializeStream(),
    ),
  };
  try {
    const transport = await withTimeout(
      AdbDaemonTransport.authenticate({
        serial: options.address,
        connection,
        credentialStore: options.credentialStore,
      }),
      timeoutMs,
      `adb ${options.address}: no handshake after ${timeoutMs} ms (is the device waiting for the key to be approved?)`,
    );
    return new Adb(transport);
  } catch (error) {
    socket.destroy();
    if (error instanceof FramewayError) throw error;
    throw new FramewayError('FW_ERR_RUNTIME_FAILED', `adb ${options.address}: ${String(error)}`, undefined, {
      cause: error,
    });
  }
}

/** Splits `host:port` (IPv6 in brackets); FW_ERR_INVALID_PAYLOAD otherwise. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) {
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `'${address}' is not host:port`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new FramewayError('FW_ERR_RUNTIME_FAILED', message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
