/**
 * A CycloneDX 1.6 SBOM, built with @cyclonedx/cyclonedx-library. Of an image: the runtime's npm
 * packages as installed in it (versions, declared licenses, purls), ONNX Runtime's native library
 * (version and SHA-256), the OS packages its dpkg database lists, and the bento's models
 * (machine-learning-model components with their content digests). Of a bento artifact: its models.
 * The statement's predicate is the BOM itself, as `cosign attest --type cyclonedx` makes it.
 */
import { randomUUID } from 'node:crypto';
import type { Models } from '@cyclonedx/cyclonedx-library';
import type { BentoInfo } from '../shared/schemas.js';
import { IN_TOTO_STATEMENT_TYPE } from '../sign/formats/in-toto.js';
import { BENTOCI_VERSION } from '../version.js';
import type { DpkgPackage } from './dpkg.js';
import { CYCLONEDX_PREDICATE_TYPE } from './formats.js';
import type { ImageContents, NpmPackage } from './image-contents.js';
import type { AttestationSubject, Statement } from './statement.js';

export const SBOM_SPEC_VERSION = '1.6';

export interface SbomInput {
  subject: AttestationSubject;
  bento: BentoInfo;
  /** Images: what the image holds. Absent for a bento artifact. */
  contents?: ImageContents;
  now: Date;
}

/** The library (and packageurl-js) are loaded when an SBOM is made, not at every CLI start. */
type Library = typeof import('@cyclonedx/cyclonedx-library') & {
  PackageURL: typeof import('packageurl-js').PackageURL;
};

async function load(): Promise<Library> {
  const [library, purl] = await Promise.all([
    import('@cyclonedx/cyclonedx-library').then(commonJs),
    import('packageurl-js').then(commonJs),
  ]);
  return { ...library, PackageURL: purl.PackageURL };
}

/** A CommonJS module imported dynamically: bundled, its exports may sit on `default` only. */
function commonJs<M extends object>(module: M): M {
  const fallback = (module as { default?: M }).default;
  return Object.keys(module).some((k) => k !== 'default') || !fallback ? module : fallback;
}

export async function buildSbom(input: SbomInput): Promise<Models.Bom> {
  const cdx = await load();
  const { Enums, Models } = cdx;
  const { subject, bento, contents } = input;
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${randomUUID()}` });
  bom.metadata.timestamp = input.now;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'bentoci', { version: BENTOCI_VERSION }),
  );
  bom.metadata.component = subjectComponent(cdx, subject, bento, contents !== undefined);
  for (const model of bento.models) bom.components.add(modelComponent(cdx, model));
  if (contents) {
    for (const pkg of contents.npmPackages) bom.components.add(npmComponent(cdx, pkg));
    if (contents.onnxruntime) bom.components.add(onnxRuntimeComponent(cdx, contents.onnxruntime));
    if (contents.os?.['ID']) bom.components.add(osComponent(cdx, contents.os));
    for (const pkg of contents.dpkg ?? []) bom.components.add(debComponent(cdx, pkg, contents.os ?? {}));
  }
  return bom;
}

/** The BOM as CycloneDX 1.6 JSON, lists sorted so the same contents give the same document. */
export async function serializeSbom(bom: Models.Bom): Promise<string> {
  const { Serialize, Spec } = await load();
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: true });
}

export async function sbomStatement(input: SbomInput): Promise<Statement> {
  const bom = JSON.parse(await serializeSbom(await buildSbom(input))) as Record<string, unknown>;
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: input.subject.name, digest: { sha256: input.subject.digest.slice('sha256:'.length) } }],
    predicateType: CYCLONEDX_PREDICATE_TYPE,
    predicate: bom,
  };
}

function subjectComponent(
  { Enums, Models, PackageURL }: Library,
  subject: AttestationSubject,
  bento: BentoInfo,
  image: boolean,
): Models.Component {
  const slash = subject.name.lastIndexOf('/');
  return new Models.Component(
    image ? Enums.ComponentType.Container : Enums.ComponentType.Application,
    subject.name,
    {
      version: subject.digest,
      bomRef: 'subject',
      description: `${image ? 'image of ' : ''}bento ${bento.name}:${bento.version}`,
      purl: new PackageURL('oci', undefined, subject.name.slice(slash + 1), subject.digest, {
        repository_url: subject.name,
      }).toString(),
    },
  );
}

function modelComponent({ Enums, Models }: Library, model: BentoInfo['models'][number]): Models.Component {
  const [name, version] = model.tag.split(':');
  const hashes = new Models.HashDictionary([[Enums.HashAlgorithm['SHA-256'], model.digest.slice(7)]]);
  const component = new Models.Component(Enums.ComponentType.MachineLearningModel, name ?? model.tag, {
    ...(version ? { version } : {}),
    bomRef: `model:${model.tag}`,
    hashes,
    description: `bentoci model (${model.module}) at ${model.path}; the SHA-256 is its content digest`,
  });
  component.properties.add(new Models.Property('bentoci:model:path', model.path));
  return component;
}

function npmComponent(cdx: Library, pkg: NpmPackage): Models.Component {
  const { Enums, Models, PackageURL } = cdx;
  const scoped = pkg.name.startsWith('@') ? pkg.name.split('/') : undefined;
  const purl = scoped
    ? new PackageURL('npm', scoped[0], scoped.slice(1).join('/'), pkg.version)
    : new PackageURL('npm', undefined, pkg.name, pkg.version);
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    version: pkg.version,
    bomRef: `npm:${pkg.path}`,
    purl: purl.toString(),
    licenses: licensesOf(cdx, pkg.license),
  });
  component.properties.add(new Models.Property('cdx:npm:package:path', pkg.path));
  return component;
}

function onnxRuntimeComponent(
  cdx: Library,
  ort: NonNullable<ImageContents['onnxruntime']>,
): Models.Component {
  const { Enums, Models, PackageURL } = cdx;
  return new Models.Component(Enums.ComponentType.Library, 'onnxruntime', {
    group: 'microsoft',
    version: ort.version,
    bomRef: 'onnxruntime',
    purl: new PackageURL('github', 'microsoft', 'onnxruntime', `v${ort.version}`).toString(),
    hashes: new Models.HashDictionary([[Enums.HashAlgorithm['SHA-256'], ort.sha256]]),
    licenses: licensesOf(cdx, 'MIT'),
    description: `ONNX Runtime native library bundled by onnxruntime-node ${ort.version}: ${ort.file}`,
  });
}

function osComponent({ Enums, Models }: Library, os: Record<string, string>): Models.Component {
  return new Models.Component(Enums.ComponentType.OperatingSystem, os['ID']!, {
    ...(os['VERSION_ID'] ? { version: os['VERSION_ID'] } : {}),
    bomRef: 'os',
    ...(os['PRETTY_NAME'] ? { description: os['PRETTY_NAME'] } : {}),
  });
}

/** purl-spec's deb type: pkg:deb/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version id>. */
function debComponent(
  { Enums, Models, PackageURL }: Library,
  pkg: DpkgPackage,
  os: Record<string, string>,
): Models.Component {
  const distro = os['ID'] ?? 'debian';
  const qualifiers: Record<string, string> = { arch: pkg.architecture };
  if (os['VERSION_ID']) qualifiers['distro'] = `${distro}-${os['VERSION_ID']}`;
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    version: pkg.version,
    bomRef: `deb:${pkg.name}:${pkg.architecture}`,
    purl: new PackageURL('deb', distro, pkg.name, pkg.version, qualifiers).toString(),
  });
  if (pkg.source) component.properties.add(new Models.Property('bentoci:deb:source', pkg.source));
  return component;
}

/** An SPDX id as such, an expression as an expression, anything else as a named license. */
function licensesOf({ Models, SPDX }: Library, declared: string | undefined): Models.LicenseRepository {
  const licenses = new Models.LicenseRepository();
  if (!declared) return licenses;
  const id = SPDX.fixupSpdxId(declared);
  if (id) licenses.add(new Models.SpdxLicense(id));
  else if (/\s(OR|AND|WITH)\s|^\(/.test(declared)) licenses.add(new Models.LicenseExpression(declared));
  else licenses.add(new Models.NamedLicense(declared));
  return licenses;
}
