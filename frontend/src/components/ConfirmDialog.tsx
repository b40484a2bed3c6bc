import { useRef, useState, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { Dialog } from './Dialog';
import { FormError } from './Field';
import { errorMessage } from '../lib/errors';

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
}

/**
 * A destructive confirmation: an alertdialog whose Cancel button has the focus, and a danger button that runs the
 * action. A failure is shown in the dialog; success is left to `onDone`.
 */
export function ConfirmDialog({ title, children, confirmLabel, busyLabel, busy, onConfirm, onDone, onClose }: ConfirmDialogProps) {
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  async function confirm() {
    setError(null);
    const res = await onConfirm();
    if (res.error) {
      setError(errorMessage(res.error));
      return;
    }
    onDone();
  }
  return (
    <Dialog role="alertdialog" title={title} onClose={onClose} size="sm" initialFocus={cancelRef}>
      <p className="dialog-text">{children}</p>
      <FormError message={error} />
      <div className="dialog-footer">
        <button ref={cancelRef} type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
