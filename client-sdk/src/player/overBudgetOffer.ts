import type { FramewayError } from '@frameway/protocol';

/** "Play anyway" after a refused join: the button's label and the query that asks for it. */
export interface OverBudgetOffer {
  label: string;
  /** The page's query string with `acceptOverBudget=1` added (the fragment, with any token, is kept as is). */
  search: string;
}

/**
 * The offer a page makes when no node was within the title's latency budget
 * but a free one exists (`details.best`): play there, knowing its RTT.
 * Undefined for any other error.
 */
export function overBudgetOffer(error: FramewayError, search: string): OverBudgetOffer | undefined {
  if (error.code !== 'FW_ERR_NO_NODE_IN_BUDGET') return undefined;
  const best = (error.details as { best?: { rttMs?: unknown } | null } | undefined)?.best;
  if (!best || typeof best.rttMs !== 'number' || !Number.isFinite(best.rttMs)) return undefined;
  const query = new URLSearchParams(search);
  query.set('acceptOverBudget', '1');
  return { label: `Play anyway (${Math.round(best.rttMs)} ms)`, search: `?${query.toString()}` };
}

/** Turns a page's restart button into the offer, when there is one (see `restartPage`). */
export function offerToPlayAnyway(button: HTMLButtonElement, error: FramewayError, win: Window): void {
  const offer = overBudgetOffer(error, win.location.search);
  if (!offer) return;
  button.textContent = offer.label;
  button.dataset.href = `${win.location.pathname}${offer.search}${win.location.hash}`;
}

/** The restart button's action: the page it offers (`data-href`), or the same page again. */
export function restartPage(button: HTMLButtonElement, win: Window): void {
  const href = button.dataset.href;
  if (href) win.location.assign(href);
  else win.location.reload();
}
