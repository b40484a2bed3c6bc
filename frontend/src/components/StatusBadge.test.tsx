import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StatusBadge } from './StatusBadge';

describe('StatusBadge', () => {
  it.each([
    ['ACTIVE', 'Active', 'badge-active'],
    ['INACTIVE', 'Inactive', 'badge-inactive'],
    ['EXPIRED', 'Expired', 'badge-expired'],
  ] as const)('%s reads "%s"', (status, text, cls) => {
    render(<StatusBadge status={status} />);
    const badge = screen.getByText(text);
    expect(badge).toHaveClass('badge', cls);
    expect(badge).toHaveAttribute('data-status', status);
  });
});
