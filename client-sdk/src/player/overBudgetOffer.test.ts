import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { overBudgetOffer } from './overBudgetOffer.js';
import { playerParams } from './playerParams.js';

const noNode = (best: unknown) =>
  new FramewayError('FW_ERR_NO_NODE_IN_BUDGET', 'no node within 30 ms', { budgetMs: 30, best });

describe('overBudgetOffer', () => {
  it('offers the nearest node with its RTT and a query the page reads back as acceptOverBudget', () => {
    const offer = overBudgetOffer(noNode({ nodeId: 'far', rttMs: 46.6, source: 'measured' }), '?stats=1');
    expect(offer).toEqual({ label: 'Play anyway (47 ms)', search: '?stats=1&acceptOverBudget=1' });
    expect(playerParams(offer!.search, '#token=t').acceptOverBudget).toBe(true);
    expect(playerParams('?stats=1', '').acceptOverBudget).toBe(false);
  });

  it('offers nothing without a best node or for other errors', () => {
    expect(overBudgetOffer(noNode(null), '')).toBeUndefined();
    expect(overBudgetOffer(noNode({ nodeId: 'x' }), '')).toBeUndefined();
    expect(overBudgetOffer(new FramewayError('FW_ERR_NO_CAPACITY', 'full'), '')).toBeUndefined();
  });
});
