import { describe, expect, it } from 'vitest';
import { formatRelative, fromDateTimeLocal, toDateTimeLocal } from './time';

const now = new Date('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);

describe('formatRelative', () => {
  it.each([
    [10_000, 'just now'],
    [60_000, '1 minute ago'],
    [3 * 60_000, '3 minutes ago'],
    [44 * 60_000, '44 minutes ago'],
    [60 * 60_000, '1 hour ago'],
    [5 * 3600_000, '5 hours ago'],
    [24 * 3600_000, '1 day ago'],
    [3 * 86400_000, '3 days ago'],
    [60 * 86400_000, '2 months ago'],
    [800 * 86400_000, '2 years ago'],
  ])('%i ms ago is "%s"', (ms, text) => {
    expect(formatRelative(ago(ms), now)).toBe(text);
  });

  it('describes the future', () => {
    expect(formatRelative(new Date(now.getTime() + 3 * 86400_000), now)).toBe('in 3 days');
    expect(formatRelative(new Date(now.getTime() + 2 * 3600_000), now)).toBe('in 2 hours');
  });

  it('accepts RFC 3339 strings and rejects garbage', () => {
    expect(formatRelative('2026-03-10T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('not a date', now)).toBe('—');
  });
});

describe('datetime-local conversion', () => {
  it('round-trips local time', () => {
    const iso = fromDateTimeLocal('2030-06-01T09:30');
    expect(iso).not.toBeNull();
    expect(toDateTimeLocal(iso)).toBe('2030-06-01T09:30');
    expect(fromDateTimeLocal('')).toBeNull();
  });
});
