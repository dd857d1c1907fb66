#!/usr/bin/env node
// Creates a title and a session through the studio REST API and prints the play URL.
//
//   npm start                                   # prints a demo API key (local only)
//   FRAMEWAY_API_KEY=fwk.… node client-sdk/examples/create-session.mjs [gateway URL]
//
// The play URL (last line on stdout, alone) opens the web player with the
// session's player token in its fragment; it works for that session only,
// until the token expires.
import { StudioClient } from '@frameway/client-sdk/studio';

const baseUrl = process.argv[2] ?? process.env.FRAMEWAY_URL ?? 'http://127.0.0.1:8080';
const apiKey = process.env.FRAMEWAY_API_KEY;
if (!apiKey) {
  console.error('Set FRAMEWAY_API_KEY to a studio API key (npm start prints a demo one).');
  process.exit(2);
}

const studio = new StudioClient({ baseUrl, apiKey });
try {
  const { studio: me } = await studio.whoAmI();
  const title = await studio.createTitle({
    kind: 'game',
    name: 'Example: built-in scene',
    runtime: { type: 'scene' },
    requirements: { resolution: { width: 1280, height: 720 }, fps: 60, latencyBudgetMs: 30, maxSessionMinutes: 30 },
  });
  const created = await studio.createSession({
    titleId: title.id,
    playerId: `example-player-${Date.now()}`,
    metadata: { source: 'create-session.mjs' },
  });
  console.error(`studio ${me.name} (${me.id})`);
  console.error(`title ${title.id}, session ${created.session.id}, token valid until ${created.expiresAt}`);
  console.log(created.playUrl);
} catch (error) {
  console.error(`${error.code ?? 'error'}: ${error.message}`);
  process.exit(1);
}
