// Waiting for what the gateway does after an answer has been sent, such as writing chat
// records (queued and written in batches off the request path, SPEC 8). There is no event
// to await for that, so the condition is checked again and again: every try awaits the
// gateway's answer to a real call, never a timer, and the number of tries is bounded so
// that a record that never appears fails the test with the condition's own message.

const kDefaultTries = 200;

/**
 * Calls `check` until it resolves without throwing (an assertion inside it that fails is
 * retried) and resolves with its value. `check` must await at least one call to the
 * gateway on every try; that answer is the pacing. After `tries` failed tries, throws the
 * last failure, prefixed with `what`.
 * @param {() => Promise<T>} check
 * @param {{tries?: number, what?: string}} options
 * @returns {Promise<T>}
 * @template T
 */
export async function eventually(check, { tries = kDefaultTries, what = 'condition' } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= tries; ++attempt) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
  }
  const reason = lastError?.message ?? String(lastError);
  throw new Error(`${what}: still failing after ${tries} tries: ${reason}`, { cause: lastError });
}
