import { FramewayError, SessionEndReason, SessionStateName, TypedEmitter } from '@frameway/protocol';
import type { CreatedSession, CreateSessionRequest, Session, SessionDetail } from '@frameway/protocol/rest';
import type * as v from 'valibot';
import type { PlayerTokens } from '../auth/PlayerTokens.js';
import type { QosVerdictSource } from '../ledger/QosVerdicts.js';
import { createLogger } from '../logging/logger.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import type { Session as LiveSession, SessionEndInfo } from '../sessions/Session.js';
import type { SessionManager } from '../sessions/SessionManager.js';
import type { SessionPricing } from './SessionPricing.js';
import type { SessionFilters, SessionRecord, SessionRecords } from './SessionRecords.js';
import { isoTime, type StudioContext } from './StudioContext.js';
import type { StudioConfig } from './studioConfig.js';
import type { Titles } from './Titles.js';
import { type SessionDefaults, titleToSessionSpec } from './titleToSessionSpec.js';

const log = createLogger('studio.sessions');

/** Live measurements the gateway has for a session; null where nothing was measured yet. */
export interface LiveMeasurements {
  rttMs: number | null;
  fps: number | null;
  latencyMs: number | null;
  measuredAt: number | null;
}

export type StudioSessionEvents = {
  /** Media first reached the gateway: billable time starts. */
  started: [record: SessionRecord];
  failedOver: [record: SessionRecord, fromNodeId: string, toNodeId: string];
  ended: [record: SessionRecord];
};

export interface StudioSessionsOptions {
  context: StudioContext;
  records: SessionRecords;
  titles: Titles;
  sessions: SessionManager;
  registry: NodeRegistry;
  tokens: PlayerTokens;
  /** Prices and bills sessions (Billing). */
  pricing: SessionPricing;
  config: StudioConfig;
  defaults: SessionDefaults;
  /** Where players reach the gateway: the web player origin and the signaling socket URL. */
  urls: () => { publicUrl: string; signalingUrl: string };
  verdicts: () => QosVerdictSource | undefined;
  /** Extra live measurements (e.g. RTT from placement probes); verdicts fill fps and latency otherwise. */
  liveMeasurements?: ((sessionId: string) => Partial<LiveMeasurements> | undefined) | undefined;
}

type CreateSessionInput = v.InferOutput<typeof CreateSessionRequest>;

/**
 * Studio sessions: creates them through the SessionManager with a player
 * token, and keeps their metadata and history in SQLite by following the
 * manager's events (live Session objects vanish when they end).
 */
export class StudioSessions extends TypedEmitter<StudioSessionEvents> {
  readonly #options: StudioSessionsOptions;
  readonly #detach: (() => void)[] = [];

  constructor(options: StudioSessionsOptions) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#options = options;
  }

  /** Starts following the SessionManager's events; `detach()` stops. */
  attach(): void {
    const { sessions } = this.#options;
    const placed = (session: LiveSession, nodeId: string) => this.#placed(session, nodeId);
    const streaming = (session: LiveSession) => this.#streaming(session);
    const failedOver = (session: LiveSession, from: string, to: string) => this.#failedOver(session, from, to);
    const ended = (session: LiveSession, info: SessionEndInfo) => this.#ended(session, info);
    sessions.on('placed', placed).on('streaming', streaming).on('failedOver', failedOver).on('ended', ended);
    this.#detach.push(() =>
      sessions.off('placed', placed).off('streaming', streaming).off('failedOver', failedOver).off('ended', ended),
    );
  }

  detach(): void {
    for (const undo of this.#detach.splice(0)) undo();
  }

  create(studioId: string, request: CreateSessionInput): CreatedSession {
    const { context, titles, records, sessions, tokens, pricing, config, urls } = this.#options;
    const title = titles.get(studioId, request.titleId);
    if (title.archivedAt !== null) {
      throw new FramewayError('FW_ERR_TITLE_ARCHIVED', 'this title is archived', { titleId: title.id });
    }
    const allowed = title.spec.requirements.regions;
    if (request.region !== undefined && allowed.length > 0 && !allowed.includes(request.region)) {
      throw new FramewayError(
        'FW_ERR_REGION_NOT_ALLOWED',
        `region ${request.region} is not one of the title's regions`,
        {
          region: request.region,
          allowed,
        },
      );
    }
    const now = context.now();
    const ttlSeconds = request.tokenTtlSeconds ?? config.playerTokenTtlSeconds;
    const record: SessionRecord = {
      id: context.newId('ses'),
      studioId,
      titleId: title.id,
      playerId: request.playerId,
      state: SessionStateName.Placing,
      nodeId: null,
      region: null,
      createdAt: now,
      placedAt: null,
      startedAt: null,
      endedAt: null,
      endReason: null,
      endCode: null,
      endMessage: null,
      tokenExpiresAt: now + ttlSeconds * 1000,
      failovers: 0,
      utilisationBp: null,
      pricePerBlock: null,
      currency: pricing.terms.currency,
      blockMinutes: pricing.terms.blockMinutes,
      metadata: { ...(request.metadata ?? {}) },
      invoiceId: null,
    };
    records.insert(record);
    try {
      sessions.create({
        id: record.id,
        playerId: record.playerId,
        studioId,
        titleId: title.id,
        ...titleToSessionSpec(title.spec, request, this.#options.defaults),
      });
    } catch (error) {
      context.db.prepare('DELETE FROM studio_sessions WHERE id = ?').run(record.id);
      throw error;
    }
    records.addEvent(record.id, 'created', { titleId: title.id, playerId: record.playerId }, now);
    const playerToken = tokens.issue({ sid: record.id, sub: record.playerId, ttlSeconds });
    const { publicUrl, signalingUrl } = urls();
    const page = title.spec.kind === 'android_app' ? 'phone' : '';
    const fragment = new URLSearchParams({ token: playerToken, signalingUrl });
    return {
      session: this.view(record),
      playerToken,
      playUrl: `${new URL(page, ensureSlash(publicUrl)).href}#${fragment}`,
      signalingUrl,
      expiresAt: isoTime(record.tokenExpiresAt),
    };
  }

  /** FW_ERR_SESSION_NOT_FOUND for unknown ids and other studios' sessions alike. */
  get(studioId: string, sessionId: string): SessionRecord {
    const record = this.#options.records.get(studioId, sessionId);
    if (!record) throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', 'no such session', { sessionId });
    return record;
  }

  detail(studioId: string, sessionId: string): SessionDetail {
    const record = this.get(studioId, sessionId);
    return {
      ...this.view(record),
      history: this.#options.records.history(sessionId).map((entry) => ({
        at: isoTime(entry.at),
        type: entry.type,
        data: entry.data,
      })),
    };
  }

  list(
    studioId: string,
    filters: SessionFilters,
    page: { cursor?: string | undefined; limit: number },
  ): { items: Session[]; nextCursor: string | null } {
    const { items, nextCursor } = this.#options.records.list(studioId, filters, page);
    return { items: items.map((record) => this.view(record)), nextCursor };
  }

  /** Ends a running session with reason `terminated`; FW_ERR_SESSION_ENDED when it already ended. */
  terminate(studioId: string, sessionId: string): Session {
    const record = this.get(studioId, sessionId);
    const live = this.#options.sessions.get(sessionId);
    if (record.endedAt !== null || !live) {
      throw new FramewayError('FW_ERR_SESSION_ENDED', 'this session has already ended', { sessionId });
    }
    this.#options.sessions.end(sessionId, { reason: SessionEndReason.Terminated, message: 'terminated by the studio' });
    return this.view(this.get(studioId, sessionId));
  }

  /** The REST view of a record, with what the live session and the ledger know now. */
  view(record: SessionRecord): Session {
    const { sessions, registry, pricing } = this.#options;
    const live = sessions.get(record.id);
    const nodeId = live?.nodeId ?? record.nodeId;
    const region = (nodeId ? registry.get(nodeId)?.region : undefined) ?? record.region;
    const bill = pricing.bill(record);
    const measured = this.#measurements(record);
    return {
      id: record.id,
      titleId: record.titleId,
      playerId: record.playerId,
      state: live?.state ?? record.state,
      nodeId: nodeId ?? null,
      region: region ?? null,
      createdAt: isoTime(record.createdAt),
      startedAt: isoTime(record.startedAt),
      endedAt: isoTime(record.endedAt),
      endReason: record.endReason,
      endCode: record.endCode,
      failovers: record.failovers,
      live: { ...measured, measuredAt: isoTime(measured.measuredAt) },
      billing: {
        currency: record.currency,
        blockMinutes: record.blockMinutes,
        pricePerBlock: record.pricePerBlock,
        utilisationPercent: record.utilisationBp === null ? null : record.utilisationBp / 100,
        blocks: bill.blocks,
        amount: bill.amount,
      },
      metadata: { ...record.metadata },
    };
  }

  #measurements(record: SessionRecord): LiveMeasurements {
    const result: LiveMeasurements = { rttMs: null, fps: null, latencyMs: null, measuredAt: null };
    if (record.endedAt !== null) return result;
    const latest = this.#options.verdicts()?.verdictsFor(record.id).at(-1);
    if (latest) {
      result.fps = latest.fps;
      result.latencyMs = latest.p95LatencyMs;
      result.measuredAt = latest.startedAt + 60_000;
    }
    const extra = this.#options.liveMeasurements?.(record.id);
    if (extra) Object.assign(result, Object.fromEntries(Object.entries(extra).filter(([, value]) => value != null)));
    return result;
  }

  #placed(session: LiveSession, nodeId: string): void {
    const { records, registry, pricing, context } = this.#options;
    if (!records.find(session.id)) return;
    const { utilisationBp, pricePerBlock } = pricing.priceAtPlacement(registry.list(), nodeId);
    const region = registry.get(nodeId)?.region ?? null;
    const now = context.now();
    records.update(session.id, {
      state: SessionStateName.Starting,
      nodeId,
      region,
      placedAt: now,
      utilisationBp,
      pricePerBlock,
    });
    records.addEvent(
      session.id,
      'placed',
      { nodeId, region, utilisationPercent: utilisationBp / 100, pricePerBlock },
      now,
    );
  }

  #streaming(session: LiveSession): void {
    const { records, context } = this.#options;
    const record = records.find(session.id);
    if (!record || record.startedAt !== null) return;
    const now = context.now();
    const updated = records.update(session.id, { state: SessionStateName.Streaming, startedAt: now });
    records.addEvent(session.id, 'streaming', { nodeId: session.nodeId ?? null }, now);
    if (updated) this.emit('started', updated);
  }

  #failedOver(session: LiveSession, fromNodeId: string, toNodeId: string): void {
    const { records, registry, context } = this.#options;
    const record = records.find(session.id);
    if (!record) return;
    const now = context.now();
    const updated = records.update(session.id, {
      nodeId: toNodeId,
      region: registry.get(toNodeId)?.region ?? record.region,
      failovers: record.failovers + 1,
    });
    records.addEvent(session.id, 'failed_over', { fromNodeId, toNodeId }, now);
    if (updated) this.emit('failedOver', updated, fromNodeId, toNodeId);
  }

  #ended(session: LiveSession, info: SessionEndInfo): void {
    const { records, context } = this.#options;
    const record = records.find(session.id);
    if (!record || record.endedAt !== null) return;
    const now = context.now();
    const updated = records.update(session.id, {
      state: SessionStateName.Ended,
      endedAt: now,
      endReason: info.reason,
      endCode: info.code ?? null,
      endMessage: info.message ?? null,
    });
    records.addEvent(
      session.id,
      'ended',
      { reason: info.reason, code: info.code ?? null, message: info.message ?? null },
      now,
    );
    if (updated) this.emit('ended', updated);
  }
}

function ensureSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
