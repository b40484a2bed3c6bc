import { useEffect, useRef } from 'react';
import { AlertIcon } from './icons';
import { CopyButton } from './CopyButton';

/**
 * A freshly issued secret (an API key or an access token), shown in full once, with a copy button and a plain
 * warning. The Copy button takes the focus when this appears: the form that was focused before is gone, and focus
 * must stay inside the dialog so Escape closes it and Tab cycles through it.
 */
export function SecretOnce({
  secret,
  name,
  label = `API key for “${name}”`,
  ifLost = 'If you lose it, roll the key to get a new one.',
  what = 'key',
}: {
  secret: string;
  name: string;
  label?: string;
  ifLost?: string;
  what?: string;
}) {
  const copyRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    copyRef.current?.focus();
  }, []);
  return (
    <div className="secret-once">
      <div className="callout callout-warning" role="note">
        <AlertIcon />
        <p>
          <strong>Copy this {what} now. It will not be shown again.</strong> Store it somewhere safe, such as your
          secrets manager. {ifLost}
        </p>
      </div>
      <label className="field-label" htmlFor="new-secret">
        {label}
      </label>
      <div className="secret-row">
        <input
          id="new-secret"
          className="input input-mono"
          readOnly
          value={secret}
          data-testid="new-secret"
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
        />
        <CopyButton ref={copyRef} text={secret} className="button button-primary" autoFocus />
      </div>
    </div>
  );
}
