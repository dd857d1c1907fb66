import { failuresOfMask } from '@frameway/protocol/qos';
import type { MinuteVerdict } from '../QosVerdicts.js';
import type { MinuteRecordRow } from '../store/LedgerStore.js';

/** A stored minute record as the verdict billing and webhooks read. */
export function toVerdict(record: MinuteRecordRow): MinuteVerdict {
  return {
    sessionId: record.sessionId,
    minuteIndex: record.minuteIndex,
    startedAt: record.startedAt,
    slaMet: record.slaMet,
    failures: failuresOfMask(record.failureMask),
    fps: record.fpsMilli / 1000,
    p95LatencyMs: record.p95LatencyUs / 1000,
  };
}
