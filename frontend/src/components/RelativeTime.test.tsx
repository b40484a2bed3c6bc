import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { RelativeTime } from './RelativeTime';
import { formatExact } from '../lib/time';

describe('RelativeTime', () => {
  const date = new Date(Date.now() - 3 * 60_000).toISOString();

  it('shows the relative time with the exact time on hover and for screen readers', () => {
    const { container } = render(
      <p>
        Last used <RelativeTime date={date} />
      </p>,
    );
    const time = screen.getByText('3 minutes ago');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('dateTime', date);
    expect(time).toHaveAttribute('title', formatExact(date));
    const hidden = screen.getByText(`(${formatExact(date)})`);
    expect(hidden).toHaveClass('sr-only');
    expect(container.textContent).toBe(`Last used 3 minutes ago (${formatExact(date)})`);
  });

  it('can leave the hidden text out when the exact time is shown next to it', () => {
    const { container } = render(<RelativeTime date={date} srExact={false} />);
    expect(container.textContent).toBe('3 minutes ago');
    expect(screen.getByText('3 minutes ago')).toHaveAttribute('title', formatExact(date));
  });

  it('shows the fallback when there is no date', () => {
    render(<RelativeTime date={null} fallback="Never" />);
    expect(screen.getByText('Never')).toBeInTheDocument();
  });
});
