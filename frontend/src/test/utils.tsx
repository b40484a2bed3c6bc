import type { ReactElement, ReactNode } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { Provider, type Client } from 'urql';
import { fromValue, never } from 'wonka';
import { vi } from 'vitest';
import { ToastProvider } from '../components/Toast';
import type { AdminRole, ApiKeyFieldsFragment } from '../gql/graphql';
import { MeContext, type Me } from '../me';

type Resolver = (variables: Record<string, unknown>) => { data?: unknown; error?: unknown } | 'pending';

function opName(query: { definitions: readonly { kind: string; name?: { value: string } }[] }): string {
  const def = query.definitions.find((d) => d.kind === 'OperationDefinition');
  return def?.name?.value ?? '';
}

/** A urql client whose operations are answered by name from `resolvers`. */
export function mockClient(resolvers: Record<string, Resolver>) {
  const calls: { name: string; variables: Record<string, unknown>; context?: Record<string, unknown> }[] = [];
  // urql passes the operation's context (additionalTypenames, requestPolicy) as the second argument.
  const answer = (op: { query: never; variables: Record<string, unknown> }, context?: Record<string, unknown>) => {
    const name = opName(op.query);
    calls.push({ name, variables: op.variables, context });
    const r = resolvers[name];
    if (!r) throw new Error(`no mock for operation ${name}`);
    const res = r(op.variables);
    if (res === 'pending') return never;
    return fromValue({ operation: op, data: res.data, error: res.error, stale: false, hasNext: false });
  };
  const client = {
    executeQuery: vi.fn(answer),
    executeMutation: vi.fn(answer),
    executeSubscription: vi.fn(() => never),
  } as unknown as Client;
  return { client, calls };
}

export function makeMe(role: AdminRole = 'OWNER', overrides: Partial<Me> = {}): Me {
  return { id: '1', email: 'owner@example.com', role, account: { id: '1', name: 'Default' }, ...overrides };
}

/** Renders `ui` signed in as an admin of `role` (OWNER unless told), or as nobody with `me: null`. */
export function renderWith(ui: ReactElement, client: Client, route = '/keys', opts: { role?: AdminRole; me?: Me | null } = {}) {
  const root = document.createElement('div');
  root.id = 'root';
  document.body.appendChild(root);
  const me = opts.me !== undefined ? opts.me : makeMe(opts.role ?? 'OWNER');
  const Wrapper = ({ children }: { children: ReactNode }) => (
    <MemoryRouter initialEntries={[route]}>
      <Provider value={client}>
        <MeContext.Provider value={me}>
          <ToastProvider>{children}</ToastProvider>
        </MeContext.Provider>
      </Provider>
    </MemoryRouter>
  );
  return render(ui, { wrapper: Wrapper, container: root });
}

export const PERMISSIONS = [
  { __typename: 'Permission', id: '1', key: 'SEND_EMAILS', scope: 'emails:send', name: 'Send Emails', description: 'Send email through POST /v1/emails.' },
  { __typename: 'Permission', id: '2', key: 'MANAGE_EMAIL_TEMPLATES', scope: 'templates:manage', name: 'Manage Email Templates', description: 'Create, change and delete email templates.' },
  { __typename: 'Permission', id: '3', key: 'READ_LEADS', scope: 'leads:read', name: 'Read leads', description: 'List and read leads.' },
  { __typename: 'Permission', id: '4', key: 'WRITE_LEADS', scope: 'leads:write', name: 'Add/Update leads', description: 'Create and update leads.' },
  { __typename: 'Permission', id: '5', key: 'DELETE_LEADS', scope: 'leads:delete', name: 'Delete leads', description: 'Delete leads.' },
] as const;

export function makeKey(overrides: Partial<ApiKeyFieldsFragment> = {}): ApiKeyFieldsFragment & { __typename: 'ApiKey' } {
  return {
    __typename: 'ApiKey',
    id: '7',
    name: 'Production Email API',
    maskedKey: 'bt_AbCd…x9Zq',
    status: 'ACTIVE',
    createdAt: '2026-01-05T15:04:00Z',
    lastUsedAt: null,
    expiresAt: null,
    ipAllowlist: null,
    rateLimit: 100,
    warnings: [],
    permissions: [{ id: '1', key: 'SEND_EMAILS', name: 'Send Emails' }],
    ...overrides,
  };
}

export function gqlError(message: string, code: string, field?: string) {
  return {
    message: `[GraphQL] ${message}`,
    graphQLErrors: [{ message, extensions: { code, ...(field ? { field } : {}) } }],
    networkError: undefined,
  };
}
