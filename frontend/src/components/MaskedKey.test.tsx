import { act, fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MaskedKey, REVEAL_TIMEOUT_MS } from './MaskedKey';
import { gqlError, mockClient, renderWith } from '../test/utils';

const SECRET = 'bt_' + 'Z'.repeat(43) + 'q1w2e3';

function setup(reveal: (v: Record<string, unknown>) => { data?: unknown; error?: unknown }) {
  const { client, calls } = mockClient({ RevealApiKey: reveal });
  renderWith(<MaskedKey keyId="7" keyName="Prod" masked="bt_AbCd…x9Zq" />, client);
  return calls;
}

const ok = () => ({ data: { revealApiKey: { __typename: 'RevealApiKeyPayload', secret: SECRET } } });

afterEach(() => {
  vi.useRealTimers();
});

describe('MaskedKey', () => {
  it('shows only the masked key until the password is confirmed', async () => {
    const user = userEvent.setup();
    const calls = setup(ok);
    expect(screen.getByText('bt_AbCd…x9Zq')).toBeInTheDocument();
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();

    const eye = screen.getByRole('button', { name: 'Reveal key Prod' });
    await user.click(eye);
    const dialog = screen.getByRole('dialog', { name: 'Confirm your password' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    const pw = screen.getByLabelText('Password');
    expect(pw).toHaveFocus();
    expect(pw).toHaveAttribute('type', 'password');
    await user.type(pw, 'hunter2hunter2{enter}');

    expect(calls.find((c) => c.name === 'RevealApiKey')!.variables).toEqual({ id: '7', password: 'hunter2hunter2' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByText(SECRET)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy key Prod' })).toBeInTheDocument();
    // Nothing is kept in web storage.
    expect(window.localStorage.length).toBe(0);
    expect(window.sessionStorage.length).toBe(0);

    // A click on the key hides it again.
    await user.click(screen.getByRole('button', { name: /Full key of Prod/ }));
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    expect(screen.getByText('bt_AbCd…x9Zq')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reveal key Prod' })).toHaveFocus();
  });

  it('hides the key again after 30 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    setup(ok);
    await user.click(screen.getByRole('button', { name: 'Reveal key Prod' }));
    await user.type(screen.getByLabelText('Password'), 'pw{enter}');
    expect(screen.getByText(SECRET)).toBeInTheDocument();
    // Let React run the effect that starts the timer.
    await act(async () => {
      vi.advanceTimersByTime(0);
    });
    act(() => {
      vi.advanceTimersByTime(REVEAL_TIMEOUT_MS - 1000);
    });
    expect(screen.getByText(SECRET)).toBeInTheDocument();
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
  });

  it('says when the password is wrong and keeps the dialog open', async () => {
    const user = userEvent.setup();
    setup(() => ({ error: gqlError('wrong password', 'FORBIDDEN') }));
    await user.click(screen.getByRole('button', { name: 'Reveal key Prod' }));
    await user.type(screen.getByLabelText('Password'), 'nope{enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('That password is not correct.');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
  });

  it('explains when reveal is turned off', async () => {
    const user = userEvent.setup();
    setup(() => ({ error: gqlError('reveal is disabled', 'REVEAL_DISABLED') }));
    await user.click(screen.getByRole('button', { name: 'Reveal key Prod' }));
    await user.type(screen.getByLabelText('Password'), 'pw{enter}');
    expect(screen.getByRole('alert')).toHaveTextContent(/turned off/);
  });

  it('closes the password prompt on Escape and returns focus to the eye button', async () => {
    const user = userEvent.setup();
    setup(ok);
    const eye = screen.getByRole('button', { name: 'Reveal key Prod' });
    await user.click(eye);
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    fireEvent.keyDown(screen.getByLabelText('Password'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(eye).toHaveFocus();
  });
});

describe('MaskedKey and the key’s audit trail', () => {
  it.each([
    ['succeeds', ok],
    ['fails', () => ({ error: gqlError('wrong password', 'FORBIDDEN') })],
  ])('refreshes the audit trail when a reveal %s', async (_, answer) => {
    const user = userEvent.setup();
    const calls = setup(answer);
    await user.click(screen.getByRole('button', { name: 'Reveal key Prod' }));
    await user.type(screen.getByLabelText('Password'), 'pw{enter}');
    // The audit queries carry the AuditEvent typename: the cache fetches them again after this mutation.
    expect(calls.find((c) => c.name === 'RevealApiKey')!.context).toMatchObject({ additionalTypenames: ['AuditEvent'] });
  });
});

describe('MaskedKey after a roll', () => {
  it('hides the revealed secret when the key’s masked value changes', async () => {
    const user = userEvent.setup();
    const { client } = mockClient({ RevealApiKey: ok });
    const { rerender } = renderWith(<MaskedKey keyId="7" keyName="Prod" masked="bt_AbCd…x9Zq" />, client);
    await user.click(screen.getByRole('button', { name: 'Reveal key Prod' }));
    await user.type(screen.getByLabelText('Password'), 'pw{enter}');
    expect(screen.getByText(SECRET)).toBeInTheDocument();

    // The list's query brings the rolled key: a new masked value.
    rerender(<MaskedKey keyId="7" keyName="Prod" masked="bt_NeWw…r0ll" />);
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Full key of Prod/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Copy key Prod' })).not.toBeInTheDocument();
    expect(screen.getByText('bt_NeWw…r0ll')).toBeInTheDocument();
    // Nor does it come back with the old masked value.
    rerender(<MaskedKey keyId="7" keyName="Prod" masked="bt_AbCd…x9Zq" />);
    expect(screen.queryByText(SECRET)).not.toBeInTheDocument();
  });
});

describe('MaskedKey for a viewer', () => {
  it('offers no reveal', () => {
    const { client } = mockClient({});
    renderWith(<MaskedKey keyId="7" keyName="Prod" masked="bt_AbCd…x9Zq" />, client, '/keys', { role: 'VIEWER' });
    expect(screen.getByText('bt_AbCd…x9Zq')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Reveal key Prod' })).not.toBeInTheDocument();
  });
});
