// `npm start`: the embedded demo. Gateway + one local edge agent (scene
// runtime) + the web player, no external services. Ctrl-C stops everything.
//
// Flags go to the agent; the session runtime flags go to the gateway too, so
// its demo sessions ask for what the agent offers:
//   npm start -- --runtime x11 --cmd ltris     (any X11 program: --cmd "xterm -fa Mono")
import { launchFrameway } from './launch.mjs';

/** The gateway's share of the demo flags: the default session's runtime and its x11 command. */
function gatewayArgsOf(argv) {
  const picked = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag !== '--runtime' && flag !== '--cmd') continue;
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i++;
    // Repeated flags: the first runtime and the first command are the defaults.
    if (value !== undefined && !picked.includes(flag)) picked.push(flag, value);
  }
  return picked;
}

const port = Number(process.env.PORT ?? 8080);
const verbose = process.env.LOG_LEVEL === 'debug' || process.env.FRAMEWAY_VERBOSE === '1';

// The gateway prints the demo studio's API key on its own stdout line; the banner shows it.
let studioKey;

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
    const key = /^FRAMEWAY_STUDIO_DEMO_KEY (\S+)/.exec(line);
    if (key) {
      studioKey = key[1];
      return;
    }
  }
  process.stdout.write(`[${source}] ${text}\n`);
}

let system;
try {
  const argv = process.argv.slice(2);
  system = await launchFrameway({ port, log: show, agentArgs: argv, gatewayArgs: gatewayArgsOf(argv) });
} catch (error) {
  console.error(`Frameway demo failed to start: ${error.message}`);
  process.exit(1);
}

console.log(`\n  Frameway demo is running.\n  Player: ${system.url}\n  Press Ctrl-C to stop.\n`);
if (studioKey) {
  console.log(
    `  Studio API (this machine only): ${system.url}v1/docs\n  Demo API key: ${studioKey}\n` +
      `  Try: FRAMEWAY_API_KEY=${studioKey} node client-sdk/examples/create-session.mjs ${system.url}\n`,
  );
}

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
