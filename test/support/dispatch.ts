// Calling the app's dispatcher (electron/api) from a test, typed by the contract.
import type { Services } from '../../electron/api/services';
import type { Channel, Input, Output, Result } from '../../shared/contract';

/**
 * A typed call of the services' dispatcher: the channel's output, or an
 * error that names the channel, the code and the message. `services` is read
 * at each call (it may be set up in a beforeAll after this is made).
 */
export function okCaller(services: () => Pick<Services, 'dispatcher'>) {
  return async <C extends Channel>(c: C, input?: Input<C>): Promise<Output<C>> => {
    const r = (await services().dispatcher.dispatch(c, input)) as Result<Output<C>>;
    if (!r.ok) throw new Error(`${c} failed: ${r.code} ${r.message}`);
    return r.value;
  };
}
