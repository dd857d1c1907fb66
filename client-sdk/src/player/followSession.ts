import type { FramewaySession } from '../FramewaySession.js';
import type { SessionStats } from '../media/deriveStats.js';
import type { SessionEndInfo } from '../SessionEndInfo.js';
import { pageStateOf } from './pageState.js';
import type { QualityView } from './QualityView.js';
import type { StatusView } from './StatusView.js';

/** The parts of a player page that follow a session. */
export interface SessionViews {
  status: StatusView;
  quality: QualityView;
  onStats?: (stats: SessionStats) => void;
  onStreaming?: () => void;
  onEnded?: (info: SessionEndInfo) => void;
}

/** Keeps the status line and the quality indicator in step with a session, through outages to its end. */
export function followSession(session: FramewaySession, views: SessionViews): void {
  let streamed = false;
  const render = (): void => {
    const state = pageStateOf(session.state, session.connected, session.reconnecting);
    views.status.show(state);
    if (state === 'streaming' && !streamed) {
      streamed = true;
      views.onStreaming?.();
    }
  };
  const renderQuality = (): void =>
    views.quality.show(session.reconnecting ? 'poor' : session.quality, session.qualityWarnings);
  session.on('state', render);
  session.on('connected', render);
  session.on('reconnecting', () => {
    render();
    renderQuality();
  });
  session.on('resumed', () => {
    render();
    renderQuality();
  });
  session.on('qualityWarning', renderQuality);
  session.on('stats', (stats) => {
    renderQuality();
    views.onStats?.(stats);
  });
  session.on('ended', (info) => {
    views.status.ended(info);
    views.onEnded?.(info);
  });
  render();
  if (session.endInfo) {
    views.status.ended(session.endInfo);
    views.onEnded?.(session.endInfo);
  }
}
