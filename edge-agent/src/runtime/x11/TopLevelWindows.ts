/// <reference path="./x11-module.d.ts" />
import { TypedEmitter } from '@frameway/protocol';
import x11, { type XEvent } from 'x11';
import { createLogger, type Logger } from '../../logging/logger.js';
import type { X11Connection } from './X11Connection.js';

export interface TopLevelWindowsOptions {
  /** Move windows smaller than the screen to its centre (there is no window manager to place them). */
  center?: boolean;
  logger?: Logger;
}

export type TopLevelWindowsEvents = {
  /** A top-level window was mapped (and focused). */
  mapped: [window: number];
};

/** RevertTo PointerRoot: when the focused window goes, focus falls back to wherever the pointer is. */
const REVERT_TO_POINTER_ROOT = 1;

/**
 * The little a session display needs from a window manager: give keyboard
 * focus to the newest top-level window (without a WM, X sends keys to the
 * window under the pointer, which may be the root) and, optionally, centre
 * windows smaller than the screen. Also how the runtime knows the program
 * is up: its first mapped window.
 */
export class TopLevelWindows extends TypedEmitter<TopLevelWindowsEvents> {
  readonly #connection: X11Connection;
  readonly #options: TopLevelWindowsOptions;
  readonly #log: Logger;
  readonly #mapped: number[] = [];

  constructor(connection: X11Connection, options: TopLevelWindowsOptions = {}) {
    const log = options.logger ?? createLogger('x11.windows');
    super((error, event) => log.error({ err: error, event }, 'windows listener threw'));
    this.#connection = connection;
    this.#options = options;
    this.#log = log;
    connection.client.ChangeWindowAttributes(connection.root, {
      eventMask: x11.eventMask.SubstructureNotify as number,
    });
    connection.on('event', (event) => this.#onEvent(event));
  }

  /** Top-level windows currently mapped, oldest first. */
  get windows(): readonly number[] {
    return this.#mapped;
  }

  #onEvent(event: XEvent): void {
    const root = this.#connection.root;
    if (event.name === 'MapNotify' && event.event === root && !event.overrideRedirect && event.wid !== undefined) {
      const window = event.wid;
      if (!this.#mapped.includes(window)) this.#mapped.push(window);
      this.#connection.client.SetInputFocus(window, REVERT_TO_POINTER_ROOT);
      if (this.#options.center ?? true) void this.#center(window);
      this.#log.debug({ window }, 'top-level window mapped and focused');
      this.emit('mapped', window);
    } else if ((event.name === 'UnmapNotify' || event.name === 'DestroyNotify') && event.event === root) {
      const index = this.#mapped.indexOf(event.wid ?? -1);
      if (index === -1) return;
      this.#mapped.splice(index, 1);
      const previous = this.#mapped.at(-1);
      if (previous !== undefined) this.#connection.client.SetInputFocus(previous, REVERT_TO_POINTER_ROOT);
    }
  }

  async #center(window: number): Promise<void> {
    try {
      const { width, height } = await this.#connection.geometry(window);
      const screen = this.#connection.screen;
      if (width >= screen.pixel_width && height >= screen.pixel_height) return;
      const x = Math.max(0, Math.floor((screen.pixel_width - width) / 2));
      const y = Math.max(0, Math.floor((screen.pixel_height - height) / 2));
      this.#connection.client.ConfigureWindow(window, { x, y });
    } catch (error) {
      this.#log.debug({ err: error, window }, 'could not centre a window (gone already?)');
    }
  }
}
