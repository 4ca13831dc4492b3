/**
 * sigstore-js errors carry a code and a cause chain; the innermost message says what happened (an
 * HTTP status, ECONNREFUSED). Some of them quote the identity token, which must not reach a CI log.
 */
export function describeSigstoreError(err: unknown, token: string): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message);
    current = (current as { cause?: unknown }).cause;
  }
  const text = parts.length > 0 ? parts.join(': ') : String(err);
  return token ? text.split(token).join('<identity token>') : text;
}
