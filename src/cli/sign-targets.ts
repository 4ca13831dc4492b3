/**
 * What `bentoci sign` and `bentoci verify` are pointed at, shared by both: the target flags. A store
 * tag is resolved to the bento or model it names by src/operations/targets.ts.
 */
import type { Command } from 'commander';

export interface TargetFlags {
  kind?: string;
  /** Images: plain HTTP to the registry, and extra CA certificates for it. */
  insecure?: boolean;
  caFile?: string;
  json?: boolean;
}

export const TARGET_HELP = 'name[:version] in the store, or oci://host/repo:tag, host:port/repo@sha256:...';

export function withTargetFlags(command: Command): Command {
  return command
    .option('--kind <kind>', 'model or bento, when a tag names both')
    .option('--insecure', 'images: plain HTTP to the registry')
    .option('--ca-file <pem>', 'images: extra CA certificates for the registry')
    .option('--json', 'print the result as JSON');
}
