import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { TeamPage, inviteExpired, validateInvite } from './TeamPage';
import { gqlError, makeMe, mockClient, renderWith } from '../test/utils';

const LIVE = new Date(Date.now() + 48 * 3600_000).toISOString();
const ENDED = new Date(Date.now() - 3600_000).toISOString();

const member = (id: string, email: string, role: string, invitePending = false, inviteExpiresAt: string | null = invitePending ? LIVE : null) => ({
  __typename: 'Admin',
  id,
  email,
  role,
  invitePending,
  inviteExpiresAt,
  createdAt: '2026-01-05T15:04:00Z',
});

const TEAM = [
  member('1', 'owner@example.com', 'OWNER'),
  member('2', 'dana@example.com', 'ADMIN'),
  member('3', 'vic@example.com', 'VIEWER', true),
];

type Answer = (v: Record<string, unknown>) => { data?: unknown; error?: unknown } | 'pending';

function setup(extra: Record<string, Answer> = {}, role: 'OWNER' | 'ADMIN' | 'VIEWER' = 'OWNER') {
  const m = mockClient({ Admins: () => ({ data: { admins: TEAM } }), ...extra });
  renderWith(
    <main>
      <TeamPage />
    </main>,
    m.client,
    '/team',
    { me: makeMe(role, { id: role === 'OWNER' ? '1' : '2' }) },
  );
  return m;
}

describe('validateInvite', () => {
  it('wants an email address', () => {
    expect(validateInvite('')).toMatch(/Enter the email/);
    expect(validateInvite('not-an-email')).toMatch(/name@example.com/);
    expect(validateInvite(' new@example.com ')).toBeNull();
  });
  it('counts the 254-character limit in characters, as the server does', () => {
    const at = '@example.com';
    expect(validateInvite('é'.repeat(254 - at.length) + at)).toBeNull();
    expect(validateInvite('🙂'.repeat(254 - at.length) + at)).toBeNull();
    expect(validateInvite('🙂'.repeat(255 - at.length) + at)).toMatch(/name@example.com/);
  });
});

describe('inviteExpired', () => {
  it('is true for a pending invite whose link has ended, only', () => {
    const now = new Date('2026-01-08T15:04:00Z');
    expect(inviteExpired({ invitePending: true, inviteExpiresAt: '2026-01-08T15:03:59Z' }, now)).toBe(true);
    expect(inviteExpired({ invitePending: true, inviteExpiresAt: '2026-01-08T15:04:00Z' }, now)).toBe(true);
    expect(inviteExpired({ invitePending: true, inviteExpiresAt: '2026-01-08T15:04:01Z' }, now)).toBe(false);
    expect(inviteExpired({ invitePending: false, inviteExpiresAt: null }, now)).toBe(false);
  });
});

describe('TeamPage as an owner', () => {
  it('lists the team with roles, pending invites and who is "you"', () => {
    setup();
    const rows = screen.getAllByTestId('member-row');
    expect(rows).toHaveLength(3);
    expect(within(rows[0]).getByText('You')).toBeInTheDocument();
    // One's own role and removal are not offered.
    expect(within(rows[0]).queryByRole('combobox')).not.toBeInTheDocument();
    expect(within(rows[0]).queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
    expect(within(rows[0]).getByText('Owner')).toBeInTheDocument();
    expect(within(rows[1]).getByLabelText('Role of dana@example.com')).toHaveValue('ADMIN');
    expect(within(rows[2]).getByText('Invite pending')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Active')).toBeInTheDocument();
  });

  it('invites with an email and a role', async () => {
    const user = userEvent.setup();
    const { calls } = setup({
      InviteAdmin: () => ({ data: { inviteAdmin: { __typename: 'InviteAdminPayload', admin: member('4', 'new@example.com', 'ADMIN', true) } } }),
    });
    await user.click(screen.getByRole('button', { name: 'Invite admin' }));
    const dialog = screen.getByRole('dialog', { name: 'Invite an admin' });
    expect(within(dialog).getByLabelText('Email')).toHaveFocus();
    // Each role is explained.
    expect(within(dialog).getByRole('radio', { name: 'Viewer' })).toBeChecked();
    expect(within(dialog).getByRole('radio', { name: 'Admin' })).toHaveAccessibleDescription(/Not the team or the settings/);
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    expect(within(dialog).getByLabelText('Email')).toHaveAccessibleDescription(/Enter the email/);
    expect(calls.some((c) => c.name === 'InviteAdmin')).toBe(false);
    await user.type(within(dialog).getByLabelText('Email'), 'new@example.com');
    await user.click(within(dialog).getByRole('radio', { name: 'Admin' }));
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    expect(calls.find((c) => c.name === 'InviteAdmin')!.variables).toEqual({ input: { email: 'new@example.com', role: 'ADMIN' } });
    expect(await screen.findByText('Invitation sent to new@example.com.')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows the server refusing an email at the email field', async () => {
    const user = userEvent.setup();
    setup({ InviteAdmin: () => ({ error: gqlError('This email cannot be invited.', 'BAD_USER_INPUT', 'input.email') }) });
    await user.click(screen.getByRole('button', { name: 'Invite admin' }));
    const dialog = screen.getByRole('dialog', { name: 'Invite an admin' });
    await user.type(within(dialog).getByLabelText('Email'), 'taken@example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    await waitFor(() => expect(within(dialog).getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true'));
    expect(within(dialog).getByLabelText('Email')).toHaveAccessibleDescription('This email cannot be invited.');
  });

  it('changes a role', async () => {
    const user = userEvent.setup();
    const { calls } = setup({ UpdateAdminRole: (v) => ({ data: { updateAdminRole: member('2', 'dana@example.com', v.role as string) } }) });
    await user.selectOptions(screen.getByLabelText('Role of dana@example.com'), 'VIEWER');
    expect(calls.find((c) => c.name === 'UpdateAdminRole')!.variables).toEqual({ id: '2', role: 'VIEWER' });
    expect(await screen.findByText('dana@example.com is now a Viewer.')).toBeInTheDocument();
  });

  it('keeps keyboard focus on the role select while the change is saved, showing the new role', async () => {
    const user = userEvent.setup();
    const { calls } = setup({ UpdateAdminRole: () => 'pending' });
    const select = screen.getByLabelText('Role of dana@example.com');
    await user.selectOptions(select, 'VIEWER');
    expect(select).toHaveFocus();
    expect(select).not.toBeDisabled();
    expect(select).toHaveAttribute('aria-disabled', 'true');
    expect(select).toHaveValue('VIEWER');
    // No second change while the first is saved.
    await user.selectOptions(select, 'OWNER');
    expect(calls.filter((c) => c.name === 'UpdateAdminRole')).toHaveLength(1);
    expect(select).toHaveValue('VIEWER');
  });

  it('says the admin no longer exists when they were removed meanwhile', async () => {
    const user = userEvent.setup();
    setup({ UpdateAdminRole: () => ({ error: gqlError('No admin with this id exists.', 'NOT_FOUND') }) });
    await user.selectOptions(screen.getByLabelText('Role of dana@example.com'), 'VIEWER');
    expect(await screen.findByText('Could not change the role of dana@example.com: This admin no longer exists.')).toBeInTheDocument();
    expect(screen.getByLabelText('Role of dana@example.com')).toHaveValue('ADMIN');
  });

  it('tells when a role change is refused (the last owner)', async () => {
    const user = userEvent.setup();
    setup({ UpdateAdminRole: () => ({ error: gqlError('The account needs at least one owner.', 'BAD_USER_INPUT', 'role') }) });
    await user.selectOptions(screen.getByLabelText('Role of dana@example.com'), 'VIEWER');
    expect(await screen.findByText(/Could not change the role of dana@example.com: The account needs at least one owner./)).toBeInTheDocument();
  });

  it('tells expired invites from pending ones and offers to resend both', () => {
    setup({
      Admins: () => ({
        data: { admins: [...TEAM, member('4', 'late@example.com', 'ADMIN', true, ENDED)] },
      }),
    });
    const rows = screen.getAllByTestId('member-row');
    expect(within(rows[2]).getByText('Invite pending')).toBeInTheDocument();
    expect(within(rows[2]).queryByText('Invite expired')).not.toBeInTheDocument();
    expect(within(rows[3]).getByText('Invite expired')).toBeInTheDocument();
    expect(within(rows[3]).queryByText('Invite pending')).not.toBeInTheDocument();
    expect(within(rows[2]).getByRole('button', { name: 'Resend invite to vic@example.com' })).toHaveTextContent('Resend invite');
    expect(within(rows[3]).getByRole('button', { name: 'Resend invite to late@example.com' })).toBeInTheDocument();
    // Members who joined have nothing to resend.
    expect(within(rows[1]).queryByRole('button', { name: /^Resend invite/ })).not.toBeInTheDocument();
  });

  it('resends an expired invite with its email and role', async () => {
    const user = userEvent.setup();
    const { calls } = setup({
      Admins: () => ({ data: { admins: [...TEAM, member('4', 'late@example.com', 'ADMIN', true, ENDED)] } }),
      InviteAdmin: () => ({ data: { inviteAdmin: { __typename: 'InviteAdminPayload', admin: member('4', 'late@example.com', 'ADMIN', true) } } }),
    });
    await user.click(screen.getByRole('button', { name: 'Resend invite to late@example.com' }));
    expect(calls.find((c) => c.name === 'InviteAdmin')!.variables).toEqual({ input: { email: 'late@example.com', role: 'ADMIN' } });
    expect(await screen.findByText(/Invitation sent again to late@example.com\./)).toBeInTheDocument();
  });

  it('tells when a resend is refused', async () => {
    const user = userEvent.setup();
    setup({ InviteAdmin: () => ({ error: gqlError('This email cannot be invited: it already belongs to an admin.', 'BAD_USER_INPUT', 'email') }) });
    await user.click(screen.getByRole('button', { name: 'Resend invite to vic@example.com' }));
    expect(await screen.findByText(/Could not resend the invite to vic@example.com: This email cannot be invited/)).toBeInTheDocument();
  });

  it('asks before removing, naming the person', async () => {
    const user = userEvent.setup();
    const { calls } = setup({ RemoveAdmin: () => ({ data: { removeAdmin: { __typename: 'RemoveAdminPayload', removedId: '2' } } }) });
    await user.click(screen.getByRole('button', { name: 'Remove dana@example.com' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove dana@example.com?' });
    expect(dialog).toHaveTextContent(/dana@example.com \(Admin\) loses access at once/);
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.name === 'RemoveAdmin')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Remove dana@example.com' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove admin' }));
    expect(calls.find((c) => c.name === 'RemoveAdmin')!.variables).toEqual({ id: '2' });
    expect(await screen.findByText('dana@example.com removed from the team.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Team' })).toHaveFocus();
  });

  it('says the admin is gone when removing someone removed meanwhile, naming no API key', async () => {
    const user = userEvent.setup();
    setup({ RemoveAdmin: () => ({ error: gqlError('No admin with this id exists.', 'NOT_FOUND') }) });
    await user.click(screen.getByRole('button', { name: 'Remove dana@example.com' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove admin' }));
    const alert = await within(screen.getByRole('alertdialog')).findByRole('alert');
    expect(alert).toHaveTextContent('This admin no longer exists.');
    expect(alert).not.toHaveTextContent(/API key/);
  });
});

describe.each(['ADMIN', 'VIEWER'] as const)('TeamPage as an %s', (role) => {
  it('is a read-only list that says why', () => {
    setup({}, role);
    expect(screen.getAllByTestId('member-row')).toHaveLength(3);
    expect(screen.queryByRole('button', { name: 'Invite admin' })).not.toBeInTheDocument();
    expect(screen.queryByRole('combobox')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Remove/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Resend invite/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('columnheader', { name: 'Actions' })).not.toBeInTheDocument();
    expect(screen.getByTestId('read-only-note')).toHaveTextContent('Only owners can invite admins, change roles or remove admins.');
  });
});
