import { NavKey, Orientation } from '@frameway/protocol';
import { TextInputBridge } from '../input/TextInputBridge.js';
import { VirtualGamepad } from '../input/VirtualGamepad.js';
import { followSession } from './followSession.js';
import { elementsOf, type MountPlayerOptions } from './mountPlayer.js';
import { asFramewayError, openPageSession } from './openSession.js';
import { restartPage } from './overBudgetOffer.js';
import { playerParams } from './playerParams.js';
import { QualityView } from './QualityView.js';
import { StatsPanel } from './StatsPanel.js';
import { StatusView } from './StatusView.js';
import { Toast } from './Toast.js';

/** The page keeps F2 (stats); everything else goes to the phone. */
const PAGE_KEYS = ['F2', 'F11', 'F12'] as const;

const NAV_BUTTONS: readonly (readonly [id: string, key: NavKey])[] = [
  ['nav-back', NavKey.Back],
  ['nav-home', NavKey.Home],
  ['nav-recents', NavKey.Recents],
];

/**
 * Runs the cloud-phone client in a page built from `web/phone.html`:
 * touch-first (every finger is a touch on the phone), Android navigation
 * buttons (press and hold work), a soft-keyboard field that types into the
 * phone, paste, an on-screen gamepad, portrait and landscape layouts (the
 * phone is told the orientation), stats and quality like the game page.
 * Exposes the session as `window.framewaySession`.
 */
export async function mountPhone(doc: Document, options: MountPlayerOptions = {}): Promise<void> {
  const win = doc.defaultView ?? window;
  const $ = elementsOf(doc);
  const root = $<HTMLElement>('phone');
  const stage = $<HTMLElement>('stage');
  const video = $<HTMLVideoElement>('video');
  const status = new StatusView($('status'), $('status-text'));
  const quality = new QualityView($('quality'));
  const toast = new Toast($('toast'));
  const soundButton = $<HTMLButtonElement>('sound');
  const fullscreenButton = $<HTMLButtonElement>('fullscreen');
  const keyboardButton = $<HTMLButtonElement>('keyboard-toggle');
  const keyboardRow = $<HTMLElement>('keyboard-row');
  const textField = $<HTMLInputElement>('text-input');
  const pasteButton = $<HTMLButtonElement>('paste');
  const gamepadButton = $<HTMLButtonElement>('gamepad-toggle');
  const restartButton = $<HTMLButtonElement>('restart');
  const params = playerParams(win.location.search, win.location.hash);
  const gatewayUrl = options.gatewayUrl ?? win.location.origin;

  fullscreenButton.addEventListener('click', () => {
    if (doc.fullscreenElement) void doc.exitFullscreen().catch(() => undefined);
    else void root.requestFullscreen({ navigationUI: 'hide' }).catch(() => undefined);
  });
  restartButton.addEventListener('click', () => restartPage(restartButton, win));
  const statsPanel = new StatsPanel($('stats'), $<HTMLButtonElement>('stats-toggle'), win, params.showStats);
  const session = await openPageSession(
    gatewayUrl,
    params,
    { ignoredKeyCodes: PAGE_KEYS, touch: params.touch ?? 'touch' },
    { win, status, restartButton },
  );
  if (!session) return;
  const input = session.input;

  // Every action reports its own failure on the page; none may break the others.
  const guard = (action: () => void): void => {
    try {
      action();
    } catch (error) {
      toast.show(asFramewayError(error, 'input failed').message, 4000, 'error');
    }
  };

  for (const [id, key] of NAV_BUTTONS)
    bindNavButton($<HTMLButtonElement>(id), (down) => guard(() => input.navKey(key, down)));

  const bridge = new TextInputBridge(textField, input);
  keyboardButton.addEventListener('click', () => {
    const show = keyboardRow.hidden;
    keyboardRow.hidden = !show;
    keyboardButton.setAttribute('aria-pressed', String(show));
    root.classList.toggle('is-typing', show);
    // Focusing in the click handler is what opens the soft keyboard on phones.
    if (show) textField.focus();
    else textField.blur();
  });

  pasteButton.addEventListener('click', () => {
    input.pasteFromClipboard().then(
      (text) => toast.show(`Pasted ${[...text].length} characters to the phone's clipboard`, 2500),
      (error: unknown) => toast.show(asFramewayError(error, 'paste failed').message, 4000, 'error'),
    );
  });

  const pad = new VirtualGamepad({ container: stage, input });
  gamepadButton.addEventListener('click', () => {
    guard(() => pad.toggle());
    gamepadButton.setAttribute('aria-pressed', String(pad.visible));
    root.classList.toggle('is-gamepad', pad.visible);
  });

  soundButton.addEventListener('click', () => {
    session.muted = !session.muted;
    soundButton.setAttribute('aria-pressed', String(!session.muted));
  });

  // The phone follows the device: portrait or landscape, told on connect and on every change.
  const portrait = win.matchMedia('(orientation: portrait)');
  const sendOrientation = (): void => {
    const orientation = portrait.matches ? Orientation.Portrait : Orientation.Landscape;
    root.dataset.orientation = portrait.matches ? 'portrait' : 'landscape';
    if (session.connected && !session.reconnecting) guard(() => input.setOrientation(orientation));
  };
  portrait.addEventListener('change', sendOrientation);
  root.dataset.orientation = portrait.matches ? 'portrait' : 'landscape';

  followSession(session, {
    status,
    quality,
    onStreaming: sendOrientation,
    onStats: (stats) => {
      statsPanel.update(stats);
    },
    onEnded: () => {
      restartButton.hidden = false;
      root.classList.add('is-ended');
      bridge.close();
      pad.close();
    },
  });
  session.on('reconnecting', (info) => {
    if (info.attempt === 1) toast.show('Connection lost — reconnecting…', 10_000);
  });
  session.on('resumed', (info) => {
    pad.resync();
    sendOrientation();
    toast.show(`Reconnected after ${(info.downtimeMs / 1000).toFixed(1)} s`, 3000);
  });
  session.on('failover', () => toast.show('Moving you to another server…', 6000));
  win.addEventListener('pagehide', () => session.close());
  session.attach(video);
}

/** A navigation button: down on press, up on release, so a long press (e.g. Home) holds the key. */
function bindNavButton(button: HTMLButtonElement, send: (down?: boolean) => void): void {
  let pointer: number | undefined;
  const release = (event: PointerEvent): void => {
    if (event.pointerId !== pointer) return;
    pointer = undefined;
    button.classList.remove('is-pressed');
    send(false);
  };
  button.addEventListener('pointerdown', (event) => {
    if (pointer !== undefined || event.button > 0) return;
    event.preventDefault();
    pointer = event.pointerId;
    try {
      button.setPointerCapture(event.pointerId);
    } catch {
      // Without capture the release still arrives on this button in practice.
    }
    button.classList.add('is-pressed');
    send(true);
  });
  button.addEventListener('pointerup', release);
  button.addEventListener('pointercancel', release);
  // Keyboard activation (Enter, Space) has no pointer: a tap.
  button.addEventListener('click', (event) => {
    if (event.detail === 0) send();
  });
  button.addEventListener('contextmenu', (event) => event.preventDefault());
}
