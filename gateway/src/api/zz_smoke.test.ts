import { it, expect } from 'vitest';
import { startStudioGateway, TEST_AGENT_SECRET } from '../testing/startStudioGateway.js';
import { FakeAgent } from '../testing/FakeAgent.js';
import { FakePlayer } from '../testing/FakePlayer.js';
it('smoke', async () => {
  await using gw = await startStudioGateway({ config: { studioApi: { billing: { minPricePerBlock: 100, maxPricePerBlock: 300, lowUtilisationPercent: 0, highUtilisationPercent: 100 } } } });
  const { key } = gw.studio();
  const ws = gw.url.replace('http', 'ws');
  const agent = new FakeAgent({ url: `${ws}/ws/agent`, secret: TEST_AGENT_SECRET, slots: 4 });
  await agent.connect(); await agent.register();
  const t = await gw.call('POST', '/v1/titles', { key, body: { kind: 'game', name: 'Scene', runtime: { type: 'scene' } } });
  const s = await gw.call('POST', '/v1/sessions', { key, body: { titleId: t.body.id, playerId: 'p1' } });
  const player = new FakePlayer(`${ws}/ws/player`);
  await player.connect();
  const joined = await player.join(s.body.playerToken);
  console.log(joined);
  for (let i = 0; i < 50; i++) { const g = await gw.call('GET', `/v1/sessions/${s.body.session.id}`, { key }); if (g.body.state === 'streaming') { console.log(JSON.stringify(g.body)); break; } await new Promise(r => setTimeout(r, 100)); }
  gw.advance(20 * 60_000);
  const d = await gw.call('DELETE', `/v1/sessions/${s.body.session.id}`, { key });
  console.log(d.status, JSON.stringify(d.body));
  await player.close(); agent.close();
});
