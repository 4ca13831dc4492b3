/**
 * What an error from session.run() means for the request. onnxruntime-node's errors carry no status
 * code, only ORT's message, so they are told apart by the message: the patterns below are the strings
 * ORT 1.30 produces (read from real runs; __tests__/unit/runtime/runtime-model-errors.test.ts runs each one). A
 * failure the request's shapes or values caused is the client's (400); anything else is the
 * runtime's (500). Either way the message is one line, without ORT's source paths.
 */

export interface ModelFailure {
  /** 400: the request's shapes or values; 500: the runtime. */
  status: 400 | 500;
  /** One line: the input when ORT names it, what the model expected when known, what came. */
  message: string;
}

/** A run that failed; `failure` says whose fault and how to say it. */
export class ModelRunError extends Error {
  constructor(
    readonly failure: ModelFailure,
    /** ORT's message as it came, for the log. */
    readonly detail: string = failure.message,
  ) {
    super(failure.message);
  }
}

interface Pattern {
  /** Matched against ORT's whole message (flags: s, so `.` crosses ORT's newlines). */
  pattern: RegExp;
  describe(match: RegExpExecArray): string;
}

/** ORT's checks of the feeds against the graph's declared inputs, before any node runs. */
const FEED_PATTERNS: readonly Pattern[] = [
  {
    // "Got invalid dimensions for input: x for the following indices\n index: 1 Got: 4 Expected: 3\n ..."
    pattern:
      /^Got invalid dimensions for input: (\S+) for the following indices\s+index: (\d+) Got: (\d+) Expected: (\d+)/s,
    describe: (m) => `input "${m[1]}": the model expects dim ${m[2]} to be ${m[4]}, got ${m[3]}`,
  },
  {
    // "Invalid rank for input: x Got: 3 Expected: 2 Please fix either the inputs/outputs or the model."
    pattern: /^Invalid rank for input: (\S+) Got: (\d+) Expected: (\d+)/s,
    describe: (m) => `input "${m[1]}": the model expects rank ${m[3]}, got rank ${m[2]}`,
  },
  {
    // "Unexpected input data type. Actual: (tensor(int32)) , expected: (tensor(float))"
    pattern: /^Unexpected input data type\. Actual: \(tensor\((\w+)\)\) , expected: \(tensor\((\w+)\)\)/s,
    describe: (m) => `an input has dtype ${m[1]} where the model expects ${m[2]}`,
  },
];

/**
 * Status messages of a node's kernel that blame the data it was given: a shape it cannot take
 * (a conv smaller than its kernel, a reshape of an indivisible size, shapes that do not broadcast)
 * or a value out of range (a gather index). Matched against the status message, paths removed.
 */
const NODE_INPUT_PATTERNS: readonly RegExp[] = [
  /^Invalid input shape\b/, // Conv: "Invalid input shape: {2,2}"
  /\bcannot be reshaped to the requested shape\b/, // Reshape: "... Input shape:{4}, requested shape:{-1,3}"
  /\bAttempting to broadcast an axis by a dimension other than 1\b/, // Add, Mul, ...: "2 by 3"
  /^indices element out of data bounds\b/, // Gather: "idx=7 must be within the inclusive range [-3,2]"
];

// "Non-zero status code returned while running Conv node. Name:'r1_nchwc' Status Message: ..."
const NODE_FAILURE =
  /^Non-zero status code returned while running (\S+) node\. Name:'([^']*)' Status Message: (.*)$/s;

// Where ORT's check sits, before the reason: "/onnxruntime_src/.../bfc_arena.cc:360 void*
// onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*) "
const SOURCE = /\/onnxruntime_src\/\S+:\d+ (?:[^()]*::[^()]*\([^()]*\)(?: const)? )?/g;
// The failed condition of an ORT_ENFORCE: "size != 0 && (input_shape_size % size) == 0 was false. "
const CONDITION = /^.*? was false\. /s;

/** One line, no source paths, bounded. */
export function cleanLine(message: string, max = 300): string {
  const line = message.replace(SOURCE, '').replace(CONDITION, '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** Sorts an error message from the worker into the request's fault or the runtime's. */
export function classifyRunError(message: string): ModelFailure {
  for (const { pattern, describe } of FEED_PATTERNS) {
    const match = pattern.exec(message);
    if (match) return { status: 400, message: describe(match) };
  }
  const node = NODE_FAILURE.exec(message);
  if (node) {
    const [, op, name, status] = node;
    const reason = cleanLine(status!);
    const where = `the model's ${op} node${name ? ` "${name}"` : ''}`;
    if (NODE_INPUT_PATTERNS.some((p) => p.test(reason)))
      return { status: 400, message: `${where} rejected the request: ${reason}` };
    return { status: 500, message: `${where} failed: ${reason}` };
  }
  return { status: 500, message: cleanLine(message) };
}
