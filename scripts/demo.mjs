// `npm start`: the embedded demo. Gateway + one local edge agent (scene
// runtime) + the web player, no external services. Ctrl-C stops everything.
import { launchFrameway } from './launch.mjs';

const port = Number(process.env.PORT ?? 8080);
const verbose = process.env.LOG_LEVEL === 'debug' || process.env.FRAMEWAY_VERBOSE === '1';

function show(line, source) {
  // Children log JSON lines (pino); print the message and the interesting fields compactly.
  let text = line;
  try {
    const entry = JSON.parse(line);
    if (entry.level < 30 && !verbose) return;
    const { level, time, svc, msg, module, pid, hostname, ...rest } = entry;
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(' ');
    text = `${module ?? ''} ${msg ?? ''} ${fields}`.trim();
  } catch {
    if (line.startsWith('FRAMEWAY_GATEWAY_READY')) return;
  }
  process.stdout.write(`[${source}] ${text}\n`);
}

let system;
try {
  system = await launchFrameway({ port, log: show, agentArgs: process.argv.slice(2) });
} catch (error) {
  console.error(`Frameway demo failed to start: ${error.message}`);
  process.exit(1);
}

console.log(`\n  Frameway demo is running.\n  Player: ${system.url}\n  Press Ctrl-C to stop.\n`);

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await system.stop();
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const [name, child] of [
  ['gateway', system.gateway],
  ['agent', system.agent],
]) {
  child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? code}); stopping the demo`);
    stop(1);
  });
}
