/**
 * How an operation reads its options: one zod schema per operation, over the values both front
 * doors hand it (the CLI's parsed flags, an action's parsed inputs). A failed check becomes an
 * OptionError that carries the option's key (the first element of the issue's path), so the CLI
 * names the flag and an action the input, and every bad option is reported at once.
 */
import type { z } from 'zod';
import { OptionError, OptionErrors } from '../core/errors.js';
import { option, say, UserText } from '../core/user-text.js';

export function parseOptions<S extends z.ZodType>(schema: S, values: unknown): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? 'options');
    const text = issue.code === 'custom' ? issue.params?.['text'] : undefined;
    return new OptionError(
      key,
      text instanceof UserText ? text : say`invalid ${option(key)}: ${issue.message}`,
    );
  });
  if (errors.length === 1) throw errors[0];
  throw new OptionErrors(errors);
}

/**
 * A rule across options broken (`key` is the one at fault): its text may name other options, which
 * the front door renders as it spells them (a plain issue message could only say their keys).
 */
export function optionIssue(ctx: z.RefinementCtx, key: string, text: UserText): void {
  ctx.addIssue({ code: 'custom', path: [key], message: text.render(), params: { text } });
}
