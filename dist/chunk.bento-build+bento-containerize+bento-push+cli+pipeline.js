import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BENTOCI_VERSION,
  BentoError,
  CONTEXT,
  DEFAULT_GZIP_LEVEL,
  ENTRY_DIR,
  FORMAT_NAME,
  FORMAT_VERSION,
  IMAGE,
  IntegrityError,
  LATEST,
  LEGACY_FORMAT_VERSION,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  SIGNATURES_DIR,
  UsageError,
  archiveManifestSchema,
  assertSafePath,
  classifyMember,
  commandOf,
  defaultArchiveName,
  exists,
  formatBytes,
  formatTag,
  listFiles,
  memberName,
  parseTag,
  progress,
  removeQuietly,
  require_dist,
  require_tar_stream,
  require_undici,
  within
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/containerize/bento-files.ts
import { readFile } from "node:fs/promises";
import { join } from "node:path";

// src/containerize/distro.ts
var NODE_IMAGE = "node:24-trixie-slim";
var UBUNTU_IMAGE = "ubuntu:24.04";
var CUDA_IMAGES = {
  "12.3.2": "12.3.2-cudnn9-runtime-ubuntu22.04",
  "12.4.1": "12.4.1-cudnn-runtime-ubuntu22.04",
  "12.5.1": "12.5.1-cudnn-runtime-ubuntu22.04",
  "12.6.3": "12.6.3-cudnn-runtime-ubuntu24.04",
  "12.8.1": "12.8.1-cudnn-runtime-ubuntu24.04",
  "12.9.1": "12.9.1-cudnn-runtime-ubuntu24.04"
};
var SUPPORTED_CUDA_VERSIONS = Object.keys(CUDA_IMAGES);
function resolveCudaVersion(requested) {
  const text2 = requested.trim();
  const known = SUPPORTED_CUDA_VERSIONS;
  const match = known.find((v) => v === text2) ?? known.filter((v) => v.startsWith(`${text2}.`)).sort(compareVersions).at(-1);
  if (!/^\d+(\.\d+){0,2}$/.test(text2) || !match) {
    throw new UsageError(
      `invalid docker.cuda_version "${requested}": onnxruntime-node's CUDA provider needs CUDA 12 with cuDNN 9; use one of ${known.map((v) => v.split(".").slice(0, 2).join(".")).join(", ")} (or set docker.base_image)`
    );
  }
  return match;
}
function cudaImage(version) {
  return `nvidia/cuda:${CUDA_IMAGES[resolveCudaVersion(version)]}`;
}
function chooseBase(docker) {
  if (docker.distro === "alpine") {
    throw new UsageError(
      'docker.distro "alpine" is not supported: onnxruntime-node ships glibc binaries only and cannot load on musl; use distro debian (default) or ubuntu, or a glibc base_image'
    );
  }
  const cudaVersion = docker.cuda_version ? resolveCudaVersion(docker.cuda_version) : void 0;
  if (docker.base_image) {
    return {
      image: docker.base_image,
      copyNode: true,
      packageManager: "apt",
      ...cudaVersion ? { cudaVersion } : {}
    };
  }
  if (cudaVersion)
    return { image: cudaImage(cudaVersion), copyNode: true, packageManager: "apt", cudaVersion };
  if (docker.distro === "ubuntu") return { image: UBUNTU_IMAGE, copyNode: true, packageManager: "apt" };
  return { image: NODE_IMAGE, copyNode: false, packageManager: "apt" };
}
function compareVersions(a, b) {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

// src/containerize/runtime-contract.ts
function runtimeCommand() {
  return { entrypoint: [NODE_BIN, `${IMAGE.runtimeDir}/server.js`], node_bin: NODE_BIN };
}
var NODE_BIN = "/usr/local/bin/node";
function runtimeEnv(options) {
  return [
    { name: "BENTOCI_BENTO_DIR", value: IMAGE.bentoPath },
    { name: "ORT_DISABLE_TELEMETRY", value: "1" },
    ...options.cuda ? [{ name: "BENTOCI_PROVIDER", value: "cuda" }] : []
  ];
}
function healthcheckScript() {
  return `fetch('http://127.0.0.1:' + (process.env.BENTOCI_PORT || process.env.PORT || ${IMAGE.port}) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
}

// src/containerize/template/errors.ts
var TemplateError = class extends Error {
  constructor(reason, line, column) {
    super(`[Line ${line}, Column ${column}] ${reason}`);
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.name = "TemplateError";
  }
  reason;
  line;
  column;
  /** Set once the template the error is in has been named (or is the one rendered). */
  located = false;
};
function fail(at, reason) {
  throw new TemplateError(reason, at.line, at.column);
}
function locator(source) {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = lo + hi + 1 >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  };
}

// src/containerize/template/expression.ts
var FORBIDDEN = /* @__PURE__ */ new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);
var COMPARE = /* @__PURE__ */ new Set(["==", "!=", "<", ">", "<=", ">="]);
var KEYWORDS = /* @__PURE__ */ new Set(["and", "or", "not", "in", "is", "if", "else"]);
var TokenStream = class {
  constructor(tokens) {
    this.tokens = tokens;
  }
  tokens;
  index = 0;
  peek(ahead = 0) {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }
  next() {
    const token = this.peek();
    if (token.type !== "end") this.index++;
    return token;
  }
  /** Consumes the token when it is this operator or keyword. */
  accept(value) {
    const token = this.peek();
    if ((token.type === "op" || token.type === "name") && token.value === value) {
      this.index++;
      return true;
    }
    return false;
  }
  expect(value, what = `"${value}"`) {
    const token = this.peek();
    if (!this.accept(value)) fail(token.at, `expected ${what}, found ${show(token)}`);
    return token;
  }
  name(what) {
    const token = this.next();
    if (token.type !== "name") fail(token.at, `expected ${what}, found ${show(token)}`);
    checkName(token);
    return token.value;
  }
  end(what) {
    const token = this.peek();
    if (token.type !== "end") fail(token.at, `unexpected ${show(token)} after ${what}`);
  }
};
function show(token) {
  if (token.type === "end") return "the end of the tag";
  if (token.type === "string") return `string "${token.value}"`;
  return `"${token.value}"`;
}
function checkName(token) {
  if (FORBIDDEN.has(token.value))
    fail(token.at, `"${token.value}" is not allowed: templates can only read their own variables`);
}
function parseExpression(s) {
  const at = s.peek().at;
  const value = parseOr(s);
  if (!s.accept("if")) return value;
  const cond = parseOr(s);
  const otherwise = s.accept("else") ? parseExpression(s) : void 0;
  return { kind: "conditional", cond, value, otherwise, at };
}
function parseOr(s) {
  let left = parseAnd(s);
  for (let at = s.peek().at; s.accept("or"); at = s.peek().at)
    left = { kind: "logical", op: "or", left, right: parseAnd(s), at };
  return left;
}
function parseAnd(s) {
  let left = parseNot(s);
  for (let at = s.peek().at; s.accept("and"); at = s.peek().at)
    left = { kind: "logical", op: "and", left, right: parseNot(s), at };
  return left;
}
function parseNot(s) {
  const at = s.peek().at;
  if (s.accept("not")) return { kind: "not", operand: parseNot(s), at };
  return parseCompare(s);
}
function parseCompare(s) {
  let left = parseConcat(s);
  for (; ; ) {
    const token = s.peek();
    let op;
    if (token.type === "op" && COMPARE.has(token.value)) op = token.value;
    else if (token.type === "name" && token.value === "in") op = "in";
    else if (token.type === "name" && token.value === "not" && s.peek(1).value === "in") op = "not in";
    else if (token.type === "name" && token.value === "is") {
      s.next();
      const negated = s.accept("not");
      const test = s.name('a test name after "is" (defined, undefined, none)');
      left = { kind: "test", target: left, test, negated, at: token.at };
      continue;
    }
    if (!op) return left;
    s.next();
    if (op === "not in") s.next();
    left = { kind: "compare", op, left, right: parseConcat(s), at: token.at };
  }
}
function parseConcat(s) {
  let left = parseFiltered(s);
  for (let at = s.peek().at; s.accept("~"); at = s.peek().at)
    left = { kind: "concat", left, right: parseFiltered(s), at };
  return left;
}
function parseFiltered(s) {
  let target = parsePostfix(s);
  for (let at = s.peek().at; s.accept("|"); at = s.peek().at) {
    const name = s.name('a filter name after "|"');
    const args = [];
    if (s.accept("(")) {
      if (!s.accept(")")) {
        do
          args.push(parseExpression(s));
        while (s.accept(","));
        s.expect(")", '")" after the filter arguments');
      }
    }
    target = { kind: "filter", target, name, args, at };
  }
  return target;
}
function parsePostfix(s) {
  let target = parsePrimary(s);
  for (; ; ) {
    const token = s.peek();
    if (s.accept(".")) {
      const key = s.next();
      if (key.type !== "name" && key.type !== "number")
        fail(key.at, `expected a field name after ".", found ${show(key)}`);
      if (key.type === "name") checkName(key);
      const value = key.type === "number" ? Number(key.value) : key.value;
      target = { kind: "lookup", target, key: { kind: "literal", value, at: key.at }, at: token.at };
    } else if (s.accept("[")) {
      const key = parseExpression(s);
      if (key.kind === "literal" && typeof key.value === "string" && FORBIDDEN.has(key.value))
        fail(key.at, `"${key.value}" is not allowed: templates can only read their own variables`);
      s.expect("]", '"]" after the key');
      target = { kind: "lookup", target, key, at: token.at };
    } else if (token.type === "op" && token.value === "(") {
      fail(token.at, "calls are not supported: templates can only call super() inside a block");
    } else {
      return target;
    }
  }
}
function parsePrimary(s) {
  const token = s.next();
  const at = token.at;
  switch (token.type) {
    case "string":
      return { kind: "literal", value: token.value, at };
    case "number":
      return { kind: "literal", value: Number(token.value), at };
    case "name": {
      const word = token.value;
      if (word === "true" || word === "True") return { kind: "literal", value: true, at };
      if (word === "false" || word === "False") return { kind: "literal", value: false, at };
      if (word === "none" || word === "None") return { kind: "literal", value: null, at };
      if (word === "super" && s.peek().value === "(") {
        s.next();
        s.expect(")", '")": super() takes no arguments');
        return { kind: "super", at };
      }
      if (KEYWORDS.has(word)) fail(at, `expected a value, found "${word}"`);
      checkName(token);
      return { kind: "name", name: word, at };
    }
    case "op":
      if (token.value === "-" && s.peek().type === "number")
        return { kind: "literal", value: -Number(s.next().value), at };
      if (token.value === "(") {
        const inner = parseExpression(s);
        s.expect(")", '")"');
        return inner;
      }
      if (token.value === "[") {
        const items = [];
        if (!s.accept("]")) {
          do
            items.push(parseExpression(s));
          while (s.accept(","));
          s.expect("]", '"]" after the list');
        }
        return { kind: "list", items, at };
      }
      return fail(at, `expected a value, found ${show(token)}`);
    default:
      return fail(at, "expected a value, found the end of the tag");
  }
}

// src/containerize/template/lexer.ts
var CLOSE = { output: "}}", tag: "%}", comment: "#}" };
var OPEN = { "{": "output", "%": "tag", "#": "comment" };
var RAW = /^\s*raw\s*$/;
var END_RAW = /\{%(-?)\s*endraw\s*(-?)%\}/g;
function segments(source, options) {
  const locate2 = locator(source);
  const pieces = split(source, locate2);
  applyWhitespace(pieces, options);
  const out = [];
  for (const piece of pieces) {
    if (piece.kind === "text") {
      if (piece.value) out.push({ kind: "text", value: piece.value });
    } else if (piece.kind !== "comment") {
      out.push({ kind: piece.kind, code: piece.code, offset: piece.offset, at: locate2(piece.offset) });
    }
  }
  return out;
}
function split(source, locate2) {
  const pieces = [];
  const text2 = (from, to) => {
    if (to > from)
      pieces.push({
        kind: "text",
        value: source.slice(from, to),
        lineStart: from === 0 || source[from - 1] === "\n"
      });
  };
  let pos = 0;
  while (pos < source.length) {
    const open = nextOpen(source, pos);
    if (open < 0) break;
    text2(pos, open);
    const kind = OPEN[source[open + 1]];
    const stripLeft = source[open + 2] === "-";
    const start = open + 2 + (stripLeft ? 1 : 0);
    const close = findClose(source, start, kind);
    if (close < 0) fail(locate2(open), `unclosed ${describe(kind)}: expected "${CLOSE[kind]}"`);
    const stripRight = close > start && source[close - 1] === "-";
    const code = source.slice(start, stripRight ? close - 1 : close);
    pieces.push({ kind, code, offset: start, stripLeft, stripRight });
    pos = close + 2;
    if (kind === "tag" && RAW.test(code)) {
      END_RAW.lastIndex = pos;
      const end = END_RAW.exec(source);
      if (!end) fail(locate2(open), "unclosed {% raw %}: expected {% endraw %}");
      text2(pos, end.index);
      pieces.push({
        kind: "comment",
        code: "",
        offset: end.index,
        stripLeft: end[1] === "-",
        stripRight: end[2] === "-"
      });
      pos = end.index + end[0].length;
    }
  }
  text2(pos, source.length);
  return pieces;
}
function nextOpen(source, from) {
  for (let i = source.indexOf("{", from); i >= 0; i = source.indexOf("{", i + 1)) {
    if (OPEN[source[i + 1] ?? ""] !== void 0) return i;
  }
  return -1;
}
function findClose(source, from, kind) {
  const close = CLOSE[kind];
  if (kind === "comment") return source.indexOf(close, from);
  let quote;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = void 0;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === close[0] && source[i + 1] === close[1]) return i;
  }
  return -1;
}
function applyWhitespace(pieces, options) {
  pieces.forEach((piece, i) => {
    if (piece.kind === "text") return;
    const statement = piece.kind !== "output";
    const before = pieces[i - 1];
    if (before?.kind === "text") {
      if (piece.stripLeft) before.value = before.value.replace(/\s+$/, "");
      else if (statement && options.lstripBlocks) before.value = lstrip(before);
    }
    const after = pieces[i + 1];
    if (after?.kind === "text") {
      if (piece.stripRight) after.value = after.value.replace(/^\s+/, "");
      else if (statement && options.trimBlocks && /^\r?\n/.test(after.value)) {
        after.value = after.value.replace(/^\r?\n/, "");
        after.lineStart = true;
      }
    }
  });
}
function lstrip(text2) {
  const newline = text2.value.lastIndexOf("\n");
  if (newline < 0 && !text2.lineStart) return text2.value;
  const head = text2.value.slice(0, newline + 1);
  return /^[ \t]*$/.test(text2.value.slice(newline + 1)) ? head : text2.value;
}
function describe(kind) {
  return kind === "output" ? "{{ ... }}" : kind === "tag" ? "{% ... %}" : "comment";
}
var OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "=", "(", ")", "[", "]", ",", ".", "|", "~", ":", "-"];
var ESCAPES = { n: "\n", t: "	", r: "\r", "\\": "\\", '"': '"', "'": "'" };
function tokenize(code, offset, locate2) {
  const tokens = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const at = locate2(offset + i);
    if (/\s/.test(c)) {
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(code.slice(i))[0];
      tokens.push({ type: "name", value: name, at });
      i += name.length;
    } else if (/[0-9]/.test(c)) {
      const number = /^[0-9]+(\.[0-9]+)?/.exec(code.slice(i))[0];
      tokens.push({ type: "number", value: number, at });
      i += number.length;
    } else if (c === '"' || c === "'") {
      let value = "";
      let j = i + 1;
      for (; j < code.length && code[j] !== c; j++) {
        if (code[j] === "\\" && j + 1 < code.length) value += ESCAPES[code[++j]] ?? `\\${code[j]}`;
        else value += code[j];
      }
      if (j >= code.length) fail(at, "unterminated string");
      tokens.push({ type: "string", value, at });
      i = j + 1;
    } else {
      const op = OPERATORS.find((o) => code.startsWith(o, i));
      if (!op) fail(at, `unexpected character "${c}"`);
      tokens.push({ type: "op", value: op, at });
      i += op.length;
    }
  }
  tokens.push({ type: "end", value: "", at: locate2(offset + code.length) });
  return tokens;
}

// src/containerize/template/parser.ts
var SUPPORTED = "extends, block, if, for, set and raw";
var MAX_NESTING = 100;
var CLOSERS = /* @__PURE__ */ new Set(["endblock", "elif", "else", "endif", "endfor", "endraw"]);
function parseTemplate(source, options) {
  const parser = new Parser(source, options);
  return parser.template();
}
var Parser = class {
  segments;
  locate;
  index = 0;
  blocks = /* @__PURE__ */ new Map();
  extendsNode;
  constructor(source, options) {
    this.segments = segments(source, options);
    this.locate = locator(source);
  }
  template() {
    const { body } = this.body([], 0);
    return { body, blocks: this.blocks, extends: this.extendsNode };
  }
  /** Nodes up to one of `until` (returned, with its tokens) or the end of the template. */
  body(until, depth) {
    const body = [];
    while (this.index < this.segments.length) {
      const segment = this.segments[this.index++];
      if (segment.kind === "text") {
        body.push({ kind: "text", value: segment.value });
        continue;
      }
      const stream = new TokenStream(tokenize(segment.code, segment.offset, this.locate));
      if (segment.kind === "output") {
        const expr = parseExpression(stream);
        stream.end("the expression");
        body.push({ kind: "output", expr, at: segment.at });
        continue;
      }
      const first = stream.next();
      if (first.type !== "name") fail(first.at, `expected a tag name, found ${show(first)}`);
      const word = first.value;
      if (until.includes(word)) return { body, end: { word, stream, at: first.at } };
      if (CLOSERS.has(word)) fail(first.at, `unexpected {% ${word} %}: nothing open here takes it`);
      body.push(this.statement(word, stream, first.at, depth));
    }
    return { body };
  }
  statement(word, s, at, depth) {
    switch (word) {
      case "extends": {
        if (depth > 0) fail(at, "{% extends %} must be at the top level of the template");
        if (this.extendsNode) fail(at, "the template extends twice");
        const parent = parseExpression(s);
        s.end("{% extends %}");
        this.extendsNode = { kind: "extends", parent, at };
        return this.extendsNode;
      }
      case "block": {
        const name = s.name("a block name");
        s.end(`{% block ${name} %}`);
        if (this.blocks.has(name)) fail(at, `block "${name}" is defined twice`);
        const block = { kind: "block", name, body: [], at };
        this.blocks.set(name, block);
        const { body, end } = this.closed(["endblock"], depth, `{% block ${name} %}`, at);
        if (end.stream.peek().type === "name" && end.stream.name("a block name") !== name)
          fail(end.at, `{% endblock %} closes "${name}" under another name`);
        end.stream.end("{% endblock %}");
        block.body = body;
        return block;
      }
      case "if":
        return this.ifStatement(s, at, depth);
      case "for": {
        const targets = [s.name("a loop variable")];
        while (s.accept(",")) targets.push(s.name("a loop variable"));
        s.expect("in", '"in" after the loop variables');
        const iter = parseExpression(s);
        s.end("the loop sequence");
        const first = this.closed(["else", "endfor"], depth, "{% for %}", at);
        first.end.stream.end(`{% ${first.end.word} %}`);
        let otherwise = [];
        if (first.end.word === "else") {
          const rest = this.closed(["endfor"], depth, "{% for %}", at);
          rest.end.stream.end("{% endfor %}");
          otherwise = rest.body;
        }
        return { kind: "for", targets, iter, body: first.body, otherwise, at };
      }
      case "set": {
        const name = s.name("a variable name");
        s.expect("=", '"=" (only {% set name = value %} is supported)');
        const value = parseExpression(s);
        s.end("{% set %}");
        return { kind: "set", name, value, at };
      }
      case "raw":
        return { kind: "text", value: "" };
      default:
        return fail(
          at,
          `unsupported tag "${word}": a Dockerfile template can use ${SUPPORTED} (it cannot read files or define code)`
        );
    }
  }
  ifStatement(s, at, depth) {
    const branches = [];
    let cond = parseExpression(s);
    s.end("the condition");
    let otherwise = [];
    for (; ; ) {
      const { body, end } = this.closed(["elif", "else", "endif"], depth, "{% if %}", at);
      branches.push({ cond, body });
      if (end.word === "elif") {
        cond = parseExpression(end.stream);
        end.stream.end("the condition");
        continue;
      }
      end.stream.end(`{% ${end.word} %}`);
      if (end.word === "else") {
        const rest = this.closed(["endif"], depth, "{% if %}", at);
        rest.end.stream.end("{% endif %}");
        otherwise = rest.body;
      }
      break;
    }
    return { kind: "if", branches, otherwise, at };
  }
  /** A body that must end with one of `until`; the opening tag is named when it does not. */
  closed(until, depth, opening, at) {
    if (depth >= MAX_NESTING) fail(at, `tags are nested more than ${MAX_NESTING} deep`);
    const { body, end } = this.body(until, depth + 1);
    if (!end) fail(at, `${opening} is not closed: expected {% ${until[until.length - 1]} %} before the end`);
    return { body, end };
  }
};

// src/containerize/template/values.ts
var MAX_VALUE_SIZE = 4 << 20;
var sizes = /* @__PURE__ */ new WeakMap();
function sizeOf(value) {
  if (typeof value === "string") return value.length;
  if (value === null || typeof value !== "object") return 1;
  const known = sizes.get(value);
  if (known !== void 0) return known;
  let size = 1;
  if (Array.isArray(value)) for (const item of value) size += sizeOf(item);
  else for (const [key, item] of Object.entries(value)) size += key.length + sizeOf(item);
  sizes.set(value, size);
  return size;
}
function bounded(value, at) {
  if (sizeOf(value) > MAX_VALUE_SIZE)
    fail(at, `the template builds a value larger than ${MAX_VALUE_SIZE} characters`);
  return value;
}
function toValue(data, path = "data") {
  if (data === null || data === void 0) return data;
  if (typeof data === "string" || typeof data === "boolean") return data;
  if (typeof data === "number") {
    if (!Number.isFinite(data)) throw new TypeError(`template ${path} is not a finite number`);
    return data;
  }
  if (Array.isArray(data)) return data.map((item, i) => toValue(item, `${path}[${i}]`));
  if (typeof data === "object") {
    const proto = Object.getPrototypeOf(data);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`template ${path} is not plain data (an instance of a class)`);
    const out = /* @__PURE__ */ Object.create(null);
    for (const [key, value] of Object.entries(data)) out[key] = toValue(value, `${path}.${key}`);
    return out;
  }
  throw new TypeError(`template ${path} is a ${typeof data}: templates only take plain data`);
}
function isMapping(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function lookup(target, key) {
  if (Array.isArray(target) || typeof target === "string") {
    if (typeof key !== "number" || !Number.isInteger(key)) return void 0;
    const index = key < 0 ? target.length + key : key;
    return index >= 0 && index < target.length ? target[index] : void 0;
  }
  if (isMapping(target) && (typeof key === "string" || typeof key === "number")) {
    const name = String(key);
    return Object.hasOwn(target, name) ? target[name] : void 0;
  }
  return void 0;
}
function truthy(value) {
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}
function print(value, at) {
  if (value === void 0 || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => print(v, at)).join(",");
  if (isMapping(value)) fail(at, "cannot print a mapping: print one of its fields, or use | dump");
  return String(value);
}
function equal(a, b) {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return (a ?? null) === (b ?? null);
}
function contains(container, item, at) {
  if (typeof container === "string") return typeof item === "string" && container.includes(item);
  if (Array.isArray(container)) return container.some((v) => equal(v, item));
  if (isMapping(container)) return typeof item === "string" && Object.hasOwn(container, item);
  return fail(at, '"in" needs a string, a list or a mapping on its right');
}
function order(a, b, at) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return fail(at, "only two numbers or two strings can be compared with < > <= >=");
}
var text = (value, at) => print(value, at);
var BUILTIN_FILTERS = /* @__PURE__ */ new Map([
  [
    "default",
    (v, [fallback, onFalsy]) => v === void 0 || truthy(onFalsy) && !truthy(v) ? fallback : v
  ],
  ["d", (v, [fallback, onFalsy]) => v === void 0 || truthy(onFalsy) && !truthy(v) ? fallback : v],
  [
    "join",
    (v, [sep], at) => {
      if (!Array.isArray(v)) return text(v, at);
      const glue = text(sep ?? "", at);
      if (sizeOf(v) + v.length * glue.length > MAX_VALUE_SIZE)
        fail(at, `the template builds a value larger than ${MAX_VALUE_SIZE} characters`);
      return v.map((x) => text(x, at)).join(glue);
    }
  ],
  ["lower", (v, _, at) => text(v, at).toLowerCase()],
  ["upper", (v, _, at) => text(v, at).toUpperCase()],
  ["trim", (v, _, at) => text(v, at).trim()],
  [
    "capitalize",
    (v, _, at) => {
      const s = text(v, at);
      return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
    }
  ],
  [
    "replace",
    (v, [from, to], at) => {
      const [s, a, b] = [text(v, at), text(from, at), text(to ?? "", at)];
      const matches = a === "" ? s.length + 1 : s.split(a).length - 1;
      if (s.length + matches * Math.max(0, b.length - a.length) > MAX_VALUE_SIZE)
        fail(at, `the template builds a value larger than ${MAX_VALUE_SIZE} characters`);
      return s.replaceAll(a, b);
    }
  ],
  ["length", (v) => lengthOf(v)],
  ["count", (v) => lengthOf(v)],
  ["first", (v) => lookup(v, 0)],
  ["last", (v) => lookup(v, -1)],
  ["string", (v, _, at) => text(v, at)],
  ["safe", (v) => v],
  ["dump", (v, [indent]) => JSON.stringify(v ?? null, null, typeof indent === "number" ? indent : void 0)],
  ["items", (v) => isMapping(v) ? Object.entries(v) : []],
  [
    "dictsort",
    (v) => isMapping(v) ? Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0) : []
  ]
]);
function lengthOf(value) {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (isMapping(value)) return Object.keys(value).length;
  return 0;
}

// src/containerize/template/render.ts
var DEFAULT_LIMITS = { steps: 25e4, output: MAX_VALUE_SIZE, depth: 32 };
var Scope = class {
  constructor(parent, data) {
    this.parent = parent;
    this.data = data;
  }
  parent;
  data;
  vars = /* @__PURE__ */ new Map();
  get(name) {
    if (this.vars.has(name)) return this.vars.get(name);
    if (this.parent) return this.parent.get(name);
    return this.data && Object.hasOwn(this.data, name) ? this.data[name] : void 0;
  }
  set(name, value) {
    this.vars.set(name, value);
  }
};
function renderParsed(template, data, env) {
  return new Renderer(env).run(template, data);
}
var Renderer = class {
  constructor(env) {
    this.env = env;
  }
  env;
  chain = [];
  steps = 0;
  length = 0;
  frames = [];
  run(template, data) {
    const scope = new Scope(void 0, data);
    this.chain = [{ template, name: void 0 }];
    for (let current = template; current.extends; ) {
      for (const node of current.body)
        if (node.kind === "set") scope.set(node.name, this.eval(node.value, scope));
      const at = current.extends.at;
      const name = this.eval(current.extends.parent, scope);
      const parent = typeof name === "string" ? this.env.load(name) : void 0;
      if (typeof name !== "string" || !parent)
        fail(at, `{% extends %} can only name bento_base_template, not ${JSON.stringify(name ?? null)}`);
      if (this.chain.length >= this.env.limits.depth) fail(at, "templates extend each other in a loop");
      this.chain.push({ template: parent, name });
      current = parent;
    }
    const root = this.chain[this.chain.length - 1];
    return this.within(root.name, () => this.nodes(root.template.body, scope));
  }
  /** Errors raised while rendering a parent template say which template they are in. */
  within(name, render) {
    try {
      return render();
    } catch (err) {
      if (!(err instanceof TemplateError) || err.located) throw err;
      const located = name ? new TemplateError(`in ${name}: ${err.reason}`, err.line, err.column) : err;
      located.located = true;
      throw located;
    }
  }
  nodes(nodes, scope) {
    let out = "";
    for (const node of nodes) out += this.node(node, scope);
    return out;
  }
  node(node, scope) {
    this.step(node);
    switch (node.kind) {
      case "text":
        return this.emit(node.value, node);
      case "output":
        return this.emit(print(this.eval(node.expr, scope), node.at), node);
      case "if": {
        for (const branch of node.branches)
          if (truthy(this.eval(branch.cond, scope))) return this.nodes(branch.body, scope);
        return this.nodes(node.otherwise, scope);
      }
      case "for":
        return this.loop(node, scope);
      case "set":
        scope.set(node.name, this.eval(node.value, scope));
        return "";
      case "block":
        return this.block({ name: node.name, level: 0 }, scope, node);
      case "extends":
        return "";
    }
  }
  loop(node, scope) {
    const iterable = this.eval(node.iter, scope);
    let items;
    if (iterable === void 0 || iterable === null) items = [];
    else if (Array.isArray(iterable)) items = iterable;
    else if (isMapping(iterable)) items = Object.keys(iterable);
    else if (typeof iterable === "string") items = [...iterable];
    else return fail(node.at, "{% for %} needs a list, a mapping or a string");
    if (items.length === 0) return this.nodes(node.otherwise, scope);
    let out = "";
    items.forEach((item, index) => {
      this.step(node);
      const inner = new Scope(scope);
      if (node.targets.length === 1) inner.set(node.targets[0], item);
      else if (Array.isArray(item) && item.length === node.targets.length)
        for (const [i, t] of node.targets.entries()) inner.set(t, item[i]);
      else fail(node.at, `cannot unpack an item into ${node.targets.length} loop variables`);
      const info = /* @__PURE__ */ Object.create(null);
      Object.assign(info, {
        index: index + 1,
        index0: index,
        revindex: items.length - index,
        revindex0: items.length - index - 1,
        first: index === 0,
        last: index === items.length - 1,
        length: items.length
      });
      inner.set("loop", info);
      out += this.nodes(node.body, inner);
    });
    return out;
  }
  /** The definition of a block at `level` (0: the most derived) rendered in its own scope. */
  block(frame, scope, at) {
    const definitions = this.chain.filter((c) => c.template.blocks.has(frame.name));
    const definition = definitions[frame.level];
    if (!definition) return fail(at.at, `block "${frame.name}" has no parent block for super() to render`);
    if (this.frames.length >= this.env.limits.depth) fail(at.at, "blocks are nested too deeply (a loop?)");
    this.frames.push(frame);
    try {
      const body = definition.template.blocks.get(frame.name).body;
      return this.within(definition.name, () => this.nodes(body, new Scope(scope)));
    } finally {
      this.frames.pop();
    }
  }
  step(node) {
    if (++this.steps > this.env.limits.steps)
      fail("at" in node ? node.at : { line: 1, column: 1 }, "the template does too much work (a loop?)");
  }
  emit(text2, node) {
    this.length += text2.length;
    if (this.length > this.env.limits.output)
      fail(
        "at" in node ? node.at : { line: 1, column: 1 },
        `the output exceeds ${this.env.limits.output} characters`
      );
    return text2;
  }
  eval(expr, scope) {
    switch (expr.kind) {
      case "literal":
        return expr.value;
      case "name":
        return scope.get(expr.name);
      case "lookup":
        return lookup(this.eval(expr.target, scope), this.eval(expr.key, scope));
      case "list":
        return bounded(
          expr.items.map((item) => this.eval(item, scope)),
          expr.at
        );
      case "filter": {
        const filter = this.env.filters.get(expr.name);
        if (!filter) return fail(expr.at, `unknown filter "${expr.name}"`);
        const args = expr.args.map((arg) => this.eval(arg, scope));
        return bounded(filter(this.eval(expr.target, scope), args, expr.at), expr.at);
      }
      case "not":
        return !truthy(this.eval(expr.operand, scope));
      case "logical": {
        const left = this.eval(expr.left, scope);
        if (expr.op === "and") return truthy(left) ? this.eval(expr.right, scope) : left;
        return truthy(left) ? left : this.eval(expr.right, scope);
      }
      case "compare":
        return this.compare(expr, scope);
      case "concat":
        return bounded(
          print(this.eval(expr.left, scope), expr.at) + print(this.eval(expr.right, scope), expr.at),
          expr.at
        );
      case "test":
        return this.test(expr, scope) !== expr.negated;
      case "conditional":
        if (truthy(this.eval(expr.cond, scope))) return this.eval(expr.value, scope);
        return expr.otherwise ? this.eval(expr.otherwise, scope) : void 0;
      case "super": {
        const frame = this.frames[this.frames.length - 1];
        if (!frame) return fail(expr.at, "super() can only be called inside a {% block %}");
        return this.block({ name: frame.name, level: frame.level + 1 }, scope, expr);
      }
    }
  }
  compare(expr, scope) {
    const left = this.eval(expr.left, scope);
    const right = this.eval(expr.right, scope);
    switch (expr.op) {
      case "==":
        return equal(left, right);
      case "!=":
        return !equal(left, right);
      case "in":
        return contains(right, left, expr.at);
      case "not in":
        return !contains(right, left, expr.at);
      case "<":
        return order(left, right, expr.at) < 0;
      case ">":
        return order(left, right, expr.at) > 0;
      case "<=":
        return order(left, right, expr.at) <= 0;
      case ">=":
        return order(left, right, expr.at) >= 0;
    }
  }
  test(expr, scope) {
    const value = this.eval(expr.target, scope);
    switch (expr.test) {
      case "defined":
        return value !== void 0;
      case "undefined":
        return value === void 0;
      case "none":
        return value === null;
      case "string":
        return typeof value === "string";
      case "number":
        return typeof value === "number";
      case "mapping":
        return isMapping(value);
      case "sequence":
        return Array.isArray(value) || typeof value === "string";
      default:
        return fail(
          expr.at,
          `unknown test "${expr.test}": use defined, undefined, none, string, number, mapping or sequence`
        );
    }
  }
};

// src/containerize/template/index.ts
function renderTemplate(source, options) {
  const lex = { trimBlocks: options.trimBlocks ?? true, lstripBlocks: options.lstripBlocks ?? true };
  const data = toValue(options.data);
  if (!isMapping(data)) throw new TypeError("template data must be a mapping");
  const filters = new Map(BUILTIN_FILTERS);
  for (const [name, filter] of Object.entries(options.filters ?? {})) filters.set(name, filter);
  const named = new Map(Object.entries(options.templates ?? {}));
  const parsed = /* @__PURE__ */ new Map();
  const load = (name) => {
    const source2 = named.get(name);
    if (source2 === void 0) return void 0;
    let template = parsed.get(name);
    if (!template) {
      try {
        template = parseTemplate(source2, lex);
      } catch (err) {
        if (err instanceof TemplateError) {
          const located = new TemplateError(`in ${name}: ${err.reason}`, err.line, err.column);
          located.located = true;
          throw located;
        }
        throw err;
      }
      parsed.set(name, template);
    }
    return template;
  };
  return renderParsed(parseTemplate(source, lex), data, {
    filters,
    load,
    limits: { ...DEFAULT_LIMITS, ...options.limits }
  });
}

// src/containerize/templates/base.ts
var BASE_TEMPLATE_NAME = "bentoci/base.Dockerfile.j2";
var BASE_TEMPLATE = String.raw`# Generated by bentoci {{ bentoci_version }} for bento {{ bento.name }}.
# Do not edit: override its blocks with docker.dockerfile_template instead.
ARG NODE_IMAGE={{ node_image }}

{% block SETUP_BENTO_DEPS %}
# Stage "deps": the runtime's production dependencies. Only node_modules leaves this stage, so the
# npm cache, the build CA and npm itself stay out of the final image.
FROM $NODE_IMAGE AS deps
ARG NPM_CONFIG_REGISTRY=https://registry.npmjs.org/
ARG ONNXRUNTIME_NODE_INSTALL={{ ort_install }}
COPY {{ context.deps }}/ {{ runtime_dir }}/
# onnxruntime-node carries binaries for every platform; keep only the one this image runs on.
RUN cd {{ runtime_dir }} \
 && if [ -f {{ context.caFile }} ]; then export NODE_EXTRA_CA_CERTS="$PWD/{{ context.caFile }}"; fi \
 && npm ci --omit=dev --no-audit --no-fund --no-update-notifier --cache /tmp/npm-cache \
 && rm -rf /tmp/npm-cache \
 && node -e "const fs = require('fs'); const bin = 'node_modules/onnxruntime-node/bin/napi-v6/'; for (const os of fs.readdirSync(bin)) for (const arch of fs.readdirSync(bin + os)) if (os !== process.platform || arch !== process.arch) fs.rmSync(bin + os + (os === process.platform ? '/' + arch : ''), { recursive: true, force: true })"
{% if bento_deps %}
# The bento's own npm packages (node.packages), resolved from {{ bento_path }}/node_modules.
COPY {{ context.bentoDeps }}/ /opt/bentoci/bento-deps/
RUN cd /opt/bentoci/bento-deps \
 && if [ -f {{ runtime_dir }}/{{ context.caFile }} ]; then export NODE_EXTRA_CA_CERTS="{{ runtime_dir }}/{{ context.caFile }}"; fi \
 && npm {{ "ci" if bento_deps.lockfile else "install" }} --omit=dev --no-audit --no-fund --no-update-notifier --cache /tmp/npm-cache \
 && rm -rf /tmp/npm-cache
{% endif %}
{% endblock %}

{% block SETUP_BENTO_BASE_IMAGE %}
# Stage "bento": the image that runs.
FROM {{ base_image }} AS bento
{% if copy_node %}
COPY --from=deps {{ node_bin }} {{ node_bin }}
{% endif %}
{% endblock %}

{% block SETUP_BENTO_SYSTEM_PACKAGES %}
{% if system_packages | length %}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {{ system_packages | join(" ") }} \
 && rm -rf /var/lib/apt/lists/*
{% endif %}
{% endblock %}

{% block SETUP_BENTO_ENVARS %}
# One instruction: the classic builder makes a step (a container and a commit) of each.
ENV NODE_ENV=production \
    BENTO_PATH={{ bento_path }}{% for env in environment %} \
    {{ env.name }}={{ env.value | dq }}{% endfor %}

{% endblock %}

{% block SETUP_BENTO_COMPONENTS %}
{% if setup_script %}
COPY {{ setup_script }} /opt/bentoci/setup_script
RUN chmod +x /opt/bentoci/setup_script && /opt/bentoci/setup_script
{% endif %}
{% endblock %}

{% block SETUP_BENTO_NODE_MODULES %}
COPY --from=deps {{ runtime_dir }}/node_modules/ {{ runtime_dir }}/node_modules/
{% if bento_deps %}
COPY --from=deps /opt/bentoci/bento-deps/node_modules/ {{ bento_path }}/node_modules/
{% endif %}
{% endblock %}

{% block SETUP_BENTO_MODELS %}
# One layer per model, before the code: a code-only change reuses these layers.
{% for model in models %}
COPY {{ model.path }}/ {{ bento_path }}/{{ model.path }}/
{% endfor %}
{% endblock %}

{% block SETUP_BENTO_RUNTIME %}
COPY {{ context.runtime }}/ {{ runtime_dir }}/
{% endblock %}

{% block SETUP_BENTO_SRC %}
COPY {{ context.bento }}/ {{ bento_path }}/
WORKDIR {{ bento_path }}
{% endblock %}

{% block SETUP_BENTO_USER %}
# Files stay root-owned and read-only to the server, which runs as an unprivileged numeric user.
USER {{ uid }}:{{ gid }}
{% endblock %}

{% block SETUP_BENTO_ENTRYPOINT %}
EXPOSE {{ port }}
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD {{ [node_bin, "-e", healthcheck] | dump }}
ENTRYPOINT {{ entrypoint | dump }}
{% endblock %}

{% block SETUP_BENTO_LABELS %}
# The bento's labels and those that change with each build (org.opencontainers.image.version,
# .revision, .source, .created) are one more LABEL that bentoci containerize appends when it builds:
# last, so no cached layer depends on them, and not here, so this file is part of the bento's content
# (labels are not).
LABEL org.opencontainers.image.title={{ bento.name | dq }}{% if bento.description %} \
      org.opencontainers.image.description={{ bento.description | dq }}{% endif %}

{% endblock %}
`;

// src/containerize/render.ts
var ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
var SYSTEM_PACKAGE = /^[A-Za-z0-9][A-Za-z0-9.+_:=~*-]*$/;
var MODEL_PATH = /^models(\/[A-Za-z0-9_][A-Za-z0-9._-]*)+$/;
function renderDockerfile(bento, options = {}) {
  const base = chooseBase(bento.docker);
  const context = templateContext(bento, base, options);
  try {
    const text2 = renderTemplate(options.template?.source ?? BASE_TEMPLATE, {
      data: context,
      filters: { dq: (value) => dockerQuote(value) },
      templates: { [BASE_TEMPLATE_NAME]: BASE_TEMPLATE },
      trimBlocks: true,
      lstripBlocks: true
    });
    return `${text2.replace(/\n{3,}/g, "\n\n").trimEnd()}
`;
  } catch (err) {
    const where = options.template ? `docker.dockerfile_template "${options.template.path}"` : "the base Dockerfile template";
    throw new UsageError(`${where} failed to render: ${oneLine(err)}`);
  }
}
function templateContext(bento, base, options) {
  const docker = bento.docker;
  const envs = [...bento.envs, ...Object.entries(docker.env ?? {}).map(([name, value]) => ({ name, value }))];
  for (const { name, value } of envs) {
    if (!ENV_NAME.test(name))
      throw new UsageError(
        `invalid environment variable name "${name}" in bento ${bento.name}: expected letters, digits and _`
      );
    if (/[\r\n]/.test(value))
      throw new UsageError(
        `environment variable ${name} of bento ${bento.name} has a line break: Dockerfile ENV values must be one line`
      );
  }
  const systemPackages = docker.system_packages ?? [];
  for (const pkg of systemPackages) {
    if (!SYSTEM_PACKAGE.test(pkg))
      throw new UsageError(
        `invalid docker.system_packages entry "${pkg}": expected a package name like curl or curl=7.88*`
      );
  }
  for (const model of bento.models) {
    if (!MODEL_PATH.test(model.path) || model.path.split("/").includes("..")) {
      throw new UsageError(
        `bento ${bento.name}: model ${model.tag} has path "${model.path}": expected models/<name>/<version>`
      );
    }
  }
  return {
    bentoci_version: BENTOCI_VERSION,
    bento_base_template: BASE_TEMPLATE_NAME,
    bento: {
      name: bento.name,
      description: bento.description?.replace(/\s+/g, " ").trim() ?? ""
    },
    node_image: NODE_IMAGE,
    base_image: base.image,
    copy_node: base.copyNode,
    cuda_version: base.cudaVersion ?? "",
    // The CUDA provider's libraries are not in the npm tarball: the install script fetches them.
    ort_install: base.cudaVersion ? "cuda12" : "skip",
    system_packages: systemPackages,
    setup_script: options.setupScript ?? "",
    bento_deps: options.bentoDeps ?? null,
    envs,
    runtime_env: runtimeEnv({ cuda: base.cudaVersion !== void 0 }),
    environment: [...runtimeEnv({ cuda: base.cudaVersion !== void 0 }), ...envs],
    models: bento.models.map((m) => ({ tag: m.tag, path: m.path })),
    context: CONTEXT,
    runtime_dir: IMAGE.runtimeDir,
    bento_path: IMAGE.bentoPath,
    bento__path: IMAGE.bentoPath,
    uid: IMAGE.uid,
    gid: IMAGE.gid,
    port: IMAGE.port,
    healthcheck: healthcheckScript(),
    ...runtimeCommand()
  };
}
function dockerQuote(value) {
  const text2 = String(value ?? "").replace(/[\r\n]+/g, " ");
  return `"${text2.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "\\$")}"`;
}
function oneLine(err) {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}

// src/containerize/bento-files.ts
var STORED_DOCKERFILE = "env/docker/Dockerfile";
var TEMPLATE_COPY = "env/docker/Dockerfile.template";
var SETUP_SCRIPT_COPY = "env/docker/setup_script";
var NODE_ENV_DIR = "env/node";
async function renderBentoDockerfile(dir, bento, templateName) {
  const options = await renderOptionsOf(dir, bento);
  if (options.template && templateName) options.template.path = templateName;
  return renderDockerfile(bento, options);
}
async function dockerfileOf(dir, bento) {
  const stored = join(dir, STORED_DOCKERFILE);
  if (await exists(stored)) return { text: await readFile(stored, "utf8"), stored: true };
  if (bento.docker.dockerfile_template !== void 0 || await exists(join(dir, TEMPLATE_COPY))) {
    const name = bento.version ? `${bento.name}:${bento.version}` : bento.name;
    throw new UsageError(
      `bento ${name} has a docker.dockerfile_template but no ${STORED_DOCKERFILE}: containerize does not render a bento's template; rebuild the bento with bentoci build`
    );
  }
  return { text: await renderBentoDockerfile(dir, bento), stored: false };
}
async function renderOptionsOf(dir, bento) {
  const options = {};
  const template = await locate(
    dir,
    bento.docker.dockerfile_template,
    TEMPLATE_COPY,
    "docker.dockerfile_template"
  );
  if (template) {
    options.template = {
      source: await readFile(join(dir, template), "utf8"),
      path: bento.docker.dockerfile_template ?? template
    };
  }
  const script = await locate(dir, bento.docker.setup_script, SETUP_SCRIPT_COPY, "docker.setup_script");
  if (script) options.setupScript = `${CONTEXT.bento}/${script}`;
  const deps = await bentoDepsOf(dir, bento);
  if (deps) options.bentoDeps = { lockfile: deps.lockfile };
  return options;
}
async function bentoDepsOf(dir, bento) {
  const envDir = join(dir, NODE_ENV_DIR);
  if (await exists(join(envDir, "package.json"))) {
    const files2 = {
      "package.json": await readFile(join(envDir, "package.json"), "utf8")
    };
    for (const lock2 of ["package-lock.json", "npm-shrinkwrap.json"]) {
      if (await exists(join(envDir, lock2))) files2[lock2] = await readFile(join(envDir, lock2), "utf8");
    }
    return { files: files2, lockfile: Object.keys(files2).length > 1 };
  }
  const packages = bento.node?.packages ?? [];
  if (packages.length === 0) return void 0;
  const dependencies = Object.fromEntries(packages.map(splitPackageSpec));
  const files = {
    "package.json": `${JSON.stringify({ name: `${bento.name}-deps`, private: true, dependencies }, null, 2)}
`
  };
  const lock = await locate(dir, bento.node?.lockfile, void 0, "node.lockfile");
  if (lock) files["package-lock.json"] = await readFile(join(dir, lock), "utf8");
  return { files, lockfile: false };
}
function splitPackageSpec(spec) {
  const at = spec.lastIndexOf("@");
  if (at <= 0) return [spec, "*"];
  return [spec.slice(0, at), spec.slice(at + 1) || "*"];
}
async function locate(dir, option, copy, name) {
  const rel = option?.replace(/^\.\//, "");
  if (rel !== void 0 && (rel.startsWith("/") || rel.split("/").includes(".."))) {
    throw new UsageError(`invalid ${name} "${option}" in bento.yaml: expected a path inside the bento`);
  }
  const candidates = [rel, copy, rel === void 0 ? void 0 : `src/${rel}`].filter(
    (c) => c !== void 0
  );
  for (const candidate of candidates) if (await exists(join(dir, candidate))) return candidate;
  if (rel === void 0) return void 0;
  throw new UsageError(
    `${name} "${option}" is not in the bento (looked for ${candidates.join(", ")}); rebuild the bento with the file inside the build context`
  );
}

// src/build/reproducible.ts
import { createHash } from "node:crypto";
function parseSourceDateEpoch(value) {
  if (value === void 0 || value === "") return void 0;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seconds) || seconds * 1e3 > 864e13) {
    throw new UsageError(
      `invalid SOURCE_DATE_EPOCH "${value}": expected whole seconds since 1970-01-01 UTC (e.g. $(git log -1 --format=%ct))`
    );
  }
  return new Date(seconds * 1e3);
}
var BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
function base32(value, length) {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = BASE32[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
function derivedVersion(time, identity) {
  const hash = createHash("sha256").update(identity).digest();
  const tail = BigInt(`0x${hash.subarray(0, 5).toString("hex")}`) >> 5n;
  return base32(BigInt(time.getTime()), 9) + base32(tail, 7);
}

// src/core/archive/export.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash as createHash2 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { readFile as readFile2, stat as stat2 } from "node:fs/promises";
import { join as join3 } from "node:path";
import { Readable } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";
import { createGzip } from "node:zlib";

// src/core/archive/drain.ts
function drained(stream) {
  return new Promise((resolve2, reject) => {
    if (stream.destroyed) return reject(new Error("archive stream closed"));
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", onError);
    };
    const onDrain = () => {
      cleanup();
      resolve2();
    };
    const onClose = () => {
      cleanup();
      reject(new Error("archive stream closed"));
    };
    const onError = (err) => {
      cleanup();
      reject(err);
    };
    stream.on("drain", onDrain);
    stream.on("close", onClose);
    stream.on("error", onError);
  });
}

// src/core/archive/sources.ts
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat } from "node:fs/promises";
import { dirname, join as join2, resolve } from "node:path";
import { pipeline } from "node:stream/promises";

// src/core/archive/http.ts
var import_undici = __toESM(require_undici(), 1);
import { PassThrough } from "node:stream";
var TIMEOUTS = { headersTimeout: 6e4, bodyTimeout: 6e4, connectTimeout: 3e4 };
var ATTEMPTS = 3;
var BASE_DELAY_MS = 500;
var agents;
function dispatchers() {
  const plain2 = new import_undici.Agent({ connect: { timeout: TIMEOUTS.connectTimeout } });
  agents ??= { get: plain2.compose(import_undici.interceptors.redirect({ maxRedirections: 5 })), put: plain2 };
  return agents;
}
var HttpStatusError = class extends BentoError {
  constructor(status, message) {
    super(message);
    this.status = status;
    this.name = "HttpStatusError";
  }
  status;
};
function displayUrl(url) {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?\u2026" : ""}`;
}
async function httpGet(url, signal) {
  const res = await (0, import_undici.request)(url, { method: "GET", dispatcher: dispatchers().get, signal, ...TIMEOUTS });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const detail = await snippet(res.body);
    throw new HttpStatusError(
      res.statusCode,
      `GET ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`
    );
  }
  const length = Number(res.headers["content-length"]);
  return { body: res.body, ...Number.isSafeInteger(length) && length >= 0 ? { size: length } : {} };
}
function httpPut(url, contentType, signal) {
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const done = (0, import_undici.request)(url, {
    method: "PUT",
    dispatcher: dispatchers().put,
    body,
    headers: { "content-type": contentType },
    signal,
    ...TIMEOUTS
  }).then(
    async (res) => {
      const detail = await snippet(res.body);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const err = new HttpStatusError(
          res.statusCode,
          `PUT ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`
        );
        body.destroy(err);
        throw err;
      }
    },
    (err) => {
      body.destroy(err);
      throw err;
    }
  );
  return { body, done };
}
async function snippet(body) {
  const text2 = await (body.text?.() ?? Promise.resolve("")).catch(() => "");
  const line = text2.replace(/\s+/g, " ").trim().slice(0, 200);
  return line ? ` (${line})` : "";
}
var TRANSIENT_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT"
]);
function isTransient(err) {
  if (err instanceof HttpStatusError) return err.status === 408 || err.status === 429 || err.status >= 500;
  let current = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = current.code;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}
async function withRetries(attempt, options) {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= ATTEMPTS || options.signal?.aborted || !isTransient(err)) throw err;
      const delay = BASE_DELAY_MS * 2 ** (n - 1);
      const log = options.log ?? ((line) => process.stderr.write(`${line}
`));
      log(`${err.message}; retrying in ${delay} ms (attempt ${n + 1} of ${ATTEMPTS})`);
      await new Promise((resolve2) => setTimeout(resolve2, delay));
    }
  }
}

// src/core/archive/sources.ts
var SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
var CHUNK = 1 << 20;
function parseLocation(text2, flag) {
  if (text2 === "-") return { kind: "stdio" };
  if (SCHEME.test(text2)) {
    let url;
    try {
      url = new URL(text2);
    } catch {
      throw new UsageError(`invalid ${flag} "${text2}": not a valid URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UsageError(`invalid ${flag} "${text2}": expected a file path, - or an http(s):// URL`);
    }
    return { kind: "url", url };
  }
  if (text2.length === 0)
    throw new UsageError(`invalid ${flag} "": expected a file path, - or an http(s):// URL`);
  return { kind: "file", path: resolve(text2) };
}
function describeLocation(location, stdio) {
  if (location.kind === "stdio") return stdio;
  if (location.kind === "url") return displayUrl(location.url);
  return location.path;
}
async function resolveDestination(text2, defaultName) {
  if (text2 === void 0) return { kind: "file", path: resolve(defaultName) };
  const location = parseLocation(text2, "destination");
  if (location.kind === "file" && (await stat(location.path).catch(() => void 0))?.isDirectory()) {
    return { kind: "file", path: join2(location.path, defaultName) };
  }
  return location;
}
async function openSource(location, signal) {
  if (location.kind === "stdio") {
    if (process.stdin.isTTY)
      throw new UsageError("refusing to read an archive from a terminal: pipe one into stdin or pass a file");
    return { stream: process.stdin };
  }
  if (location.kind === "url") {
    const { body, size } = await httpGet(location.url, signal);
    return { stream: body, ...size !== void 0 ? { size } : {} };
  }
  const info = await stat(location.path).catch(() => void 0);
  if (!info) throw new UsageError(`archive "${location.path}" does not exist`);
  if (!info.isFile()) throw new UsageError(`archive "${location.path}" is not a file`);
  return {
    stream: createReadStream(location.path, { highWaterMark: CHUNK, ...signal ? { signal } : {} }),
    size: info.size
  };
}
async function writeArchive(location, produce, options) {
  try {
    if (location.kind === "stdio") return await toStdout(produce, options.signal);
    if (location.kind === "url") return await toUrl(location.url, produce, options);
    return await toFile(location.path, produce, options.signal);
  } catch (err) {
    throw describeWriteFailure(err, location);
  }
}
function counter() {
  let bytes = 0;
  return {
    count: async function* (source) {
      for await (const chunk of source) {
        bytes += chunk.length;
        yield chunk;
      }
    },
    bytes: () => bytes
  };
}
async function toStdout(produce, signal) {
  if (process.stdout.isTTY) {
    throw new UsageError("refusing to write an archive to a terminal: redirect stdout or pass a file");
  }
  const { count, bytes } = counter();
  await pipeline(produce(), count, process.stdout, { signal });
  return bytes();
}
async function toUrl(url, produce, options) {
  const { signal } = options;
  return withRetries(
    async () => {
      const { count, bytes } = counter();
      const put = httpPut(url, options.contentType, signal);
      const [sent, answered] = await Promise.allSettled([
        pipeline(produce(), count, put.body, { signal }),
        put.done
      ]);
      if (answered.status === "rejected" && sent.status === "rejected" && !(sent.reason instanceof BentoError)) {
        throw describeWriteFailure(answered.reason, { kind: "url", url });
      }
      if (sent.status === "rejected") throw describeWriteFailure(sent.reason, { kind: "url", url });
      if (answered.status === "rejected") throw describeWriteFailure(answered.reason, { kind: "url", url });
      return bytes();
    },
    {
      ...signal ? { signal } : {},
      ...options.log ? { log: options.log } : {}
    }
  );
}
async function toFile(path, produce, signal) {
  const partial = `${path}.${process.pid}.partial`;
  const { count, bytes } = counter();
  try {
    await pipeline(produce(), count, createWriteStream(partial, { flags: "wx", highWaterMark: CHUNK }), {
      signal
    });
    await rename(partial, path);
  } catch (err) {
    await removeQuietly(partial);
    throw err;
  }
  return bytes();
}
function describeWriteFailure(err, location) {
  if (err instanceof BentoError) return err;
  const message = err?.message ?? String(err);
  const code = err?.code;
  if (location.kind === "stdio") {
    const why2 = code === "EPIPE" ? "the reading end of the pipe closed early" : message;
    return new BentoError(`cannot write the archive to stdout: ${why2}`, { cause: err });
  }
  if (location.kind === "url") {
    return new BentoError(`cannot upload the archive to ${displayUrl(location.url)}: ${message}`, {
      cause: err
    });
  }
  const missingDir = code === "ENOENT" && err.path?.endsWith(".partial");
  const why = missingDir ? `directory ${dirname(location.path)} does not exist` : message;
  return new BentoError(`cannot write archive "${location.path}": ${why}`, { cause: err });
}

// src/core/archive/export.ts
async function exportEntry(store, tag, destination, options = {}) {
  const format = options.format ?? "gz";
  const entry = await store.get(tag);
  const plan = await planArchive(store, entry);
  const location = await resolveDestination(destination, defaultArchiveName(store.kind.noun, entry.tag));
  const label = `exporting ${formatTag(entry.tag)}`;
  const bytes = await writeArchive(
    location,
    () => archiveStream(plan, {
      format,
      level: options.level ?? DEFAULT_GZIP_LEVEL,
      meter: progress(label, plan.manifest.size, options.log)
    }),
    {
      contentType: format === "gz" ? "application/gzip" : "application/x-tar",
      ...options.signal ? { signal: options.signal } : {},
      ...options.log ? { log: options.log } : {}
    }
  );
  return {
    tag: entry.tag,
    destination: describeLocation(location, "stdout"),
    format,
    bytes,
    size: plan.manifest.size,
    digest: plan.manifest.digest
  };
}
async function planArchive(store, entry) {
  const damaged = (what) => new IntegrityError(
    `${store.kind.noun} ${formatTag(entry.tag)} is damaged: ${what}; check it with \`bentoci ${store.kind.folder} verify\``
  );
  await store.assertMetadata(entry);
  const infoData = await readFile2(join3(entry.dir, store.kind.infoFile));
  const members = [
    { rel: store.kind.infoFile, size: infoData.length, sha256: sha256(infoData), data: infoData }
  ];
  for (const file of entry.info.files) {
    assertSafePath(file.path, "recorded file", entry.dir);
    const path = within(entry.dir, file.path);
    const actual = await stat2(path).catch(() => void 0);
    if (!actual?.isFile()) throw damaged(`${file.path} is missing`);
    if (actual.size !== file.size)
      throw damaged(`${file.path} is ${actual.size} bytes, ${file.size} recorded`);
    members.push({ rel: file.path, size: file.size, sha256: file.sha256, path });
  }
  const signaturesDir = join3(entry.dir, SIGNATURES_DIR);
  if (await exists(signaturesDir)) {
    for (const rel of await listFiles(signaturesDir)) {
      const data = await readFile2(join3(signaturesDir, rel));
      members.push({ rel: `${SIGNATURES_DIR}/${rel}`, size: data.length, sha256: sha256(data), data });
    }
  }
  const files = members.map((m) => ({ path: m.rel, sha256: m.sha256, size: m.size })).sort((a, b) => compare(a.path, b.path));
  const manifest = {
    format: FORMAT_NAME,
    format_version: FORMAT_VERSION,
    kind: store.kind.noun,
    tag: formatTag(entry.tag),
    digest: entry.info.digest,
    info_file: store.kind.infoFile,
    files,
    size: files.reduce((sum, f) => sum + f.size, 0),
    bentoci_version: BENTOCI_VERSION
  };
  return { manifest, members, mtime: new Date(entry.info.creation_time) };
}
function archiveStream(plan, options) {
  const pack = import_tar_stream.default.pack();
  pack.on("error", () => void 0);
  fillPack(pack, plan, options.meter).then(
    () => options.meter.done(),
    (err) => pack.destroy(err)
  );
  const tarBytes = (async function* () {
    for await (const chunk of pack) yield chunk;
  })();
  if (options.format === "tar") return Readable.from(tarBytes, { objectMode: false, highWaterMark: 1 << 20 });
  const gzip = createGzip({ level: options.level, chunkSize: 256 * 1024 });
  pipeline2(tarBytes, gzip).catch((err) => gzip.destroy(err));
  return gzip;
}
async function fillPack(pack, plan, meter) {
  const header = (name, size) => ({
    name,
    size,
    mode: 420,
    mtime: plan.mtime,
    type: "file",
    uid: 0,
    gid: 0,
    uname: "",
    gname: ""
  });
  const manifest = Buffer.from(`${JSON.stringify(plan.manifest, null, 2)}
`);
  await addBuffer(pack, header(MANIFEST_NAME, manifest.length), manifest);
  for (const member of plan.members) {
    const name = memberName(member.rel);
    if (member.data) {
      await addBuffer(pack, header(name, member.size), member.data);
      meter.add(member.size);
    } else await addFile(pack, header(name, member.size), member, meter);
  }
  pack.finalize();
}
function addBuffer(pack, header, data) {
  return new Promise((resolve2, reject) => {
    pack.entry(header, data, (err) => err ? reject(err) : resolve2());
  });
}
async function addFile(pack, header, member, meter) {
  let settle = () => void 0;
  const added = new Promise((resolve2, reject) => {
    settle = (err) => err ? reject(err) : resolve2();
  });
  added.catch(() => void 0);
  const sink = pack.entry(header, (err) => settle(err));
  sink.on("error", () => void 0);
  const hash = createHash2("sha256");
  if (member.size > 0) {
    const input = createReadStream2(member.path, { highWaterMark: 1 << 20, end: member.size - 1 });
    try {
      for await (const chunk of input) {
        hash.update(chunk);
        meter.add(chunk.length);
        if (!sink.write(chunk)) await drained(sink);
      }
    } catch (err) {
      input.destroy();
      sink.destroy(err);
      throw err;
    }
  }
  const actual = hash.digest("hex");
  if (actual !== member.sha256) {
    const err = new IntegrityError(
      `${member.path} does not match its recorded sha256 (${member.sha256.slice(0, 12)}\u2026, found ${actual.slice(0, 12)}\u2026); the entry is damaged, so it is not exported`
    );
    sink.destroy(err);
    throw err;
  }
  sink.end(void 0);
  await added;
}
function sha256(data) {
  return createHash2("sha256").update(data).digest("hex");
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/core/archive/limits.ts
import { statfs } from "node:fs/promises";
var DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 ** 3;
var TRAILER_ALLOWANCE = 1024 * 1024;
var FREE_SPACE_MARGIN = 16 * 1024 * 1024;
var BLOCK = 512;
var RAW_SLACK = 8 * 1024 * 1024;
var UNITS = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
function parseByteSize(text2, flag) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?b)?|b)?\s*$/i.exec(text2);
  const unit = match?.[2]?.toLowerCase() ?? "";
  const decimal = match?.[3] !== void 0 && match[3].toLowerCase() === "b";
  if (!match || decimal) {
    throw new UsageError(
      `invalid ${flag} "${text2}": expected bytes or a size like 512MiB, 64GiB or 1TiB (powers of 1024)`
    );
  }
  const bytes = Math.floor(Number(match[1]) * (UNITS[unit] ?? 1));
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new UsageError(`invalid ${flag} "${text2}": expected a size above 0 bytes`);
  return bytes;
}
function checkDeclaredSize(manifest, maxBytes, label) {
  if (manifest.size > maxBytes) {
    throw new BentoError(
      `archive "${label}" declares ${formatBytes(manifest.size)} of files, more than the import limit of ${formatBytes(maxBytes)}; pass a larger --max-size if you expect an entry that big`
    );
  }
}
async function checkFreeSpace(dir, manifest, label) {
  const fs = await statfs(dir).catch(() => void 0);
  if (!fs) return;
  const free = fs.bavail * fs.bsize;
  if (manifest.size + FREE_SPACE_MARGIN > free) {
    throw new BentoError(
      `archive "${label}" declares ${formatBytes(manifest.size)} of files but only ${formatBytes(free)} is free where the store stages it (${dir}); free some space or point BENTOCI_HOME elsewhere`
    );
  }
}
function tarBytesFor(manifest) {
  let total = 0;
  for (const file of manifest.files) {
    const name = ENTRY_DIR.length + 1 + Buffer.byteLength(file.path);
    const longName = BLOCK + roundUp(name + 2 * BLOCK);
    total += BLOCK + roundUp(file.size) + 2 * (BLOCK + longName);
  }
  return total;
}
function roundUp(n) {
  return Math.ceil(n / BLOCK) * BLOCK;
}
var TarBudget = class {
  constructor(label) {
    this.label = label;
  }
  label;
  tar = 0;
  raw = 0;
  limit = MAX_MANIFEST_BYTES + 4 * BLOCK + TRAILER_ALLOWANCE;
  stage = "before the manifest";
  /** Set when the budget refused, so the importer reports it rather than the broken stream it causes. */
  refusal;
  /** The manifest is read: the rest may take what its members can. */
  expect(manifest) {
    this.limit = this.tar + tarBytesFor(manifest) + TRAILER_ALLOWANCE;
    this.stage = "in its members";
  }
  /** Every listed member arrived: only a tar trailer may follow. */
  complete() {
    this.limit = Math.min(this.limit, this.tar + TRAILER_ALLOWANCE);
    this.stage = "after its last member";
  }
  takeRaw(bytes) {
    this.raw += bytes;
    if (this.raw > this.limit + this.limit / 512 + RAW_SLACK) this.refuse("bytes");
  }
  takeTar(bytes) {
    this.tar += bytes;
    if (this.tar > this.limit) this.refuse("tar bytes");
  }
  refuse(what) {
    this.refusal ??= new BentoError(
      `archive "${this.label}" holds more data than its manifest accounts for (over ${formatBytes(this.limit)} of ${what}, ${this.stage}); refusing to read further`
    );
    throw this.refusal;
  }
};

// src/core/archive/import.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
var import_yaml2 = __toESM(require_dist(), 1);
import { readFile as readFile3 } from "node:fs/promises";
import { pipeline as pipeline4 } from "node:stream/promises";
import { createGunzip } from "node:zlib";

// src/core/archive/members.ts
import { createHash as createHash3 } from "node:crypto";
import { createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname as dirname2 } from "node:path";
import { pipeline as pipeline3 } from "node:stream/promises";
var KINDS = ["model", "bento"];
async function readManifest(member, label) {
  if (member.header.size > MAX_MANIFEST_BYTES) {
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is ${member.header.size} bytes, more than a manifest can be`
    );
  }
  const chunks = [];
  for await (const chunk of member) chunks.push(chunk);
  let raw;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is not valid JSON (${err.message})`
    );
  }
  const parsed = archiveManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is not a bentoci archive manifest: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`
    );
  }
  return parsed.data;
}
function checkManifest(manifest, store, label) {
  const { noun, folder, infoFile } = store.kind;
  if (manifest.kind !== noun) {
    const hint = KINDS.includes(manifest.kind) ? `import it with \`${commandOf(manifest.kind)} import\`` : "bentoci imports models and bentos only";
    throw new UsageError(`archive "${label}" holds a ${manifest.kind}, not a ${noun} (${hint})`);
  }
  parseTag(manifest.tag, `tag in archive "${label}"`);
  if (manifest.tag.endsWith(`:${LATEST}`)) {
    throw new BentoError(
      `archive "${label}" names version "${LATEST}", which is reserved for the latest pointer; refusing to import it`
    );
  }
  if (manifest.info_file !== infoFile) {
    throw new BentoError(
      `archive "${label}": its manifest names info file "${manifest.info_file}", expected ${infoFile} for ${folder}`
    );
  }
  const paths = /* @__PURE__ */ new Set();
  for (const file of manifest.files) {
    assertSafePath(file.path, "manifest path", label);
    if (paths.has(file.path))
      throw new BentoError(`archive "${label}": its manifest lists "${file.path}" twice`);
    paths.add(file.path);
  }
  if (!paths.has(infoFile))
    throw new BentoError(`archive "${label}": its manifest does not list ${infoFile}`);
  if (manifest.format_version === LEGACY_FORMAT_VERSION) {
    const again = noun === "model" ? "saved" : "built";
    throw new IntegrityError(
      `archive "${label}" was written by an earlier bentoci (archive format ${LEGACY_FORMAT_VERSION}), whose digest covers the files but not ${infoFile}; refusing it: export it again from a store where it was ${again} with this bentoci`
    );
  }
  if (manifest.files.reduce((sum, f) => sum + f.size, 0) !== manifest.size) {
    throw new IntegrityError(`archive "${label}": its manifest's size does not add up`);
  }
  return manifest;
}
async function existingState(store, tag, digest) {
  const dir = store.dirOf(tag);
  if (!await exists(dir)) return { state: "absent" };
  let info;
  try {
    info = await store.readInfo(dir, tag);
  } catch (err) {
    return { state: "damaged", problem: err.message };
  }
  if (info.digest !== digest) return { state: "different", digest: info.digest };
  const entry = { tag, dir, info };
  const problems = await store.verify(entry);
  if (problems.length > 0)
    return { state: "damaged", problem: problems.map((p) => `${p.path} ${p.problem}`).join(", ") };
  return { state: "identical", entry };
}
async function writeMember(member, path, declared) {
  await mkdir(dirname2(path), { recursive: true });
  const counted = counter2(declared);
  await pipeline3(counted.chunks(member), createWriteStream2(path, { flags: "wx", highWaterMark: 1 << 20 }));
  return counted.result();
}
async function hashMember(member, declared, keep = false) {
  if (keep && declared.size > MAX_MANIFEST_BYTES)
    throw new IntegrityError(`${declared.name} is ${declared.size} bytes, more than an info file can be`);
  const counted = counter2(declared);
  const kept = [];
  for await (const bytes of counted.chunks(member)) if (keep) kept.push(bytes);
  return keep ? { ...counted.result(), bytes: Buffer.concat(kept) } : counted.result();
}
function counter2(declared) {
  const hash = createHash3("sha256");
  let size = 0;
  return {
    chunks: async function* (member) {
      for await (const chunk of member) {
        const bytes = chunk;
        size += bytes.length;
        if (size > declared.size)
          throw new IntegrityError(
            `${declared.name} holds more than the ${declared.size} bytes its manifest declares; refusing to write more`
          );
        hash.update(bytes);
        yield bytes;
      }
    },
    result: () => ({ sha256: hash.digest("hex"), size })
  };
}

// src/core/archive/present.ts
var import_yaml = __toESM(require_dist(), 1);
import { isDeepStrictEqual } from "node:util";
function checkPresentCopy(store, entry, manifest, infoBytes, label) {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const infoName = memberName(store.kind.infoFile);
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (!sameFiles(content, entry.info.files)) {
    throw new IntegrityError(
      `archive "${label}": its files differ from those of ${what}, already stored under the same digest; the archive was altered`
    );
  }
  let parsed;
  try {
    const result = store.kind.schema.safeParse(import_yaml.default.parse(infoBytes.toString("utf8")));
    if (result.success) parsed = result.data;
  } catch {
    parsed = void 0;
  }
  if (!parsed || !isDeepStrictEqual(plain(parsed), plain(entry.info))) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} differs from the ${store.kind.infoFile} of ${what}, already stored under the same digest; the archive was altered`
    );
  }
}
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}
function sameFiles(a, b) {
  if (a.length !== b.length) return false;
  const byPath = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const other = byPath.get(f.path);
    return other !== void 0 && other.sha256 === f.sha256 && other.size === f.size;
  });
}

// src/core/archive/import.ts
async function importArchive(store, source, options = {}) {
  const location = parseLocation(source, "archive");
  const label = describeLocation(location, "stdin");
  const attempt = () => importOnce(store, location, label, options);
  if (location.kind !== "url") return attempt();
  return withRetries(attempt, {
    ...options.signal ? { signal: options.signal } : {},
    ...options.log ? { log: options.log } : {}
  });
}
async function importOnce(store, location, label, options) {
  const { signal } = options;
  const remote = location.kind === "url";
  const opened = await openSource(location, signal).catch((err) => {
    throw describeFailure(err, label, remote, signal);
  });
  const input = opened.stream;
  const meter = progress(`importing ${label}`, opened.size, options.log);
  const extract = import_tar_stream2.default.extract();
  extract.on("error", () => void 0);
  const budget = new TarBudget(label);
  let feeding;
  try {
    const head = await peek(input, 2);
    if (head.length === 0) throw new BentoError(`archive "${label}" is empty`);
    feeding = feed(input, head[0] === 31 && head[1] === 139, extract, meter, budget, signal);
    feeding.catch((err) => extract.destroy(err));
    return await readArchive(store, extract, feeding, {
      label,
      force: options.force ?? false,
      maxSize: options.maxSize ?? DEFAULT_MAX_IMPORT_BYTES,
      budget
    });
  } catch (err) {
    throw describeFailure(budget.refusal ?? err, label, remote, signal);
  } finally {
    extract.destroy();
    input.destroy();
    await feeding?.catch(() => void 0);
  }
}
async function feed(input, gzipped, extract, meter, budget, signal) {
  const count = async function* (source) {
    for await (const chunk of source) {
      budget.takeRaw(chunk.length);
      meter.add(chunk.length);
      yield chunk;
    }
  };
  let delivered = false;
  const into = async (source) => {
    for await (const chunk of source) {
      budget.takeTar(chunk.length);
      if (!extract.write(chunk)) await drained(extract);
    }
    extract.end(void 0);
    delivered = true;
  };
  const options = signal ? { signal } : {};
  try {
    if (gzipped) await pipeline4(input, count, createGunzip({ chunkSize: 256 * 1024 }), into, options);
    else await pipeline4(input, count, into, options);
  } catch (err) {
    const padded = gzipped && delivered && !signal?.aborted && err?.name === "AbortError";
    if (!padded) throw err;
  }
  meter.done();
}
async function readArchive(store, extract, feeding, context) {
  const { label } = context;
  let manifest;
  let expected = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Set();
  let existing = { state: "absent" };
  let staged;
  let infoBytes;
  try {
    for await (const member of extract) {
      const role = classifyMember(member.header, label);
      if (!manifest) {
        if (role.role !== "manifest") {
          throw new BentoError(
            `archive "${label}" is not a bentoci archive: its first member is "${member.header.name}", not bentoci-archive.json (make archives with \`${commandOf(store.kind.noun)} export\`)`
          );
        }
        manifest = checkManifest(await readManifest(member, label), store, label);
        checkDeclaredSize(manifest, context.maxSize, label);
        context.budget.expect(manifest);
        expected = new Map(manifest.files.map((f) => [f.path, f]));
        existing = await existingState(store, parseTag(manifest.tag), manifest.digest);
        if (existing.state !== "identical") {
          refuseExisting(store, manifest, existing, context.force);
          staged = await store.stage();
          await checkFreeSpace(staged, manifest, label);
        }
        continue;
      }
      if (role.role === "manifest")
        throw new BentoError(`archive "${label}" holds a second bentoci-archive.json; refusing to import it`);
      if (role.role === "directory") {
        member.resume();
        continue;
      }
      const want = expected.get(role.rel);
      if (!want)
        throw new BentoError(
          `archive "${label}" has member "${member.header.name}" that its manifest does not list; refusing to import it`
        );
      if (seen.has(role.rel))
        throw new BentoError(`archive "${label}" holds "${member.header.name}" twice; refusing to import it`);
      seen.add(role.rel);
      if (member.header.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} is ${member.header.size} bytes but its manifest says ${want.size}`
        );
      }
      const declared = { size: want.size, name: `archive "${label}": ${memberName(role.rel)}` };
      const got = staged ? await writeMember(member, within(staged, role.rel), declared) : await hashMember(member, declared, role.rel === store.kind.infoFile);
      if (got.bytes) infoBytes = got.bytes;
      if (got.sha256 !== want.sha256 || got.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} does not match its sha256 in the manifest (expected ${want.sha256.slice(0, 12)}\u2026, got ${got.sha256.slice(0, 12)}\u2026); it was altered or damaged`
        );
      }
      if (seen.size === expected.size) context.budget.complete();
    }
    await feeding;
    if (!manifest) throw new BentoError(`archive "${label}" holds no members`);
    const missing = [...expected.keys()].filter((path) => !seen.has(path));
    if (missing.length > 0) {
      throw new IntegrityError(
        `archive "${label}" is incomplete: ${missing.map(memberName).join(", ")} listed in its manifest ${missing.length === 1 ? "is" : "are"} missing`
      );
    }
    if (existing.state === "identical") {
      checkPresentCopy(store, existing.entry, manifest, infoBytes ?? Buffer.alloc(0), label);
      return { outcome: "already-present", entry: existing.entry, source: label };
    }
    if (!staged) throw new BentoError(`archive "${label}" holds no members`);
    const entry = await commitStaged(store, staged, manifest, label, context.force);
    staged = void 0;
    return { outcome: existing.state === "absent" ? "imported" : "replaced", entry, source: label };
  } finally {
    if (staged) await removeQuietly(staged);
  }
}
function refuseExisting(store, manifest, existing, force) {
  if (force || existing.state === "absent") return;
  const what = `${store.kind.noun} ${manifest.tag}`;
  if (existing.state === "damaged") {
    throw new UsageError(
      `${what} already exists but is damaged (${existing.problem}); use --force to replace it from the archive`
    );
  }
  if (existing.state === "different") {
    throw new UsageError(
      `${what} already exists with different content (${existing.digest}; the archive holds ${manifest.digest}): saved tags are immutable (use --force to replace it)`
    );
  }
}
async function commitStaged(store, staged, manifest, label, force) {
  const infoName = memberName(store.kind.infoFile);
  let raw;
  try {
    raw = import_yaml2.default.parse(await readFile3(within(staged, store.kind.infoFile), "utf8"));
  } catch (err) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} is not valid YAML (${err.message.split("\n")[0]})`
    );
  }
  const parsed = store.kind.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IntegrityError(
      `archive "${label}": ${infoName} is not a valid ${store.kind.infoFile}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`
    );
  }
  const info = parsed.data;
  const tag = parseTag(manifest.tag);
  if (info.name !== tag.name || info.version !== tag.version) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} describes ${info.name}:${info.version} but the manifest says ${manifest.tag}`
    );
  }
  if (info.digest !== manifest.digest) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} records digest ${info.digest} but the manifest says ${manifest.digest}`
    );
  }
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (!sameFiles(info.files, content)) {
    throw new IntegrityError(
      `archive "${label}": the files listed in ${infoName} differ from the archive's manifest`
    );
  }
  const others = await store.list({ name: tag.name });
  const moveLatest = others.every(
    (o) => o.tag.version === tag.version || o.info.creation_time <= info.creation_time
  );
  return store.commit(staged, tag, (computed) => ({ ...info, ...computed }), {
    force,
    moveLatest,
    // Every member was hashed as it was written and matched the manifest: no second read of the bytes.
    hashedWhileStaged: manifest.files,
    expectDigest: manifest.digest,
    source: `archive "${label}"`
  });
}
async function peek(stream, n) {
  const chunks = [];
  let length = 0;
  while (length < n && !stream.readableEnded) {
    const chunk = stream.read();
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      continue;
    }
    await new Promise((resolve2, reject) => {
      const done = (err) => {
        stream.off("readable", onReadable).off("end", onEnd).off("error", done).off("close", onEnd);
        if (err) reject(err);
        else resolve2();
      };
      const onReadable = () => done();
      const onEnd = () => done();
      stream.on("readable", onReadable).on("end", onEnd).on("error", done).on("close", onEnd);
    });
    if (stream.destroyed && !stream.readableEnded) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head;
}
function describeFailure(err, label, remote, signal) {
  if (err instanceof BentoError) return err;
  const message = err?.message ?? String(err);
  const code = err?.code ?? "";
  if (signal?.aborted || err?.name === "AbortError")
    return new BentoError(`import of "${label}" was cancelled`, { cause: err });
  if (code.startsWith("Z_") || /incorrect header check|unexpected end of file|invalid (stored )?block|checksum/i.test(message)) {
    return new BentoError(
      `archive "${label}" is corrupt: its gzip data is damaged or truncated (${message})`,
      { cause: err }
    );
  }
  if (/Unexpected end of data/.test(message)) {
    return new BentoError(`archive "${label}" is truncated: the tar data ends in the middle of a member`, {
      cause: err
    });
  }
  if (/Invalid tar header/.test(message)) {
    return new BentoError(`archive "${label}" is corrupt or not a tar archive (${message})`, { cause: err });
  }
  if (remote && isTransient(err))
    return new BentoError(`cannot download archive "${label}": ${message}`, { cause: err });
  return new BentoError(`cannot import archive "${label}": ${message}`, { cause: err });
}

export {
  renderDockerfile,
  dockerQuote,
  STORED_DOCKERFILE,
  renderBentoDockerfile,
  dockerfileOf,
  bentoDepsOf,
  parseSourceDateEpoch,
  derivedVersion,
  exportEntry,
  DEFAULT_MAX_IMPORT_BYTES,
  parseByteSize,
  importArchive
};
