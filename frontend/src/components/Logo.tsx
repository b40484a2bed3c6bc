export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="#4f46e5" />
      <path d="M9 7h3v7.2a5.5 5.5 0 1 1 0 7.6V23H9zm3 10.5a2.5 2.5 0 1 0 5 0 2.5 2.5 0 1 0-5 0z" fill="#fff" />
      <circle cx="23" cy="21.5" r="1.8" fill="#a5b4fc" />
    </svg>
  );
}
