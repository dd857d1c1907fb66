import { launchChromium } from '../support/launchChromium.js';
import {
  installMarkerProbe,
  measureFps,
  measureInputToPhoton,
  probeStats,
  waitForFrames,
} from '../support/markerProbe.js';
import { BaselineServer } from './latency/baseline/BaselineServer.js';

const playoutDelay = process.env.PD !== '0';
await using baseline = await BaselineServer.start({ playoutDelay });
await using chrome = await launchChromium();
const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
page.on('console', (m) => console.log('page:', m.text()));
await installMarkerProbe(page);
await page.goto(baseline.url);
await page.waitForSelector('#status[data-state="streaming"]', { state: 'attached', timeout: 15000 });
if (process.env.HINT)
  console.log(
    'hint',
    await page.evaluate((h) => {
      const r = (window as any).baseline.pc.getReceivers()[0];
      if (h === 'jbt') r.jitterBufferTarget = 0;
      else r.playoutDelayHint = 0;
      return [r.jitterBufferTarget, r.playoutDelayHint];
    }, process.env.HINT),
  );
console.log('first frame', await waitForFrames(page, { count: 30, minWidth: 1280, minHeight: 720 }));
console.log('exts', JSON.stringify(await page.evaluate(() => (window as any).baseline.headerExtensions())));
console.log(
  baseline.lastSession?.answerSdp.split('\r\n').filter((l) => l.startsWith('a=extmap') || l.startsWith('a=rtpmap')),
);
console.log(await measureFps(page, 2000));
const r = await measureInputToPhoton(page, { samples: Number(process.env.N ?? 40), warmup: 5 });
console.log(r.summary, r.receiveSummary, 'missed', r.missed, r.durationMs);

console.log(
  r.samples
    .map((s) => s.dispatchMs.toFixed(2))
    .slice(0, 20)
    .join(' '),
);
const { answerSdp, ...info } = baseline.lastSession!;
console.log(info, await probeStats(page));
const pair = await page.evaluate(async () => {
  const s = await (window as any).baseline.pc.getStats();
  const out: any[] = [];
  s.forEach((r: any) => {
    if (r.type === 'candidate-pair' && r.nominated) out.push(r);
    if (r.type === 'inbound-rtp')
      out.push({
        jb: r.jitterBufferDelay / r.jitterBufferEmittedCount,
        decode: r.totalDecodeTime / r.framesDecoded,
        fd: r.framesDecoded,
        fdrop: r.framesDropped,
        nack: r.nackCount,
        pli: r.pliCount,
        loss: r.packetsLost,
      });
  });
  return out;
});
console.log(JSON.stringify(pair));
