import { formatTable, ms } from '../../support/benchReport.js';
import type { InputSample } from '../../support/markerProbe.js';
import type { Summary } from '../../support/summarize.js';
import type { SessionFigures } from './analyzeSession.js';
import type { NetworkSessionResult } from './measureNetworkSession.js';
import type { LegName } from './startLegHost.js';

export interface LegOutcome {
  leg: LegName;
  status: 'ok' | 'failed';
  reason?: string;
  result?: Omit<NetworkSessionResult, 'samples'>;
  /** Key-down → first frame showing the change. */
  latency?: Summary;
  presses?: number;
  missed?: number;
  /** Every press, for the JSON. */
  samples?: InputSample[];
}

export interface ScenarioOutcome {
  name: string;
  description: string;
  status: 'ok' | 'skipped';
  reason?: string;
  legs: LegOutcome[];
}

type Row = { label: string; value: (leg: LegOutcome) => number | null | undefined; format?: (v: number) => string };

const f1 = (v: number): string => v.toFixed(1);
const int = (v: number): string => String(Math.round(v));
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const figures = (leg: LegOutcome): SessionFigures | undefined => leg.result?.figures;

const ROWS: Row[] = [
  { label: 'decoded fps', value: (l) => figures(l)?.decodedFps, format: f1 },
  { label: 'presented fps', value: (l) => figures(l)?.presentedFps, format: f1 },
  { label: 'freezes', value: (l) => figures(l)?.freezes, format: int },
  { label: 'frozen s', value: (l) => figures(l)?.frozenS, format: (v) => v.toFixed(2) },
  { label: 'longest freeze ms', value: (l) => figures(l)?.longestGapMs, format: int },
  { label: 'key→photon p50 ms', value: (l) => l.latency?.p50, format: f1 },
  { label: 'key→photon p95 ms', value: (l) => l.latency?.p95, format: f1 },
  { label: 'presses missed', value: (l) => l.missed, format: int },
  { label: 'NACK sent', value: (l) => figures(l)?.counters.nackCount, format: int },
  { label: 'PLI sent', value: (l) => figures(l)?.counters.pliCount, format: int },
  { label: 'FIR sent', value: (l) => figures(l)?.counters.firCount, format: int },
  { label: 'retransmitted pkts rx', value: (l) => figures(l)?.counters.retransmittedPacketsReceived, format: int },
  { label: 'FEC pkts rx', value: (l) => figures(l)?.counters.fecPacketsReceived, format: int },
  { label: 'packets lost', value: (l) => figures(l)?.counters.packetsLost, format: int },
  { label: 'keyframes decoded', value: (l) => figures(l)?.counters.keyFramesDecoded, format: int },
  { label: 'received kbps', value: (l) => figures(l)?.meanKbps, format: int },
  { label: 'target kbps', value: (l) => figures(l)?.meanTargetKbps, format: int },
  { label: 'frame sizes seen', value: (l) => figures(l)?.sizes.length, format: int },
  {
    label: 'UDP dropped (all legs)',
    value: (l) => {
      const c = l.result?.impairment;
      return c && c.udpDatagrams > 0 ? (c.droppedByLoss + c.droppedByBlackout) / c.udpDatagrams : null;
    },
    format: pct,
  },
  { label: 'shaper drops', value: (l) => l.result?.impairment.droppedByShaper, format: int },
  { label: 'CPU gateway', value: (l) => l.result?.cpu.gateway, format: pct },
  { label: 'CPU agent (+ffmpeg)', value: (l) => l.result?.cpu.agent, format: pct },
];

/** The table of one scenario: a column per leg and repair/baseline. */
export function scenarioTable(scenario: ScenarioOutcome): string {
  const lines = [`\n■ ${scenario.name}: ${scenario.description}`];
  if (scenario.status === 'skipped') {
    lines.push(`  skipped: ${scenario.reason}`);
    return lines.join('\n');
  }
  const repair = scenario.legs.find((l) => l.leg === 'repair');
  const baseline = scenario.legs.find((l) => l.leg === 'baseline');
  const cell = (leg: LegOutcome | undefined, row: Row): string => {
    const v = leg?.status === 'ok' ? row.value(leg) : undefined;
    return v === null || v === undefined || !Number.isFinite(v) ? '–' : (row.format ?? f1)(v);
  };
  const ratio = (row: Row): string => {
    const a = repair?.status === 'ok' ? row.value(repair) : null;
    const b = baseline?.status === 'ok' ? row.value(baseline) : null;
    if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–';
    return `×${(a / b).toFixed(2)}`;
  };
  const rows = [...ROWS, ...phaseRows(scenario.legs)].map((row) => [
    row.label,
    cell(repair, row),
    cell(baseline, row),
    ratio(row),
  ]);
  lines.push(formatTable(['figure', 'repair', 'baseline', 'repair/baseline'], rows));
  for (const leg of scenario.legs) {
    if (leg.status === 'failed') lines.push(`  ${leg.leg}: failed: ${leg.reason}`);
    const interrupted = figures(leg)?.interrupted;
    if (interrupted) {
      const why = [interrupted.reason, interrupted.detail].filter(Boolean).join(': ');
      lines.push(
        `  ${leg.leg}: the player left streaming at ${interrupted.atS.toFixed(1)} s: ${interrupted.state}${why ? ` (${why})` : ''}`,
      );
    }
    const held = (figures(leg)?.blackouts ?? []).flatMap((b) =>
      b.heldMs ? [`${int(b.heldMs[0])}–${int(b.heldMs[1])}`] : [],
    );
    if (held.length > 0) lines.push(`  ${leg.leg}: blackouts held ${held.join(', ')} ms (at least–at most)`);
    const sizes = figures(leg)?.sizes ?? [];
    if (sizes.length > 1) {
      const list = sizes.map((s) => `${s.width}x${s.height}@${s.atS.toFixed(1)}s`).join(', ');
      lines.push(`  ${leg.leg}: frame sizes ${list}`);
    }
  }
  return lines.join('\n');
}

/** Rows for each cap change and blackout of the scenario (same order in both legs). */
function phaseRows(legs: readonly LegOutcome[]): Row[] {
  const sample = legs.find((l) => l.status === 'ok')?.result?.figures;
  if (!sample) return [];
  const caps = sample.capChanges.flatMap((change, i): Row[] => {
    const name = change.capKbps === null ? 'release' : `cap ${change.capKbps / 1000} Mbit/s`;
    return [
      { label: `${name}: adapted after ms`, value: (l) => figures(l)?.capChanges[i]?.adaptedAfterMs, format: int },
      { label: `${name}: target after ms`, value: (l) => figures(l)?.capChanges[i]?.targetAfterMs, format: int },
    ];
  });
  const outages = sample.blackouts.flatMap((_, i): Row[] => [
    {
      label: `blackout ${i + 1}: recovered after ms`,
      value: (l) => figures(l)?.blackouts[i]?.recoveredAfterMs,
      format: int,
    },
    { label: `blackout ${i + 1}: picture still ms`, value: (l) => figures(l)?.blackouts[i]?.stallMs, format: int },
  ]);
  return [...caps, ...outages];
}

/** One line per scenario and leg: the figures to scan first. */
export function overviewTable(scenarios: readonly ScenarioOutcome[]): string {
  const rows = scenarios.flatMap((s) =>
    s.status === 'skipped'
      ? [[s.name, '–', 'skipped', '', '', '', '', '', '']]
      : s.legs.map((l) => {
          const f = figures(l);
          const ok = l.status === 'ok' && f;
          return [
            s.name,
            l.leg,
            ok ? f1(f.decodedFps) : l.status,
            ok ? int(f.freezes ?? Number.NaN) : '',
            ok ? (f.frozenS ?? Number.NaN).toFixed(2) : '',
            ok ? int(f.longestGapMs) : '',
            ms(l.latency?.p50),
            ms(l.latency?.p95),
            ok ? int(f.meanKbps) : '',
          ];
        }),
  );
  return formatTable(
    ['scenario', 'leg', 'decoded fps', 'freezes', 'frozen s', 'longest ms', 'k2p p50', 'k2p p95', 'kbps'],
    rows,
  );
}
