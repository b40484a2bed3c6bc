import { useEffect, useState } from 'react';
import { formatExact, formatRelative } from '../lib/time';

// One shared ticker so every relative time on the page stays fresh.
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const tick = () => setNow(new Date());
    listeners.add(tick);
    if (!timer) timer = setInterval(() => listeners.forEach((l) => l()), intervalMs);
    return () => {
      listeners.delete(tick);
      if (listeners.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
  }, [intervalMs]);
  return now;
}

/**
 * "3 minutes ago", with the exact time in a `title` for mouse users and as visually hidden text right after it
 * for screen-reader users (a `title` on a non-focusable element never reaches them). Pass `srExact={false}` when
 * the exact time is already shown next to it. `fallback` when there is no date.
 */
export function RelativeTime({
  date,
  fallback = 'Never',
  srExact = true,
}: {
  date: string | null | undefined;
  fallback?: string;
  srExact?: boolean;
}) {
  const now = useNow();
  if (!date) return <span className="muted">{fallback}</span>;
  const exact = formatExact(date);
  return (
    <>
      <time dateTime={date} title={exact} className="relative-time">
        {formatRelative(date, now)}
      </time>
      {srExact && <span className="sr-only"> ({exact})</span>}
    </>
  );
}
