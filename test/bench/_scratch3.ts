import { BaselineServer } from './latency/baseline/BaselineServer.js';
import { launchChromium } from '../support/launchChromium.js';
import { installMarkerProbe, waitForFrames } from '../support/markerProbe.js';

await using baseline = await BaselineServer.start({ playoutDelay: process.env.PD !== '0' });
await using chrome = await launchChromium();
const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
await installMarkerProbe(page);
await page.goto(baseline.url);
await waitForFrames(page, { count: 60, minWidth: 1280, minHeight: 720 });
const out = await page.evaluate(() => {
  const v = document.querySelector('video')!;
  return new Promise<any>((resolve) => {
    let n = 0, mismatch = 0, nometa = 0; const ex: any[] = [];
    const cb = (now: number, m: VideoFrameCallbackMetadata) => {
      n++;
      const vf = new (window as any).VideoFrame(v);
      const md = vf.metadata ? vf.metadata() : {};
      if (md.rtpTimestamp === undefined) nometa++;
      else if (md.rtpTimestamp !== m.rtpTimestamp) { mismatch++; if (ex.length < 5) ex.push({ meta: m.rtpTimestamp, vf: md.rtpTimestamp, keys: Object.keys(md) }); }
      if (n === 1) ex.push({ keys: Object.keys(md), ts: vf.timestamp, md });
      vf.close();
      if (n < 600) v.requestVideoFrameCallback(cb); else resolve({ n, mismatch, nometa, ex });
    };
    v.requestVideoFrameCallback(cb);
  });
});
console.log(JSON.stringify(out, null, 1));
