import { BaselineServer } from './latency/baseline/BaselineServer.js';
import { launchChromium } from '../support/launchChromium.js';
import { installMarkerProbe, measureInputToPhoton, waitForFrames } from '../support/markerProbe.js';
await using chrome = await launchChromium();
for (const mode of ['copy', 'draw', 'copy', 'draw']) {
  await using baseline = await BaselineServer.start({ playoutDelay: true });
  const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 720 } });
  await installMarkerProbe(page);
  await page.goto(baseline.url + '?' + mode);
  await waitForFrames(page, { count: 60, minWidth: 1280, minHeight: 720 });
  const r = await measureInputToPhoton(page, { samples: 60, warmup: 5 });
  const disp = r.samples.map((s) => s.latencyMs! - s.receiveMs!).sort((a, b) => a - b);
  console.log(mode, 'p50', r.summary.p50.toFixed(1), 'recv p50', r.receiveSummary.p50.toFixed(1), 'disp p50', disp[30]!.toFixed(1), 'uncertain', r.uncertain);
  await page.close();
}
