import { describe, expect, it } from 'vitest';
import * as ledger from './index.js';
import * as playSession from './testing/playSession.js';
import * as fixtures from './testing/qosFixtures.js';

describe('the @frameway/gateway/ledger entry', () => {
  it('exports no test fixture: tests import them by path', () => {
    const exported = Object.keys(ledger);
    for (const name of [...Object.keys(fixtures), ...Object.keys(playSession)]) {
      expect(exported, name).not.toContain(name);
    }
    expect(exported).toContain('QosLedger');
  });
});
