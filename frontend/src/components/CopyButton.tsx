import { useEffect, useState, type Ref } from 'react';
import { CheckIcon, CopyIcon } from './icons';

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection-based copy
  }
  try {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  } catch {
    return false;
  }
}

export function CopyButton({
  text,
  label = 'Copy',
  className = 'button button-secondary button-sm',
  iconOnly = false,
  autoFocus = false,
  ref,
}: {
  text: string;
  label?: string;
  className?: string;
  iconOnly?: boolean;
  /** Marks the button as the element a dialog focuses first. */
  autoFocus?: boolean;
  ref?: Ref<HTMLButtonElement>;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(t);
  }, [state]);
  const shown = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label;
  return (
    <>
    <button
      ref={ref}
      type="button"
      className={className}
      data-autofocus={autoFocus || undefined}
      onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
      aria-label={iconOnly ? shown : undefined}
      title={iconOnly ? shown : undefined}
    >
      {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
      {!iconOnly && <span>{shown}</span>}
    </button>
    <span className="sr-only" aria-live="polite">
      {state === 'copied' ? 'Copied to clipboard' : state === 'failed' ? 'Could not copy' : ''}
    </span>
    </>
  );
}
