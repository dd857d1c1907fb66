import { BaselineServer } from './latency/baseline/BaselineServer.js';
import { launchChromium } from '../support/launchChromium.js';
import { installMarkerProbe, waitForFrames } from '../support/markerProbe.js';

const playoutDelay = process.env.PD !== '0';
await using baseline = await BaselineServer.start({ playoutDelay });
await using chrome = await launchChromium();
const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
await installMarkerProbe(page);
await page.goto(baseline.url);
await waitForFrames(page, { count: 120, minWidth: 1280, minHeight: 720 });
await page.keyboard.down('KeyA');
await new Promise((r) => setTimeout(r, 300));
const out = await page.evaluate(() => {
  // peek into probe internals via a fresh rVFC loop for 20 frames
  const v = document.querySelector('video')!;
  return new Promise<any[]>((resolve) => {
    const rows: any[] = [];
    const cb = (now: number, m: VideoFrameCallbackMetadata) => {
      rows.push({ pnow: performance.now().toFixed(1), now: now.toFixed(1), edt: m.expectedDisplayTime.toFixed(1), pt: m.presentationTime.toFixed(1), rt: m.receiveTime?.toFixed(1), pf: m.presentedFrames, proc: m.processingDuration, rtp: m.rtpTimestamp });
      if (rows.length < 25) v.requestVideoFrameCallback(cb); else resolve(rows);
    };
    v.requestVideoFrameCallback(cb);
  });
});
console.table(out);
