/**
 * Deep-merges plain-object configuration layers, later layers winning; arrays
 * and other values are replaced, not merged; `undefined` never overrides.
 * The gateway CLI layers a config file under its flags and environment.
 */
export function mergeConfig(...layers: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isPlainObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const current = out[key];
      out[key] = isPlainObject(value) && isPlainObject(current) ? mergeConfig(current, value) : value;
    }
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
