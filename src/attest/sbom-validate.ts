/**
 * Validating a CycloneDX document with the library's own JSON validator (its bundled schemas, ajv).
 *
 * The library finds its schema files next to its own code, so it is loaded from node_modules at run
 * time (a name esbuild cannot follow), never from a bundle: a bundled copy would look for them beside
 * dist/. A CLI installed with its dependencies has it; an action checkout only builds SBOMs.
 */
import { BentoError } from '../core/errors.js';

const LIBRARY = '@cyclonedx/cyclonedx-library';

type Library = typeof import('@cyclonedx/cyclonedx-library');

export type CycloneDxCheck = { ok: true; specVersion: string } | { ok: false; problems: string[] };

export async function validateCycloneDx(json: string): Promise<CycloneDxCheck> {
  let specVersion: unknown;
  try {
    specVersion = (JSON.parse(json) as { specVersion?: unknown }).specVersion;
  } catch {
    return { ok: false, problems: ['not JSON'] };
  }
  const name: string = LIBRARY;
  let library: Library;
  try {
    library = (await import(name)) as Library;
  } catch (err) {
    throw new BentoError(
      `validating a CycloneDX SBOM needs ${LIBRARY} (with ajv, ajv-formats, ajv-formats-draft2019) installed beside bentoci: ${(err as Error).message}`,
    );
  }
  const versions = Object.values(library.Spec.Version) as string[];
  if (typeof specVersion !== 'string' || !versions.includes(specVersion))
    return { ok: false, problems: [`specVersion ${JSON.stringify(specVersion)} is not a CycloneDX version`] };
  const version = specVersion as ConstructorParameters<Library['Validation']['JsonValidator']>[0];
  const validator = new library.Validation.JsonValidator(version);
  const errors = await validator.validate(json);
  if (errors === null) return { ok: true, specVersion };
  const list = Array.isArray(errors) ? (errors as { instancePath?: string; message?: string }[]) : [];
  return {
    ok: false,
    problems:
      list.length > 0
        ? list.slice(0, 5).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`)
        : [JSON.stringify(errors).slice(0, 300)],
  };
}
