import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ApiKeysPage, PAGE_SIZE, listVariables } from './ApiKeysPage';
import { PERMISSIONS, gqlError, makeKey, mockClient, renderWith } from '../test/utils';
import { formatDate, formatTime } from '../lib/time';

function connection(keys: ReturnType<typeof makeKey>[], hasNextPage = false) {
  return {
    apiKeys: {
      __typename: 'ApiKeyConnection',
      pageInfo: { __typename: 'PageInfo', hasNextPage, hasPreviousPage: false, startCursor: 'c-start', endCursor: 'c-end' },
      edges: keys.map((k) => ({ __typename: 'ApiKeyEdge', cursor: `c-${k.id}`, node: k })),
    },
  };
}

const threeMinutesAgo = new Date(Date.now() - 3 * 60_000).toISOString();

const KEYS = [
  makeKey({
    id: '1',
    name: 'Production Email API',
    lastUsedAt: threeMinutesAgo,
    permissions: [
      { id: '1', key: 'SEND_EMAILS', name: 'Send Emails' },
      { id: '2', key: 'MANAGE_EMAIL_TEMPLATES', name: 'Manage Email Templates' },
    ],
  }),
  makeKey({ id: '2', name: 'CRM sync', maskedKey: 'bt_QwEr…tY12', status: 'INACTIVE', permissions: [{ id: '3', key: 'READ_LEADS', name: 'Read leads' }] }),
  makeKey({ id: '3', name: 'Old importer', maskedKey: 'bt_ZxCv…bN34', status: 'EXPIRED', expiresAt: '2025-01-01T00:00:00Z' }),
];

function count(n: number) {
  return { data: { apiKeys: { __typename: 'ApiKeyConnection', totalCount: n } } };
}

function setup(
  data: unknown,
  extra: Record<string, () => { data?: unknown; error?: unknown } | 'pending'> = {},
  route = '/keys',
  role: 'OWNER' | 'ADMIN' | 'VIEWER' = 'OWNER',
) {
  const total = ((data as ReturnType<typeof connection>).apiKeys.edges ?? []).length;
  const m = mockClient({
    ApiKeys: () => ({ data }),
    ApiKeyCount: () => count(total),
    Permissions: () => ({ data: { permissions: PERMISSIONS } }),
    ...extra,
  });
  // In <main>, as the Layout puts every page: focus falls back to the page's heading there.
  renderWith(
    <main>
      <ApiKeysPage />
    </main>,
    m.client,
    route,
    { role },
  );
  return m;
}

describe('listVariables', () => {
  it('defaults to the newest first, first page', () => {
    expect(listVariables(new URLSearchParams())).toEqual({
      first: PAGE_SIZE,
      orderBy: { field: 'CREATED_AT', direction: 'DESC' },
      where: null,
    });
  });
  it('maps search, filters, sort and cursors', () => {
    expect(
      listVariables(new URLSearchParams('q=prod&status=ACTIVE&permission=READ_LEADS&sort=lastused-asc&before=abc&page=2')),
    ).toEqual({
      last: PAGE_SIZE,
      before: 'abc',
      orderBy: { field: 'LAST_USED_AT', direction: 'ASC' },
      where: { nameContainsFold: 'prod', status: 'ACTIVE', permission: 'READ_LEADS' },
    });
    expect(listVariables(new URLSearchParams('after=xyz'))).toMatchObject({ first: PAGE_SIZE, after: 'xyz' });
  });
  it('ignores a status or permission the URL names that is none (a stale or hand-edited link)', () => {
    expect(listVariables(new URLSearchParams('status=BOGUS&permission=NOPE')).where).toBeNull();
    expect(listVariables(new URLSearchParams('status=active&permission=toString')).where).toBeNull();
    expect(listVariables(new URLSearchParams('status=EXPIRED&permission=BOGUS')).where).toEqual({ status: 'EXPIRED' });
  });
});

describe('ApiKeysPage', () => {
  it('renders every column of every key', () => {
    setup(connection(KEYS));
    expect(screen.getByRole('heading', { level: 1, name: 'API Key Management' })).toBeInTheDocument();
    const table = screen.getByRole('table');
    const headers = within(table).getAllByRole('columnheader').map((h) => h.textContent?.replace(/,.*$/, '').trim());
    expect(headers).toEqual(['Name', 'API Key', 'Permissions', 'Created', 'Last Used', 'Status', 'Actions']);

    const rows = within(table).getAllByTestId('key-row');
    expect(rows).toHaveLength(3);
    const first = within(rows[0]);
    expect(first.getByRole('link', { name: 'Production Email API' })).toHaveAttribute('href', '/keys/1');
    expect(first.getByText('bt_AbCd…x9Zq')).toBeInTheDocument();
    expect(first.getByRole('button', { name: 'Reveal key Production Email API' })).toBeInTheDocument();
    expect(first.getByText('Send Emails')).toBeInTheDocument();
    expect(first.getByText('Manage Email Templates')).toBeInTheDocument();
    expect(first.getByText(formatDate(KEYS[0].createdAt))).toBeInTheDocument();
    expect(first.getByText(formatTime(KEYS[0].createdAt))).toBeInTheDocument();
    const lastUsed = first.getByText('3 minutes ago');
    expect(lastUsed.tagName).toBe('TIME');
    expect(lastUsed).toHaveAttribute('title');
    // The exact time also reaches keyboard and screen-reader users, as visually hidden text.
    expect(first.getByText(`(${lastUsed.getAttribute('title')})`)).toHaveClass('sr-only');
    expect(first.getByText('Active')).toBeInTheDocument();
    expect(first.getByRole('button', { name: 'Deactivate key Production Email API' })).toBeInTheDocument();
    expect(first.getByRole('button', { name: 'Edit key Production Email API' })).toBeInTheDocument();
    expect(first.getByRole('button', { name: 'Roll key Production Email API' })).toBeInTheDocument();
    expect(first.getByRole('button', { name: 'Delete key Production Email API' })).toBeInTheDocument();

    const second = within(rows[1]);
    expect(second.getByText('Never')).toBeInTheDocument();
    expect(second.getByText('Inactive')).toBeInTheDocument();
    expect(second.getByRole('button', { name: 'Activate key CRM sync' })).toBeInTheDocument();
    expect(within(rows[2]).getByText('Expired')).toBeInTheDocument();

    expect(screen.getByText(/Showing/)).toHaveTextContent('Showing 1–3 of 3 keys');
    expect(screen.getByRole('button', { name: 'Previous' })).toHaveAttribute('aria-disabled', 'true');
    expect(screen.getByRole('button', { name: 'Next' })).toHaveAttribute('aria-disabled', 'true');
  });

  it('leads to the first key when there is none', async () => {
    const user = userEvent.setup();
    setup(connection([]));
    expect(screen.getByRole('heading', { name: 'Create your first API key' })).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create your first key' }));
    expect(screen.getByRole('dialog', { name: 'Create New API Key' })).toBeInTheDocument();
  });

  it('says so when filters match nothing', () => {
    setup(connection([]), {}, '/keys?status=EXPIRED');
    expect(screen.getByText('No keys match these filters.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Clear filters' })).toBeInTheDocument();
  });

  it('shows a loading state', () => {
    const m = mockClient({ ApiKeys: () => 'pending', Permissions: () => ({ data: { permissions: PERMISSIONS } }) });
    renderWith(<ApiKeysPage />, m.client);
    expect(screen.getByText('Loading API keys…')).toBeInTheDocument();
    // The count waits for the list.
    expect(m.calls.some((c) => c.name === 'ApiKeyCount')).toBe(false);
  });

  it('shows an error with a retry', () => {
    const m = mockClient({
      ApiKeys: () => ({ error: gqlError('Something went wrong on our side.', 'INTERNAL_SERVER_ERROR') }),
      Permissions: () => ({ data: { permissions: PERMISSIONS } }),
    });
    renderWith(<ApiKeysPage />, m.client);
    expect(screen.getByRole('alert')).toHaveTextContent('Could not load API keys. Something went wrong on our side.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('deactivates a key with one click', async () => {
    const user = userEvent.setup();
    const { calls } = setup(connection(KEYS), {
      SetApiKeyActive: () => ({ data: { setApiKeyActive: { ...KEYS[0], status: 'INACTIVE' } } }),
    });
    await user.click(screen.getByRole('button', { name: 'Deactivate key Production Email API' }));
    expect(calls.find((c) => c.name === 'SetApiKeyActive')!.variables).toEqual({ id: '1', active: false });
    expect(await screen.findByText(/deactivated/)).toBeInTheDocument();
  });

  it('keeps keyboard focus on the switch while the key is (de)activated', async () => {
    const user = userEvent.setup();
    setup(connection(KEYS), { SetApiKeyActive: () => 'pending' });
    const toggle = screen.getByRole('button', { name: 'Deactivate key Production Email API' });
    await user.click(toggle);
    // Busy, but not disabled: a disabled button would drop the focus to the page's body.
    expect(toggle).toHaveAttribute('aria-disabled', 'true');
    expect(toggle).not.toBeDisabled();
    expect(toggle).toHaveFocus();
  });

  it('opens the roll dialog on the grace period that is chosen (1 hour), not on "Now"', async () => {
    const user = userEvent.setup();
    setup(connection(KEYS));
    await user.click(screen.getByRole('button', { name: 'Roll key Production Email API' }));
    const dialog = screen.getByRole('dialog', { name: 'Roll API key “Production Email API”' });
    expect(within(dialog).getByRole('radio', { name: '1 hour' })).toBeChecked();
    expect(within(dialog).getByRole('radio', { name: '1 hour' })).toHaveFocus();
  });

  it('asks before deleting and names the key', async () => {
    const user = userEvent.setup();
    const { calls } = setup(connection(KEYS), {
      DeleteApiKey: () => ({ data: { deleteApiKey: { __typename: 'DeleteApiKeyPayload', deletedId: '2' } } }),
    });
    await user.click(screen.getByRole('button', { name: 'Delete key CRM sync' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete API key “CRM sync”?' });
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(calls.some((c) => c.name === 'DeleteApiKey')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Delete key' }));
    expect(calls.find((c) => c.name === 'DeleteApiKey')!.variables).toEqual({ id: '2' });
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    // Not the Delete button of a row about to go, which would leave focus on the page's body.
    expect(screen.getByRole('heading', { level: 1, name: 'API Key Management' })).toHaveFocus();
  });

  it('keeps the delete dialog open and says so when the key is already gone', async () => {
    const user = userEvent.setup();
    setup(connection(KEYS), { DeleteApiKey: () => ({ error: gqlError('No API key with this id exists.', 'NOT_FOUND') }) });
    await user.click(screen.getByRole('button', { name: 'Delete key CRM sync' }));
    const dialog = screen.getByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete key' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('This API key no longer exists.');
  });

  it('pages forward with the end cursor', async () => {
    const user = userEvent.setup();
    const many = Array.from({ length: PAGE_SIZE }, (_, i) => makeKey({ id: String(i + 1), name: `key ${i + 1}` }));
    const { calls } = setup(connection(many, true), { ApiKeyCount: () => count(45) });
    expect(screen.getByText(/Showing/)).toHaveTextContent('Showing 1–20 of 45 keys');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    const last = calls.filter((c) => c.name === 'ApiKeys').at(-1)!;
    expect(last.variables).toMatchObject({ first: PAGE_SIZE, after: 'c-end' });
    expect(screen.getByText(/Showing/)).toHaveTextContent('Showing 21–40 of 45 keys');
  });

  it('sorts by last used from the column header', async () => {
    const user = userEvent.setup();
    const { calls } = setup(connection(KEYS));
    const header = screen.getByRole('columnheader', { name: /Last Used/ });
    expect(header).toHaveAttribute('aria-sort', 'none');
    await user.click(within(header).getByRole('button'));
    expect(calls.filter((c) => c.name === 'ApiKeys').at(-1)!.variables).toMatchObject({
      orderBy: { field: 'LAST_USED_AT', direction: 'DESC' },
    });
    expect(screen.getByRole('columnheader', { name: /Last Used/ })).toHaveAttribute('aria-sort', 'descending');
  });

  it('filters by name, status and permission', async () => {
    const user = userEvent.setup();
    const { calls } = setup(connection(KEYS));
    await user.selectOptions(screen.getByLabelText('Filter by status'), 'INACTIVE');
    await user.selectOptions(screen.getByLabelText('Filter by permission'), 'READ_LEADS');
    await user.type(screen.getByLabelText('Search keys by name'), 'crm');
    await screen.findByText(/Clear filters/);
    await new Promise((r) => setTimeout(r, 350));
    expect(calls.filter((c) => c.name === 'ApiKeys').at(-1)!.variables).toMatchObject({
      where: { nameContainsFold: 'crm', status: 'INACTIVE', permission: 'READ_LEADS' },
    });
  });
});

describe('ApiKeysPage with a stale or hand-edited URL', () => {
  it('shows no filter the URL names wrongly, and sends none', () => {
    const { calls } = setup(connection(KEYS), {}, '/keys?status=BOGUS&permission=NOPE');
    expect(calls.find((c) => c.name === 'ApiKeys')!.variables).toMatchObject({ where: null });
    expect(screen.getByLabelText('Filter by status')).toHaveValue('');
    expect(screen.getByLabelText('Filter by permission')).toHaveValue('');
    expect(screen.queryByRole('button', { name: 'Clear filters' })).not.toBeInTheDocument();
    expect(screen.getAllByTestId('key-row')).toHaveLength(3);
  });

  it('goes back to the first page, with a short notice, when the server refuses the cursor', async () => {
    const m = mockClient({
      ApiKeys: (v) =>
        v.after
          ? { error: gqlError('after: cannot decode cursor: unexpected EOF', 'BAD_USER_INPUT', 'after') }
          : { data: connection(KEYS) },
      ApiKeyCount: () => count(3),
      Permissions: () => ({ data: { permissions: PERMISSIONS } }),
    });
    renderWith(<ApiKeysPage />, m.client, '/keys?status=ACTIVE&after=garbage&page=2');
    expect(await screen.findByText('That page link was out of date, so the first page is shown.')).toHaveAttribute('role', 'status');
    const last = m.calls.filter((c) => c.name === 'ApiKeys').at(-1)!;
    expect(last.variables).toMatchObject({ first: PAGE_SIZE, where: { status: 'ACTIVE' } });
    expect(last.variables).not.toHaveProperty('after');
    expect(screen.queryByText(/cannot decode/)).not.toBeInTheDocument();
    expect(screen.queryByText('Could not load API keys.', { exact: false })).not.toBeInTheDocument();
    expect(screen.getAllByTestId('key-row')).toHaveLength(3);
    expect(screen.getByText(/Showing/)).toHaveTextContent('Showing 1–3 of 3 keys');
  });
});

describe('ApiKeysPage without a forced count', () => {
  it('asks for no totalCount in the list query', async () => {
    const { ApiKeysQuery } = await import('../graphql/operations');
    const { print } = await import('graphql');
    expect(print(ApiKeysQuery)).not.toContain('totalCount');
  });

  it('shows "of many" until the separate count arrives, then the number', () => {
    const many = Array.from({ length: PAGE_SIZE }, (_, i) => makeKey({ id: String(i + 1), name: `key ${i + 1}` }));
    const { calls } = setup(connection(many, true), { ApiKeyCount: () => 'pending' });
    expect(screen.getByText(/Showing/)).toHaveTextContent('Showing 1–20 of many');
    expect(screen.getByRole('button', { name: 'Next' })).not.toHaveAttribute('aria-disabled');
    const names = calls.map((c) => c.name);
    expect(names.indexOf('ApiKeyCount')).toBeGreaterThan(names.indexOf('ApiKeys'));
  });

  it('counts with the same filters as the list', async () => {
    const user = userEvent.setup();
    const { calls } = setup(connection(KEYS));
    await user.click(screen.getByRole('checkbox', { name: 'Needs attention' }));
    expect(calls.filter((c) => c.name === 'ApiKeys').at(-1)!.variables).toMatchObject({ where: { needsAttention: true } });
    expect(calls.filter((c) => c.name === 'ApiKeyCount').at(-1)!.variables).toEqual({ where: { needsAttention: true } });
  });

  it('knows the total without a count when the only page is not full', () => {
    setup(connection(KEYS), { ApiKeyCount: () => 'pending' });
    expect(screen.getByText(/Showing/)).toHaveTextContent('Showing 1–3 of 3 keys');
  });
});

describe('ApiKeysPage warnings', () => {
  const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
  const WARNED = [
    makeKey({ id: '1', name: 'Leaky', warnings: ['LEAKED'], status: 'INACTIVE' }),
    makeKey({ id: '2', name: 'Soon', warnings: ['EXPIRING_SOON'], expiresAt: soon }),
    makeKey({ id: '3', name: 'Idle', warnings: ['UNUSED', 'OUT_OF_POLICY'], createdAt: new Date(Date.now() - 100 * 86_400_000).toISOString() }),
    makeKey({ id: '4', name: 'Fine' }),
  ];

  it('shows a badge per warning: Leaked in red, expiry with the date, unused days, out of policy', () => {
    setup(connection(WARNED));
    const rows = screen.getAllByTestId('key-row');
    const leaked = within(rows[0]).getByText('Leaked');
    expect(leaked).toHaveClass('badge-danger');
    expect(leaked).toHaveAttribute('data-warning', 'LEAKED');
    expect(within(rows[1]).getByText(`Expiring ${formatDate(soon)}`)).toHaveClass('badge-warning');
    expect(within(rows[2]).getByText('Unused for 100 days')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Out of policy')).toBeInTheDocument();
    expect(within(rows[3]).queryByRole('list', { name: 'Warnings' })).not.toBeInTheDocument();
  });

  it('filters to the keys that need attention, and back', async () => {
    const user = userEvent.setup();
    const { calls } = setup(connection(WARNED));
    const box = screen.getByRole('checkbox', { name: 'Needs attention' });
    expect(box).toHaveAccessibleDescription(/Leaked, expiring within 7 days, or unused/);
    await user.click(box);
    expect(calls.filter((c) => c.name === 'ApiKeys').at(-1)!.variables).toMatchObject({ where: { needsAttention: true } });
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(calls.filter((c) => c.name === 'ApiKeys').at(-1)!.variables).toMatchObject({ where: null });
    expect(screen.getByRole('checkbox', { name: 'Needs attention' })).not.toBeChecked();
  });

  it('maps attention=1 from the URL', () => {
    expect(listVariables(new URLSearchParams('attention=1')).where).toEqual({ needsAttention: true });
  });
});

describe('ApiKeysPage by role', () => {
  it('gives a viewer the list without Create, reveal or key actions, and says why', () => {
    setup(connection(KEYS), {}, '/keys', 'VIEWER');
    expect(screen.getAllByTestId('key-row')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Create New Key' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Reveal key/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^(Deactivate|Activate|Edit|Roll|Delete) key/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();
    expect(screen.getByTestId('read-only-note')).toHaveTextContent(/Viewer role/);
  });

  it('gives a viewer an empty state without the create button', () => {
    setup(connection([]), {}, '/keys', 'VIEWER');
    expect(screen.getByRole('heading', { name: 'Create your first API key' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create your first key' })).not.toBeInTheDocument();
  });

  it('gives an admin every key action', () => {
    setup(connection(KEYS), {}, '/keys', 'ADMIN');
    expect(screen.getByRole('button', { name: 'Create New Key' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reveal key CRM sync' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Roll key CRM sync' })).toBeInTheDocument();
    expect(screen.queryByTestId('read-only-note')).not.toBeInTheDocument();
  });
});
