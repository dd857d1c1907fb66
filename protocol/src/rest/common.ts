import * as v from 'valibot';
import { errorCodeList } from '../errors/errorCodes.js';

/** A resource id: `<prefix>_<base64url>`, e.g. `tt_3kq0…` for a title. */
export const ResourceId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id of 1-64 characters [A-Za-z0-9_-]'),
  v.description('Opaque resource id.'),
);

/** The studio's own id for a player; it becomes the `sub` of the player token. */
export const PlayerId = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a player id of 1-64 characters [A-Za-z0-9._:-]'),
  v.description("The studio's own id for the player (1-64 characters [A-Za-z0-9._:-])."),
);

/** ISO 8601 UTC timestamp, e.g. 2026-01-31T12:00:00.000Z. */
export const Timestamp = v.pipe(v.string(), v.isoTimestamp('an ISO 8601 timestamp'));

/** Money in integer minor units of the currency (cents for USD); never a float. */
export const MinorUnits = v.pipe(
  v.number(),
  v.safeInteger('an integer amount in minor units'),
  v.description('Integer amount in minor units of the currency (e.g. cents).'),
);

export const Currency = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code'));

export const Region = v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'a region name of 1-64 characters [a-z0-9-]'));

export const NonNegativeInt = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** A short human-readable label. */
export const Label = v.pipe(v.string(), v.minLength(1), v.maxLength(128));

/** Every error response body: a stable code from the error table, a message, optional details. */
export const ErrorBody = v.object({
  code: v.picklist(errorCodeList),
  message: v.string(),
  details: v.optional(v.record(v.string(), v.unknown())),
});

/** `limit` query parameter: 1-100 items per page (default 20). */
export const PageLimit = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^[1-9][0-9]{0,2}$/, 'a page size of 1-100'),
    v.description('Items per page, 1-100 (default 20).'),
    v.transform(Number),
    v.number(),
    v.maxValue(100, 'a page size of 1-100'),
  ),
);

/** `cursor` query parameter: the `nextCursor` of the previous page, passed back as is. */
export const PageCursor = v.optional(
  v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_-]{1,512}$/, 'a cursor returned by a previous page'),
    v.description('The nextCursor of the previous page.'),
  ),
);

/** `cursor` + `limit`: the query of every paginated list. */
export const PageQuery = v.strictObject({ cursor: PageCursor, limit: PageLimit });

/** One page of a list: the items and the cursor of the next page (null on the last). */
export function pageOf<T extends v.GenericSchema>(item: T) {
  return v.object({
    items: v.array(item),
    nextCursor: v.nullable(v.string()),
  });
}
