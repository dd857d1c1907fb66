/**
 * Studio API bridge bench: what serving the Fastify app through the gateway's
 * own listener (SocketServer.mount('/v1') → app.inject()) costs per request,
 * against the same app listening on its own port, in the same run.
 *
 * Legs, each a sequential keep-alive client on loopback, interleaved in rounds:
 *   gateway-route   GET /healthz: an exact gateway route, no Fastify (the listener's floor)
 *   fastify-direct  the API's Fastify app on its own port (app.listen)
 *   gateway-bridge  the same app through the gateway listener and inject()
 *   inject-only     app.inject() in process, no HTTP at all (what the bridge runs per request)
 * Routes: GET /v1/studio (auth, rate limit, one SQLite read) and
 * POST /v1/titles (auth, JSON body validation, one SQLite insert).
 *
 * Environment: BENCH_REQUESTS per leg and route (default 2000), BENCH_ROUNDS (default 10).
 */
import { Gateway, loadGatewayConfig } from '@frameway/gateway';
import { formatTable, machineInfo, ms, writeBenchResults } from '../../support/benchReport.js';
import { type Summary, summarize } from '../../support/summarize.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const WARMUP = 200;

type LegName = 'gateway-route' | 'fastify-direct' | 'gateway-bridge' | 'inject-only';
type RouteName = 'GET /v1/studio' | 'POST /v1/titles';

const title = JSON.stringify({ kind: 'game', name: 'Bench', runtime: { type: 'scene' } });

async function main(): Promise<void> {
  const gateway = new Gateway(
    loadGatewayConfig({
      port: 0,
      agentSecret: 'bench-agent-secret',
      server: { engine: process.env.FRAMEWAY_SERVER_ENGINE === 'uws' ? 'uws' : 'auto' },
      studioApi: { rateLimit: { burst: 1_000_000, perSecond: 1_000_000 } },
    }),
  );
  await gateway.start();
  const app = gateway.studio.app;
  const direct = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = gateway.studio.createStudio('bench');
  const auth = { authorization: `Bearer ${key}` };

  const http = (base: string, route: RouteName) => async (): Promise<void> => {
    const response =
      route === 'GET /v1/studio'
        ? await fetch(`${base}/v1/studio`, { headers: auth })
        : await fetch(`${base}/v1/titles`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: title,
          });
    await response.arrayBuffer();
    if (response.status >= 300) throw new Error(`${route} answered ${response.status}`);
  };
  const inject = (route: RouteName) => async (): Promise<void> => {
    const response =
      route === 'GET /v1/studio'
        ? await app.inject({ method: 'GET', url: '/v1/studio', headers: auth })
        : await app.inject({
            method: 'POST',
            url: '/v1/titles',
            headers: { ...auth, 'content-type': 'application/json' },
            payload: title,
          });
    if (response.statusCode >= 300) throw new Error(`${route} answered ${response.statusCode}`);
  };
  const health = async (): Promise<void> => {
    await (await fetch(`${gateway.url}/healthz`)).arrayBuffer();
  };

  const legs: { leg: LegName; route: RouteName | 'GET /healthz'; run: () => Promise<void> }[] = [
    { leg: 'gateway-route', route: 'GET /healthz', run: health },
    ...(['GET /v1/studio', 'POST /v1/titles'] as const).flatMap((route) => [
      { leg: 'fastify-direct' as const, route, run: http(direct, route) },
      { leg: 'gateway-bridge' as const, route, run: http(gateway.url, route) },
      { leg: 'inject-only' as const, route, run: inject(route) },
    ]),
  ];
  const samples = new Map<string, number[]>(legs.map((l) => [`${l.leg} ${l.route}`, []]));
  for (const { run } of legs) for (let i = 0; i < WARMUP; i++) await run();
  const perRound = Math.ceil(REQUESTS / ROUNDS);
  const startedAt = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (const { leg, route, run } of legs) {
      const series = samples.get(`${leg} ${route}`)!;
      for (let i = 0; i < perRound; i++) {
        const t0 = performance.now();
        await run();
        series.push(performance.now() - t0);
      }
    }
  }
  const seconds = (performance.now() - startedAt) / 1000;

  const results: Record<string, Summary> = {};
  for (const [name, series] of samples) results[name] = summarize(series);
  const rows = [...samples.keys()].map((name) => {
    const s = results[name]!;
    return [name, String(s.count), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.mean), (1000 / s.mean).toFixed(0)];
  });
  console.log(
    `\nstudio API bridge: ${REQUESTS} sequential requests per leg and route, ${ROUNDS} interleaved rounds, engine ${gateway.engine}\n`,
  );
  console.log(formatTable(['leg / route', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'mean ms', 'req/s'], rows));
  const overhead: Record<string, { p50Ms: number; meanMs: number; ratioP50: number }> = {};
  for (const route of ['GET /v1/studio', 'POST /v1/titles'] as const) {
    const bridge = results[`gateway-bridge ${route}`]!;
    const directLeg = results[`fastify-direct ${route}`]!;
    overhead[route] = {
      p50Ms: bridge.p50 - directLeg.p50,
      meanMs: bridge.mean - directLeg.mean,
      ratioP50: bridge.p50 / directLeg.p50,
    };
    console.log(
      `${route}: bridge − direct = ${ms(overhead[route].p50Ms)} ms at p50 (${ms(overhead[route].meanMs)} ms mean), bridge/direct p50 = ${overhead[route].ratioP50.toFixed(2)}`,
    );
  }
  const machine = machineInfo();
  console.log(
    `load average ${machine.loadAverage.join(' ')}, ${machine.cpus} × ${machine.cpuModel}, ${seconds.toFixed(1)} s`,
  );
  const written = writeBenchResults('studio-api', {
    engine: gateway.engine,
    requestsPerLeg: REQUESTS,
    rounds: ROUNDS,
    results,
    overhead,
    machine,
  });
  console.log(`wrote ${written.file}`);
  await app.close();
  await gateway.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
