/**
 * How an action spells what messages below it name: an option is the action's input that sets it
 * (`pub` -> `verify-key`), and an operation is said in words, since a workflow does not run
 * commands of ours by name. An option the action has no input for is named as the library names it.
 */
import {
  LIBRARY_NAMING,
  type Naming,
  type OperationName,
  type OperationRef,
  type OptionRef,
} from '../core/user-text.js';

/** Option keys whose input is not the key in kebab case. */
const INPUT_OF: Readonly<Record<string, string>> = {
  key: 'sign-key',
  keyless: 'sign-keyless',
  password: 'registry-password',
  passwordEnv: 'sign-key-password',
  username: 'registry-username',
  fulcioUrl: 'sigstore-fulcio-url',
  rekorUrl: 'sigstore-rekor-url',
  pub: 'verify-key',
  verify: 'verify-policy',
  certificateIdentity: 'verify-certificate-identity',
  certificateIdentityRegexp: 'verify-certificate-identity-regexp',
  certificateOidcIssuer: 'verify-certificate-oidc-issuer',
  trustedRoot: 'verify-trusted-root',
  insecureIgnoreSct: 'verify-insecure-ignore-sct',
  release: 'release-version',
  to: 'registry',
  tag: 'tags',
  label: 'labels',
  annotation: 'annotations',
};

const WORDS_OF: Readonly<Record<OperationName, string>> = {
  build: 'build it again (bento-build)',
  containerize: 'containerize it (bento-containerize)',
  'delete-bento': 'delete it from the bento store',
  'delete-model': 'delete it from the model store',
  keygen: 'create a key pair (`bentoci keygen`)',
  'list-models': 'list the model store',
  push: 'push it (bento-push)',
  'save-model': "save the model (bento-build's models input)",
  sign: 'sign it (the sign-key or sign-keyless input)',
  verify: 'verify it',
};

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The input that sets option `key` in an action with these inputs, if it has one. */
export function inputOf(key: string, inputs: readonly string[]): string | undefined {
  const name = INPUT_OF[key] ?? kebab(key);
  return inputs.includes(name) ? name : undefined;
}

/** The naming for one action, given the names of its inputs (its action.yml). */
export function actionNaming(inputs: readonly string[]): Naming {
  const option = (ref: OptionRef): string => {
    const input = inputOf(ref.key, inputs);
    if (!input) return LIBRARY_NAMING.option(ref);
    return ref.value === undefined ? `input "${input}"` : `input "${input}: ${ref.value}"`;
  };
  const operation = (ref: OperationRef): string => WORDS_OF[ref.operation];
  return { option, operation };
}
