// Date and time formatting for the admin UI.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * A short relative description of `date` seen from `now`: "just now",
 * "3 minutes ago", "2 hours ago", "5 days ago", "in 3 days".
 */
export function formatRelative(date: Date | string, now: Date = new Date()): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  const diff = now.getTime() - d.getTime();
  if (Number.isNaN(diff)) return '—';
  const abs = Math.abs(diff);
  const future = diff < 0;
  if (abs < 45 * SECOND) return future ? 'in a few seconds' : 'just now';
  let text: string;
  if (abs < 45 * MINUTE) text = plural(Math.max(1, Math.round(abs / MINUTE)), 'minute');
  else if (abs < 22 * HOUR) text = plural(Math.max(1, Math.round(abs / HOUR)), 'hour');
  else if (abs < 26 * DAY) text = plural(Math.max(1, Math.round(abs / DAY)), 'day');
  else if (abs < 320 * DAY) text = plural(Math.max(1, Math.round(abs / (30 * DAY))), 'month');
  else text = plural(Math.max(1, Math.round(abs / (365 * DAY))), 'year');
  return future ? `in ${text}` : `${text} ago`;
}

const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const fullFmt = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'full',
  timeStyle: 'long',
});
const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "Jan 5, 2026, 3:04 PM" in the browser's locale and time zone. */
export function formatDateTime(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? '—' : dateTimeFmt.format(d);
}

/** The exact moment, for tooltips. */
export function formatExact(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? '—' : fullFmt.format(d);
}

const timeFmt = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "3:04 PM" in the browser's locale and time zone. */
export function formatTime(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? '—' : timeFmt.format(d);
}

export function formatDate(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return Number.isNaN(d.getTime()) ? '—' : dateFmt.format(d);
}

/** The value of an <input type="datetime-local"> for `date` in local time. */
export function toDateTimeLocal(date: Date | string | null | undefined): string {
  if (!date) return '';
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** RFC 3339 (UTC) from an <input type="datetime-local"> value, or null when empty/invalid. */
export function fromDateTimeLocal(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
