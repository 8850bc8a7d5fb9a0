// One dispatcher implements the contract: it validates every payload with the
// channel's schema, calls the handler, and turns every error into a Failure.
// Nothing a caller sends can throw into the transport or reach a service unvalidated.
import type { z } from 'zod';
import { isBurrowError } from '../../shared/errors';
import { contract, type Channel, type Failure, type Output, type ParsedInput, type Result, type ValidationIssue } from '../../shared/contract';
import { ValidationError } from '../../shared/model';

export type Handlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<Output<C>> | Output<C> };

export interface Dispatcher {
  dispatch(channel: unknown, input: unknown): Promise<Result<unknown>>;
}

const isChannel = (c: unknown): c is Channel => typeof c === 'string' && Object.prototype.hasOwnProperty.call(contract, c);

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(input)', message: i.message }));
}

function validationFailure(issues: ValidationIssue[]): Failure {
  // Our schemas' messages name the field already; zod's generic ones ("Invalid input: ...") get it prefixed.
  const generic = /^(Invalid|Unrecognized|Too (big|small)|Expected)/;
  const message = issues.map((i) => (generic.test(i.message) && i.field !== '(input)' ? `${i.field}: ${i.message}` : i.message)).join(' ');
  return { ok: false, code: 'VALIDATION', message, issues };
}

export function toFailure(err: unknown, onInternal?: (err: unknown) => void): Failure {
  if (err instanceof ValidationError) {
    return { ok: false, code: 'VALIDATION', message: err.message, issues: err.problems.map((p) => ({ field: p.path.map(String).join('.'), message: p.message })) };
  }
  if (isBurrowError(err)) return { ok: false, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  onInternal?.(err);
  const msg = err instanceof Error ? err.message : String(err);
  return { ok: false, code: 'INTERNAL', message: `Something went wrong inside Burrow: ${msg}` };
}

export function createDispatcher(handlers: Handlers, opts: { onInternalError?: (channel: string, err: unknown) => void } = {}): Dispatcher {
  return {
    async dispatch(channel, input) {
      if (!isChannel(channel)) {
        return { ok: false, code: 'USAGE', message: `Unknown request '${String(channel).slice(0, 100)}'.` };
      }
      const parsed = contract[channel].input.safeParse(input);
      if (!parsed.success) return validationFailure(issuesOf(parsed.error));
      try {
        const handler = handlers[channel] as (i: unknown) => unknown;
        const value = await handler(parsed.data);
        return { ok: true, value };
      } catch (err) {
        return toFailure(err, (e) => opts.onInternalError?.(channel, e));
      }
    },
  };
}
