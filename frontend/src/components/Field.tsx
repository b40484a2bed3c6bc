import type { ComponentProps, ReactNode } from 'react';

/** A form's error that belongs to no one field, announced when it appears. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="callout callout-error" role="alert">
      {message}
    </div>
  );
}

/** The error of one field, with the id the field's aria-describedby points at. */
export function FieldError({ id, message, className }: { id: string; message: string | null | undefined; className?: string }) {
  if (!message) return null;
  return (
    <p id={id} className={className ? `field-error ${className}` : 'field-error'}>
      {message}
    </p>
  );
}

export interface TextFieldProps extends ComponentProps<'input'> {
  id: string;
  label: ReactNode;
  /** Shown under the input as `${id}-hint`. */
  hint?: ReactNode;
  /** Marks the input invalid and is shown under it as `${id}-error`. */
  error?: string;
}

/**
 * A labelled input with an optional hint and its error. The input is described by the hint, then the error; the
 * other props (value, onChange, ref, placeholder…) go to the input.
 */
export function TextField({ id, label, hint, error, ...input }: TextFieldProps) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        aria-invalid={!!error}
        aria-describedby={[hint ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ') || undefined}
        {...input}
      />
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      <FieldError id={errorId} message={error} />
    </div>
  );
}
