import { useRef, useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { Dialog } from './Dialog';
import { FormError } from './Field';
import { errorMessage } from '../lib/errors';
import { pageHeading } from '../lib/focus';

export interface ConfirmDialogProps {
  /** The question, which also names the dialog: “Delete API key “x”?”. */
  title: string;
  /** What confirming does, shown as the dialog's text. */
  children: ReactNode;
  /** The label of the confirm button, and its label while `busy`. */
  confirmLabel: string;
  busyLabel: string;
  /** Whether the confirmed action is running; disables the confirm button. */
  busy: boolean;
  /** Runs the action; an error in its result is shown in the dialog, which then stays open. */
  onConfirm: () => Promise<{ error?: CombinedError }>;
  /** Called when the action succeeded (tell the admin, close the dialog). */
  onDone: () => void;
  onClose: () => void;
  /** What the action is about (“API key”), for an error saying it no longer exists. */
  thing?: string;
  /**
   * Whether success removes what opened the dialog (a row's Delete button, once the list refreshes): focus then
   * goes to the page's heading instead of an element about to go, which would drop it on the page's body.
   */
  removes?: boolean;
}

/**
 * A destructive confirmation: an alertdialog whose Cancel button has the focus, and a danger button that runs the
 * action. A failure is shown in the dialog; success is left to `onDone`.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busyLabel,
  busy,
  onConfirm,
  onDone,
  onClose,
  thing,
  removes = false,
}: ConfirmDialogProps) {
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const succeeded = useRef(false);
  async function confirm() {
    setError(null);
    const res = await onConfirm();
    if (res.error) {
      setError(errorMessage(res.error, thing));
      return;
    }
    succeeded.current = true;
    onDone();
  }
  return (
    <Dialog
      role="alertdialog"
      title={title}
      onClose={onClose}
      size="sm"
      initialFocus={cancelRef}
      returnFocus={() => (removes && succeeded.current ? pageHeading() : null)}
    >
      <p className="dialog-text">{children}</p>
      <FormError message={error} />
      <div className="dialog-footer">
        <button ref={cancelRef} type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        {/* aria-disabled, not disabled, while busy: a disabled button drops the focus it has. */}
        <button type="button" className="button button-danger" onClick={() => !busy && void confirm()} aria-disabled={busy}>
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
