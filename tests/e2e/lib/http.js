// Raw HTTP helpers for what the openai client cannot send: no key, malformed JSON,
// oversized bodies, admin calls.

/**
 * fetch() that resolves with {status, headers, text, json}; json is undefined when the
 * body is not JSON.
 */
export async function request(url, { method = 'GET', headers = {}, body, key, signal } = {}) {
  const allHeaders = { ...headers };
  if (key) allHeaders.authorization = `Bearer ${key}`;
  let payload = body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    payload = JSON.stringify(body);
    allHeaders['content-type'] ??= 'application/json';
  }
  let response;
  try {
    response = await fetch(url, { method, headers: allHeaders, body: payload, signal });
  } catch (error) {
    // undici hides the reason (reset, refused, ...) in `cause`.
    const reason = error.cause?.code ?? error.cause?.message ?? '';
    throw new Error(`${method} ${url}: ${error.message}${reason ? ` (${reason})` : ''}`, { cause: error });
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * POSTs a JSON body of about `bytes` bytes with fetch (undici, as the openai client does),
 * with a Content-Length, or chunked when `chunked` is true (a stream body). A server that
 * answers before reading the whole body must still let the client read that answer.
 * Resolves with {status, headers, text, json}.
 */
export async function sendLargeBody(url, { key, bytes, chunked = false, path = '/v1/chat/completions' }) {
  const prefix = '{"model":"x","messages":[{"role":"user","content":"';
  const suffix = '"}]}';
  const fillBytes = Math.max(0, bytes - prefix.length - suffix.length);
  const encoder = new TextEncoder();
  let body;
  if (chunked) {
    const piece = encoder.encode('a'.repeat(64 * 1024));
    let remaining = fillBytes;
    let started = false;
    let ended = false;
    body = new ReadableStream({
      pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(prefix));
        } else if (remaining > 0) {
          const size = Math.min(piece.length, remaining);
          remaining -= size;
          controller.enqueue(piece.subarray(0, size));
        } else if (!ended) {
          ended = true;
          controller.enqueue(encoder.encode(suffix));
          controller.close();
        }
      },
    });
  } else {
    body = `${prefix}${'a'.repeat(fillBytes)}${suffix}`;
  }
  try {
    const response = await fetch(new URL(path, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
      duplex: 'half',
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  } catch (error) {
    const reason = error.cause?.code ?? error.cause?.message ?? error.message;
    throw new Error(
      `no answer to a ${bytes}-byte body (${reason}): the connection failed before an answer ` +
        'could be read. A server refusing a large body must send 413 and then drain or close ' +
        'lingering, or clients see a connection error instead (and the openai client retries it).',
      { cause: error },
    );
  }
}
