import * as v from 'valibot';

/** One problem with a value, with the path of the field it concerns (e.g. `requirements.fps`). */
export interface RestIssue {
  path: string;
  message: string;
}

export type RestValidation<T> = { ok: true; value: T } | { ok: false; issues: RestIssue[] };

/**
 * Checks a value against a REST schema; returns the parsed output (defaults
 * filled, query numbers converted) or every issue found.
 */
export function validateRest<S extends v.GenericSchema>(schema: S, value: unknown): RestValidation<v.InferOutput<S>> {
  const result = v.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      path: issue.path?.map((item) => String(item.key)).join('.') ?? '',
      message: issue.message,
    })),
  };
}
