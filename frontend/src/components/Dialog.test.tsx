import { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { Dialog } from './Dialog';

function Harness() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button onClick={() => setOpen(true)}>Open</button>
      {open && (
        <Dialog title="Hello" onClose={() => setOpen(false)}>
          <input aria-label="First" />
          <button>Last</button>
        </Dialog>
      )}
    </>
  );
}

describe('Dialog', () => {
  it('traps focus, closes on Escape and returns focus', async () => {
    const user = userEvent.setup();
    const root = document.createElement('div');
    root.id = 'root';
    document.body.appendChild(root);
    render(<Harness />, { container: root });
    const opener = screen.getByRole('button', { name: 'Open' });
    await user.click(opener);

    const dialog = screen.getByRole('dialog', { name: 'Hello' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(root).toHaveAttribute('inert');
    expect(screen.getByLabelText('First')).toHaveFocus();

    await user.tab();
    expect(screen.getByRole('button', { name: 'Last' })).toHaveFocus();
    await user.tab();
    // Wraps round to the close button, the first focusable element.
    expect(screen.getByRole('button', { name: 'Close dialog' })).toHaveFocus();
    await user.tab({ shift: true });
    expect(screen.getByRole('button', { name: 'Last' })).toHaveFocus();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(root).not.toHaveAttribute('inert');
    expect(opener).toHaveFocus();
  });
});

describe('Dialog focus', () => {
  function mount(ui: React.ReactElement) {
    const root = document.createElement('div');
    root.id = 'root';
    document.body.appendChild(root);
    return render(ui, { container: root });
  }

  it('starts on the checked radio of a group, not the first one (Space there would change the choice)', () => {
    mount(
      <Dialog title="Grace" onClose={() => {}}>
        <fieldset>
          <legend>Keep the old key working for</legend>
          <input type="radio" name="g" aria-label="Now" value="0" />
          <input type="radio" name="g" aria-label="1 hour" value="3600" defaultChecked />
        </fieldset>
      </Dialog>,
    );
    expect(screen.getByRole('radio', { name: '1 hour' })).toHaveFocus();
  });

  it('returns focus to the page heading when what opened it is gone', async () => {
    const user = userEvent.setup();
    function Page() {
      const [open, setOpen] = useState(false);
      const [gone, setGone] = useState(false);
      return (
        <main>
          <h1 tabIndex={-1}>Keys</h1>
          {!gone && <button onClick={() => setOpen(true)}>Delete</button>}
          {open && (
            <Dialog title="Delete?" onClose={() => setOpen(false)}>
              <button
                onClick={() => {
                  setGone(true);
                  setOpen(false);
                }}
              >
                Confirm
              </button>
            </Dialog>
          )}
        </main>
      );
    }
    mount(<Page />);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Keys' })).toHaveFocus();
  });

  it('returns focus where returnFocus says, asked when it closes', async () => {
    const user = userEvent.setup();
    function Page() {
      const [open, setOpen] = useState(false);
      return (
        <main>
          <h1 tabIndex={-1}>Keys</h1>
          <button onClick={() => setOpen(true)}>Open</button>
          {open && (
            <Dialog title="Hello" onClose={() => setOpen(false)} returnFocus={() => document.querySelector<HTMLElement>('main h1')}>
              <button onClick={() => setOpen(false)}>Done</button>
            </Dialog>
          )}
        </main>
      );
    }
    mount(<Page />);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.getByRole('heading', { name: 'Keys' })).toHaveFocus();
  });
});
