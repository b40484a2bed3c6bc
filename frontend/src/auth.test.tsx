import { screen, waitFor, within } from '@testing-library/react';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { loginErrorMessage } from './auth';

// These tests drive the real urql client against a stubbed fetch, to check
// what goes over the wire: POST JSON to /graphql with same-origin cookies.

type Handler = (body: { operationName?: string; query: string; variables?: Record<string, unknown> }) => unknown;

function stubFetch(handler: Handler) {
  const requests: { url: string; init: RequestInit; body: { query: string; variables?: Record<string, unknown> } }[] = [];
  const fetchMock = vi.fn(async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    requests.push({ url, init, body });
    return new Response(JSON.stringify(handler(body)), { status: 200, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return requests;
}

const unauth = { data: null, errors: [{ message: 'not signed in', extensions: { code: 'UNAUTHENTICATED' } }] };
const admin = { __typename: 'Admin', id: '1', email: 'admin@example.com', role: 'OWNER', account: { __typename: 'Account', id: '1', name: 'Acme' } };

const emptyKeys = {
  data: {
    apiKeys: {
      __typename: 'ApiKeyConnection',
      pageInfo: { __typename: 'PageInfo', hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      edges: [],
    },
  },
};
const zeroCount = { data: { apiKeys: { __typename: 'ApiKeyConnection', totalCount: 0 } } };

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

function mount() {
  const root = document.createElement('div');
  root.id = 'root';
  document.body.appendChild(root);
  render(<App />, { container: root });
}

describe('loginErrorMessage', () => {
  it('never tells whether the email exists', () => {
    expect(loginErrorMessage(['UNAUTHENTICATED'], false)).toBe('Incorrect email or password.');
    expect(loginErrorMessage(['BAD_USER_INPUT'], false)).toBe('Incorrect email or password.');
    expect(loginErrorMessage(['RATE_LIMITED'], false)).toMatch(/Too many sign-in attempts/);
    expect(loginErrorMessage(['NETWORK'], true)).toMatch(/reach the server/);
  });
});

describe('sign-in', () => {
  it('shows the login page when not signed in, and a neutral error on failure', async () => {
    const user = userEvent.setup();
    const requests = stubFetch((b) => (b.query.includes('mutation Login') ? { data: null, errors: [{ message: 'invalid credentials', extensions: { code: 'UNAUTHENTICATED' } }] } : unauth));
    mount();
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    await user.type(screen.getByLabelText('Email'), 'nobody@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect email or password.');
    expect(screen.getByLabelText('Password')).toHaveValue('');

    const login = requests.find((r) => r.body.query.includes('mutation Login'))!;
    expect(login.url).toBe('/graphql');
    expect(login.init.method).toBe('POST');
    expect(login.init.credentials).toBe('same-origin');
    expect(new Headers(login.init.headers).get('content-type')).toMatch(/application\/json/);
    expect(login.body.variables).toEqual({ input: { email: 'nobody@example.com', password: 'wrong' } });
    expect(requests.every((r) => r.init.method === 'POST')).toBe(true);
  });

  it('signs in, opens API Key Management from the sidebar, and signs out', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    stubFetch((b) => {
      if (b.query.includes('mutation Login')) {
        signedIn = true;
        return { data: { login: { __typename: 'LoginPayload', admin } } };
      }
      if (b.query.includes('mutation Logout')) {
        signedIn = false;
        return { data: { logout: { __typename: 'LogoutPayload', ok: true } } };
      }
      if (!signedIn) return unauth;
      if (b.query.includes('query Me')) return { data: { me: admin } };
      if (b.query.includes('query Permissions')) return { data: { permissions: [] } };
      if (b.query.includes('query ApiKeys')) return emptyKeys;
      if (b.query.includes('query ApiKeyCount')) return zeroCount;
      return unauth;
    });
    mount();
    await user.type(await screen.findByLabelText('Email'), 'admin@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await user.click(screen.getByRole('link', { name: 'APIs' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'API Key Management' })).toBeInTheDocument();
    expect(nav).toHaveTextContent('API Key Management');
    expect(await screen.findByRole('heading', { name: 'Create your first API key' })).toBeInTheDocument();
    expect(window.localStorage.length + window.sessionStorage.length).toBe(0);

    // The signed-in admin's role, and every page, in the sidebar.
    expect(screen.getByTestId('my-role')).toHaveTextContent('Owner');
    for (const name of ['Security log', 'Team', 'Access tokens', 'Settings']) {
      expect(within(nav).getByRole('link', { name })).toBeInTheDocument();
    }

    await user.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('returns to the login page when the session ends', async () => {
    let calls = 0;
    stubFetch((b) => {
      if (b.query.includes('query Me')) return calls++ === 0 ? { data: { me: admin } } : unauth;
      return unauth;
    });
    mount();
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument());
    expect(screen.getByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
  });
});

describe('invite link', () => {
  it('/invite/<token> needs no session: it sets the password, signs in and lands on API Key Management', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const viewer = { ...admin, id: '2', email: 'viewer@example.com', role: 'VIEWER' };
    const requests = stubFetch((b) => {
      if (b.query.includes('mutation AcceptInvite')) {
        signedIn = true;
        return { data: { acceptInvite: { __typename: 'LoginPayload', admin: viewer } } };
      }
      if (!signedIn) return unauth;
      if (b.query.includes('query Me')) return { data: { me: viewer } };
      if (b.query.includes('query Permissions')) return { data: { permissions: [] } };
      if (b.query.includes('query ApiKeys')) return emptyKeys;
      if (b.query.includes('query ApiKeyCount')) return zeroCount;
      return unauth;
    });
    window.history.replaceState(null, '', '/invite/tok_123-abc');
    mount();
    expect(await screen.findByRole('heading', { name: 'Accept your invitation' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Sign in' })).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('New password'), 'short');
    await user.type(screen.getByLabelText('Repeat the password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(expect.stringContaining('Use at least 8 characters.'));
    expect(requests.some((r) => r.body.query.includes('mutation AcceptInvite'))).toBe(false);

    await user.clear(screen.getByLabelText('New password'));
    await user.type(screen.getByLabelText('New password'), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect(screen.getByText('The two passwords differ.')).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Repeat the password'));
    await user.type(screen.getByLabelText('Repeat the password'), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'API Key Management' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/keys');
    const accept = requests.find((r) => r.body.query.includes('mutation AcceptInvite'))!;
    expect(accept.body.variables).toEqual({ input: { token: 'tok_123-abc', password: 'a long passphrase' } });
    expect(screen.getByTestId('my-role')).toHaveTextContent('Viewer');
    expect(screen.queryByRole('button', { name: 'Create New Key' })).not.toBeInTheDocument();
    expect(window.localStorage.length + window.sessionStorage.length).toBe(0);
  });

  it('says when the link is used or expired', async () => {
    const user = userEvent.setup();
    stubFetch((b) =>
      b.query.includes('mutation AcceptInvite')
        ? { data: null, errors: [{ message: 'This invite is not valid.', extensions: { code: 'BAD_USER_INPUT', field: 'token' } }] }
        : unauth,
    );
    window.history.replaceState(null, '', '/invite/used');
    mount();
    await user.type(await screen.findByLabelText('New password'), 'a long passphrase');
    await user.type(screen.getByLabelText('Repeat the password'), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/not valid any more.*Ask an owner to invite you again/);
    expect(window.location.pathname).toBe('/invite/used');
  });

  it('shows a server password error at the password field', async () => {
    const user = userEvent.setup();
    stubFetch((b) =>
      b.query.includes('mutation AcceptInvite')
        ? { data: null, errors: [{ message: 'password must be at most 1024 characters', extensions: { code: 'BAD_USER_INPUT', field: 'password' } }] }
        : unauth,
    );
    window.history.replaceState(null, '', '/invite/t');
    mount();
    await user.type(await screen.findByLabelText('New password'), 'a long passphrase');
    await user.type(screen.getByLabelText('Repeat the password'), 'a long passphrase');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    await waitFor(() => expect(screen.getByLabelText('New password')).toHaveAttribute('aria-invalid', 'true'));
    expect(screen.getByLabelText('New password')).toHaveAccessibleDescription(expect.stringContaining('at most 1024'));
  });
});
