import { useEffect, useRef, useState } from 'react';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Link, MemoryRouter, Outlet, Route, Routes, useSearchParams } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useFocusHeadingOnNavigate } from './focus';

function Shell() {
  const main = useRef<HTMLElement>(null);
  useFocusHeadingOnNavigate(main);
  return (
    <main ref={main}>
      <Outlet />
    </main>
  );
}

function List() {
  const [params, setParams] = useSearchParams();
  return (
    <>
      <h1 tabIndex={-1}>API Key Management</h1>
      <input aria-label="Search" value={params.get('q') ?? ''} onChange={(e) => setParams({ q: e.target.value })} />
      <Link to="/keys/7">Prod</Link>
    </>
  );
}

/** Like the key page: a loading heading first, replaced by the key's name when the data comes. */
function Detail({ loaded }: { loaded: Promise<void> }) {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    void loaded.then(() => setReady(true));
  }, [loaded]);
  return ready ? (
    <header>
      <h1 tabIndex={-1}>Prod</h1>
    </header>
  ) : (
    <h1 tabIndex={-1}>Loading API key…</h1>
  );
}

function mount(loaded: Promise<void>) {
  render(
    <MemoryRouter initialEntries={['/keys']}>
      <Routes>
        <Route element={<Shell />}>
          <Route path="/keys" element={<List />} />
          <Route path="/keys/:id" element={<Detail loaded={loaded} />} />
        </Route>
      </Routes>
    </MemoryRouter>,
  );
}

describe('useFocusHeadingOnNavigate', () => {
  it('moves focus to the new page’s heading, and to the loaded heading that replaces a loading one', async () => {
    const user = userEvent.setup();
    let resolve = () => {};
    mount(new Promise<void>((r) => (resolve = r)));
    await user.click(screen.getByRole('link', { name: 'Prod' }));
    expect(screen.getByRole('heading', { name: 'Loading API key…' })).toHaveFocus();
    await act(async () => resolve());
    expect(screen.getByRole('heading', { name: 'Prod' })).toHaveFocus();
  });

  it('leaves focus alone when only the query string changes (typing a search)', async () => {
    const user = userEvent.setup();
    mount(new Promise<void>(() => {}));
    const search = screen.getByLabelText('Search');
    await user.type(search, 'prod');
    expect(search).toHaveValue('prod');
    expect(search).toHaveFocus();
  });

  it('stops following a swapped heading once the admin has put focus elsewhere', async () => {
    const user = userEvent.setup();
    let resolve = () => {};
    mount(new Promise<void>((r) => (resolve = r)));
    await user.click(screen.getByRole('link', { name: 'Prod' }));
    const elsewhere = document.createElement('button');
    document.body.appendChild(elsewhere);
    act(() => elsewhere.focus());
    await act(async () => resolve());
    expect(elsewhere).toHaveFocus();
    elsewhere.remove();
  });
});
