/**
 * The contract between a bento's service module and the serving runtime. Types only: the runtime
 * imports them, and a service written in TypeScript can import them too. When bento.yaml names a
 * module (`service.module: "service.js:svc"`, relative to the bento's src/), the runtime imports it
 * and reads the named export (default export when no `:name` is given) as a `ServiceHooks` object.
 *
 * Per request, the runtime: decodes the body into tensors -> `pre` -> validates against the API's
 * signature -> batches with other requests and runs the model -> splits the outputs -> `post` ->
 * encodes the response. Hooks run on the main thread, once per request (never per batch), so they
 * must not block: do async work, or keep it short.
 *
 * ```js
 * // src/service.js
 * export const svc = {
 *   apis: {
 *     classify: {
 *       pre: (input) => ({ input: normalize(input.input) }),
 *       post: (output) => ({ label: argmax(output.probabilities) }),
 *     },
 *   },
 * };
 * ```
 */
import type { BentoApi, Dtype } from './schemas.js';

/** Element storage per dtype (bool and float16 use their raw bits: Uint8Array and Uint16Array). */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

/** A dense row-major tensor. `data.length` is the product of `shape`. */
export interface Tensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

/** Tensors by input or output name, as the model's signature names them. */
export type TensorMap = Record<string, Tensor>;

/** What a hook sees of the request it is handling. */
export interface HookContext {
  /** The API (bento.yaml `service.apis[]` entry) being called. */
  readonly api: BentoApi;
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, when the request had one (undefined for binary bodies). */
  readonly body: unknown;
  /** Scratch space shared by `pre` and `post` of the same request. */
  readonly state: Map<string, unknown>;
  /** Aborted when the client goes away or the request times out. */
  readonly signal: AbortSignal;
  /** Structured log line (JSON) tagged with the API and request id. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

export interface ApiHooks {
  /**
   * Runs before validation: may rewrite, add or drop input tensors. The result is validated against
   * the API's input signature, so a hook that returns the wrong dtype or shape gets a 400 too.
   * Throw a `HookError`-shaped error (`{ status: 4xx, message }`) to answer the client directly.
   */
  pre?(input: TensorMap, ctx: HookContext): TensorMap | Promise<TensorMap>;
  /**
   * Runs after the model, on this request's slice of the batch. Return a TensorMap to have it encoded
   * like a model output (JSON, .npy or raw bytes, per the Accept header), or any other
   * JSON-serializable value to send it as JSON.
   */
  post?(output: TensorMap, ctx: HookContext): unknown | Promise<unknown>;
}

export interface SetupContext {
  /** Absolute path of the bento directory. */
  readonly bentoDir: string;
  readonly apis: readonly BentoApi[];
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

/** The object a service module exports. */
export interface ServiceHooks {
  /** Runs once at start-up, before warm-up; the runtime reports ready only after it resolves. */
  setup?(ctx: SetupContext): void | Promise<void>;
  /** Runs once while the runtime drains on SIGTERM, after the last request is answered. */
  shutdown?(): void | Promise<void>;
  /** Hooks per API name. APIs without an entry call the model directly. */
  apis?: Record<string, ApiHooks>;
}

/** An error a hook may throw to answer with a given status (default 500) and message. */
export interface HookError extends Error {
  status?: number;
}
