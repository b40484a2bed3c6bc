import type { CombinedError } from 'urql';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'REVEAL_DISABLED'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  | 'INTERNAL_SERVER_ERROR'
  | string;

export interface AppError {
  code: ErrorCode | null;
  message: string;
  field?: string;
}

/** The GraphQL errors of a combined error as plain {code, message, field}. */
export function appErrors(error: CombinedError | undefined | null): AppError[] {
  if (!error) return [];
  if (error.networkError && error.graphQLErrors.length === 0) {
    return [{ code: 'NETWORK', message: 'Could not reach the server. Check your connection and try again.' }];
  }
  return error.graphQLErrors.map((e) => {
    const ext = (e.extensions ?? {}) as Record<string, unknown>;
    return {
      code: typeof ext.code === 'string' ? ext.code : null,
      message: e.message,
      field: typeof ext.field === 'string' ? ext.field : undefined,
    };
  });
}

export function hasCode(error: CombinedError | undefined | null, code: ErrorCode): boolean {
  return appErrors(error).some((e) => e.code === code);
}

/**
 * Field errors keyed by input field name ("name", "permissions", ...), plus the rest. `thing` names what the form
 * changes, for a NOT_FOUND among the rest (see describe).
 */
export function splitFieldErrors(error: CombinedError | undefined | null, thing?: string): {
  fields: Record<string, string>;
  general: string[];
} {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const e of appErrors(error)) {
    if (e.field) {
      // "input.name" or "ipAllowlist[2]" → "name" / "ipAllowlist"
      const name = e.field.replace(/^input\./, '').replace(/\[\d+\]$/, '').replace(/\.\d+$/, '');
      fields[name] = fields[name] ? `${fields[name]} ${e.message}` : e.message;
    } else {
      general.push(describe(e, thing));
    }
  }
  return { fields, general };
}

/**
 * A sentence for an error an admin can act on. `thing` names what the action was about (“API key”, “admin”,
 * “access token”), so a NOT_FOUND says what is gone; without it the server's own sentence is used.
 */
export function describe(e: AppError, thing?: string): string {
  switch (e.code) {
    case 'NETWORK':
      return e.message;
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Please sign in again.';
    case 'FORBIDDEN':
      return e.message || 'You are not allowed to do that.';
    case 'NOT_FOUND':
      // Usually deleted or removed meanwhile, in another tab or by another admin.
      if (thing) return `This ${thing} no longer exists.`;
      return e.message || 'This no longer exists.';
    case 'RATE_LIMITED':
      return 'Too many attempts. Please wait a moment and try again.';
    case 'REVEAL_DISABLED':
      return 'Revealing keys is turned off on this server. Roll the key to get a new secret.';
    default:
      return e.message || 'Something went wrong. Please try again.';
  }
}

/** The first error of `error` as a sentence (see describe for `thing`), or null when there is none. */
export function errorMessage(error: CombinedError | undefined | null, thing?: string): string | null {
  const errs = appErrors(error);
  if (errs.length === 0) return null;
  return describe(errs[0], thing);
}
