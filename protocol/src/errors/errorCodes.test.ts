import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, errorCodeList } from './errorCodes.js';

describe('error codes', () => {
  it('are unique FW_ERR_* identifiers with an HTTP status and a description', () => {
    expect(new Set(errorCodeList).size).toBe(errorCodeList.length);
    for (const code of errorCodeList) {
      expect(code).toMatch(/^FW_ERR_[A-Z0-9_]+$/);
      expect(ErrorCodes[code].status).toBeGreaterThanOrEqual(400);
      expect(ErrorCodes[code].description.length).toBeGreaterThan(10);
    }
  });

  it('are each documented in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const undocumented = errorCodeList.filter((code) => !doc.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });
});
