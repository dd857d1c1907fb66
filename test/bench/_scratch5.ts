import { BaselineServer } from './latency/baseline/BaselineServer.js';
import { launchChromium } from '../support/launchChromium.js';
import { installMarkerProbe, waitForFrames } from '../support/markerProbe.js';

await using baseline = await BaselineServer.start({ playoutDelay: true });
await using chrome = await launchChromium();
const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
await installMarkerProbe(page);
await page.goto(baseline.url);
await waitForFrames(page, { count: 60, minWidth: 1280, minHeight: 720 });
const out = await page.evaluate(async () => {
  const v = document.querySelector('video')!;
  const c = new OffscreenCanvas(64, 64); const ctx = c.getContext('2d', { willReadFrequently: true })!;
  const t = { vf: 0, drawVf: 0, drawEl: 0, copyRgba: 0, copyYuv: 0, n: 0 } as any; const info: any = {};
  for (let i = 0; i < 120; i++) {
    await new Promise<void>((r) => v.requestVideoFrameCallback(() => r()));
    let a = performance.now();
    const vf = new VideoFrame(v); t.vf += performance.now() - a;
    a = performance.now(); ctx.drawImage(vf, 0, 0, 64, 64, 0, 0, 64, 64); ctx.getImageData(16, 16, 32, 32); t.drawVf += performance.now() - a;
    a = performance.now(); const buf = new Uint8Array(32*32*4); const layout = await (vf as any).copyTo(buf, { rect: { x: 16, y: 16, width: 32, height: 32 }, format: 'RGBA' }); t.copyRgba += performance.now() - a;
    if (i === 0) { info.layout = layout; info.fmt = vf.format; info.px = Array.from(buf.slice(0, 8)); info.cs = vf.colorSpace.toJSON(); }
    a = performance.now(); const buf2 = new Uint8Array(32*32*2); await vf.copyTo(buf2, { rect: { x: 16, y: 16, width: 32, height: 32 } }); t.copyYuv += performance.now() - a;
    vf.close();
    a = performance.now(); ctx.drawImage(v, 0, 0, 64, 64, 0, 0, 64, 64); ctx.getImageData(16, 16, 32, 32); t.drawEl += performance.now() - a;
    t.n++;
  }
  for (const k of Object.keys(t)) if (k !== 'n') t[k] /= t.n; return { t, info };
});
console.log(out);
