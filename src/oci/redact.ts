/**
 * Keeping credentials out of messages: user info typed into a registry URL, and secrets a registry
 * (or its token service) echoes back in an error reply, which we quote to explain the failure.
 */

/**
 * A digest after `@`: a sha algorithm (even with a short, mistyped value, so the digest check can name
 * the mistake) or any algorithm with a long value; `host:5000` after user info is neither.
 */
const DIGEST_AFTER_AT =
  '(?:sha(?:256|384|512):[A-Za-z0-9=_-]*|[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Za-z0-9=_-]{32,})$';
const USER_INFO = new RegExp(`^([a-z][a-z0-9+.-]*:\\/\\/)?([\\s\\S]*)@(?!${DIGEST_AFTER_AT})`, 'i');

/**
 * `text` with everything before the last `@` that starts user info replaced by `***`. An `@` followed
 * by a digest to the end (`repo@sha256:...`) is a digest, not user info; a password may itself hold
 * `/` or `@`, so the user info runs from the scheme to the last `@` that is not a digest's.
 */
export function redactUserInfo(text: string): string {
  const match = USER_INFO.exec(text);
  if (!match) return text;
  return `${match[1] ?? ''}***@${text.slice(match[0].length)}`;
}

/** The secrets of one session, in every form a server may echo them: plain, Basic, URL-encoded. */
export class Secrets {
  private readonly values = new Set<string>();

  add(secret: string | undefined): void {
    if (!secret) return;
    this.values.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.values.add(encoded);
  }

  addBasic(username: string, password: string): void {
    this.add(password);
    this.values.add(Buffer.from(`${username}:${password}`).toString('base64'));
  }

  /** `text` with every known secret replaced by `***`, longest first so none is left half-hidden. */
  scrub(text: string): string {
    let out = text;
    for (const secret of [...this.values].sort((a, b) => b.length - a.length))
      out = out.split(secret).join('***');
    return out;
  }
}
