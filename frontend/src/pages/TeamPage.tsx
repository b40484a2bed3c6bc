import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { AdminsQuery, InviteAdminMutation, RemoveAdminMutation, UpdateAdminRoleMutation } from '../graphql/operations';
import type { AdminRole, AdminsQuery as AdminsData } from '../gql/graphql';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog, DialogFormFooter } from '../components/Dialog';
import { FieldError, FormError, TextField } from '../components/Field';
import { LoadError } from '../components/LoadError';
import { SkeletonRows } from '../components/SkeletonRows';
import { useToast } from '../components/Toast';
import { PlusIcon, RollIcon, TrashIcon } from '../components/icons';
import { useCan, useMe } from '../me';
import { ROLES, ROLE_DESCRIPTION, ROLE_LABEL, WHY } from '../lib/roles';
import { errorMessage, splitFieldErrors } from '../lib/errors';
import { formatDate, formatExact } from '../lib/time';

type Member = AdminsData['admins'][number];

const ctx = { additionalTypenames: ['Admin'] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateInvite(email: string): string | null {
  const e = email.trim();
  if (!e) return 'Enter the email address of the person to invite.';
  if (!EMAIL.test(e) || [...e].length > 254) return 'Enter an email address such as name@example.com.';
  return null;
}

export function TeamPage() {
  const can = useCan();
  const me = useMe();
  const [res, refetch] = useQuery({ query: AdminsQuery, context: ctx });
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const admins = res.data?.admins ?? [];

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Team</h1>
          <p className="page-subtitle">
            The people who can sign in to this account, and what their role lets them do. Invitations are emailed and
            valid for 72 hours.
          </p>
        </div>
        {can.manageTeam && (
          <button type="button" className="button button-primary" onClick={() => setInviting(true)}>
            <PlusIcon />
            <span>Invite admin</span>
          </button>
        )}
      </header>
      {!can.manageTeam && (
        <p className="callout callout-info" data-testid="read-only-note">
          {WHY.manageTeam} You have the {ROLE_LABEL[can.role]} role.
        </p>
      )}

      <section className="card table-card" aria-label="Team members">
        {res.error && !res.data ? (
          <LoadError message="Could not load the team." error={res.error} refetch={refetch} className="table-message" />
        ) : (
          <div className="table-wrap" aria-busy={res.fetching}>
            <table className="table">
              <caption className="sr-only">Team members</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Added</th>
                  {can.manageTeam && (
                    <th scope="col" className="col-actions">
                      Actions
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {!res.data && <SkeletonRows rows={3} columns={can.manageTeam ? 5 : 4} />}
                {admins.map((a) => (
                  <MemberRow key={a.id} member={a} isMe={a.id === me?.id} manage={can.manageTeam} onRemove={() => setRemoving(a)} />
                ))}
              </tbody>
            </table>
            {!res.data && !res.error && (
              <p className="sr-only" role="status">
                Loading the team…
              </p>
            )}
          </div>
        )}
      </section>

      <section className="card roles-card" aria-labelledby="roles-title">
        <h2 id="roles-title" className="card-title">
          Roles
        </h2>
        <dl className="roles-list">
          {ROLES.map((r) => (
            <div key={r}>
              <dt>{ROLE_LABEL[r]}</dt>
              <dd>{ROLE_DESCRIPTION[r]}</dd>
            </div>
          ))}
        </dl>
      </section>

      {inviting && <InviteDialog onClose={() => setInviting(false)} />}
      {removing && <RemoveDialog member={removing} onClose={() => setRemoving(null)} />}
    </div>
  );
}

/** Whether a pending invite's link has stopped working (its expiry is past). */
export function inviteExpired(member: Pick<Member, 'invitePending' | 'inviteExpiresAt'>, now: Date = new Date()): boolean {
  return member.invitePending && !!member.inviteExpiresAt && new Date(member.inviteExpiresAt).getTime() <= now.getTime();
}

function MemberRow({ member, isMe, manage, onRemove }: { member: Member; isMe: boolean; manage: boolean; onRemove: () => void }) {
  const [state, setRole] = useMutation(UpdateAdminRoleMutation);
  const [resendState, resendInvite] = useMutation(InviteAdminMutation);
  // The role being saved, shown meanwhile; the select stays enabled (a disabled one drops keyboard focus) and
  // takes no other change until the server answers.
  const [pendingRole, setPendingRole] = useState<AdminRole | null>(null);
  // Until the refreshed team list brings the new role.
  useEffect(() => setPendingRole(null), [member.role]);
  const toast = useToast();
  const expired = inviteExpired(member);
  async function resend() {
    if (resendState.fetching) return;
    // Inviting a pending invite's email again re-sends it: a new link, valid for 72 hours.
    const res = await resendInvite({ input: { email: member.email, role: member.role } }, ctx);
    if (res.error) toast(`Could not resend the invite to ${member.email}: ${errorMessage(res.error, 'admin')}`, 'error');
    else toast(`Invitation sent again to ${member.email}. The new link is valid for 72 hours; the old one no longer works.`);
  }
  async function change(role: AdminRole) {
    if (state.fetching) return;
    setPendingRole(role);
    const res = await setRole({ id: member.id, role }, ctx);
    if (res.error) {
      setPendingRole(null);
      toast(`Could not change the role of ${member.email}: ${errorMessage(res.error, 'admin')}`, 'error');
    } else toast(`${member.email} is now ${ROLE_LABEL[role] === 'Admin' ? 'an' : 'a'} ${ROLE_LABEL[role]}.`);
  }
  return (
    <tr data-testid="member-row" data-admin-id={member.id}>
      <th scope="row" className="col-name">
        <span className="member-email">{member.email}</span>
        {isMe && <span className="chip chip-you">You</span>}
      </th>
      <td>
        {manage && !isMe ? (
          <>
            <label className="sr-only" htmlFor={`role-${member.id}`}>
              Role of {member.email}
            </label>
            <select
              id={`role-${member.id}`}
              className="input input-select input-sm"
              value={pendingRole ?? member.role}
              aria-disabled={state.fetching || undefined}
              aria-busy={state.fetching || undefined}
              onChange={(e) => void change(e.target.value as AdminRole)}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </>
        ) : (
          <span className={`role-badge role-${member.role.toLowerCase()}`} title={isMe && manage ? 'Another owner can change your role.' : ROLE_DESCRIPTION[member.role]}>
            {ROLE_LABEL[member.role] ?? member.role}
          </span>
        )}
      </td>
      <td>
        {expired ? (
          <span className="badge badge-inactive" data-status="INVITE_EXPIRED" title={`The invite link expired on ${formatExact(member.inviteExpiresAt!)}.`}>
            <span className="badge-dot" aria-hidden="true" />
            Invite expired
          </span>
        ) : member.invitePending ? (
          <span
            className="badge badge-expired"
            data-status="INVITED"
            title={member.inviteExpiresAt ? `The invite link works until ${formatExact(member.inviteExpiresAt)}.` : undefined}
          >
            <span className="badge-dot" aria-hidden="true" />
            Invite pending
          </span>
        ) : (
          <span className="badge badge-active" data-status="ACTIVE">
            <span className="badge-dot" aria-hidden="true" />
            Active
          </span>
        )}
      </td>
      <td className="nowrap">
        <time dateTime={member.createdAt} title={formatExact(member.createdAt)}>
          {formatDate(member.createdAt)}
        </time>
      </td>
      {manage && (
        <td className="col-actions">
          {isMe ? null : (
            <div className="member-actions">
              {member.invitePending && (
                <button
                  type="button"
                  className="button button-ghost button-sm"
                  aria-label={`Resend invite to ${member.email}`}
                  aria-disabled={resendState.fetching || undefined}
                  onClick={() => void resend()}
                >
                  <RollIcon />
                  <span>{resendState.fetching ? 'Sending…' : 'Resend invite'}</span>
                </button>
              )}
              <button type="button" className="button button-danger-ghost button-sm" aria-label={`Remove ${member.email}`} onClick={onRemove}>
                <TrashIcon />
                <span>Remove</span>
              </button>
            </div>
          )}
        </td>
      )}
    </tr>
  );
}

function InviteDialog({ onClose }: { onClose: () => void }) {
  const uid = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<AdminRole>('VIEWER');
  const [errors, setErrors] = useState<{ email?: string; role?: string }>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [state, invite] = useMutation(InviteAdminMutation);
  const emailRef = useRef<HTMLInputElement>(null);
  const toast = useToast();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const bad = validateInvite(email);
    if (bad) {
      setErrors({ email: bad });
      emailRef.current?.focus();
      return;
    }
    const res = await invite({ input: { email: email.trim(), role } }, ctx);
    if (res.error) {
      const { fields, general: rest } = splitFieldErrors(res.error);
      setErrors({ email: fields.email, role: fields.role });
      const other = Object.entries(fields).filter(([f]) => f !== 'email' && f !== 'role').map(([, m]) => m);
      const msgs = [...rest, ...other];
      setGeneral(msgs.length ? msgs.join(' ') : fields.email || fields.role ? null : errorMessage(res.error));
      if (fields.email) emailRef.current?.focus();
      return;
    }
    toast(`Invitation sent to ${email.trim()}.`);
    onClose();
  }

  return (
    <Dialog title="Invite an admin" description="They get an email with a link to set a password. The link works once, for 72 hours." onClose={onClose} size="md">
      <form onSubmit={onSubmit} noValidate className="form">
        <FormError message={general} />
        <TextField
          ref={emailRef}
          id={`${uid}-email`}
          label="Email"
          error={errors.email}
          type="email"
          placeholder="name@example.com"
          value={email}
          onChange={(e) => {
            setEmail(e.target.value);
            if (errors.email) setErrors((x) => ({ ...x, email: undefined }));
          }}
          autoComplete="off"
        />
        <fieldset className="field" aria-describedby={errors.role ? `${uid}-role-error` : undefined}>
          <legend className="field-label">Role</legend>
          <div className="radio-cards radio-cards-stack">
            {ROLES.map((r) => (
              <label key={r} className={`radio-card${role === r ? ' checked' : ''}`}>
                <input
                  type="radio"
                  name={`${uid}-role`}
                  value={r}
                  checked={role === r}
                  onChange={() => setRole(r)}
                  aria-labelledby={`${uid}-role-${r}`}
                  aria-describedby={`${uid}-role-${r}-hint`}
                />
                <span id={`${uid}-role-${r}`} className="radio-card-label">
                  {ROLE_LABEL[r]}
                </span>
                <span id={`${uid}-role-${r}-hint`} className="radio-card-hint">
                  {ROLE_DESCRIPTION[r]}
                </span>
              </label>
            ))}
          </div>
          <FieldError id={`${uid}-role-error`} message={errors.role} />
        </fieldset>
        <DialogFormFooter onCancel={onClose} busy={state.fetching} submitLabel="Send invitation" busyLabel="Sending…" />
      </form>
    </Dialog>
  );
}

function RemoveDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [state, remove] = useMutation(RemoveAdminMutation);
  const toast = useToast();
  return (
    <ConfirmDialog
      title={`Remove ${member.email}?`}
      confirmLabel="Remove admin"
      busyLabel="Removing…"
      busy={state.fetching}
      thing="admin"
      removes
      onConfirm={() => remove({ id: member.id }, ctx)}
      onDone={() => {
        toast(`${member.email} removed from the team.`);
        onClose();
      }}
      onClose={onClose}
    >
      <strong>{member.email}</strong> ({ROLE_LABEL[member.role]}) loses access at once: their sessions end and their
      access tokens stop working. Their actions stay in the security log.
    </ConfirmDialog>
  );
}
