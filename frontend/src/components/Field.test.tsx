import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TextField } from './Field';

describe('TextField', () => {
  it('is described by its hint, then its error', () => {
    const { rerender } = render(<TextField id="f" label="Name" hint="Say who uses it." value="" onChange={() => {}} />);
    const input = screen.getByLabelText('Name');
    expect(input).toHaveAttribute('aria-describedby', 'f-hint');
    expect(input).toHaveAttribute('aria-invalid', 'false');

    rerender(<TextField id="f" label="Name" hint="Say who uses it." error="Enter a name." value="" onChange={() => {}} />);
    expect(input).toHaveAttribute('aria-describedby', 'f-hint f-error');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(document.getElementById('f-error')).toHaveTextContent('Enter a name.');
  });

  it('has no description without a hint or an error', () => {
    render(<TextField id="f" label="Email" value="" onChange={() => {}} />);
    expect(screen.getByLabelText('Email')).not.toHaveAttribute('aria-describedby');
  });
});
