// One dispatcher implements the contract: it checks the shape of every payload
// (depth, sizes, plain data) and validates it with the channel's schema, calls
// the handler, and turns every error into a Failure. Nothing a caller sends can
// throw into the transport, make dispatch() reject, or reach a service unvalidated.
import type { z } from 'zod';
import { isBurrowError } from '../../shared/errors';
import {
  MAX_ISSUES,
  REQUEST_LIMITS,
  contract,
  type Channel,
  type Failure,
  type Output,
  type ParsedInput,
  type Result,
  type ValidationIssue,
} from '../../shared/contract';
import { fieldOf, shapeProblems } from '../../shared/input-shape';
import { ValidationError, clipped, described } from '../../shared/model';

export type Handlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<Output<C>> | Output<C> };
/** Some channels' handlers: a dispatcher answers the others as unknown requests (the command line serves the profile channels only). */
export type SomeHandlers = Partial<Handlers>;

export interface Dispatcher {
  /** Never rejects: every failure is a Failure result. */
  dispatch(channel: unknown, input: unknown): Promise<Result<unknown>>;
}

/** A message that quotes a huge input is cut: an answer stays small. */
const MAX_MESSAGE_LENGTH = 2000;

const isChannel = (c: unknown): c is Channel => typeof c === 'string' && Object.prototype.hasOwnProperty.call(contract, c);

export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ field: fieldOf(i.path.map((p) => (typeof p === 'number' ? p : String(p)))), message: i.message }));
}

/** A VALIDATION failure with the first MAX_ISSUES issues; `text` renders one for the message. */
function validationFailure(issues: ValidationIssue[], text: (i: ValidationIssue) => string = (i) => i.message): Failure {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => ({ field: clipped(i.field, 200), message: clipped(i.message, MAX_MESSAGE_LENGTH) }));
  const more = issues.length - shown.length;
  const message = shown.map(text).join(' ') + (more > 0 ? ` (${more} more problem${more === 1 ? '' : 's'} not shown.)` : '');
  return { ok: false, code: 'VALIDATION', message, issues: shown };
}

// Our schemas' messages name the field already; zod's generic ones ("Invalid input: ...") get it prefixed.
const GENERIC = /^(Invalid|Unrecognized|Too (big|small)|Expected)/;
const withField = (i: ValidationIssue) => (GENERIC.test(i.message) && i.field !== '(input)' ? `${i.field}: ${i.message}` : i.message);

export function toFailure(err: unknown, onInternal?: (err: unknown) => void): Failure {
  if (err instanceof ValidationError) return validationFailure(err.problems.map((p) => ({ field: p.path.map(String).join('.'), message: p.message })));
  if (isBurrowError(err))
    return { ok: false, code: err.code, message: clipped(err.message, MAX_MESSAGE_LENGTH), ...(err.details ? { details: err.details } : {}) };
  try {
    onInternal?.(err);
  } catch {
    /* a failing error reporter must not turn the answer into a rejection */
  }
  let msg: string;
  try {
    msg = err instanceof Error ? err.message : String(err);
  } catch {
    msg = described(err);
  }
  return { ok: false, code: 'INTERNAL', message: clipped(`Something went wrong inside Burrow: ${msg}`, MAX_MESSAGE_LENGTH) };
}

export function createDispatcher(handlers: SomeHandlers, opts: { onInternalError?: (channel: string, err: unknown) => void } = {}): Dispatcher {
  const answer = async (channel: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isChannel(channel) || !Object.hasOwn(handlers, channel)) {
      return { ok: false, code: 'USAGE', message: `Unknown request '${typeof channel === 'string' ? channel.slice(0, 100) : described(channel)}'.` };
    }
    // Before the schema: zod would walk every item of a 10-million-item list and report each one.
    const shape = shapeProblems(input, REQUEST_LIMITS, { max: MAX_ISSUES });
    if (shape.length > 0) {
      return validationFailure(shape.map((p) => ({ field: fieldOf(p.path), message: `${p.path.length ? fieldOf(p.path) : 'The request'} ${p.message}` })));
    }
    const parsed = contract[channel].input.safeParse(input);
    if (!parsed.success) return validationFailure(issuesOf(parsed.error), withField);
    const handler = handlers[channel] as (i: unknown) => unknown;
    return { ok: true, value: await handler(parsed.data) };
  };
  return {
    async dispatch(channel, input) {
      try {
        return await answer(channel, input);
      } catch (err) {
        return toFailure(err, (e) => opts.onInternalError?.(isChannel(channel) ? channel : '(unknown)', e));
      }
    },
  };
}
