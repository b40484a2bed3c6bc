import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { WarningBadges, unusedDays, warningExplanation, warningLabel } from './WarningBadges';
import { formatDate } from '../lib/time';

const now = new Date('2026-03-01T12:00:00Z');
const key = { warnings: [], expiresAt: '2026-03-05T09:00:00Z', lastUsedAt: null, createdAt: '2025-11-20T12:00:00Z' };

describe('warning badges', () => {
  it('counts unused days from the last use, or from creation when never used', () => {
    expect(unusedDays(key, now)).toBe(101);
    expect(unusedDays({ ...key, lastUsedAt: '2026-02-19T11:00:00Z' }, now)).toBe(10);
    expect(unusedDays({ ...key, lastUsedAt: '2026-03-01T11:00:00Z' }, now)).toBe(0);
  });

  it('labels each warning', () => {
    expect(warningLabel('LEAKED', key, now)).toBe('Leaked');
    expect(warningLabel('EXPIRING_SOON', key, now)).toBe(`Expiring ${formatDate('2026-03-05T09:00:00Z')}`);
    expect(warningLabel('EXPIRING_SOON', { ...key, expiresAt: null }, now)).toBe('Expiring soon');
    expect(warningLabel('UNUSED', key, now)).toBe('Unused for 101 days');
    expect(warningLabel('UNUSED', { ...key, lastUsedAt: '2026-02-28T11:00:00Z' }, now)).toBe('Unused for 1 day');
    expect(warningLabel('OUT_OF_POLICY', key, now)).toBe('Out of policy');
    for (const w of ['LEAKED', 'EXPIRING_SOON', 'UNUSED', 'OUT_OF_POLICY'] as const) expect(warningExplanation(w).length).toBeGreaterThan(20);
  });

  it('renders nothing without warnings and a red Leaked badge with one', () => {
    const { container, rerender } = render(<WarningBadges apiKey={key} />);
    expect(container).toBeEmptyDOMElement();
    rerender(<WarningBadges apiKey={{ ...key, warnings: ['LEAKED', 'EXPIRING_SOON'] }} />);
    expect(screen.getByRole('list', { name: 'Warnings' })).toBeInTheDocument();
    expect(screen.getByText('Leaked')).toHaveClass('badge-danger');
    expect(screen.getByText('Leaked')).toHaveAttribute('title', expect.stringMatching(/Roll it/));
    expect(screen.getByText(/^Expiring /)).toHaveClass('badge-warning');
  });
});
