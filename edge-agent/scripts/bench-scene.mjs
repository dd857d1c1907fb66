// Measures the scene runtime's render cost and the live agent pipeline at
// 720p60, against the built package (run `npx tsc -b edge-agent` first).
//
//   node edge-agent/scripts/bench-scene.mjs            render bench + 10 s in-process agent run
//   node edge-agent/scripts/bench-scene.mjs --cli      same 10 s run through dist/cli.js, then SIGTERM
//   node edge-agent/scripts/bench-scene.mjs --seconds 5
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  AgentToGateway,
  encodeAgentInputFrame,
  encodeInputEvents,
  InputEventType,
  MessageType,
  SignalingChannel,
} from '@frameway/protocol';
import { WebSocketServer } from 'ws';
import { EdgeAgent, loadConfig, SceneRenderer, SceneState } from '../dist/index.js';

const { values } = parseArgs({
  options: { cli: { type: 'boolean' }, seconds: { type: 'string' }, frames: { type: 'string' } },
});
const seconds = Number(values.seconds ?? 10);
const video = { width: 1280, height: 720, fps: 60, codec: 'h264', bitrateKbps: 8000, gop: 60 };

benchRender(Number(values.frames ?? 2000));
await benchStream(values.cli === true);

function benchRender(frames) {
  const state = new SceneState({ width: video.width, height: video.height });
  const renderer = new SceneRenderer({ width: video.width, height: video.height });
  const frame = renderer.createFrame();
  for (let i = 0; i < 200; i++) renderer.render(state, frame); // warm up the JIT
  const times = [];
  for (let i = 0; i < frames; i++) {
    state.step(1 / 60);
    if (i % 30 === 0) state.applyInput([{ type: InputEventType.KeyDown, usage: 0x4f, modifiers: 0 }]);
    const started = performance.now();
    renderer.render(state, frame);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(times.length * p))].toFixed(3);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(3);
  console.log(
    `render 1280x720 yuv420p, ${frames} frames: mean ${mean} ms, p50 ${pct(0.5)}, p99 ${pct(0.99)}, max ${pct(1)}`,
  );
}

async function benchStream(viaCli) {
  const udp = createSocket('udp4');
  await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
  let frames = 0;
  let bytes = 0;
  let rtcp = 0;
  let measuring = false;
  udp.on('message', (packet) => {
    if (packet[1] >= 192 && packet[1] <= 223) return void rtcp++;
    if (!measuring) return;
    bytes += packet.length;
    if (packet[1] & 0x80) frames++;
  });

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/agent' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const url = `ws://127.0.0.1:${wss.address().port}/ws/agent`;
  const received = [];
  const connected = new Promise((resolve) => {
    wss.on('connection', (socket) => {
      const channel = new SignalingChannel({
        send: (text) => socket.send(text),
        accepts: AgentToGateway,
        onMessage: (message) => {
          received.push(message);
          if (message.t === MessageType.AgentRegister) {
            channel.reply(message, MessageType.AgentRegistered, { nodeId: 'bench-node', heartbeatIntervalMs: 1000 });
            resolve({ socket, channel });
          }
        },
      });
      socket.on('message', (data, isBinary) => isBinary || channel.receive(data));
    });
  });

  let agent;
  let child;
  if (viaCli) {
    child = spawn(
      process.execPath,
      [
        new URL('../dist/cli.js', import.meta.url).pathname,
        '--gateway',
        url,
        '--secret',
        'bench',
        '--id',
        'bench-agent',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' } },
    );
    child.stdout.on('data', (chunk) => process.stdout.write(`  [agent] ${chunk}`));
  } else {
    agent = new EdgeAgent({ config: loadConfig({ gatewayUrl: url, agentId: 'bench-agent', secret: 'bench' }) });
    await agent.start();
  }
  const { socket, channel } = await connected;
  const started = await channel.request(MessageType.SessionStart, {
    sessionId: 'bench',
    channel: 1,
    runtime: 'scene',
    video,
    rtp: { host: '127.0.0.1', port: udp.address().port, payloadType: 96, ssrc: 0x12345678 },
  });
  console.log(`session started with ${started.encoder.name}`);
  await sleep(1000); // let x264 and the clock settle
  const cpuBefore = viaCli ? undefined : process.cpuUsage();
  measuring = true;
  const t0 = performance.now();
  let presses = 0;
  const input = setInterval(() => {
    presses++;
    const events = [{ type: InputEventType.KeyDown, usage: 0x4f, modifiers: 0 }];
    socket.send(encodeAgentInputFrame(1, encodeInputEvents(events)), { binary: true });
  }, 250);
  await sleep(seconds * 1000);
  clearInterval(input);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  console.log(
    `RTP over ${elapsed.toFixed(1)} s: ${frames} frames (marker bits) = ${(frames / elapsed).toFixed(1)} fps, ` +
      `${((bytes * 8) / elapsed / 1000).toFixed(0)} kbit/s, ${rtcp} RTCP packets on the RTP port, ${presses} key presses sent`,
  );
  if (agent) {
    const session = agent.session('bench');
    const stats = session.encoder.stats;
    const scene = session.runtime.stats;
    const cpu = process.cpuUsage(cpuBefore);
    console.log(
      `encoder: in ${stats.framesIn}, written ${stats.framesWritten}, dropped ${stats.framesDropped}; ` +
        `scene: rendered ${scene.framesRendered}, skipped (busy) ${scene.framesSkippedBusy}, late ticks ${scene.ticksSkippedLate}, ` +
        `render mean ${(scene.renderMsTotal / scene.framesRendered).toFixed(3)} ms, max ${scene.renderMsMax.toFixed(2)} ms; ` +
        `marker index ${session.runtime.state.markerIndex}; agent CPU ${(((cpu.user + cpu.system) / 1e6 / elapsed) * 100).toFixed(0)}% of a core`,
    );
    await agent.close();
  } else {
    const ffmpegPids = await childPids(child.pid);
    child.kill('SIGTERM');
    const [code, signal] = await new Promise((resolve) => child.once('exit', (...args) => resolve(args)));
    await sleep(200);
    const ended = received.filter((m) => m.t === MessageType.AgentSessionEnded).map((m) => m.p.reason);
    const orphans = ffmpegPids.filter(isAlive);
    console.log(
      `SIGTERM: exit code ${code} signal ${signal}; AgentSessionEnded ${JSON.stringify(ended)}; ` +
        `ffmpeg pids ${JSON.stringify(ffmpegPids)} still alive: ${JSON.stringify(orphans)}`,
    );
  }
  for (const client of wss.clients) client.terminate();
  await new Promise((resolve) => wss.close(resolve));
  udp.close();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childPids(pid) {
  const out = await new Promise((resolve) => {
    const ps = spawn('pgrep', ['-P', String(pid)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    ps.stdout.on('data', (chunk) => {
      text += chunk;
    });
    ps.on('close', () => resolve(text));
  });
  return out.split('\n').filter(Boolean).map(Number);
}
