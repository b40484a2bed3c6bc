import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { Pagination } from './Pagination';

function setup(page: number, nextDisabled: boolean) {
  const update = vi.fn();
  render(
    <Pagination
      page={page}
      pageInfo={{ startCursor: 'S', endCursor: 'E' }}
      update={update}
      previousLabel="Previous"
      nextLabel="Next"
      nextDisabled={nextDisabled}
    >
      Showing
    </Pagination>,
  );
  return update;
}

describe('Pagination', () => {
  it('moves by cursor and page number', async () => {
    const update = setup(2, false);
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(update).toHaveBeenLastCalledWith({ before: null, after: 'E', page: '3' }, false);
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(update).toHaveBeenLastCalledWith({ after: null, before: null, page: null }, false);
  });

  it('turns a button off with aria-disabled, keeping it focusable, and ignores it then', async () => {
    const update = setup(1, true);
    for (const name of ['Previous', 'Next']) {
      const b = screen.getByRole('button', { name });
      expect(b).toHaveAttribute('aria-disabled', 'true');
      expect(b).not.toBeDisabled();
      b.focus();
      expect(b).toHaveFocus();
      await userEvent.keyboard('{Enter}');
      await userEvent.click(b);
    }
    expect(update).not.toHaveBeenCalled();
  });
});
