// Small API helpers both endpoint controllers use.

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
