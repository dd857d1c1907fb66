/** The price band of one billing block, in integer minor units, and the utilisation range it spans. */
export interface PriceBand {
  minPricePerBlock: number;
  maxPricePerBlock: number;
  lowUtilisationPercent: number;
  highUtilisationPercent: number;
}

/**
 * Price of one block for a utilisation `u` in basis points (0-10000):
 *
 *   u <= low  → min
 *   u >= high → max
 *   otherwise → min + floor((max - min) × (u - low) / (high - low))
 *
 * with low/high = the band's utilisation percents × 100. Integer arithmetic
 * throughout (money never touches a float).
 * @example priceForUtilisation(5500, { minPricePerBlock: 60, maxPricePerBlock: 150, lowUtilisationPercent: 20, highUtilisationPercent: 90 }) // 105
 */
export function priceForUtilisation(utilisationBp: number, band: PriceBand): number {
  const low = BigInt(band.lowUtilisationPercent * 100);
  const high = BigInt(band.highUtilisationPercent * 100);
  const min = BigInt(band.minPricePerBlock);
  const max = BigInt(band.maxPricePerBlock);
  const u = BigInt(Math.trunc(utilisationBp));
  if (u <= low) return Number(min);
  if (u >= high) return Number(max);
  return Number(min + ((max - min) * (u - low)) / (high - low));
}
