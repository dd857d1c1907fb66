/// <reference path="./x11-module.d.ts" />
import { FramewayError, TypedEmitter } from '@frameway/protocol';
import x11, { type XClient, type XDisplay, type XEvent, type XScreen, type XTestExtension } from 'x11';
import { createLogger, type Logger } from '../../logging/logger.js';
import { KeyboardMap } from './KeyboardMap.js';

export interface X11ConnectionOptions {
  /** e.g. `:3` */
  display: string;
  /** MIT-MAGIC-COOKIE-1 credentials of that display. */
  auth: { name: string; data: string };
  timeoutMs?: number;
  logger?: Logger;
}

export type X11ConnectionEvents = {
  /** Every event the server sends this connection. */
  event: [event: XEvent];
  /** The connection is gone (server exit, close()). */
  closed: [reason: string];
};

/** Atoms 1..68 are fixed by the protocol (XA_PRIMARY … XA_WM_TRANSIENT_FOR); every other number is per server. */
const LAST_PREDEFINED_ATOM = 68;

/**
 * The x11 package caches interned atoms in one table shared by every client
 * of the process. Atom numbers are per server, though, and an agent talks to
 * one server per session: the second session would be handed the first
 * one's numbers. Give each connection its own cache, seeded with the
 * predefined atoms only.
 */
function isolateAtomCache(client: XClient): void {
  const atoms: Record<string, number> = {};
  const names: Record<number, string> = {};
  for (const [name, atom] of Object.entries(client.atoms)) {
    if (atom >= 1 && atom <= LAST_PREDEFINED_ATOM) {
      atoms[name] = atom;
      names[atom] = name;
    }
  }
  client.atoms = atoms;
  client.atom_names = names;
}

/**
 * One persistent connection to a session's X server, with the XTEST
 * extension loaded: every injected key, button and motion is one small
 * request on this socket, never a process per event. Requests issued in one
 * tick leave in one write (request buffering flushes before the event loop
 * waits), so a batch of input costs one syscall and no added delay.
 */
export class X11Connection extends TypedEmitter<X11ConnectionEvents> {
  readonly client: XClient;
  readonly display: XDisplay;
  readonly screen: XScreen;
  readonly xtest: XTestExtension;
  readonly #log: Logger;
  #closed = false;

  private constructor(display: XDisplay, xtest: XTestExtension, log: Logger) {
    super((error, event) => log.error({ err: error, event }, 'x11 listener threw'));
    this.client = display.client;
    this.display = display;
    this.screen = display.screen[0] as XScreen;
    this.xtest = xtest;
    this.#log = log;
    this.client.on('event', (event: XEvent) => this.emit('event', event));
    // X errors of fire-and-forget requests (a window that vanished between two
    // requests) are expected in a world of independent clients: log, go on.
    this.client.on('error', (error: Error) => this.#log.debug({ err: error }, 'x11 request error'));
    const ended = (reason: string) => {
      if (this.#closed) return;
      this.#closed = true;
      this.emit('closed', reason);
    };
    this.client.on('end', () => ended('connection ended'));
    this.client.on('close', () => ended('connection closed'));
  }

  /** Connects and loads XTEST; FW_ERR_RUNTIME_FAILED when either fails. */
  static connect(options: X11ConnectionOptions): Promise<X11Connection> {
    const log = options.logger ?? createLogger('x11');
    const timeoutMs = options.timeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (why: string, cause?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          new FramewayError('FW_ERR_RUNTIME_FAILED', `X display ${options.display}: ${why}`, undefined, { cause }),
        );
      };
      const timer = setTimeout(() => {
        fail(`no connection after ${timeoutMs} ms`);
        client.terminate();
      }, timeoutMs);
      const client = x11.createClient(
        { display: options.display, auth: options.auth, bufferRequests: true },
        (error, display) => {
          if (error) return fail(error.message, error);
          isolateAtomCache(display.client);
          display.client.require('xtest', (xtestError, xtest) => {
            if (xtestError) {
              display.client.terminate();
              return fail(`XTEST is missing: ${xtestError.message}`, xtestError);
            }
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve(new X11Connection(display, xtest, log));
          });
        },
      );
      client.on('error', (error: Error) => fail(error.message, error));
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get root(): number {
    return this.screen.root;
  }

  /** The server's current keyboard mapping. */
  keyboardMap(): Promise<KeyboardMap> {
    const { min_keycode: min, max_keycode: max } = this.display;
    return new Promise((resolve, reject) => {
      this.client.GetKeyboardMapping(min, max - min + 1, (error, rows) => {
        if (error) reject(error);
        else resolve(new KeyboardMap(min, rows));
      });
    });
  }

  internAtom(name: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.client.InternAtom(false, name, (error, atom) => (error ? reject(error) : resolve(atom)));
    });
  }

  geometry(window: number): Promise<{ x: number; y: number; width: number; height: number }> {
    return new Promise((resolve, reject) => {
      this.client.GetGeometry(window, (error, geometry) =>
        error
          ? reject(error)
          : resolve({ x: geometry.xPos, y: geometry.yPos, width: geometry.width, height: geometry.height }),
      );
    });
  }

  /** Resolves once the server has processed every request sent so far. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.GetInputFocus((error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes the socket; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.client.terminate();
    } catch (error) {
      this.#log.debug({ err: error }, 'x11 terminate failed');
    }
    this.emit('closed', 'closed by the agent');
  }
}
