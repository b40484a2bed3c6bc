import { AlertIcon } from './icons';
import { CopyButton } from './CopyButton';

/** A freshly issued key, shown in full once, with a copy button and a plain warning. */
export function SecretOnce({ secret, name }: { secret: string; name: string }) {
  return (
    <div className="secret-once">
      <div className="callout callout-warning" role="note">
        <AlertIcon />
        <p>
          <strong>Copy this key now. It will not be shown again.</strong> Store it somewhere safe, such as your
          secrets manager. If you lose it, roll the key to get a new one.
        </p>
      </div>
      <label className="field-label" htmlFor="new-secret">
        API key for “{name}”
      </label>
      <div className="secret-row">
        <input
          id="new-secret"
          className="input input-mono"
          readOnly
          value={secret}
          data-testid="new-secret"
          data-autofocus
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
        />
        <CopyButton text={secret} className="button button-primary" />
      </div>
    </div>
  );
}
