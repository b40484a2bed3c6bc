import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AccessTokensPage, expiryFor, validateToken } from './AccessTokensPage';
import { gqlError, makeMe, mockClient, renderWith } from '../test/utils';

const DAY = 86_400_000;

const token = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  __typename: 'AccessToken',
  id,
  name,
  maskedToken: `btm_${name.slice(0, 4)}…x9Zq`,
  scopes: ['KEYS_READ'],
  createdAt: '2026-01-05T15:04:00Z',
  expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
  lastUsedAt: null,
  admin: { __typename: 'Admin', id: '1', email: 'owner@example.com' },
  ...extra,
});

const TOKENS = [
  token('1', 'Terraform', { scopes: ['KEYS_READ', 'KEYS_WRITE'], lastUsedAt: new Date(Date.now() - 5 * 60_000).toISOString() }),
  token('2', 'Audit export', { scopes: ['AUDIT_READ'], expiresAt: '2026-01-01T00:00:00Z', admin: { __typename: 'Admin', id: '2', email: 'dana@example.com' } }),
];

type Answer = (v: Record<string, unknown>) => { data?: unknown; error?: unknown };

function setup(extra: Record<string, Answer> = {}, role: 'OWNER' | 'ADMIN' | 'VIEWER' = 'OWNER', tokens = TOKENS) {
  const m = mockClient({ AccessTokens: () => ({ data: { accessTokens: tokens } }), ...extra });
  renderWith(
    <main>
      <AccessTokensPage />
    </main>,
    m.client,
    '/access-tokens',
    { me: makeMe(role) },
  );
  return m;
}

describe('token form logic', () => {
  it('needs a name and a scope the role allows', () => {
    const all = ['KEYS_READ', 'KEYS_WRITE', 'AUDIT_READ'] as const;
    expect(validateToken({ name: 'ci', scopes: ['KEYS_READ'], days: 30 }, [...all])).toEqual({});
    expect(validateToken({ name: ' ', scopes: [], days: 30 }, [...all])).toEqual({
      name: expect.stringMatching(/Enter a name/),
      scopes: 'Choose at least one scope.',
    });
    expect(validateToken({ name: 'x'.repeat(101), scopes: ['KEYS_READ'], days: 30 }, [...all]).name).toMatch(/100/);
    expect(validateToken({ name: 'ci', scopes: ['KEYS_WRITE'], days: 30 }, ['KEYS_READ', 'AUDIT_READ']).scopes).toMatch(/role/);
  });
  it('turns a preset into an expiry that many days ahead', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(expiryFor(7, now)).toBe('2026-03-08T12:00:00.000Z');
    expect(expiryFor(365, now)).toBe('2027-03-01T12:00:00.000Z');
  });
});

describe('AccessTokensPage', () => {
  it('lists tokens masked, with scopes, admin (owners), last used and expiry', () => {
    setup();
    const rows = screen.getAllByTestId('token-row');
    expect(rows).toHaveLength(2);
    const first = within(rows[0]);
    expect(first.getByText('btm_Terr…x9Zq')).toBeInTheDocument();
    expect(first.getByText('Read keys')).toBeInTheDocument();
    expect(first.getByText('Manage keys')).toBeInTheDocument();
    expect(first.getByText('5 minutes ago')).toBeInTheDocument();
    expect(first.getByText(/owner@example.com/)).toBeInTheDocument();
    expect(within(rows[1]).getByText('Expired')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Never')).toBeInTheDocument();
    expect(screen.getByRole('columnheader', { name: 'Admin' })).toBeInTheDocument();
  });

  it('has no admin column for a non-owner, who sees only their own tokens', () => {
    setup({}, 'ADMIN', [TOKENS[0]]);
    expect(screen.queryByRole('columnheader', { name: 'Admin' })).not.toBeInTheDocument();
  });

  it('creates a token with scopes and a preset expiry; the secret is shown once with Copy focused', async () => {
    const user = userEvent.setup();
    const secret = 'btm_' + 'A'.repeat(43) + '0aZ9';
    const { calls } = setup({
      CreateAccessToken: (v) => ({
        data: { createAccessToken: { __typename: 'CreateAccessTokenPayload', secret, accessToken: token('9', (v.input as { name: string }).name) } },
      }),
    });
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    const dialog = screen.getByRole('dialog', { name: 'Create access token' });
    expect(within(dialog).getByLabelText('Token name')).toHaveFocus();
    for (const [name, desc] of [
      ['Read keys', /List keys/],
      ['Manage keys', /Never reveals a key/],
      ['Read the security log', /security log/],
    ] as const) {
      expect(within(dialog).getByRole('checkbox', { name })).toHaveAccessibleDescription(desc);
    }
    for (const d of [7, 30, 90, 365]) expect(within(dialog).getByRole('radio', { name: `${d} days` })).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: '30 days' })).toBeChecked();

    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));
    expect(within(dialog).getByText('Choose at least one scope.')).toBeInTheDocument();
    expect(calls.some((c) => c.name === 'CreateAccessToken')).toBe(false);

    await user.type(within(dialog).getByLabelText('Token name'), 'CI deploys');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Manage keys' }));
    await user.click(within(dialog).getByRole('checkbox', { name: 'Read keys' }));
    await user.click(within(dialog).getByRole('radio', { name: '7 days' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));
    const sent = calls.find((c) => c.name === 'CreateAccessToken')!.variables as { input: { name: string; scopes: string[]; expiresAt: string } };
    expect(sent.input.name).toBe('CI deploys');
    expect(sent.input.scopes).toEqual(['KEYS_READ', 'KEYS_WRITE']);
    expect(Math.abs(Date.parse(sent.input.expiresAt) - (Date.now() + 7 * DAY))).toBeLessThan(60_000);

    const done = await screen.findByRole('dialog', { name: 'Access token created' });
    expect(within(done).getByTestId('new-secret')).toHaveValue(secret);
    expect(within(done).getByText(/will not be shown again/)).toBeInTheDocument();
    expect(within(done).getByRole('button', { name: 'Copy' })).toHaveFocus();
    expect(done.textContent).not.toContain(`Bearer ${secret}`);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows a server error at the field it names', async () => {
    const user = userEvent.setup();
    setup({ CreateAccessToken: () => ({ error: gqlError('Expiry is at most 366 days away.', 'BAD_USER_INPUT', 'input.expiresAt') }) });
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    const dialog = screen.getByRole('dialog', { name: 'Create access token' });
    await user.type(within(dialog).getByLabelText('Token name'), 'x');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Read keys' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create token' }));
    expect(await within(dialog).findByText('Expiry is at most 366 days away.')).toBeInTheDocument();
    expect(within(dialog).getByRole('radio', { name: '7 days' })).toHaveFocus();
  });

  it('gives a viewer only the read scopes, and says why', async () => {
    const user = userEvent.setup();
    setup({}, 'VIEWER', []);
    expect(screen.getByRole('heading', { name: 'No access tokens' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    const dialog = screen.getByRole('dialog', { name: 'Create access token' });
    expect(within(dialog).getByRole('checkbox', { name: 'Manage keys' })).toBeDisabled();
    expect(within(dialog).getByRole('checkbox', { name: 'Manage keys' })).toHaveAccessibleDescription(/Not available to the Viewer role/);
    expect(within(dialog).getByRole('checkbox', { name: 'Read keys' })).toBeEnabled();
    expect(within(dialog).getByRole('checkbox', { name: 'Read the security log' })).toBeEnabled();
  });

  it('revokes after a confirmation naming the token', async () => {
    const user = userEvent.setup();
    const { calls } = setup({ RevokeAccessToken: () => ({ data: { revokeAccessToken: { __typename: 'RevokeAccessTokenPayload', revokedId: '1' } } }) });
    await user.click(screen.getByRole('button', { name: 'Revoke token Terraform' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Revoke access token “Terraform”?' });
    expect(dialog).toHaveTextContent('btm_Terr…x9Zq');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(calls.some((c) => c.name === 'RevokeAccessToken')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    expect(calls.find((c) => c.name === 'RevokeAccessToken')!.variables).toEqual({ id: '1' });
    await waitFor(() => expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument());
    expect(screen.getByText('Access token “Terraform” revoked.')).toBeInTheDocument();
    // The row's Revoke button is about to go: focus goes to the page's heading, not to the body.
    expect(screen.getByRole('heading', { level: 1, name: 'Access tokens' })).toHaveFocus();
  });

  it('says the token no longer exists when it was revoked meanwhile', async () => {
    const user = userEvent.setup();
    setup({ RevokeAccessToken: () => ({ error: gqlError('No access token with this id exists.', 'NOT_FOUND') }) });
    await user.click(screen.getByRole('button', { name: 'Revoke token Terraform' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke token' }));
    expect(await within(screen.getByRole('alertdialog')).findByRole('alert')).toHaveTextContent('This access token no longer exists.');
  });

  it('keeps the dialog open with the error when revoking fails', async () => {
    const user = userEvent.setup();
    setup({ RevokeAccessToken: () => ({ error: gqlError('Not your token.', 'FORBIDDEN') }) });
    await user.click(screen.getByRole('button', { name: 'Revoke token Audit export' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Revoke token' }));
    expect(await within(screen.getByRole('alertdialog')).findByRole('alert')).toHaveTextContent('Not your token.');
  });
});
