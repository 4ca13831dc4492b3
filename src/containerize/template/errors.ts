/**
 * A template that cannot be parsed or rendered, with the position it went wrong at. The message is one
 * line, `[Line 3, Column 4] ...`, so a caller can prefix the template's name and show it as is.
 */
export class TemplateError extends Error {
  /** Set once the template the error is in has been named (or is the one rendered). */
  located = false;

  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`[Line ${line}, Column ${column}] ${reason}`);
    this.name = 'TemplateError';
  }
}

/** A position in a template's source, 1-based as editors show it. */
export interface Position {
  line: number;
  column: number;
}

export function fail(at: Position, reason: string): never {
  throw new TemplateError(reason, at.line, at.column);
}

/** Maps offsets into `source` to 1-based lines and columns (line starts found once). */
export function locator(source: string): (offset: number) => Position {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}
