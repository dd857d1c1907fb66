// Types for the subset of the pure-JS `x11` package (4.x) the agent uses; the
// package ships none. Names and shapes follow its docs/ (core-requests.md,
// core-events.md, ext/xtest.md).
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  export interface XEvent {
    name: string;
    type: number;
    seq: number;
    /** KeyPress/KeyRelease: keycode; ButtonPress/ButtonRelease: button number. */
    keycode?: number;
    wid?: number;
    /** MapNotify: the window the event was selected on (its parent for SubstructureNotify). */
    event?: number;
    parent?: number;
    overrideRedirect?: boolean;
    time?: number;
    owner?: number;
    requestor?: number;
    selection?: number;
    target?: number;
    property?: number;
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    rootx?: number;
    rooty?: number;
    request?: number;
  }

  export interface XScreen {
    root: number;
    white_pixel: number;
    black_pixel: number;
    pixel_width: number;
    pixel_height: number;
    root_depth: number;
    root_visual: number;
  }

  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    min_keycode: number;
    max_keycode: number;
  }

  export interface XTestExtension {
    KeyPress: number;
    KeyRelease: number;
    ButtonPress: number;
    ButtonRelease: number;
    MotionNotify: number;
    FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
  }

  export type XCallback<T> = (error: Error | null, result: T) => void;

  export interface XClient extends EventEmitter {
    AllocID(): number;
    CreateWindow(
      wid: number,
      parent: number,
      x: number,
      y: number,
      width: number,
      height: number,
      borderWidth?: number,
      depth?: number,
      klass?: number,
      visual?: number,
      values?: Record<string, number | boolean>,
    ): boolean;
    ChangeWindowAttributes(
      wid: number,
      values: Record<string, number | boolean>,
      callback?: (error: Error | null) => void,
    ): boolean;
    MapWindow(wid: number): boolean;
    DestroyWindow(wid: number): boolean;
    ConfigureWindow(wid: number, options: Record<string, number>): boolean;
    GetGeometry(
      drawable: number,
      callback: XCallback<{ width: number; height: number; xPos: number; yPos: number }>,
    ): void;
    GetWindowAttributes(
      wid: number,
      callback: XCallback<{ overrideRedirect: number | boolean; mapState: number; klass: number }>,
    ): void;
    QueryTree(wid: number, callback: XCallback<{ root: number; parent: number; children: number[] }>): void;
    InternAtom(onlyIfExists: boolean, name: string, callback: XCallback<number>): void;
    ChangeProperty(
      mode: number,
      wid: number,
      name: number,
      type: number,
      format: number,
      data: Buffer | string | number[],
    ): boolean;
    SetSelectionOwner(owner: number, selection: number, time?: number): boolean;
    GetSelectionOwner(selection: number, callback: XCallback<number>): void;
    ConvertSelection(requestor: number, selection: number, target: number, property: number, time?: number): boolean;
    GetProperty(
      del: number,
      wid: number,
      name: number,
      type: number,
      longOffset: number,
      longLength: number,
      callback: XCallback<{ type: number; format: number; data: Buffer }>,
    ): void;
    SendEvent(
      destination: number,
      propagate: boolean | number,
      eventMask: number,
      event: Record<string, unknown>,
    ): boolean;
    SetInputFocus(wid: number, revertTo: number): boolean;
    GetInputFocus(callback: XCallback<{ focus: number; revertTo: number }>): void;
    QueryPointer(wid: number, callback: XCallback<{ rootX: number; rootY: number }>): void;
    GetKeyboardMapping(startCode: number, count: number, callback: XCallback<number[][]>): void;
    ChangeKeyboardMapping(firstKeycode: number, keysymsPerKeycode: number, keysyms: number[]): boolean;
    CreateGC(cid: number, drawable: number, values: Record<string, number>): boolean;
    ChangeGC(cid: number, values: Record<string, number>): boolean;
    PolyFillRectangle(drawable: number, gc: number, rects: number[]): boolean;
    require(name: 'xtest', callback: XCallback<XTestExtension>): void;
    require(name: string, callback: XCallback<unknown>): void;
    sync(callback?: (error: Error | null) => void): Promise<void> | undefined;
    flush(callback?: (error: Error | null) => void): Promise<void> | undefined;
    terminate(): void;
    close(callback?: (error?: Error | null) => void): void;
    /** Interned atoms by name (the package shares one table across clients: see X11Connection). */
    atoms: Record<string, number>;
    atom_names: Record<number, string>;
  }

  export interface CreateClientOptions {
    display?: string;
    auth?: { name: string; data: string };
    bufferRequests?: boolean | Record<string, unknown>;
    disableBigRequests?: boolean;
  }

  export function createClient(options: CreateClientOptions, callback: XCallback<XDisplay>): XClient;
  export const eventMask: Record<string, number>;
  const x11: { createClient: typeof createClient; eventMask: typeof eventMask };
  export default x11;
}
