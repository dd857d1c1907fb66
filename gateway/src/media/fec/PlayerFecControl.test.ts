import { afterEach, describe, expect, it } from 'vitest';
import type { MediaTarget } from '../MediaRouter.js';
import { type FecControlledPeer, PlayerFecControl, targetUsesFec } from './PlayerFecControl.js';
import type { FecSendCounters } from './WeriftFecSender.js';

const controls: PlayerFecControl[] = [];
afterEach(() => {
  for (const control of controls.splice(0)) control.close();
});

function fakePeer(negotiated = true) {
  const counters: FecSendCounters = {
    mediaPackets: 0,
    mediaBytes: 0,
    fecPackets: 0,
    fecBytes: 0,
    protectedPackets: 0,
    unprotectedPackets: 0,
    lateDropped: 0,
    simulatedDrops: 0,
    nackedPackets: 0,
  };
  const protection: Array<number | undefined> = [];
  const peer: FecControlledPeer = {
    fecActive: negotiated,
    setFecProtection: (n) => protection.push(n),
    get fecCounters() {
      return { ...counters };
    },
  };
  return { peer, counters, protection };
}

const TARGET: MediaTarget = {
  bitrateKbps: 6000,
  width: 1280,
  height: 720,
  fps: 60,
  estimateKbps: 7000,
  lossFraction: 0,
};

function control(mode: 'auto' | 'on', loss: { value: number | undefined }) {
  let now = 0;
  const changes: Array<number | undefined> = [];
  const fec = new PlayerFecControl({
    mode,
    loss: () => loss.value,
    onChange: (decision) => changes.push(decision.packetsPerFec),
    now: () => now,
    tickMs: 60_000, // ticks are driven by hand
  });
  controls.push(fec);
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 500) {
      now += 500;
      fec.tick();
    }
  };
  return { fec, changes, advance };
}

describe('PlayerFecControl', () => {
  it('switches the peer’s FEC on under sustained loss and takes its share out of the encoder’s target', () => {
    const loss = { value: 0.03 as number | undefined };
    const { fec, changes, advance } = control('auto', loss);
    const { peer, protection } = fakePeer();
    fec.attach(peer);
    expect(protection).toEqual([undefined]);
    expect(fec.adjust(TARGET)).toEqual({ ...TARGET, fec: false });
    advance(2_500);
    expect(changes).toEqual([5]);
    expect(protection).toEqual([undefined, 5]);
    expect(targetUsesFec(fec.adjust(TARGET))).toBe(true);
    // No measure yet: 1 FEC per 5 media packets, target / 1.2.
    expect(fec.adjust(TARGET).bitrateKbps).toBe(5000);
  });

  it('uses the measured FEC overhead of the last 2 s once there is one', () => {
    const { fec, advance } = control('on', { value: 0 });
    const { peer, counters } = fakePeer();
    fec.attach(peer);
    for (let i = 0; i < 5; i++) {
      counters.mediaBytes += 100_000;
      counters.fecBytes += 25_000;
      advance(500);
    }
    expect(fec.adjust(TARGET).bitrateKbps).toBe(4800);
    expect(fec.stats()).toMatchObject({ mode: 'on', negotiated: true, packetsPerFec: 8, overheadPercent: 25 });
  });

  it('leaves the target alone for a player that did not negotiate RED/ULPFEC', () => {
    const { fec } = control('on', { value: 0 });
    fec.attach(fakePeer(false).peer);
    expect(fec.adjust(TARGET)).toEqual({ ...TARGET, fec: false });
    expect(targetUsesFec(TARGET)).toBe(false);
  });

  it('keeps the counters of a replaced peer and gives the new one the decision in force', () => {
    const { fec } = control('on', { value: 0 });
    const first = fakePeer();
    fec.attach(first.peer);
    first.counters.fecPackets = 7;
    fec.detach(first.peer);
    const second = fakePeer();
    second.counters.fecPackets = 3;
    fec.attach(second.peer);
    expect(second.protection).toEqual([8]);
    expect(fec.stats().fecPackets).toBe(10);
  });

  it('counts what the player NACKs as loss when feedback sees none (RTX already repaired it)', () => {
    const { fec, changes, advance } = control('auto', { value: 0 });
    const { peer, counters } = fakePeer();
    fec.attach(peer);
    for (let i = 0; i < 8; i++) {
      counters.mediaPackets += 1_000;
      counters.nackedPackets += 30;
      advance(500);
    }
    expect(changes).toEqual([5]);
  });

  it('waits for a loss figure: no source, no decision change', () => {
    const { fec, changes, advance } = control('auto', { value: undefined });
    fec.attach(fakePeer().peer);
    advance(10_000);
    expect(changes).toEqual([]);
    fec.reportLoss(0.05);
    advance(2_500);
    expect(changes).toEqual([4]);
  });
});
