import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { CloseIcon } from './icons';
import { pageHeading } from '../lib/focus';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

let openCount = 0;

function setBackgroundInert(inert: boolean) {
  const root = document.getElementById('root');
  if (!root) return;
  if (inert) {
    root.setAttribute('inert', '');
    root.setAttribute('aria-hidden', 'true');
  } else {
    root.removeAttribute('inert');
    root.removeAttribute('aria-hidden');
  }
}

export interface DialogProps {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** The element to focus first (defaults to the first focusable element in the body). */
  initialFocus?: React.RefObject<HTMLElement | null>;
  /** alertdialog for destructive confirmations. */
  role?: 'dialog' | 'alertdialog';
  /**
   * Where focus goes when the dialog closes, asked at that moment; null (or no function) means the element focused
   * when it opened, or the page heading when that is gone.
   */
  returnFocus?: () => HTMLElement | null;
}

/**
 * The element to focus first in `panel`. A radio button stands for its group, as Tab treats it: the checked one
 * of the group gets the focus, never an unchecked one that Space would select.
 */
function firstFocus(panel: HTMLElement | null, initialFocus?: React.RefObject<HTMLElement | null>): HTMLElement | null {
  const target =
    initialFocus?.current ??
    panel?.querySelector<HTMLElement>('[data-autofocus]') ??
    panel?.querySelector<HTMLElement>(`.dialog-body ${FOCUSABLE.split(',').join(', .dialog-body ')}`) ??
    panel?.querySelector<HTMLElement>(FOCUSABLE) ??
    panel;
  if (panel && target instanceof HTMLInputElement && target.type === 'radio' && !target.checked && target.name) {
    const checked = Array.from(panel.querySelectorAll<HTMLInputElement>('input[type="radio"]')).find(
      (r) => r.name === target.name && r.checked && !r.disabled,
    );
    if (checked) return checked;
  }
  return target;
}

/**
 * A modal dialog: role="dialog", aria-modal, labelled by its title, focus
 * trapped inside, Escape and the backdrop close it, focus returns to where it
 * was when the dialog opened. The rest of the page is inert meanwhile.
 */
export function Dialog({
  title,
  description,
  onClose,
  children,
  footer,
  size = 'md',
  initialFocus,
  role = 'dialog',
  returnFocus,
}: DialogProps) {
  const titleId = useId();
  const descId = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;

  useEffect(() => {
    const previouslyFocused = document.activeElement as HTMLElement | null;
    openCount += 1;
    setBackgroundInert(true);
    firstFocus(panelRef.current, initialFocus)?.focus();
    return () => {
      openCount -= 1;
      if (openCount === 0) setBackgroundInert(false);
      const target = returnFocusRef.current?.() ?? previouslyFocused;
      if (target && target.isConnected) {
        target.focus();
      } else {
        pageHeading()?.focus();
      }
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function onKeyDown(e: React.KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onCloseRef.current();
      return;
    }
    if (e.key !== 'Tab' || !panelRef.current) return;
    const items = Array.from(panelRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
      (el) => !el.hasAttribute('inert') && el.getAttribute('aria-hidden') !== 'true',
    );
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !panelRef.current.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !panelRef.current.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  }

  return createPortal(
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onCloseRef.current()}>
      <div
        ref={panelRef}
        className={`dialog dialog-${size}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-header">
          <div>
            <h2 id={titleId} className="dialog-title">
              {title}
            </h2>
            {description && (
              <p id={descId} className="dialog-description">
                {description}
              </p>
            )}
          </div>
          <button type="button" className="icon-button" aria-label="Close dialog" onClick={() => onCloseRef.current()}>
            <CloseIcon />
          </button>
        </div>
        <div className="dialog-body">{children}</div>
        {footer && <div className="dialog-footer">{footer}</div>}
      </div>
    </div>,
    document.body,
  );
}

/**
 * The end of a dialog's form: Cancel, and the submit button, which says what it is doing while `busy`. While busy
 * the button is aria-disabled rather than disabled, so it keeps the focus a click gave it; a click on it (or Enter
 * in a field, which clicks it) then does not submit again.
 */
export function DialogFormFooter({
  onCancel,
  busy,
  submitLabel,
  busyLabel,
}: {
  onCancel: () => void;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
}) {
  return (
    <div className="dialog-footer">
      <button type="button" className="button button-secondary" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="button button-primary" aria-disabled={busy} onClick={(e) => busy && e.preventDefault()}>
        {busy ? busyLabel : submitLabel}
      </button>
    </div>
  );
}

/** The end of a dialog that shows a result: one Done button that closes it. */
export function DialogDoneFooter({ onDone }: { onDone: () => void }) {
  return (
    <div className="dialog-footer">
      <button type="button" className="button button-primary" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
