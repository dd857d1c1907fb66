import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One UDP flow on loopback, as the shaper matches it. */
export interface UdpFlow {
  sourcePort: number;
  destinationPort: number;
}

/** What this machine can do inside the namespace; each field is null when it works, else why not. */
export interface ImpairmentSupport {
  /** nftables: random UDP loss and blackouts. */
  filter: string | null;
  /** tc htb + u32 + tbf: a rate cap on one flow. */
  shaper: string | null;
  /** tc netem: delay and jitter. */
  netem: string | null;
}

/** Datagram counts since start(); every UDP datagram any process in the namespace sent. */
export interface ImpairmentCounters {
  udpDatagrams: number;
  droppedByLoss: number;
  droppedByBlackout: number;
  /** Datagrams the rate cap's queue dropped (tbf tail drops). */
  droppedByShaper: number;
}

const TABLE = 'inet fwbench';
const CHAIN = `${TABLE} in`;
/**
 * Where datagrams are dropped: on the receive side of lo. A drop in the
 * output hook makes the sender's sendmsg() fail with EPERM, which no real
 * network does and which ffmpeg's RTP muxer treats as fatal (the agent's
 * encoder exits); past the loopback device the sender cannot tell.
 */
const HOOK = '{ type filter hook prerouting priority -300 ; }';
/** An htb root whose default class (1:1) is unlimited, so only the traffic a filter picks is impaired. */
const HTB_ROOT = [
  'qdisc add dev lo root handle 1: htb default 1',
  'class add dev lo parent 1: classid 1:1 htb rate 100gbit quantum 200000',
];
/** htb class of the shaped flow (tbf leaf 10:) and of the delayed traffic (netem leaf 20:). */
const CAP_CLASS = '1:10';
const DELAY_CLASS = '1:20';
/** The capped link's queue: what a small home-router buffer holds. */
const CAP_QUEUE = 'burst 32kbit latency 50ms';

/**
 * Impairs the namespace's loopback: random UDP loss and blackouts through an
 * nftables chain (TCP, i.e. signalling, is never touched), a rate cap on one
 * UDP flow and delay through tc. Only meaningful inside a private network
 * namespace (see enterNetworkNamespace.ts): on the host it would hit every
 * process on the machine.
 *
 * The cap shapes only the flow it is given (the gateway → browser media), not
 * the whole of lo: a tbf at lo's root would also throttle the agent → gateway
 * ingest, the WebSockets and Chromium's own loopback IPC. So the root is an
 * htb whose default class is unlimited and a u32 filter (this kernel has no
 * `fw` classifier, so nft marks cannot be used) sends the one flow to a class
 * whose tbf leaf does the shaping.
 */
export class LinkImpairer {
  #started = false;
  #lossHandle: number | null = null;
  #blackoutHandle: number | null = null;
  #tcRoot = false;
  #capFlow: UdpFlow | null = null;
  #delayed = false;
  #shaperDropsSoFar = 0;

  /** What works here; tries each tool on throw-away rules (call inside the namespace). */
  static async support(): Promise<ImpairmentSupport> {
    const attempt = async (steps: (() => Promise<unknown>)[], cleanup: () => Promise<unknown>) => {
      try {
        for (const step of steps) await step();
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      } finally {
        await cleanup().catch(() => {});
      }
    };
    const filter = await attempt(
      [
        () => nft('add table inet fwprobe'),
        () => nft(`add chain inet fwprobe c ${HOOK}`),
        () => nft('add rule inet fwprobe c meta l4proto udp numgen random mod 100 < 1 drop'),
      ],
      () => nft('delete table inet fwprobe'),
    );
    const shaper = await attempt(
      [
        ...HTB_ROOT.map((line) => () => tc(line)),
        () => tc(`class add dev lo parent 1: classid ${CAP_CLASS} htb rate 100gbit quantum 200000`),
        () => tc(`qdisc add dev lo parent ${CAP_CLASS} handle 10: tbf rate 4mbit ${CAP_QUEUE}`),
        () => tc(flowFilter({ sourcePort: 1, destinationPort: 2 }, CAP_CLASS)),
      ],
      () => tc('qdisc del dev lo root'),
    );
    const netem = await attempt([() => tc('qdisc add dev lo root netem delay 1ms')], () => tc('qdisc del dev lo root'));
    return {
      filter: filter && `nftables unusable: ${filter}`,
      shaper: shaper && `tc htb/u32/tbf unusable: ${shaper}`,
      netem: netem && `tc netem unusable (the sch_netem module is missing on this kernel): ${netem}`,
    };
  }

  /** Creates the (empty) filter chain and its counters. */
  async start(): Promise<void> {
    if (this.#started) return;
    await nft(`add table ${TABLE}`);
    await nft(`add chain ${CHAIN} ${HOOK}`);
    for (const counter of ['datagrams', 'lossdrops', 'blackoutdrops']) await nft(`add counter ${TABLE} ${counter}`);
    // First rule, so it counts every datagram, the ones the later rules drop included.
    await nft(`add rule ${CHAIN} meta l4proto udp counter name datagrams`);
    this.#started = true;
  }

  /** Drops this share of UDP datagrams at random from now on (0 removes the rule). */
  async setLoss(percent: number): Promise<void> {
    if (!(percent >= 0 && percent <= 100)) throw new RangeError(`loss must be 0–100 %, got ${percent}`);
    if (this.#lossHandle !== null) await nft(`delete rule ${CHAIN} handle ${this.#lossHandle}`);
    this.#lossHandle = null;
    if (percent === 0) return;
    // numgen gives 0..9999, so loss goes in steps of 0.01 %.
    const below = Math.round(percent * 100);
    this.#lossHandle = await addRule(`meta l4proto udp numgen random mod 10000 < ${below} counter name lossdrops drop`);
  }

  /** Drops every UDP datagram while on. */
  async setBlackout(on: boolean): Promise<void> {
    if (on && this.#blackoutHandle === null) {
      this.#blackoutHandle = await addRule('meta l4proto udp counter name blackoutdrops drop');
    } else if (!on && this.#blackoutHandle !== null) {
      await nft(`delete rule ${CHAIN} handle ${this.#blackoutHandle}`);
      this.#blackoutHandle = null;
    }
  }

  /** Caps `flow` to `kbps` with a 50 ms queue; a second call changes the rate of the same flow. */
  async capFlow(flow: UdpFlow, kbps: number): Promise<void> {
    const capped = this.#capFlow;
    if (capped && (capped.sourcePort !== flow.sourcePort || capped.destinationPort !== flow.destinationPort)) {
      throw new Error('another flow is capped already; releaseCap() first');
    }
    const leaf = `parent ${CAP_CLASS} handle 10: tbf rate ${Math.round(kbps)}kbit ${CAP_QUEUE}`;
    if (capped) {
      await tc(`qdisc change dev lo ${leaf}`);
      return;
    }
    await this.#ensureRoot();
    await tc(`class add dev lo parent 1: classid ${CAP_CLASS} htb rate 100gbit quantum 200000`);
    await tc(`qdisc add dev lo ${leaf}`);
    await tc(flowFilter(flow, CAP_CLASS));
    this.#capFlow = flow;
  }

  /** Removes the cap (and any delay: both live under the same tc root). */
  async releaseCap(): Promise<void> {
    await this.#dropRoot();
  }

  /** Delays every UDP datagram by `ms` ± `jitterMs` (netem; check support().netem first). */
  async setDelay(ms: number, jitterMs: number): Promise<void> {
    if (this.#delayed) throw new Error('delay is set already');
    await this.#ensureRoot();
    await tc(`class add dev lo parent 1: classid ${DELAY_CLASS} htb rate 100gbit quantum 200000`);
    await tc(`qdisc add dev lo parent ${DELAY_CLASS} handle 20: netem delay ${ms}ms ${jitterMs}ms`);
    await tc(`filter add dev lo parent 1: protocol ip prio 2 u32 match ip protocol 17 0xff flowid ${DELAY_CLASS}`);
    this.#delayed = true;
  }

  async counters(): Promise<ImpairmentCounters> {
    const byName = new Map<string, number>();
    if (this.#started) {
      const { stdout } = await run('nft', ['-j', 'list', 'counters', 'table', ...TABLE.split(' ')]);
      const parsed = JSON.parse(stdout) as { nftables?: { counter?: { name: string; packets: number } }[] };
      for (const item of parsed.nftables ?? []) if (item.counter) byName.set(item.counter.name, item.counter.packets);
    }
    return {
      udpDatagrams: byName.get('datagrams') ?? 0,
      droppedByLoss: byName.get('lossdrops') ?? 0,
      droppedByBlackout: byName.get('blackoutdrops') ?? 0,
      droppedByShaper: this.#shaperDropsSoFar + (await this.#shaperDrops()),
    };
  }

  /** Removes every rule; idempotent. */
  async close(): Promise<void> {
    await this.#dropRoot().catch(() => {});
    if (this.#started) await nft(`delete table ${TABLE}`).catch(() => {});
    this.#started = false;
    this.#lossHandle = null;
    this.#blackoutHandle = null;
    this.#shaperDropsSoFar = 0;
  }

  async #ensureRoot(): Promise<void> {
    if (this.#tcRoot) return;
    for (const line of HTB_ROOT) await tc(line);
    this.#tcRoot = true;
  }

  async #dropRoot(): Promise<void> {
    if (!this.#tcRoot) return;
    // Deleting the root resets its statistics: keep the drops counted so far.
    this.#shaperDropsSoFar += await this.#shaperDrops();
    await tc('qdisc del dev lo root');
    this.#tcRoot = false;
    this.#capFlow = null;
    this.#delayed = false;
  }

  async #shaperDrops(): Promise<number> {
    if (!this.#capFlow) return 0;
    const { stdout } = await run('tc', ['-s', '-j', 'qdisc', 'show', 'dev', 'lo']);
    const qdiscs = JSON.parse(stdout) as { kind: string; handle: string; drops?: number }[];
    return qdiscs.find((q) => q.kind === 'tbf' && q.handle === '10:')?.drops ?? 0;
  }
}

function flowFilter(flow: UdpFlow, classId: string): string {
  return (
    'filter add dev lo parent 1: protocol ip prio 1 u32 match ip protocol 17 0xff ' +
    `match ip sport ${flow.sourcePort} 0xffff match ip dport ${flow.destinationPort} 0xffff flowid ${classId}`
  );
}

/** Runs one nft command, given as nft's own command line (nft joins its arguments itself). */
function nft(command: string): Promise<string> {
  return runChecked('nft', [command]);
}

function tc(command: string): Promise<string> {
  return runChecked('tc', command.split(' '));
}

/** Adds a rule to the chain and returns its handle, for deleting exactly that rule later. */
async function addRule(rule: string): Promise<number> {
  const stdout = await runChecked('nft', ['--echo', '--handle', `add rule ${CHAIN} ${rule}`]);
  const handle = /# handle (\d+)/.exec(stdout)?.[1];
  if (handle === undefined) throw new Error(`nft printed no rule handle: ${stdout.trim()}`);
  return Number(handle);
}

async function runChecked(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args)).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message?: string };
    const why = (e.stderr?.trim() || e.message || String(error)).split('\n')[0];
    throw new Error(`${cmd} ${args.join(' ')}: ${why}`);
  }
}
