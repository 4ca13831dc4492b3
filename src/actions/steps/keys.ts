/**
 * Keys given to an action, mapped to the options of src/operations/sign.ts and trust.ts: a key is
 * the PEM text itself (from a secret) or a path in the workspace. PEM text and the key's password
 * go through a private environment map that the options name by `env://NAME` and `passwordEnv`,
 * never through process.env or a file. The operations check the options and report a bad one by
 * its key, which the action names as its input (src/actions/naming.ts).
 */
import { type Signing, signingOf } from '../../operations/sign.js';
import {
  type KeyAccess,
  openVerifyGate,
  parseVerifyGateOptions,
  type VerifyGate,
} from '../../operations/trust.js';
import {
  SIGN_KEY_PASSWORD_VAR,
  type SignInputs,
  signOptionsOf,
  type VerifyTrustInputs,
  verifyOptionsOf,
} from '../inputs.js';
import { type RunnerEnv, workspacePath } from '../runner.js';

/** The variables of the private environment that hold a key given as PEM text. */
const SIGN_KEY_VAR = 'BENTOCI_SIGN_KEY';
const VERIFY_KEY_VAR = 'BENTOCI_VERIFY_KEY';

/** A key input as a key spec: PEM text goes into `keyEnv` under `name`; anything else is a workspace path. */
function keySpec(text: string | undefined, name: string, env: RunnerEnv, keyEnv: NodeJS.ProcessEnv) {
  if (text === undefined) return undefined;
  if (!text.includes('-----BEGIN')) return workspacePath(env, text);
  keyEnv[name] = text;
  return `env://${name}`;
}

/** The verify gate's options from the inputs, with the key and the trusted root where the loaders find them. */
export function verifyOptionsFrom(
  inputs: VerifyTrustInputs,
  env: RunnerEnv,
): { options: ReturnType<typeof verifyOptionsOf>; access: KeyAccess } {
  const keyEnv: NodeJS.ProcessEnv = {};
  const options = verifyOptionsOf(inputs);
  return {
    options: {
      ...options,
      pub: keySpec(options.pub, VERIFY_KEY_VAR, env, keyEnv),
      trustedRoot: options.trustedRoot !== undefined ? workspacePath(env, options.trustedRoot) : undefined,
    },
    access: { env: keyEnv },
  };
}

/** verify-policy and whom it trusts, the key or trusted root loaded now. */
export async function verifyGateFrom(inputs: VerifyTrustInputs, env: RunnerEnv): Promise<VerifyGate> {
  const { options, access } = verifyOptionsFrom(inputs, env);
  return openVerifyGate(parseVerifyGateOptions(options), access);
}

/** The signer the inputs ask for, if any; the key is loaded or the OIDC token fetched here, before any work. */
export function signingFrom(inputs: SignInputs, env: RunnerEnv): Promise<Signing | undefined> {
  const keyEnv: NodeJS.ProcessEnv = {};
  const options = signOptionsOf(inputs);
  if (inputs.signKeyPassword) keyEnv[SIGN_KEY_PASSWORD_VAR] = inputs.signKeyPassword;
  return signingOf({ ...options, key: keySpec(options.key, SIGN_KEY_VAR, env, keyEnv) }, { env: keyEnv });
}
