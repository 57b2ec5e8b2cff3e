import type { ReactNode } from 'react';

/**
 * Going back and forth through a list a page at a time. A missing `onPrevious` or `onNext` means
 * there is no page that way (its button is disabled); `children` says where the reader is.
 */
export function Pager({
  label,
  names = ['Previous', 'Next'],
  small = false,
  onPrevious,
  onNext,
  children,
}: {
  /** The navigation's name for screen readers ("Pages of identities"). */
  label: string;
  names?: readonly [previous: string, next: string];
  small?: boolean;
  onPrevious?: () => void;
  onNext?: () => void;
  children?: ReactNode;
}) {
  const className = small ? 'button secondary small' : 'button secondary';
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className={className} disabled={!onPrevious} onClick={onPrevious}>
        {names[0]}
      </button>
      {children}
      <button type="button" className={className} disabled={!onNext} onClick={onNext}>
        {names[1]}
      </button>
    </nav>
  );
}
