import { SessionStateName, TypedEmitter } from '@frameway/protocol';
import { type Session, WebhookEventType } from '@frameway/protocol/rest';
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../studio/SessionRecords.js';
import type { StudioSessionEvents } from '../studio/StudioSessions.js';
import { FakeVerdictSource } from '../testing/FakeVerdictSource.js';
import { StudioEventPublisher } from './StudioEventPublisher.js';

const record: SessionRecord = {
  id: 'ses_1',
  studioId: 'std_1',
  titleId: 'tt_1',
  playerId: 'p1',
  state: SessionStateName.Streaming,
  nodeId: 'node-a',
  region: 'eu-north',
  createdAt: 0,
  placedAt: 0,
  startedAt: 1_000,
  endedAt: null,
  endReason: null,
  endCode: null,
  endMessage: null,
  tokenExpiresAt: 900_000,
  failovers: 0,
  utilisationBp: 2500,
  pricePerBlock: 60,
  currency: 'USD',
  blockMinutes: 15,
  metadata: {},
  invoiceId: null,
};

class FakeSessions extends TypedEmitter<StudioSessionEvents> {
  view(r: SessionRecord): Session {
    return { id: r.id } as Session;
  }

  fire<E extends keyof StudioSessionEvents>(event: E, ...args: StudioSessionEvents[E]): void {
    this.emit(event, ...args);
  }
}

function setup() {
  const sessions = new FakeSessions();
  const history: { sessionId: string; type: string; data: Record<string, unknown> }[] = [];
  const published: { studioId: string; type: WebhookEventType; data: unknown }[] = [];
  const publisher = new StudioEventPublisher({
    sessions,
    records: {
      find: (id) => (id === record.id ? record : undefined),
      addEvent: (sessionId, type, data) => void history.push({ sessionId, type, data }),
    },
    dispatcher: { publish: (studioId, type, data) => void published.push({ studioId, type, data }) },
  });
  const verdicts = new FakeVerdictSource();
  publisher.useVerdictSource(verdicts);
  return { sessions, history, published, publisher, verdicts };
}

describe('StudioEventPublisher', () => {
  it('publishes session started, failed over and ended to the session’s studio', () => {
    const { sessions, published } = setup();
    sessions.fire('started', record);
    sessions.fire('failedOver', record, 'node-a', 'node-b');
    sessions.fire('ended', record);
    expect(published).toEqual([
      { studioId: 'std_1', type: 'session.started', data: { session: { id: 'ses_1' } } },
      {
        studioId: 'std_1',
        type: 'session.failed_over',
        data: { session: { id: 'ses_1' }, fromNodeId: 'node-a', toNodeId: 'node-b' },
      },
      { studioId: 'std_1', type: 'session.ended', data: { session: { id: 'ses_1' } } },
    ]);
  });

  it('records a failed minute in the session history and publishes it as qos.sla_breach; met minutes are silent', () => {
    const { history, published, verdicts } = setup();
    verdicts.push({ sessionId: 'ses_1', minuteIndex: 0, startedAt: 1_000, slaMet: true });
    verdicts.push({ sessionId: 'ses_1', minuteIndex: 1, startedAt: 61_000, slaMet: false });
    verdicts.push({ sessionId: 'ses_unknown', minuteIndex: 0, startedAt: 0, slaMet: false });
    const data = {
      sessionId: 'ses_1',
      minuteIndex: 1,
      minuteStartedAt: '1970-01-01T00:01:01.000Z',
      failures: ['fps_below_target'],
      fps: 24,
      p95LatencyMs: 55,
    };
    expect(history).toEqual([{ sessionId: 'ses_1', type: 'sla_breach', data }]);
    expect(published).toEqual([{ studioId: 'std_1', type: 'qos.sla_breach', data }]);
  });

  it('follows only the latest verdict source', () => {
    const { publisher, published, verdicts } = setup();
    const next = new FakeVerdictSource();
    publisher.useVerdictSource(next);
    verdicts.push({ sessionId: 'ses_1', minuteIndex: 0, startedAt: 0, slaMet: false });
    expect(published).toEqual([]);
    next.push({ sessionId: 'ses_1', minuteIndex: 0, startedAt: 0, slaMet: false });
    expect(published.map((event) => event.type)).toEqual(['qos.sla_breach']);
  });

  it('queues nothing once closed, and closing twice is harmless', () => {
    const { publisher, sessions, history, published, verdicts } = setup();
    publisher.close();
    publisher.close();
    sessions.fire('ended', record);
    verdicts.push({ sessionId: 'ses_1', minuteIndex: 0, startedAt: 0, slaMet: false });
    publisher.publish('std_1', WebhookEventType.InvoiceReady, {});
    expect([history, published]).toEqual([[], []]);
  });

  it('swallows a dispatcher that cannot queue, so the emitting session and later events go on', () => {
    const sessions = new FakeSessions();
    const published: WebhookEventType[] = [];
    let failNext = true;
    const publisher = new StudioEventPublisher({
      sessions,
      records: { find: () => undefined, addEvent: () => undefined },
      dispatcher: {
        publish: (_studioId, type) => {
          if (failNext) {
            failNext = false;
            throw new Error('database is locked');
          }
          published.push(type);
        },
      },
    });
    const seen: string[] = [];
    sessions.on('started', (r) => void seen.push(r.id));
    sessions.fire('started', record);
    sessions.fire('ended', record);
    expect(seen).toEqual(['ses_1']);
    expect(published).toEqual([WebhookEventType.SessionEnded]);
    publisher.close();
  });
});
