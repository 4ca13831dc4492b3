/**
 * Keys given to an action: the PEM text itself (from a secret) or a path in the workspace (and the
 * keyless signer verify-policy may trust instead of a key). The sign
 * library reads `env://NAME` or a path; PEM text goes through a private environment map, never
 * through process.env or a file, and errors name the action input instead of the CLI flag.
 */
import { UsageError } from '../../core/errors.js';
import { compileIdentityPolicy } from '../../sign/keyless-verify.js';
import { loadSigner, loadVerifier, type Signer, type Verifier } from '../../sign/keys.js';
import { keylessTrust, type VerifyTrust } from '../../sign/policy.js';
import { InputError, type VerifyTrustInputs } from '../inputs.js';
import { type RunnerEnv, workspacePath } from '../runner.js';

const VAR = 'BENTOCI_ACTION_KEY';

function specOf(text: string, env: RunnerEnv): { spec: string; env: NodeJS.ProcessEnv } {
  if (text.includes('-----BEGIN')) return { spec: `env://${VAR}`, env: { [VAR]: text } };
  return { spec: workspacePath(env, text), env: {} };
}

/** The library's message starts with the flag and the spec (`--key "env://..."`); the input says more. */
function asInputError(err: unknown, input: string): unknown {
  if (!(err instanceof UsageError)) return err;
  return new InputError(
    input,
    err.message.replace(/^(--key|--pub) "[^"]*":? ?/, '').replace(/^(--key|--pub) \S+: ?/, ''),
  );
}

export async function signerFrom(
  keyText: string,
  password: string | undefined,
  env: RunnerEnv,
): Promise<Signer> {
  const { spec, env: keyEnv } = specOf(keyText, env);
  try {
    return await loadSigner(spec, { env: keyEnv, ...(password ? { passphrase: password } : {}) });
  } catch (err) {
    throw asInputError(err, 'sign-key');
  }
}

export async function verifierFrom(keyText: string, env: RunnerEnv): Promise<Verifier> {
  const { spec, env: keyEnv } = specOf(keyText, env);
  try {
    return await loadVerifier(spec, keyEnv);
  } catch (err) {
    throw asInputError(err, 'verify-key');
  }
}

/** Whom verify-policy trusts: a keyless signer when an identity is given, else the key, else nobody. */
export async function verifyTrustFrom(
  inputs: VerifyTrustInputs & { verifyInsecureIgnoreSct?: boolean | undefined },
  env: RunnerEnv,
): Promise<VerifyTrust | undefined> {
  if (inputs.verifyCertificateOidcIssuer) {
    const identity = {
      ...(inputs.verifyCertificateIdentity
        ? { identity: inputs.verifyCertificateIdentity }
        : { identityRegexp: inputs.verifyCertificateIdentityRegexp ?? '' }),
      issuer: inputs.verifyCertificateOidcIssuer,
    };
    try {
      compileIdentityPolicy(identity);
    } catch (err) {
      throw new InputError('verify-certificate-identity-regexp', (err as Error).message);
    }
    return keylessTrust(identity, {
      trustedRootFile: inputs.verifyTrustedRoot ? workspacePath(env, inputs.verifyTrustedRoot) : undefined,
      ignoreSct: inputs.verifyInsecureIgnoreSct ?? false,
    });
  }
  return inputs.verifyKey ? verifierFrom(inputs.verifyKey, env) : undefined;
}
