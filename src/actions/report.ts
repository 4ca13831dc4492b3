/**
 * What one action run did, collected as it goes: artifacts made or used, cache transfers, pushed
 * references, signatures and step timings. The summary (summary.ts) renders it; outputs come from
 * the entry's return value, not from here, so a summary never decides what a workflow reads.
 */
export type ArtifactKind = 'model' | 'bento' | 'image';

export interface Artifact {
  kind: ArtifactKind;
  ref: string;
  /** What happened to it in this run: "built", "saved", "imported", "pushed"... */
  action: string;
  digest?: string;
  size?: number;
}

export interface Transfer {
  direction: 'export' | 'import';
  kind: 'model' | 'bento';
  ref: string;
  key: string;
  /** saved | already cached | restored | already in store */
  outcome: string;
  /** Archive size in bytes, when an archive moved. */
  size?: number;
}

export interface PushedRef {
  /** `attestation (provenance)`, `attestation (sbom)`: what a referrer attests. */
  kind: ArtifactKind | 'signature' | `attestation (${string})`;
  ref: string;
  digest: string;
}

/** The labels an image was built with, or the annotations its pushed manifest carries. */
export interface ImageDetails {
  image: string;
  kind: 'labels' | 'annotations';
  values: Record<string, string>;
}

export interface StepTiming {
  name: string;
  startMs: number;
  endMs: number;
  ok: boolean;
}

export class RunReport {
  readonly startedAt = Date.now();
  readonly artifacts: Artifact[] = [];
  readonly transfers: Transfer[] = [];
  readonly pushed: PushedRef[] = [];
  readonly steps: StepTiming[] = [];
  readonly images: ImageDetails[] = [];
  readonly notes: string[] = [];
  failure?: { title: string; message: string };

  artifact(a: Artifact): void {
    this.artifacts.push(a);
  }

  transfer(t: Transfer): void {
    this.transfers.push(t);
  }

  push(p: PushedRef): void {
    this.pushed.push(p);
  }

  imageDetails(d: ImageDetails): void {
    this.images.push(d);
  }

  note(text: string): void {
    this.notes.push(text);
  }
}
