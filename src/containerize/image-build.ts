/**
 * Runs one image build on the engine (the classic builder's /build API, which every Docker engine
 * answers, Debian's docker.io included) and follows its JSON progress stream: steps become log lines,
 * a failing step becomes one error naming the step and its last output. Tags are applied only after
 * the build succeeded, so a failed build leaves no tag pointing at a partial image.
 */
import type Docker from 'dockerode';
import { BentoError } from '../core/errors.js';
import { formatImageName, type ImageName } from './image-ref.js';

export interface ImageBuildRequest {
  tags: ImageName[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  target?: string | undefined;
  platform?: string | undefined;
  cacheFrom: string[];
  noCache: boolean;
  /** 'host' here: builds reach the npm registry only through the host's network. */
  networkMode: string;
  /** The Dockerfile text, to name the image of a failing FROM with its ARGs expanded. */
  dockerfile: string;
  signal?: AbortSignal | undefined;
  log: (line: string) => void;
}

export interface BuiltImage {
  id: string;
  tags: string[];
}

interface BuildEvent {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: unknown;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string };
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
/** The builder's own lines between a step's output: not what a failing command printed. */
const BOOKKEEPING = /^( ---> |Removing intermediate container |Successfully (built|tagged) )/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences start with ESC
const ANSI = /\u001b\[[0-9;]*m/g;
const TAIL_LINES = 5;

export async function buildImage(
  docker: Docker,
  context: NodeJS.ReadableStream,
  request: ImageBuildRequest,
): Promise<BuiltImage> {
  const options: Docker.ImageBuildOptions = {
    dockerfile: 'Dockerfile',
    buildargs: request.buildArgs,
    labels: request.labels,
    networkmode: request.networkMode,
    nocache: request.noCache,
    rm: true,
    // Also remove the intermediate container of a failed step: nothing half-built stays behind.
    forcerm: true,
    version: '1',
    ...(request.target ? { target: request.target } : {}),
    ...(request.platform ? { platform: request.platform } : {}),
    ...(request.cacheFrom.length ? { cachefrom: request.cacheFrom as unknown as string } : {}),
    ...(request.signal ? { abortSignal: request.signal } : {}),
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(context, options);
  } catch (err) {
    throw new BentoError(`the engine refused the build: ${engineMessage(err)}`);
  }
  const id = await follow(stream, request, docker);
  const applied: ImageName[] = [];
  try {
    for (const name of request.tags) {
      await docker.getImage(id).tag({ repo: name.repo, tag: name.tag });
      applied.push(name);
    }
  } catch (err) {
    for (const name of applied)
      await docker
        .getImage(formatImageName(name))
        .remove({ noprune: true })
        .catch(() => {});
    throw new BentoError(`built ${id} but could not tag it: ${engineMessage(err)}`);
  }
  return { id, tags: request.tags.map(formatImageName) };
}

/** Reads the progress stream to its end; resolves with the image id or throws the build's error. */
async function follow(
  stream: NodeJS.ReadableStream,
  request: ImageBuildRequest,
  docker: Docker,
): Promise<string> {
  let step: { number: string; total: string; instruction: string } | undefined;
  /** The image of the last finished step in the current stage: where a failed build's chain ends. */
  let stageImage: string | undefined;
  let tail: string[] = [];
  let id: string | undefined;
  let failure: BuildEvent | undefined;
  let buffer = '';
  const statusSeen = new Set<string>();

  const handle = (event: BuildEvent): void => {
    if (event.error || event.errorDetail) {
      failure ??= event;
      return;
    }
    if (event.aux?.ID) id = event.aux.ID;
    if (event.stream) {
      for (const raw of event.stream.split('\n')) {
        // The engine colours a step's stderr; a log line is plain text.
        const line = raw.replace(ANSI, '').trimEnd();
        if (!line) continue;
        const match = STEP.exec(line);
        const stepImage = /^ ---> ([0-9a-f]{12,64})$/.exec(line)?.[1];
        if (match) {
          step = { number: match[1]!, total: match[2]!, instruction: match[3]! };
          tail = [];
          if (/^FROM\s/i.test(step.instruction)) stageImage = undefined;
        } else if (stepImage) {
          stageImage = stepImage;
        } else if (!BOOKKEEPING.test(line)) {
          tail = [...tail.slice(1 - TAIL_LINES), line];
        }
        const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
        if (built && !id) id = built[1];
        request.log(line);
      }
    } else if (event.status) {
      // Pull progress: one line per layer and state, not every byte count.
      const key = `${event.id ?? ''} ${event.status}`;
      if (
        !event.progressDetail ||
        Object.keys(event.progressDetail as object).length === 0 ||
        !statusSeen.has(key)
      ) {
        if (!statusSeen.has(key)) request.log(event.id ? `${event.id}: ${event.status}` : event.status);
        statusSeen.add(key);
      }
    }
  };

  try {
    for await (const chunk of stream) {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const text = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (text) handle(parse(text));
        newline = buffer.indexOf('\n');
      }
    }
  } catch (err) {
    if (request.signal?.aborted) throw new BentoError('image build cancelled');
    throw new BentoError(`lost the engine's build stream: ${engineMessage(err)}`);
  }
  if (buffer.trim()) handle(parse(buffer.trim()));
  if (failure) {
    if (stageImage) await removeFailedChain(docker, stageImage);
    throw buildError(failure, step, tail, request);
  }
  if (!id) throw new BentoError('the engine ended the build without reporting an image id');
  return id;
}

/**
 * Removes the untagged images a failed stage left (its last step's image and, by pruning, its parents
 * that nothing else uses). An image that other images build on is layer cache and stays: the engine
 * refuses to remove it, which is the check. Earlier stages that finished are cache too and stay.
 */
async function removeFailedChain(docker: Docker, image: string): Promise<void> {
  try {
    const info = await docker.getImage(image).inspect();
    if ((info.RepoTags ?? []).some((t) => t !== '<none>:<none>')) return;
    await docker.getImage(image).remove({ noprune: false });
  } catch {
    // In use by other images, or already gone: either way nothing dangling is left by this build.
  }
}

function parse(text: string): BuildEvent {
  try {
    return JSON.parse(text) as BuildEvent;
  } catch {
    return { stream: text };
  }
}

function buildError(
  failure: BuildEvent,
  step: { number: string; total: string; instruction: string } | undefined,
  tail: string[],
  request: ImageBuildRequest,
): BentoError {
  const message = (failure.errorDetail?.message ?? failure.error ?? 'unknown error')
    .replace(/\s+/g, ' ')
    .trim();
  if (!step) return new BentoError(`image build failed before its first step: ${message}`);
  const where = `step ${step.number}/${step.total} (${shorten(step.instruction, 90)})`;
  const image = externalImageOf(step.instruction, request);
  if (image) {
    return new BentoError(
      `cannot pull base image "${image}" at ${where}: ${message}; pull or load it into the engine first (docker pull ${image}), or set docker.base_image to an image the engine has`,
    );
  }
  const code = /returned a non-zero code: (\d+)/.exec(message)?.[1];
  const what = code ? `the command exited with code ${code}` : message;
  const lastOutput = tail.slice(-TAIL_LINES).map((l) => shorten(l, 200));
  return new BentoError(
    `image build failed at ${where}: ${what}${lastOutput.length ? `; last output: ${lastOutput.join(' | ')}` : ''}`,
  );
}

/**
 * The image a step needs from a registry: FROM <image> or COPY --from=<image>, unless it names an
 * earlier stage. `$VAR` is expanded from the Dockerfile's global ARGs and the build args.
 */
export function externalImageOf(
  instruction: string,
  request: Pick<ImageBuildRequest, 'dockerfile' | 'buildArgs'>,
): string | undefined {
  const stages = new Set<string>();
  const args: Record<string, string> = {};
  let seenFrom = false;
  for (const line of request.dockerfile.split('\n')) {
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      seenFrom = true;
      if (from[2]) stages.add(from[2].toLowerCase());
      continue;
    }
    const arg = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?/i.exec(line);
    if (arg && !seenFrom) args[arg[1]!] = arg[2] ?? '';
  }
  Object.assign(args, request.buildArgs);
  const expand = (ref: string) =>
    ref.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '');
  const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(instruction);
  const copyFrom = /^COPY\s+.*--from=(\S+)/i.exec(instruction);
  const ref = from?.[1] ?? copyFrom?.[1];
  if (!ref) return undefined;
  const image = expand(ref);
  if (stages.has(image.toLowerCase()) || /^\d+$/.test(image) || image.toLowerCase() === 'scratch')
    return undefined;
  return image;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function engineMessage(err: unknown): string {
  if (err && typeof err === 'object') {
    const json = (err as { json?: { message?: string } }).json;
    if (json?.message) return json.message;
    if (err instanceof Error) return err.message.replace(/\s+/g, ' ');
  }
  return String(err);
}
