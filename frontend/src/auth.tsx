import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Provider, type Client } from 'urql';
import { makeClient } from './graphql/client';
import { AcceptInviteMutation, LoginMutation, LogoutMutation, MeQuery } from './graphql/operations';
import { appErrors, describe, splitFieldErrors } from './lib/errors';
import type { Me } from './me';

export type { Me };

export type AuthState =
  | { status: 'loading' }
  | { status: 'anon'; notice?: string }
  | { status: 'authed'; me: Me }
  | { status: 'error'; message: string };

export type LoginResult = { ok: true } | { ok: false; message: string };

/** An invite's outcome: signed in, or errors keyed by field ("password", "token") plus the rest. */
export type AcceptResult =
  | { ok: true }
  | { ok: false; fields: Record<string, string>; message: string | null; codes: (string | null)[] };

interface AuthContextValue {
  state: AuthState;
  login(email: string, password: string): Promise<LoginResult>;
  logout(): Promise<void>;
  /** Accepts an invite (sets the password) and signs in as the new admin. */
  acceptInvite(token: string, password: string): Promise<AcceptResult>;
  retry(): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The sign-in failure message: never says whether the email exists. */
export function loginErrorMessage(codes: (string | null)[], network: boolean): string {
  if (network) return 'Could not reach the server. Check your connection and try again.';
  if (codes.includes('RATE_LIMITED')) {
    return 'Too many sign-in attempts. Please wait a few minutes before trying again.';
  }
  return 'Incorrect email or password.';
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const checking = useRef(false);
  const clientRef = useRef<Client | null>(null);

  const check = useCallback(async (client: Client, fromError: boolean) => {
    if (checking.current) return;
    checking.current = true;
    try {
      const res = await client.query(MeQuery, {}, { requestPolicy: 'network-only' }).toPromise();
      if (res.data?.me) {
        const me = res.data.me;
        setState((s) => (s.status === 'authed' && s.me.id === me.id ? s : { status: 'authed', me }));
      } else if (appErrors(res.error).some((e) => e.code === 'UNAUTHENTICATED')) {
        setState({ status: 'anon', notice: fromError ? 'Your session has ended. Please sign in again.' : undefined });
        clientRef.current = null;
        setClient(newClient());
      } else {
        const errs = appErrors(res.error);
        setState({ status: 'error', message: errs.length ? describe(errs[0]) : 'Could not load your account.' });
      }
    } finally {
      checking.current = false;
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const newClient = useCallback((): Client => {
    const c = makeClient(() => {
      if (clientRef.current === c) void check(c, true);
    });
    clientRef.current = c;
    return c;
  }, [check]);

  const [client, setClient] = useState<Client>(() => newClient());

  useEffect(() => {
    void check(client, false);
    // Only on start.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const login = useCallback(
    async (email: string, password: string): Promise<LoginResult> => {
      const res = await client.mutation(LoginMutation, { input: { email, password } }).toPromise();
      if (res.data?.login) {
        // A fresh client: nothing cached from before the sign-in.
        setClient(newClient());
        setState({ status: 'authed', me: res.data.login.admin });
        return { ok: true };
      }
      const errs = appErrors(res.error);
      return {
        ok: false,
        message: loginErrorMessage(
          errs.map((e) => e.code),
          errs.length > 0 && errs.every((e) => e.code === 'NETWORK'),
        ),
      };
    },
    [client, newClient],
  );

  const acceptInvite = useCallback(
    async (token: string, password: string): Promise<AcceptResult> => {
      const res = await client.mutation(AcceptInviteMutation, { input: { token, password } }).toPromise();
      if (res.data?.acceptInvite) {
        setClient(newClient());
        setState({ status: 'authed', me: res.data.acceptInvite.admin });
        return { ok: true };
      }
      const { fields, general } = splitFieldErrors(res.error);
      const codes = appErrors(res.error).map((e) => e.code);
      return { ok: false, fields, message: general.length ? general.join(' ') : null, codes };
    },
    [client, newClient],
  );

  const logout = useCallback(async () => {
    await client.mutation(LogoutMutation, {}).toPromise();
    setClient(newClient());
    setState({ status: 'anon' });
  }, [client, newClient]);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    void check(client, false);
  }, [client, check]);

  const value = useMemo(
    () => ({ state, login, logout, acceptInvite, retry }),
    [state, login, logout, acceptInvite, retry],
  );

  return (
    <AuthContext.Provider value={value}>
      <Provider value={client}>{children}</Provider>
    </AuthContext.Provider>
  );
}
