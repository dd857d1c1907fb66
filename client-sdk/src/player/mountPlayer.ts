import type { FramewaySession } from '../FramewaySession.js';
import { followSession } from './followSession.js';
import { GamepadHint } from './GamepadHint.js';
import { openPageSession } from './openSession.js';
import { restartPage } from './overBudgetOffer.js';
import { type PlayerParams, playerParams } from './playerParams.js';
import { QualityView } from './QualityView.js';
import { StatsPanel } from './StatsPanel.js';
import { StatusView } from './StatusView.js';
import { Toast } from './Toast.js';

export { type PlayerParams, playerParams };

/** Keys the page keeps: F2 toggles stats, F11 and F12 stay the browser's. */
const PAGE_KEYS = ['F2', 'F11', 'F12'] as const;
const IDLE_MS = 2500;

export interface MountPlayerOptions {
  /** The gateway; default: the page's origin (the gateway serves this page). */
  gatewayUrl?: string;
}

/** Looks up the page's elements by id; a missing one is a broken page, said plainly. */
export function elementsOf(doc: Document): <T extends HTMLElement>(id: string) => T {
  return <T extends HTMLElement>(id: string): T => {
    const element = doc.getElementById(id);
    if (!element) throw new Error(`the player page has no #${id}`);
    return element as T;
  };
}

/**
 * Runs the game client in a page built from `web/index.html`: gets a session
 * (demo mode unless the URL carries a token), connects, plays it full-window,
 * and keeps `#status` (state), `#quality` (indicator) and the stats overlay up
 * to date; fullscreen, pointer lock and sound buttons; a hint and a note when
 * a gamepad connects. Exposes the session as `window.framewaySession`.
 */
export async function mountPlayer(doc: Document, options: MountPlayerOptions = {}): Promise<void> {
  const win = doc.defaultView ?? window;
  const $ = elementsOf(doc);
  const root = $<HTMLElement>('player');
  const video = $<HTMLVideoElement>('video');
  const status = new StatusView($('status'), $('status-text'));
  const quality = new QualityView($('quality'));
  const toast = new Toast($('toast'));
  const soundButton = $<HTMLButtonElement>('sound');
  const lockButton = $<HTMLButtonElement>('pointer-lock');
  const fullscreenButton = $<HTMLButtonElement>('fullscreen');
  const restartButton = $<HTMLButtonElement>('restart');
  const params = playerParams(win.location.search, win.location.hash);
  const gatewayUrl = options.gatewayUrl ?? win.location.origin;
  let session: FramewaySession | undefined;

  const toggleFullscreen = async (): Promise<void> => {
    if (doc.fullscreenElement) {
      await doc.exitFullscreen().catch(() => undefined);
      return;
    }
    await root.requestFullscreen({ navigationUI: 'hide' }).catch(() => undefined);
    // In fullscreen, Chrome can hand Escape and system shortcuts to the game too.
    const keyboard = (win.navigator as { keyboard?: { lock?: () => Promise<void> } }).keyboard;
    await keyboard?.lock?.().catch(() => undefined);
  };
  const lockPointer = async (): Promise<void> => {
    try {
      // Raw (unaccelerated) motion where the browser offers it.
      await video.requestPointerLock({ unadjustedMovement: true });
    } catch {
      try {
        await video.requestPointerLock();
      } catch {
        toast.show('The browser did not allow pointer lock.', 4000, 'error');
      }
    }
  };
  // Buttons must not keep focus: Space or Enter would press them again instead of reaching the game.
  const onButton = (button: HTMLButtonElement, action: () => void): void => {
    button.addEventListener('click', () => {
      action();
      button.blur();
    });
  };

  onButton(fullscreenButton, () => void toggleFullscreen());
  onButton(lockButton, () => void lockPointer());
  onButton(soundButton, () => {
    if (!session) return;
    session.muted = !session.muted;
    soundButton.setAttribute('aria-pressed', String(!session.muted));
  });
  onButton(restartButton, () => restartPage(restartButton, win));
  doc.addEventListener('fullscreenchange', () => root.classList.toggle('is-fullscreen', !!doc.fullscreenElement));
  doc.addEventListener('pointerlockchange', () => {
    const locked = doc.pointerLockElement === video;
    lockButton.setAttribute('aria-pressed', String(locked));
    root.classList.toggle('is-locked', locked);
    if (locked) toast.show('Mouse locked to the game. Press Esc to get it back.', 3000);
  });
  hideControlsWhenIdle(root, win);
  const statsPanel = new StatsPanel($('stats'), $<HTMLButtonElement>('stats-toggle'), win, params.showStats);
  session = await openPageSession(
    gatewayUrl,
    params,
    {
      pointerLock: params.pointerLock,
      ignoredKeyCodes: PAGE_KEYS,
      // PC games know a mouse: a finger on a touch screen plays it, unless the page asks for touches.
      touch: params.touch ?? 'mouse',
    },
    { win, status, restartButton },
  );
  if (!session) return;
  const gamepadHint = new GamepadHint(toast, $('gamepads'), session.input.gamepads);
  followSession(session, {
    status,
    quality,
    onStreaming: () => gamepadHint.hintOnce(),
    onStats: (stats) => {
      statsPanel.update(stats);
    },
    onEnded: () => {
      restartButton.hidden = false;
      root.classList.add('is-ended');
      gamepadHint.close();
    },
  });
  const active = session;
  active.on('reconnecting', (info) => {
    if (info.attempt === 1) toast.show('Connection lost — reconnecting…', 10_000);
  });
  active.on('resumed', (info) => toast.show(`Reconnected after ${(info.downtimeMs / 1000).toFixed(1)} s`, 3000));
  active.on('failover', () => toast.show('Moving you to another server…', 6000));
  win.addEventListener('pagehide', () => active.close());
  active.attach(video);
}

/** Fades the controls out while the pointer rests, so they do not cover the game. */
export function hideControlsWhenIdle(root: HTMLElement, win: Window): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wake = (): void => {
    root.classList.remove('is-idle');
    clearTimeout(timer);
    timer = setTimeout(() => root.classList.add('is-idle'), IDLE_MS);
  };
  root.addEventListener('pointermove', wake);
  root.addEventListener('pointerdown', wake);
  win.addEventListener('focus', wake);
  wake();
}
