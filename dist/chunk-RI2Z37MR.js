import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BENTOCI_VERSION,
  CONTEXT,
  IMAGE,
  UsageError,
  exists
} from "./chunk-QGJIJT2I.js";

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

export {
  dockerQuote,
  STORED_DOCKERFILE,
  renderBentoDockerfile,
  dockerfileOf,
  bentoDepsOf
};
