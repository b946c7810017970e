import type { ProcessStatus } from '@sandproc/core';

export function StatusBadge({ status, testId }: { status: ProcessStatus | undefined; testId?: string }) {
  const value = status ?? 'unknown';
  return (
    <span className={`badge badge-${value}`} data-testid={testId} data-status={value}>
      {value}
    </span>
  );
}
