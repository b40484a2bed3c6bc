import type { ApiKeyWarning } from '../gql/graphql';
import { formatDate } from '../lib/time';

const DAY = 86_400_000;

export interface WarnedKey {
  warnings: ApiKeyWarning[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** Whole days since the key was last used, or since it was created when never used. */
export function unusedDays(key: Pick<WarnedKey, 'lastUsedAt' | 'createdAt'>, now = new Date()): number {
  const since = new Date(key.lastUsedAt ?? key.createdAt).getTime();
  return Math.max(0, Math.floor((now.getTime() - since) / DAY));
}

/** The short text of a warning badge, e.g. "Leaked", "Expiring Mar 5, 2026", "Unused for 91 days". */
export function warningLabel(w: ApiKeyWarning, key: WarnedKey, now = new Date()): string {
  switch (w) {
    case 'LEAKED':
      return 'Leaked';
    case 'EXPIRING_SOON':
      return key.expiresAt ? `Expiring ${formatDate(key.expiresAt)}` : 'Expiring soon';
    case 'UNUSED': {
      const n = unusedDays(key, now);
      return `Unused for ${n} ${n === 1 ? 'day' : 'days'}`;
    }
    case 'OUT_OF_POLICY':
      return 'Out of policy';
    default:
      return w;
  }
}

/** What the warning means and what to do about it. */
export function warningExplanation(w: ApiKeyWarning): string {
  switch (w) {
    case 'LEAKED':
      return 'This key was found in a public place or revoked by someone holding it. Roll it to issue a new secret; that clears the warning.';
    case 'EXPIRING_SOON':
      return 'This key stops working within 7 days. Roll it or change its expiration before services using it fail.';
    case 'UNUSED':
      return 'No request used this key for longer than the account allows. Delete it if nothing needs it any more.';
    case 'OUT_OF_POLICY':
      return 'This key has no expiration, or one beyond the account’s maximum key lifetime. Edit its expiration to bring it within the policy.';
    default:
      return '';
  }
}

const TONE: Record<ApiKeyWarning, string> = {
  LEAKED: 'badge-danger',
  EXPIRING_SOON: 'badge-warning',
  UNUSED: 'badge-neutral',
  OUT_OF_POLICY: 'badge-warning',
};

/** The warnings of a key as small badges; nothing when there are none. */
export function WarningBadges({ apiKey }: { apiKey: WarnedKey }) {
  if (!apiKey.warnings?.length) return null;
  return (
    <ul className="warning-badges" aria-label="Warnings">
      {apiKey.warnings.map((w) => (
        <li key={w} className={`badge badge-warning-flag ${TONE[w] ?? 'badge-neutral'}`} data-warning={w} title={warningExplanation(w)}>
          {warningLabel(w, apiKey)}
        </li>
      ))}
    </ul>
  );
}
