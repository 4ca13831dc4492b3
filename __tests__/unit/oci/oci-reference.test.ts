import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/digest.js';
import { UsageError } from '../../../src/core/errors.js';
import { parseChallenges } from '../../../src/oci/auth.js';
import { offsetFromRange } from '../../../src/oci/blob-upload.js';
import { followUrl, realmMayReceiveCredentials } from '../../../src/oci/origin.js';
import { redactUserInfo, Secrets } from '../../../src/oci/redact.js';
import {
  formatReference,
  parseImageReference,
  parseOciUrl,
  referrersTag,
  signatureTag,
} from '../../../src/oci/reference.js';
import { parseReleaseTagKinds, releaseTags } from '../../../src/registry/release-tags.js';
import { safeEntryPath } from '../../../src/registry/safe-path.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('oci:// references', () => {
  it('parses host, port, nested repository, tag and digest', () => {
    expect(parseOciUrl('oci://ghcr.io/org/iris')).toEqual({ registry: 'ghcr.io', repository: 'org/iris' });
    expect(parseOciUrl('oci://127.0.0.1:5000/a/b/c:1.4.2')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'a/b/c',
      tag: '1.4.2',
    });
    expect(parseOciUrl(`oci://localhost:5000/x@${DIGEST}`)).toEqual({
      registry: 'localhost:5000',
      repository: 'x',
      digest: DIGEST,
    });
    expect(parseOciUrl('oci://[::1]:5000/x:v')).toEqual({
      registry: '[::1]:5000',
      repository: 'x',
      tag: 'v',
    });
    expect(parseOciUrl('oci://Registry.Example.com/iris_service/')).toEqual({
      registry: 'registry.example.com',
      repository: 'iris_service',
    });
  });

  it('refuses what is not a registry reference, naming the flag and the fix', () => {
    expect(() => parseOciUrl('https://ghcr.io/org/iris')).toThrow(
      /invalid `to` "https:\/\/ghcr.io\/org\/iris": expected oci:\/\//,
    );
    // The option at fault, which the CLI names as its flag and an action as its input.
    expect(() => parseOciUrl('https://ghcr.io/org/iris', 'from')).toThrow(
      expect.objectContaining({ option: 'from' }),
    );
    expect(() => parseImageReference('Bad Image')).toThrow(/^invalid image "Bad Image"/);
    expect(() => parseOciUrl('oci://user:secret@ghcr.io/org/iris')).toThrow(
      /invalid `to` "oci:\/\/.*ghcr.io\/org\/iris": a registry reference carries no credentials .*pass `username` with `passwordStdin`/,
    );
    expect(() => parseOciUrl('oci://ghcr.io')).toThrow(/missing the repository/);
    expect(() => parseOciUrl('oci://ghcr.io/Org/Iris')).toThrow(/must be lower-case/);
    expect(() => parseOciUrl('oci://ghcr.io/org/iris:-bad')).toThrow(/a registry tag is/);
    expect(() => parseOciUrl('oci://ghcr.io/org/iris@sha256:abc')).toThrow(/expected sha256:<64/);
    expect(() => parseOciUrl('oci://ho st/x')).toThrow(UsageError);
  });

  it('reads plain image references as Docker does', () => {
    expect(parseImageReference('ubuntu')).toEqual({ registry: 'docker.io', repository: 'library/ubuntu' });
    expect(parseImageReference('org/app:1')).toEqual({
      registry: 'docker.io',
      repository: 'org/app',
      tag: '1',
    });
    expect(parseImageReference('ghcr.io/org/app:1.2')).toEqual({
      registry: 'ghcr.io',
      repository: 'org/app',
      tag: '1.2',
    });
    expect(parseImageReference('localhost/app')).toEqual({ registry: 'localhost', repository: 'app' });
    expect(parseImageReference('127.0.0.1:5000/app:t')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'app',
      tag: 't',
    });
    expect(formatReference(parseImageReference(`ghcr.io/org/app:1@${DIGEST}`))).toBe(
      `ghcr.io/org/app:1@${DIGEST}`,
    );
  });

  it("names cosign's signature tag and the referrers fallback tag", () => {
    expect(signatureTag(DIGEST)).toBe(`sha256-${'a'.repeat(64)}.sig`);
    expect(referrersTag(DIGEST)).toBe(`sha256-${'a'.repeat(64)}`);
    expect(() => signatureTag('sha256:short')).toThrow(UsageError);
  });
});

describe('WWW-Authenticate', () => {
  it('parses a bearer challenge with a comma inside a quoted scope', () => {
    const [challenge] = parseChallenges(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:org/app:pull,push"',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scope: 'repository:org/app:pull,push',
      },
    });
  });

  it('parses basic and several challenges in one header', () => {
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    const both = parseChallenges('Basic realm="r", Bearer realm="https://t/x",error="invalid_token"');
    expect(both.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(both[1]?.params['error']).toBe('invalid_token');
  });
});

describe('where credentials may go', () => {
  it('sends logins to an https realm anywhere, to a plain-http one only on a plain-http registry host', () => {
    const local = 'http://127.0.0.1:5000';
    expect(
      realmMayReceiveCredentials(new URL('https://auth.docker.io/token'), 'https://registry-1.docker.io'),
    ).toBe(true);
    expect(realmMayReceiveCredentials(new URL('http://127.0.0.1:5001/token'), local)).toBe(true);
    expect(realmMayReceiveCredentials(new URL('http://127.0.0.2:5001/token'), local)).toBe(false);
    expect(realmMayReceiveCredentials(new URL('http://ghcr.io/token'), 'https://ghcr.io')).toBe(false);
  });

  it('follows http(s) URLs relative to the reply, and nothing else', () => {
    expect(followUrl('/upload/2', 'http://cdn:81/upload/1', 'r', 'x')).toBe('http://cdn:81/upload/2');
    expect(() => followUrl('file:///etc/passwd', 'http://r/', 'r', 'an upload location')).toThrow(
      /sent a file: URL for an upload location: only http and https are followed/,
    );
    expect(() => followUrl('http://u:p@cdn/x', 'http://r/', 'r', 'x')).toThrow(/user info/);
  });

  it('hides user info and echoed secrets, longest form first', () => {
    expect(redactUserInfo(`oci://u:p@h/x@${DIGEST}`)).toBe(`oci://***@h/x@${DIGEST}`);
    expect(redactUserInfo(`oci://h/x@${DIGEST}`)).toBe(`oci://h/x@${DIGEST}`);
    const secrets = new Secrets();
    secrets.addBasic('alice', 'pa ss');
    expect(secrets.scrub(`Basic ${Buffer.from('alice:pa ss').toString('base64')} pa ss pa%20ss`)).toBe(
      'Basic *** *** ***',
    );
  });
});

describe('upload offsets', () => {
  it("reads the registry's Range header as the next byte to send", () => {
    expect(offsetFromRange(undefined)).toBe(0);
    expect(offsetFromRange('0-0')).toBe(0);
    expect(offsetFromRange('0-1048575')).toBe(1048576);
    expect(offsetFromRange('bytes=0-99')).toBe(100);
    expect(offsetFromRange('garbage')).toBe(0);
  });
});

describe('release tags', () => {
  it('points minor, major and latest at a release, keeping a v prefix', () => {
    expect(releaseTags('1.4.2')).toEqual({ exact: '1.4.2', moving: ['1.4', '1', 'latest'] });
    expect(releaseTags('v2.0.1', ['major'])).toEqual({ exact: 'v2.0.1', moving: ['v2'] });
    expect(releaseTags('1.4.2', parseReleaseTagKinds('none'))).toEqual({ exact: '1.4.2', moving: [] });
  });

  it('moves nothing for a pre-release and makes build metadata a valid tag', () => {
    expect(releaseTags('1.5.0-rc.1')).toEqual({ exact: '1.5.0-rc.1', moving: [] });
    expect(releaseTags('1.5.0+build.7').exact).toBe('1.5.0-build.7');
  });

  it('refuses what is not semver or not a known kind', () => {
    expect(() => releaseTags('one')).toThrow(/invalid `release` "one": expected a semantic version/);
    expect(() => parseReleaseTagKinds('minor,patch')).toThrow(/invalid `releaseTags` "minor,patch"/);
  });
});

describe('artifact paths and canonical config', () => {
  it('accepts relative paths and refuses escapes', () => {
    expect(safeEntryPath('models/iris/v1/model.onnx', 'layer')).toBe('models/iris/v1/model.onnx');
    for (const bad of ['../x', '/etc/passwd', 'a/../../b', 'a//b', './a', 'a\\b', '']) {
      expect(() => safeEntryPath(bad, 'layer')).toThrow(/refusing to write it/);
    }
  });

  it('sorts keys at every depth so the same entry gives the same bytes', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});
