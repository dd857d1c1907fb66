import { FramewayError, isFramewayError, SessionEndReason } from '@frameway/protocol';
import { connect } from '../connect.js';
import { requestDemoSession } from '../demo/requestDemoSession.js';
import type { FramewaySession } from '../FramewaySession.js';
import type { SessionStats } from '../media/deriveStats.js';
import { formatStats } from './formatStats.js';
import { pageStateOf } from './pageState.js';
import { StatusView } from './StatusView.js';

/** Keys the page keeps: F2 toggles stats, F11 and F12 stay the browser's. */
const PAGE_KEYS = ['F2', 'F11', 'F12'] as const;
const IDLE_MS = 2500;

export interface MountPlayerOptions {
  /** The gateway; default: the page's origin (the gateway serves this page). */
  gatewayUrl?: string;
}

/** What the page reads from its URL: `?pointerLock=1&stats=1#token=…&signalingUrl=…`. */
export interface PlayerParams {
  pointerLock: boolean;
  showStats: boolean;
  /** A player token handed over in the fragment (never sent to servers); demo mode when absent. */
  token?: string;
  signalingUrl?: string;
}

/** Parses the page URL's parameters; the token travels in the fragment so it stays out of server logs. */
export function playerParams(search: string, hash: string): PlayerParams {
  const query = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const flag = (name: string): boolean => ['1', 'true', 'yes'].includes(query.get(name) ?? '');
  const params: PlayerParams = { pointerLock: flag('pointerLock'), showStats: flag('stats') };
  const token = fragment.get('token');
  const signalingUrl = fragment.get('signalingUrl');
  if (token) params.token = token;
  if (signalingUrl) params.signalingUrl = signalingUrl;
  return params;
}

/**
 * Runs the web player in a page built from `web/index.html`: gets a session
 * (demo mode unless the URL carries a token), connects, plays it, and keeps
 * `#status` up to date. Exposes the session as `window.framewaySession`.
 */
export async function mountPlayer(doc: Document, options: MountPlayerOptions = {}): Promise<void> {
  const win = doc.defaultView ?? window;
  const $ = <T extends HTMLElement>(id: string): T => {
    const element = doc.getElementById(id);
    if (!element) throw new Error(`the player page has no #${id}`);
    return element as T;
  };
  const root = $<HTMLElement>('player');
  const video = $<HTMLVideoElement>('video');
  const status = new StatusView($('status'), $('status-text'));
  const statsPanel = $<HTMLElement>('stats');
  const statsButton = $<HTMLButtonElement>('stats-toggle');
  const soundButton = $<HTMLButtonElement>('sound');
  const fullscreenButton = $<HTMLButtonElement>('fullscreen');
  const restartButton = $<HTMLButtonElement>('restart');
  const params = playerParams(win.location.search, win.location.hash);
  const gatewayUrl = options.gatewayUrl ?? win.location.origin;
  let latestStats: SessionStats | undefined;

  const renderStats = (): void => {
    if (statsPanel.hidden) return;
    statsPanel.textContent = latestStats ? formatStats(latestStats).join('\n') : 'Waiting for stats…';
  };
  const setStatsVisible = (visible: boolean): void => {
    statsPanel.hidden = !visible;
    statsButton.setAttribute('aria-pressed', String(visible));
    renderStats();
  };
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
  // Buttons must not keep focus: Space or Enter would press them again instead of reaching the game.
  const onButton = (button: HTMLButtonElement, action: () => void): void => {
    button.addEventListener('click', () => {
      action();
      button.blur();
    });
  };

  onButton(statsButton, () => setStatsVisible(statsPanel.hidden));
  onButton(fullscreenButton, () => void toggleFullscreen());
  onButton(soundButton, () => {
    video.muted = !video.muted;
    soundButton.setAttribute('aria-pressed', String(!video.muted));
    if (!video.muted) video.play().catch(() => undefined);
  });
  onButton(restartButton, () => win.location.reload());
  win.addEventListener('keydown', (event) => {
    if (event.code === 'F2' && !event.repeat) {
      event.preventDefault();
      setStatsVisible(statsPanel.hidden);
    }
  });
  doc.addEventListener('fullscreenchange', () => root.classList.toggle('is-fullscreen', !!doc.fullscreenElement));
  hideControlsWhenIdle(root, win);
  setStatsVisible(params.showStats);
  status.show('connecting');

  let session: FramewaySession;
  try {
    const demo = params.token
      ? undefined
      : await requestDemoSession({ gatewayUrl }).catch((error: unknown) => {
          throw asFramewayError(error, 'the demo session could not be created');
        });
    const token = params.token ?? demo?.token ?? '';
    const signalingUrl = params.signalingUrl ?? demo?.signalingUrl;
    session = await connect({
      gatewayUrl,
      token,
      ...(signalingUrl ? { signalingUrl } : {}),
      pointerLock: params.pointerLock,
      ignoredKeyCodes: PAGE_KEYS,
    });
  } catch (error) {
    const fwError = asFramewayError(error, 'the session could not be started');
    status.failed(SessionEndReason.StartFailed, fwError.code, fwError.message);
    restartButton.hidden = false;
    return;
  }

  (win as { framewaySession?: FramewaySession }).framewaySession = session;
  const render = (): void => status.show(pageStateOf(session.state, session.connected));
  session.on('state', render);
  session.on('connected', render);
  session.on('stats', (stats) => {
    latestStats = stats;
    renderStats();
  });
  session.on('ended', (info) => {
    status.ended(info);
    restartButton.hidden = false;
    root.classList.add('is-ended');
  });
  win.addEventListener('pagehide', () => session.close());
  render();
  if (session.endInfo) status.ended(session.endInfo);
  session.attach(video);
}

function asFramewayError(error: unknown, context: string): FramewayError {
  if (isFramewayError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FramewayError('FW_ERR_INTERNAL', `${context}: ${message}`, undefined, { cause: error });
}

/** Fades the controls out while the pointer rests, so they do not cover the game. */
function hideControlsWhenIdle(root: HTMLElement, win: Window): void {
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
