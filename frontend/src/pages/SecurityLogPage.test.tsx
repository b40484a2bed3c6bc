import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { LOG_PAGE_SIZE, SecurityLogPage, logVariables } from './SecurityLogPage';
import { mockClient, renderWith } from '../test/utils';
import { ALL_ACTIONS, actionLabel } from '../lib/audit';

function event(id: number, action: string, extra: Record<string, unknown> = {}) {
  return {
    __typename: 'AuditEvent',
    id: String(id),
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0) - id * 60_000).toISOString(),
    action,
    actor: 'owner@example.com',
    actorEmail: 'owner@example.com',
    apiKeyID: null,
    apiKeyName: '',
    clientIP: '203.0.113.7',
    detail: '',
    ...extra,
  };
}

const EVENTS = [
  event(1, 'LEAKED', { actor: 'system', actorEmail: '', apiKeyID: '7', apiKeyName: 'CRM Sync', clientIP: '', detail: 'https://github.com/acme/app/blob/main/.env' }),
  event(2, 'DELETED', { apiKeyID: '9', apiKeyName: 'Old importer' }),
  event(3, 'TOKEN_CREATED', { actor: 'token:Terraform (owner@example.com)' }),
  event(4, 'LOGIN_FAILED', { actor: 'someone@example.com', actorEmail: 'someone@example.com' }),
];

function page(events: ReturnType<typeof event>[], hasNextPage = false) {
  return {
    data: {
      auditEvents: {
        __typename: 'AuditEventConnection',
        pageInfo: { __typename: 'PageInfo', hasNextPage, hasPreviousPage: false, startCursor: 's1', endCursor: 'e1' },
        edges: events.map((n) => ({ __typename: 'AuditEventEdge', cursor: `c${n.id}`, node: n })),
      },
    },
  };
}

function setup(answer = () => page(EVENTS), route = '/security-log') {
  const m = mockClient({
    SecurityLog: answer,
    Admins: () => ({
      data: { admins: [{ __typename: 'Admin', id: '1', email: 'owner@example.com', role: 'OWNER', invitePending: false, createdAt: '2026-01-01T00:00:00Z' }] },
    }),
  });
  renderWith(<SecurityLogPage />, m.client, route);
  return m;
}

const last = (calls: { name: string; variables: Record<string, unknown> }[]) => calls.filter((c) => c.name === 'SecurityLog').at(-1)!.variables;

describe('logVariables', () => {
  it('asks for the whole account, first page, without a key filter', () => {
    expect(logVariables(new URLSearchParams())).toEqual({ first: LOG_PAGE_SIZE, where: null });
  });
  it('maps the filters and cursors; ignores an unknown action', () => {
    expect(logVariables(new URLSearchParams('action=LEAKED&key=7&keyName=crm&actor=owner&after=e1'))).toEqual({
      first: LOG_PAGE_SIZE,
      after: 'e1',
      where: { action: 'LEAKED', apiKeyID: '7', apiKeyNameContainsFold: 'crm', actorEmailContainsFold: 'owner' },
    });
    expect(logVariables(new URLSearchParams('action=DROP_TABLES&before=s1'))).toEqual({ last: LOG_PAGE_SIZE, before: 's1', where: null });
  });
  it('has a label for every action', () => {
    for (const a of ALL_ACTIONS) expect(actionLabel(a)).not.toBe(a);
  });
});

describe('SecurityLogPage', () => {
  it('lists events with time, event, key, actor, address and details', () => {
    setup();
    expect(screen.getByRole('heading', { level: 1, name: 'Security log' })).toBeInTheDocument();
    const rows = screen.getAllByTestId('log-row');
    expect(rows).toHaveLength(4);
    const leak = within(rows[0]);
    expect(leak.getByText('Reported leaked')).toBeInTheDocument();
    expect(leak.getByRole('link', { name: 'CRM Sync' })).toHaveAttribute('href', '/keys/7');
    expect(leak.getByText('system')).toBeInTheDocument();
    expect(leak.getByText('https://github.com/acme/app/blob/main/.env')).toBeInTheDocument();
    // A deleted key keeps its name in the log.
    expect(within(rows[1]).getByText('Deleted')).toBeInTheDocument();
    expect(within(rows[1]).getByRole('link', { name: 'Old importer' })).toBeInTheDocument();
    expect(within(rows[2]).getByText('token:Terraform (owner@example.com)')).toBeInTheDocument();
    expect(within(rows[3]).getByText('Sign-in failed')).toBeInTheDocument();
    expect(within(rows[3]).getByText('203.0.113.7')).toBeInTheDocument();
  });

  it('filters by event, key name and actor', async () => {
    const user = userEvent.setup();
    const { calls } = setup();
    await user.selectOptions(screen.getByLabelText('Filter by event'), 'TOKEN_CREATED');
    expect(last(calls)).toMatchObject({ where: { action: 'TOKEN_CREATED' } });
    await user.type(screen.getByLabelText('Filter by key name'), 'crm');
    await user.type(screen.getByLabelText('Filter by actor'), 'owner@');
    await waitFor(() =>
      expect(last(calls)).toMatchObject({
        where: { action: 'TOKEN_CREATED', apiKeyNameContainsFold: 'crm', actorEmailContainsFold: 'owner@' },
      }),
    );
    expect(document.querySelector('#log-actors option')).toHaveAttribute('value', 'owner@example.com');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(last(calls)).toEqual({ first: LOG_PAGE_SIZE, where: null });
    expect(screen.getByLabelText('Filter by key name')).toHaveValue('');
  });

  it('a clear right after typing stays cleared (the pending debounced change does not bring filters back)', async () => {
    const user = userEvent.setup();
    const { calls } = setup();
    await user.selectOptions(screen.getByLabelText('Filter by event'), 'LEAKED');
    await user.type(screen.getByLabelText('Filter by key name'), 'crm');
    await waitFor(() => expect(last(calls)).toMatchObject({ where: { action: 'LEAKED', apiKeyNameContainsFold: 'crm' } }));
    await user.type(screen.getByLabelText('Filter by key name'), '-sync');
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await new Promise((r) => setTimeout(r, 400));
    expect(last(calls)).toEqual({ first: LOG_PAGE_SIZE, where: null });
    expect(screen.getByLabelText('Filter by event')).toHaveValue('');
    expect(screen.getByLabelText('Filter by key name')).toHaveValue('');
  });

  it('pages with cursors: Older after the end cursor, Newer back to the first page', async () => {
    const user = userEvent.setup();
    const { calls } = setup(() => page(EVENTS, true));
    expect(screen.getByRole('button', { name: 'Newer' })).toHaveAttribute('aria-disabled', 'true');
    await user.click(screen.getByRole('button', { name: 'Older' }));
    expect(last(calls)).toMatchObject({ first: LOG_PAGE_SIZE, after: 'e1' });
    expect(screen.getByText(/Page/)).toHaveTextContent('Page 2');
    await user.click(screen.getByRole('button', { name: 'Older' }));
    expect(screen.getByText(/Page/)).toHaveTextContent('Page 3');
    await user.click(screen.getByRole('button', { name: 'Newer' }));
    expect(last(calls)).toMatchObject({ last: LOG_PAGE_SIZE, before: 's1' });
    expect(screen.getByText(/Page/)).toHaveTextContent('Page 2');
    // Coming back with `before`, older pages are known to exist.
    expect(screen.getByRole('button', { name: 'Older' })).not.toHaveAttribute('aria-disabled');
    await user.click(screen.getByRole('button', { name: 'Newer' }));
    expect(last(calls)).toEqual({ first: LOG_PAGE_SIZE, where: null });
  });

  it('disables Older on the last page', () => {
    setup(() => page(EVENTS, false));
    expect(screen.getByRole('button', { name: 'Older' })).toHaveAttribute('aria-disabled', 'true');
  });

  it('filters by one key from its detail page and can drop that filter', async () => {
    const user = userEvent.setup();
    const { calls } = setup(() => page([EVENTS[0]]), '/security-log?key=7');
    expect(last(calls)).toMatchObject({ where: { apiKeyID: '7' } });
    expect(screen.getByTestId('key-filter')).toHaveTextContent('Key: CRM Sync');
    await user.click(screen.getByRole('button', { name: 'Show every key' }));
    expect(last(calls)).toEqual({ first: LOG_PAGE_SIZE, where: null });
  });

  it('says when nothing matches', () => {
    setup(() => page([]), '/security-log?action=LEAKED');
    expect(screen.getByText('No events match these filters.')).toBeInTheDocument();
  });
});
