/** Placeholder table rows while a list loads; hidden from assistive technology, which hears a status instead. */
export function SkeletonRows({ rows, columns, className }: { rows: number; columns: number; className?: string }) {
  return (
    <>
      {Array.from({ length: rows }, (_, i) => (
        <tr key={i} className={className} aria-hidden="true">
          {Array.from({ length: columns }, (_, j) => (
            <td key={j}>
              <span className="skeleton" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}
