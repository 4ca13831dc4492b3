/**
 * The OS packages a Debian or Ubuntu image lists: /var/lib/dpkg/status (deb822 paragraphs) and
 * os-release, which names the distribution for the packages' purls (`pkg:deb/debian/...`).
 */

export interface DpkgPackage {
  name: string;
  version: string;
  architecture: string;
  /** The source package, when it differs from the binary package. */
  source?: string;
}

/** Installed packages only (Status "install ok installed"), sorted by name. */
export function parseDpkgStatus(text: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split('\n')) {
      // Continuation lines (descriptions, conffiles) start with a space.
      if (line.startsWith(' ') || line.startsWith('\t')) continue;
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    const status = fields.get('status') ?? '';
    if (!name || !version || !/\binstalled$/.test(status)) continue;
    // "Source: name (version)" names the source package, optionally at another version.
    const source = fields.get('source')?.split(' ')[0];
    packages.push({
      name,
      version,
      architecture: fields.get('architecture') ?? 'all',
      ...(source && source !== name ? { source } : {}),
    });
  }
  return packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2]!;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'\\$`])/g, '$1');
    fields[match[1]!] = value;
  }
  return fields;
}
