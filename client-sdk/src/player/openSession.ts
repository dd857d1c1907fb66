import { FramewayError, isFramewayError, SessionEndReason } from '@frameway/protocol';
import { connect } from '../connect.js';
import type { ConnectOptions } from '../connectOptions.js';
import { requestDemoSession } from '../demo/requestDemoSession.js';
import type { FramewaySession } from '../FramewaySession.js';
import { offerToPlayAnyway } from './overBudgetOffer.js';
import type { PlayerParams } from './playerParams.js';
import type { StatusView } from './StatusView.js';

/**
 * Connects a player page: with the token from the URL fragment, or (demo
 * mode) with one the gateway mints at POST /v1/demo/session. Rejects with a
 * FramewayError whatever fails.
 */
export async function openSession(
  gatewayUrl: string,
  params: PlayerParams,
  options: Omit<ConnectOptions, 'gatewayUrl' | 'token' | 'signalingUrl'> = {},
): Promise<FramewaySession> {
  const demo = params.token
    ? undefined
    : await requestDemoSession({ gatewayUrl }).catch((error: unknown) => {
        throw asFramewayError(error, 'the demo session could not be created');
      });
  const token = params.token ?? demo?.token ?? '';
  const signalingUrl = params.signalingUrl ?? demo?.signalingUrl;
  try {
    return await connect({
      ...options,
      gatewayUrl,
      token,
      ...(signalingUrl ? { signalingUrl } : {}),
      lowLatency: params.lowLatency,
      acceptOverBudget: params.acceptOverBudget,
    });
  } catch (error) {
    throw asFramewayError(error, 'the session could not be started');
  }
}

/** What a page shows while it connects. */
export interface PageChrome {
  win: Window;
  status: StatusView;
  restartButton: HTMLButtonElement;
}

/**
 * Connects a page: `connecting`, then the session (also exposed as
 * `window.framewaySession`); or the failure in the status line and the
 * restart button (offering "play anyway" where that can help), and undefined.
 */
export async function openPageSession(
  gatewayUrl: string,
  params: PlayerParams,
  options: Omit<ConnectOptions, 'gatewayUrl' | 'token' | 'signalingUrl'>,
  { win, status, restartButton }: PageChrome,
): Promise<FramewaySession | undefined> {
  status.show('connecting');
  try {
    const session = await openSession(gatewayUrl, params, options);
    (win as { framewaySession?: FramewaySession }).framewaySession = session;
    return session;
  } catch (error) {
    const fwError = asFramewayError(error, 'the session could not be started');
    status.failed(SessionEndReason.StartFailed, fwError.code, fwError.message);
    offerToPlayAnyway(restartButton, fwError, win);
    restartButton.hidden = false;
    return undefined;
  }
}

export function asFramewayError(error: unknown, context: string): FramewayError {
  if (isFramewayError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FramewayError('FW_ERR_INTERNAL', `${context}: ${message}`, undefined, { cause: error });
}
