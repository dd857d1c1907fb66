/// <reference path="./x11-module.d.ts" />
import type { XEvent } from 'x11';
import { createLogger, type Logger } from '../../logging/logger.js';
import type { X11Connection } from './X11Connection.js';

const ATOM_TYPE = 4; // predefined atom ATOM
const STRING_TYPE = 31; // predefined atom STRING
const PRIMARY = 1; // predefined atom PRIMARY

interface Atoms {
  clipboard: number;
  targets: number;
  utf8: number;
  text: number;
}

/**
 * Makes the player's clipboard the session's: owns the X CLIPBOARD (Ctrl-V)
 * and PRIMARY (middle click) selections and answers paste requests with the
 * text (UTF8_STRING, STRING or TEXT, and TARGETS), per ICCCM §2.
 */
export class X11Clipboard {
  readonly #connection: X11Connection;
  readonly #window: number;
  readonly #atoms: Atoms;
  readonly #log: Logger;
  #text: Buffer = Buffer.alloc(0);

  private constructor(connection: X11Connection, window: number, atoms: Atoms, log: Logger) {
    this.#connection = connection;
    this.#window = window;
    this.#atoms = atoms;
    this.#log = log;
    connection.on('event', (event) => {
      if (event.name === 'SelectionRequest') this.#answer(event);
    });
  }

  static async create(connection: X11Connection, logger?: Logger): Promise<X11Clipboard> {
    const [clipboard, targets, utf8, text] = await Promise.all(
      ['CLIPBOARD', 'TARGETS', 'UTF8_STRING', 'TEXT'].map((name) => connection.internAtom(name)),
    );
    // An unmapped input-only window: the selection owner the protocol requires.
    const window = connection.client.AllocID();
    connection.client.CreateWindow(window, connection.root, -1, -1, 1, 1, 0, 0, 2, 0, {});
    return new X11Clipboard(
      connection,
      window,
      { clipboard: clipboard as number, targets: targets as number, utf8: utf8 as number, text: text as number },
      logger ?? createLogger('x11.clipboard'),
    );
  }

  /** The text the session's programs get when they paste. */
  get text(): string {
    return this.#text.toString('utf8');
  }

  set(text: string): void {
    if (this.#connection.closed) return;
    this.#text = Buffer.from(text, 'utf8');
    this.#connection.client.SetSelectionOwner(this.#window, this.#atoms.clipboard, 0);
    this.#connection.client.SetSelectionOwner(this.#window, PRIMARY, 0);
  }

  #answer(event: XEvent): void {
    const client = this.#connection.client;
    const requestor = event.requestor ?? 0;
    const target = event.target ?? 0;
    // Obsolete clients send property None: the target atom is the property then.
    let property = event.property || target;
    if (event.owner !== this.#window) return;
    if (target === this.#atoms.targets) {
      client.ChangeProperty(0, requestor, property, ATOM_TYPE, 32, [
        this.#atoms.targets,
        this.#atoms.utf8,
        STRING_TYPE,
        this.#atoms.text,
      ]);
    } else if (target === this.#atoms.utf8 || target === this.#atoms.text) {
      client.ChangeProperty(0, requestor, property, this.#atoms.utf8, 8, this.#text);
    } else if (target === STRING_TYPE) {
      client.ChangeProperty(0, requestor, property, STRING_TYPE, 8, Buffer.from(this.text, 'latin1'));
    } else {
      property = 0; // refuse: a target we cannot convert to
    }
    client.SendEvent(requestor, false, 0, {
      name: 'SelectionNotify',
      time: event.time ?? 0,
      requestor,
      selection: event.selection ?? 0,
      target,
      property,
    });
    this.#log.debug({ target, property }, 'answered a paste request');
  }
}
