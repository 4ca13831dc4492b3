import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BATCH_AXES_FIX,
  BENTOCI_VERSION,
  BINARY_DTYPES,
  BentoError,
  CONTEXT,
  DEFAULT_GZIP_LEVEL,
  ENTRY_DIR,
  FORMAT_NAME,
  FORMAT_VERSION,
  HttpStatusError,
  IMAGE,
  INTEGER_RANGES,
  IntegrityError,
  LATEST,
  LEGACY_FORMAT_VERSION,
  LOCK_FILE,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  NotFoundError,
  OptionError,
  SIGNATURES_DIR,
  TAG_PART,
  TAG_PART_MAX,
  UsageError,
  UserText,
  archiveManifestSchema,
  assertSafePath,
  axisProblem,
  batchAxisOf,
  batchingFieldSchema,
  classifyMember,
  cudaVersionHint,
  defaultArchiveName,
  dockerOptionsSchema,
  exists,
  exportOperation,
  external_exports,
  formatBytes,
  formatTag,
  importOperation,
  inferBatchAxes,
  invalidValue,
  isLegacyDigest,
  isTransient,
  listFiles,
  manifestDigest,
  memberName,
  newVersion,
  noun,
  openBentoStore,
  openModelStore,
  operation,
  option,
  optionIssue,
  parseOptions,
  parseTag,
  progress,
  removeQuietly,
  require_dist,
  require_tar_stream,
  require_undici,
  resolveBatchAxes,
  resolveCudaVersion,
  resourcesSchema,
  saveModel,
  say,
  sha256File,
  validateTagPart,
  withAxes,
  withRetries,
  within,
  writeFileAtomic
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __commonJS,
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// node_modules/picomatch/lib/constants.js
var require_constants = __commonJS({
  "node_modules/picomatch/lib/constants.js"(exports, module) {
    "use strict";
    var WIN_SLASH = "\\\\/";
    var WIN_NO_SLASH = `[^${WIN_SLASH}]`;
    var DEFAULT_MAX_EXTGLOB_RECURSION = 0;
    var DOT_LITERAL = "\\.";
    var PLUS_LITERAL = "\\+";
    var QMARK_LITERAL = "\\?";
    var SLASH_LITERAL = "\\/";
    var ONE_CHAR = "(?=.)";
    var QMARK = "[^/]";
    var END_ANCHOR = `(?:${SLASH_LITERAL}|$)`;
    var START_ANCHOR = `(?:^|${SLASH_LITERAL})`;
    var DOTS_SLASH = `${DOT_LITERAL}{1,2}${END_ANCHOR}`;
    var NO_DOT = `(?!${DOT_LITERAL})`;
    var NO_DOTS = `(?!${START_ANCHOR}${DOTS_SLASH})`;
    var NO_DOT_SLASH = `(?!${DOT_LITERAL}{0,1}${END_ANCHOR})`;
    var NO_DOTS_SLASH = `(?!${DOTS_SLASH})`;
    var QMARK_NO_DOT = `[^.${SLASH_LITERAL}]`;
    var STAR = `${QMARK}*?`;
    var SEP = "/";
    var POSIX_CHARS = {
      DOT_LITERAL,
      PLUS_LITERAL,
      QMARK_LITERAL,
      SLASH_LITERAL,
      ONE_CHAR,
      QMARK,
      END_ANCHOR,
      DOTS_SLASH,
      NO_DOT,
      NO_DOTS,
      NO_DOT_SLASH,
      NO_DOTS_SLASH,
      QMARK_NO_DOT,
      STAR,
      START_ANCHOR,
      SEP
    };
    var WINDOWS_CHARS = {
      ...POSIX_CHARS,
      SLASH_LITERAL: `[${WIN_SLASH}]`,
      QMARK: WIN_NO_SLASH,
      STAR: `${WIN_NO_SLASH}*?`,
      DOTS_SLASH: `${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$)`,
      NO_DOT: `(?!${DOT_LITERAL})`,
      NO_DOTS: `(?!(?:^|[${WIN_SLASH}])${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      NO_DOT_SLASH: `(?!${DOT_LITERAL}{0,1}(?:[${WIN_SLASH}]|$))`,
      NO_DOTS_SLASH: `(?!${DOT_LITERAL}{1,2}(?:[${WIN_SLASH}]|$))`,
      QMARK_NO_DOT: `[^.${WIN_SLASH}]`,
      START_ANCHOR: `(?:^|[${WIN_SLASH}])`,
      END_ANCHOR: `(?:[${WIN_SLASH}]|$)`,
      SEP: "\\"
    };
    var POSIX_REGEX_SOURCE = {
      __proto__: null,
      alnum: "a-zA-Z0-9",
      alpha: "a-zA-Z",
      ascii: "\\x00-\\x7F",
      blank: " \\t",
      cntrl: "\\x00-\\x1F\\x7F",
      digit: "0-9",
      graph: "\\x21-\\x7E",
      lower: "a-z",
      print: "\\x20-\\x7E ",
      punct: "\\-!\"#$%&'()\\*+,./:;<=>?@[\\]^_`{|}~",
      space: " \\t\\r\\n\\v\\f",
      upper: "A-Z",
      word: "A-Za-z0-9_",
      xdigit: "A-Fa-f0-9"
    };
    module.exports = {
      DEFAULT_MAX_EXTGLOB_RECURSION,
      MAX_LENGTH: 1024 * 64,
      POSIX_REGEX_SOURCE,
      // regular expressions
      REGEX_BACKSLASH: /\\(?![*+?^${}(|)[\]])/g,
      REGEX_NON_SPECIAL_CHARS: /^[^@![\].,$*+?^{}()|\\/]+/,
      REGEX_SPECIAL_CHARS: /[-*+?.^${}(|)[\]]/,
      REGEX_SPECIAL_CHARS_BACKREF: /(\\?)((\W)(\3*))/g,
      REGEX_SPECIAL_CHARS_GLOBAL: /([-*+?.^${}(|)[\]])/g,
      REGEX_REMOVE_BACKSLASH: /(?:\[.*?[^\\]\]|\\(?=.))/g,
      // Replace globs with equivalent patterns to reduce parsing time.
      REPLACEMENTS: {
        __proto__: null,
        "***": "*",
        "**/**": "**",
        "**/**/**": "**"
      },
      // Digits
      CHAR_0: 48,
      /* 0 */
      CHAR_9: 57,
      /* 9 */
      // Alphabet chars.
      CHAR_UPPERCASE_A: 65,
      /* A */
      CHAR_LOWERCASE_A: 97,
      /* a */
      CHAR_UPPERCASE_Z: 90,
      /* Z */
      CHAR_LOWERCASE_Z: 122,
      /* z */
      CHAR_LEFT_PARENTHESES: 40,
      /* ( */
      CHAR_RIGHT_PARENTHESES: 41,
      /* ) */
      CHAR_ASTERISK: 42,
      /* * */
      // Non-alphabetic chars.
      CHAR_AMPERSAND: 38,
      /* & */
      CHAR_AT: 64,
      /* @ */
      CHAR_BACKWARD_SLASH: 92,
      /* \ */
      CHAR_CARRIAGE_RETURN: 13,
      /* \r */
      CHAR_CIRCUMFLEX_ACCENT: 94,
      /* ^ */
      CHAR_COLON: 58,
      /* : */
      CHAR_COMMA: 44,
      /* , */
      CHAR_DOT: 46,
      /* . */
      CHAR_DOUBLE_QUOTE: 34,
      /* " */
      CHAR_EQUAL: 61,
      /* = */
      CHAR_EXCLAMATION_MARK: 33,
      /* ! */
      CHAR_FORM_FEED: 12,
      /* \f */
      CHAR_FORWARD_SLASH: 47,
      /* / */
      CHAR_GRAVE_ACCENT: 96,
      /* ` */
      CHAR_HASH: 35,
      /* # */
      CHAR_HYPHEN_MINUS: 45,
      /* - */
      CHAR_LEFT_ANGLE_BRACKET: 60,
      /* < */
      CHAR_LEFT_CURLY_BRACE: 123,
      /* { */
      CHAR_LEFT_SQUARE_BRACKET: 91,
      /* [ */
      CHAR_LINE_FEED: 10,
      /* \n */
      CHAR_NO_BREAK_SPACE: 160,
      /* \u00A0 */
      CHAR_PERCENT: 37,
      /* % */
      CHAR_PLUS: 43,
      /* + */
      CHAR_QUESTION_MARK: 63,
      /* ? */
      CHAR_RIGHT_ANGLE_BRACKET: 62,
      /* > */
      CHAR_RIGHT_CURLY_BRACE: 125,
      /* } */
      CHAR_RIGHT_SQUARE_BRACKET: 93,
      /* ] */
      CHAR_SEMICOLON: 59,
      /* ; */
      CHAR_SINGLE_QUOTE: 39,
      /* ' */
      CHAR_SPACE: 32,
      /*   */
      CHAR_TAB: 9,
      /* \t */
      CHAR_UNDERSCORE: 95,
      /* _ */
      CHAR_VERTICAL_LINE: 124,
      /* | */
      CHAR_ZERO_WIDTH_NOBREAK_SPACE: 65279,
      /* \uFEFF */
      /**
       * Create EXTGLOB_CHARS
       */
      extglobChars(chars) {
        return {
          "!": { type: "negate", open: "(?:(?!(?:", close: `))${chars.STAR})` },
          "?": { type: "qmark", open: "(?:", close: ")?" },
          "+": { type: "plus", open: "(?:", close: ")+" },
          "*": { type: "star", open: "(?:", close: ")*" },
          "@": { type: "at", open: "(?:", close: ")" }
        };
      },
      /**
       * Create GLOB_CHARS
       */
      globChars(win32) {
        return win32 === true ? WINDOWS_CHARS : POSIX_CHARS;
      }
    };
  }
});

// node_modules/picomatch/lib/utils.js
var require_utils = __commonJS({
  "node_modules/picomatch/lib/utils.js"(exports) {
    "use strict";
    var {
      REGEX_BACKSLASH,
      REGEX_REMOVE_BACKSLASH,
      REGEX_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_GLOBAL
    } = require_constants();
    exports.isObject = (val) => val !== null && typeof val === "object" && !Array.isArray(val);
    exports.hasRegexChars = (str) => REGEX_SPECIAL_CHARS.test(str);
    exports.isRegexChar = (str) => str.length === 1 && exports.hasRegexChars(str);
    exports.escapeRegex = (str) => str.replace(REGEX_SPECIAL_CHARS_GLOBAL, "\\$1");
    exports.toPosixSlashes = (str) => str.replace(REGEX_BACKSLASH, "/");
    exports.isWindows = () => {
      if (typeof navigator !== "undefined" && navigator.platform) {
        const platform = navigator.platform.toLowerCase();
        return platform === "win32" || platform === "windows";
      }
      if (typeof process !== "undefined" && process.platform) {
        return process.platform === "win32";
      }
      return false;
    };
    exports.removeBackslashes = (str) => {
      return str.replace(REGEX_REMOVE_BACKSLASH, (match) => {
        return match === "\\" ? "" : match;
      });
    };
    exports.escapeLast = (input, char, lastIdx) => {
      const idx = input.lastIndexOf(char, lastIdx);
      if (idx === -1) return input;
      if (input[idx - 1] === "\\") return exports.escapeLast(input, char, idx - 1);
      return `${input.slice(0, idx)}\\${input.slice(idx)}`;
    };
    exports.removePrefix = (input, state = {}) => {
      let output = input;
      if (output.startsWith("./")) {
        output = output.slice(2);
        state.prefix = "./";
      }
      return output;
    };
    exports.wrapOutput = (input, state = {}, options = {}) => {
      const prepend = options.contains ? "" : "^";
      const append = options.contains ? "" : "$";
      let output = `${prepend}(?:${input})${append}`;
      if (state.negated === true) {
        output = `(?:^(?!${output}).*$)`;
      }
      return output;
    };
    exports.basename = (path, { windows } = {}) => {
      const segs = path.split(windows ? /[\\/]/ : "/");
      const last = segs[segs.length - 1];
      if (last === "") {
        return segs[segs.length - 2];
      }
      return last;
    };
  }
});

// node_modules/picomatch/lib/scan.js
var require_scan = __commonJS({
  "node_modules/picomatch/lib/scan.js"(exports, module) {
    "use strict";
    var utils = require_utils();
    var {
      CHAR_ASTERISK,
      /* * */
      CHAR_AT,
      /* @ */
      CHAR_BACKWARD_SLASH,
      /* \ */
      CHAR_COMMA,
      /* , */
      CHAR_DOT,
      /* . */
      CHAR_EXCLAMATION_MARK,
      /* ! */
      CHAR_FORWARD_SLASH,
      /* / */
      CHAR_LEFT_CURLY_BRACE,
      /* { */
      CHAR_LEFT_PARENTHESES,
      /* ( */
      CHAR_LEFT_SQUARE_BRACKET,
      /* [ */
      CHAR_PLUS,
      /* + */
      CHAR_QUESTION_MARK,
      /* ? */
      CHAR_RIGHT_CURLY_BRACE,
      /* } */
      CHAR_RIGHT_PARENTHESES,
      /* ) */
      CHAR_RIGHT_SQUARE_BRACKET
      /* ] */
    } = require_constants();
    var isPathSeparator = (code) => {
      return code === CHAR_FORWARD_SLASH || code === CHAR_BACKWARD_SLASH;
    };
    var depth = (token) => {
      if (token.isPrefix !== true) {
        token.depth = token.isGlobstar ? Infinity : 1;
      }
    };
    var scan = (input, options) => {
      const opts = options || {};
      const length = input.length - 1;
      const scanToEnd = opts.parts === true || opts.tokens === true || opts.scanToEnd === true;
      const slashes = [];
      const tokens = [];
      const parts = [];
      let str = input;
      let index = -1;
      let start = 0;
      let lastIndex = 0;
      let isBrace = false;
      let isBracket = false;
      let isGlob = false;
      let isExtglob = false;
      let isGlobstar = false;
      let braceEscaped = false;
      let backslashes = false;
      let negated = false;
      let negatedExtglob = false;
      let finished = false;
      let braces = 0;
      let prev;
      let code;
      let token = { value: "", depth: 0, isGlob: false };
      const eos = () => index >= length;
      const peek2 = () => str.charCodeAt(index + 1);
      const advance = () => {
        prev = code;
        return str.charCodeAt(++index);
      };
      while (index < length) {
        code = advance();
        let next;
        if (code === CHAR_BACKWARD_SLASH) {
          backslashes = token.backslashes = true;
          code = advance();
          if (code === CHAR_LEFT_CURLY_BRACE) {
            braceEscaped = true;
          }
          continue;
        }
        if (braceEscaped === true || code === CHAR_LEFT_CURLY_BRACE) {
          braces++;
          while (eos() !== true && (code = advance())) {
            if (code === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (code === CHAR_LEFT_CURLY_BRACE) {
              braces++;
              continue;
            }
            if (braceEscaped !== true && code === CHAR_DOT && (code = advance()) === CHAR_DOT) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (braceEscaped !== true && code === CHAR_COMMA) {
              isBrace = token.isBrace = true;
              isGlob = token.isGlob = true;
              finished = true;
              if (scanToEnd === true) {
                continue;
              }
              break;
            }
            if (code === CHAR_RIGHT_CURLY_BRACE) {
              braces--;
              if (braces === 0) {
                braceEscaped = false;
                isBrace = token.isBrace = true;
                finished = true;
                break;
              }
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_FORWARD_SLASH) {
          slashes.push(index);
          tokens.push(token);
          token = { value: "", depth: 0, isGlob: false };
          if (finished === true) continue;
          if (prev === CHAR_DOT && index === start + 1) {
            start += 2;
            continue;
          }
          lastIndex = index + 1;
          continue;
        }
        if (opts.noext !== true) {
          const isExtglobChar = code === CHAR_PLUS || code === CHAR_AT || code === CHAR_ASTERISK || code === CHAR_QUESTION_MARK || code === CHAR_EXCLAMATION_MARK;
          if (isExtglobChar === true && peek2() === CHAR_LEFT_PARENTHESES) {
            isGlob = token.isGlob = true;
            isExtglob = token.isExtglob = true;
            finished = true;
            if (code === CHAR_EXCLAMATION_MARK && index === start) {
              negatedExtglob = true;
            }
            if (scanToEnd === true) {
              let parens = 0;
              while (eos() !== true && (code = advance())) {
                if (code === CHAR_BACKWARD_SLASH) {
                  backslashes = token.backslashes = true;
                  advance();
                  continue;
                }
                if (code === CHAR_LEFT_PARENTHESES) {
                  parens++;
                  continue;
                }
                if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                  finished = true;
                  break;
                }
              }
              continue;
            }
            break;
          }
        }
        if (code === CHAR_ASTERISK) {
          if (prev === CHAR_ASTERISK) isGlobstar = token.isGlobstar = true;
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_QUESTION_MARK) {
          isGlob = token.isGlob = true;
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (code === CHAR_LEFT_SQUARE_BRACKET) {
          while (eos() !== true && (next = advance())) {
            if (next === CHAR_BACKWARD_SLASH) {
              backslashes = token.backslashes = true;
              advance();
              continue;
            }
            if (next === CHAR_RIGHT_SQUARE_BRACKET) {
              isBracket = token.isBracket = true;
              isGlob = token.isGlob = true;
              finished = true;
              break;
            }
          }
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
        if (opts.nonegate !== true && code === CHAR_EXCLAMATION_MARK && index === start) {
          negated = token.negated = true;
          start++;
          continue;
        }
        if (opts.noparen !== true && code === CHAR_LEFT_PARENTHESES) {
          isGlob = token.isGlob = true;
          if (scanToEnd === true) {
            let parens = 1;
            while (eos() !== true && (code = advance())) {
              if (code === CHAR_BACKWARD_SLASH) {
                backslashes = token.backslashes = true;
                advance();
                continue;
              }
              if (code === CHAR_LEFT_PARENTHESES) {
                parens++;
                continue;
              }
              if (code === CHAR_RIGHT_PARENTHESES && --parens === 0) {
                finished = true;
                break;
              }
            }
            continue;
          }
          break;
        }
        if (isGlob === true) {
          finished = true;
          if (scanToEnd === true) {
            continue;
          }
          break;
        }
      }
      if (opts.noext === true) {
        isExtglob = false;
        isGlob = false;
      }
      let base = str;
      let prefix = "";
      let glob2 = "";
      if (start > 0) {
        prefix = str.slice(0, start);
        str = str.slice(start);
        lastIndex -= start;
      }
      if (base && isGlob === true && lastIndex > 0) {
        base = str.slice(0, lastIndex);
        glob2 = str.slice(lastIndex);
      } else if (isGlob === true) {
        base = "";
        glob2 = str;
      } else {
        base = str;
      }
      if (base && base !== "" && base !== "/" && base !== str) {
        if (isPathSeparator(base.charCodeAt(base.length - 1))) {
          base = base.slice(0, -1);
        }
      }
      if (opts.unescape === true) {
        if (glob2) glob2 = utils.removeBackslashes(glob2);
        if (base && backslashes === true) {
          base = utils.removeBackslashes(base);
        }
      }
      const state = {
        prefix,
        input,
        start,
        base,
        glob: glob2,
        isBrace,
        isBracket,
        isGlob,
        isExtglob,
        isGlobstar,
        negated,
        negatedExtglob
      };
      if (opts.tokens === true) {
        state.maxDepth = 0;
        if (!isPathSeparator(code)) {
          tokens.push(token);
        }
        state.tokens = tokens;
      }
      if (opts.parts === true || opts.tokens === true) {
        let prevIndex;
        for (let idx = 0; idx < slashes.length; idx++) {
          const n2 = prevIndex !== void 0 ? prevIndex + 1 : start;
          const i = slashes[idx];
          const value2 = input.slice(n2, i);
          if (opts.tokens) {
            if (idx === 0 && start !== 0) {
              tokens[idx].isPrefix = true;
              tokens[idx].value = prefix;
            } else {
              tokens[idx].value = value2;
            }
            depth(tokens[idx]);
            state.maxDepth += tokens[idx].depth;
          }
          if (i >= start) {
            parts.push(value2);
            prevIndex = i;
          }
        }
        const n = prevIndex !== void 0 ? prevIndex + 1 : start;
        const value = input.slice(n);
        parts.push(value);
        if (opts.tokens && prevIndex && prevIndex + 1 < input.length) {
          tokens[tokens.length - 1].value = value;
          depth(tokens[tokens.length - 1]);
          state.maxDepth += tokens[tokens.length - 1].depth;
        }
        state.slashes = slashes;
        state.parts = parts;
      }
      return state;
    };
    module.exports = scan;
  }
});

// node_modules/picomatch/lib/parse.js
var require_parse = __commonJS({
  "node_modules/picomatch/lib/parse.js"(exports, module) {
    "use strict";
    var constants = require_constants();
    var utils = require_utils();
    var {
      MAX_LENGTH,
      POSIX_REGEX_SOURCE,
      REGEX_NON_SPECIAL_CHARS,
      REGEX_SPECIAL_CHARS_BACKREF,
      REPLACEMENTS
    } = constants;
    var expandRange = (args, options) => {
      if (typeof options.expandRange === "function") {
        return options.expandRange(...args, options);
      }
      args.sort();
      const value = `[${args.join("-")}]`;
      try {
        new RegExp(value);
      } catch (ex) {
        return args.map((v) => utils.escapeRegex(v)).join("..");
      }
      return value;
    };
    var syntaxError = (type, char) => {
      return `Missing ${type}: "${char}" - use "\\\\${char}" to match literal characters`;
    };
    var splitTopLevel = (input) => {
      const parts = [];
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let value = "";
      let escaped = false;
      for (const ch of input) {
        if (escaped === true) {
          value += ch;
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          value += ch;
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          value += ch;
          continue;
        }
        if (quote === 0) {
          if (ch === "[") {
            bracket++;
          } else if (ch === "]" && bracket > 0) {
            bracket--;
          } else if (bracket === 0) {
            if (ch === "(") {
              paren++;
            } else if (ch === ")" && paren > 0) {
              paren--;
            } else if (ch === "|" && paren === 0) {
              parts.push(value);
              value = "";
              continue;
            }
          }
        }
        value += ch;
      }
      parts.push(value);
      return parts;
    };
    var isPlainBranch = (branch) => {
      let escaped = false;
      for (const ch of branch) {
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (/[?*+@!()[\]{}]/.test(ch)) {
          return false;
        }
      }
      return true;
    };
    var normalizeSimpleBranch = (branch) => {
      let value = branch.trim();
      let changed = true;
      while (changed === true) {
        changed = false;
        if (/^@\([^\\()[\]{}|]+\)$/.test(value)) {
          value = value.slice(2, -1);
          changed = true;
        }
      }
      if (!isPlainBranch(value)) {
        return;
      }
      return value.replace(/\\(.)/g, "$1");
    };
    var hasRepeatedCharPrefixOverlap = (branches) => {
      const values = branches.map(normalizeSimpleBranch).filter(Boolean);
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          const a = values[i];
          const b = values[j];
          const char = a[0];
          if (!char || a !== char.repeat(a.length) || b !== char.repeat(b.length)) {
            continue;
          }
          if (a === b || a.startsWith(b) || b.startsWith(a)) {
            return true;
          }
        }
      }
      return false;
    };
    var parseRepeatedExtglob = (pattern, requireEnd = true) => {
      if (pattern[0] !== "+" && pattern[0] !== "*" || pattern[1] !== "(") {
        return;
      }
      let bracket = 0;
      let paren = 0;
      let quote = 0;
      let escaped = false;
      for (let i = 1; i < pattern.length; i++) {
        const ch = pattern[i];
        if (escaped === true) {
          escaped = false;
          continue;
        }
        if (ch === "\\") {
          escaped = true;
          continue;
        }
        if (ch === '"') {
          quote = quote === 1 ? 0 : 1;
          continue;
        }
        if (quote === 1) {
          continue;
        }
        if (ch === "[") {
          bracket++;
          continue;
        }
        if (ch === "]" && bracket > 0) {
          bracket--;
          continue;
        }
        if (bracket > 0) {
          continue;
        }
        if (ch === "(") {
          paren++;
          continue;
        }
        if (ch === ")") {
          paren--;
          if (paren === 0) {
            if (requireEnd === true && i !== pattern.length - 1) {
              return;
            }
            return {
              type: pattern[0],
              body: pattern.slice(2, i),
              end: i
            };
          }
        }
      }
    };
    var buildCharClassStar = (chars) => {
      const source = chars.length === 1 ? utils.escapeRegex(chars[0]) : `[${chars.map((ch) => utils.escapeRegex(ch)).join("")}]`;
      return `${source}*`;
    };
    var getStarExtglobSequenceChars = (pattern) => {
      let index = 0;
      const chars = [];
      while (index < pattern.length) {
        const match = parseRepeatedExtglob(pattern.slice(index), false);
        if (!match || match.type !== "*") {
          return;
        }
        const branches = splitTopLevel(match.body).map((branch2) => branch2.trim());
        if (branches.length !== 1) {
          return;
        }
        const branch = normalizeSimpleBranch(branches[0]);
        if (!branch || branch.length !== 1) {
          return;
        }
        chars.push(branch);
        index += match.end + 1;
      }
      if (chars.length < 1) {
        return;
      }
      return chars;
    };
    var repeatedExtglobRecursion = (pattern) => {
      let depth = 0;
      let value = pattern.trim();
      let match = parseRepeatedExtglob(value);
      while (match) {
        depth++;
        value = match.body.trim();
        match = parseRepeatedExtglob(value);
      }
      return depth;
    };
    var analyzeRepeatedExtglob = (body, options) => {
      if (options.maxExtglobRecursion === false) {
        return { risky: false };
      }
      const max = typeof options.maxExtglobRecursion === "number" ? options.maxExtglobRecursion : constants.DEFAULT_MAX_EXTGLOB_RECURSION;
      const branches = splitTopLevel(body).map((branch) => branch.trim());
      if (branches.length > 1) {
        if (branches.some((branch) => branch === "") || branches.some((branch) => /^[*?]+$/.test(branch)) || hasRepeatedCharPrefixOverlap(branches)) {
          return { risky: true };
        }
      }
      const safeChars = [];
      let sawStarSequence = false;
      let combinable = true;
      for (const branch of branches) {
        const chars = getStarExtglobSequenceChars(branch);
        if (chars) {
          sawStarSequence = true;
          safeChars.push(...chars);
          continue;
        }
        const literal = normalizeSimpleBranch(branch);
        if (literal && literal.length === 1) {
          safeChars.push(literal);
          continue;
        }
        combinable = false;
        if (repeatedExtglobRecursion(branch) > max) {
          return { risky: true };
        }
      }
      if (sawStarSequence) {
        return combinable ? { risky: true, safeOutput: buildCharClassStar([...new Set(safeChars)]) } : { risky: true };
      }
      return { risky: false };
    };
    var parse = (input, options) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected a string");
      }
      input = REPLACEMENTS[input] || input;
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      let len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      const bos = { type: "bos", value: "", output: opts.prepend || "" };
      const tokens = [bos];
      const capture = opts.capture ? "" : "?:";
      const PLATFORM_CHARS = constants.globChars(opts.windows);
      const EXTGLOB_CHARS = constants.extglobChars(PLATFORM_CHARS);
      const {
        DOT_LITERAL,
        PLUS_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOT_SLASH,
        NO_DOTS_SLASH,
        QMARK,
        QMARK_NO_DOT,
        STAR,
        START_ANCHOR
      } = PLATFORM_CHARS;
      const globstar = (opts2) => {
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const nodot = opts.dot ? "" : NO_DOT;
      const qmarkNoDot = opts.dot ? QMARK : QMARK_NO_DOT;
      let star = opts.bash === true ? globstar(opts) : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      if (typeof opts.noext === "boolean") {
        opts.noextglob = opts.noext;
      }
      const state = {
        input,
        index: -1,
        start: 0,
        dot: opts.dot === true,
        consumed: "",
        output: "",
        prefix: "",
        backtrack: false,
        negated: false,
        brackets: 0,
        braces: 0,
        parens: 0,
        quotes: 0,
        globstar: false,
        tokens
      };
      input = utils.removePrefix(input, state);
      len = input.length;
      const extglobs = [];
      const braces = [];
      const stack = [];
      let prev = bos;
      let value;
      const eos = () => state.index === len - 1;
      const peek2 = state.peek = (n = 1) => input[state.index + n];
      const advance = state.advance = () => input[++state.index] || "";
      const remaining = () => input.slice(state.index + 1);
      const consume = (value2 = "", num = 0) => {
        state.consumed += value2;
        state.index += num;
      };
      const append = (token) => {
        state.output += token.output != null ? token.output : token.value;
        consume(token.value);
      };
      const negate = () => {
        let count = 1;
        while (peek2() === "!" && (peek2(2) !== "(" || peek2(3) === "?")) {
          advance();
          state.start++;
          count++;
        }
        if (count % 2 === 0) {
          return false;
        }
        state.negated = true;
        state.start++;
        return true;
      };
      const increment = (type) => {
        state[type]++;
        stack.push(type);
      };
      const decrement = (type) => {
        state[type]--;
        stack.pop();
      };
      const push = (tok) => {
        if (prev.type === "globstar") {
          const isBrace = state.braces > 0 && (tok.type === "comma" || tok.type === "brace");
          const isExtglob = tok.extglob === true || extglobs.length && (tok.type === "pipe" || tok.type === "paren");
          if (tok.type !== "slash" && tok.type !== "paren" && !isBrace && !isExtglob) {
            state.output = state.output.slice(0, -prev.output.length);
            prev.type = "star";
            prev.value = "*";
            prev.output = star;
            state.output += prev.output;
          }
        }
        if (extglobs.length && tok.type !== "paren") {
          extglobs[extglobs.length - 1].inner += tok.value;
        }
        if (tok.value || tok.output) append(tok);
        if (prev && prev.type === "text" && tok.type === "text") {
          prev.output = (prev.output || prev.value) + tok.value;
          prev.value += tok.value;
          return;
        }
        tok.prev = prev;
        tokens.push(tok);
        prev = tok;
      };
      const extglobOpen = (type, value2) => {
        const token = { ...EXTGLOB_CHARS[value2], conditions: 1, inner: "" };
        token.prev = prev;
        token.parens = state.parens;
        token.output = state.output;
        token.startIndex = state.index;
        token.tokensIndex = tokens.length;
        const output = (opts.capture ? "(" : "") + token.open;
        increment("parens");
        push({ type, value: value2, output: state.output ? "" : ONE_CHAR });
        push({ type: "paren", extglob: true, value: advance(), output });
        extglobs.push(token);
      };
      const extglobClose = (token) => {
        const literal = input.slice(token.startIndex, state.index + 1);
        const body = input.slice(token.startIndex + 2, state.index);
        const analysis = analyzeRepeatedExtglob(body, opts);
        if ((token.type === "plus" || token.type === "star") && analysis.risky) {
          const safeOutput = analysis.safeOutput ? (token.output ? "" : ONE_CHAR) + (opts.capture ? `(${analysis.safeOutput})` : analysis.safeOutput) : void 0;
          const open = tokens[token.tokensIndex];
          open.type = "text";
          open.value = literal;
          open.output = safeOutput || utils.escapeRegex(literal);
          for (let i = token.tokensIndex + 1; i < tokens.length; i++) {
            tokens[i].value = "";
            tokens[i].output = "";
            delete tokens[i].suffix;
          }
          state.output = token.output + open.output;
          state.backtrack = true;
          push({ type: "paren", extglob: true, value, output: "" });
          decrement("parens");
          return;
        }
        let output = token.close + (opts.capture ? ")" : "");
        let rest;
        if (token.type === "negate") {
          let extglobStar = star;
          if (token.inner && token.inner.length > 1 && token.inner.includes("/")) {
            extglobStar = globstar(opts);
          }
          if (extglobStar !== star || eos() || /^\)+$/.test(remaining())) {
            output = token.close = `)$))${extglobStar}`;
          }
          if (token.inner.includes("*") && (rest = remaining()) && /^\.[^\\/.]+$/.test(rest)) {
            const expression = parse(rest, { ...options, fastpaths: false }).output;
            output = token.close = `)${expression})${extglobStar})`;
          }
          if (token.prev.type === "bos") {
            state.negatedExtglob = true;
          }
        }
        push({ type: "paren", extglob: true, value, output });
        decrement("parens");
      };
      if (opts.fastpaths !== false && !/(^[*!]|[/()[\]{}"])/.test(input)) {
        let backslashes = false;
        let output = input.replace(REGEX_SPECIAL_CHARS_BACKREF, (m, esc, chars, first, rest, index) => {
          if (first === "\\") {
            backslashes = true;
            return m;
          }
          if (first === "?") {
            if (esc) {
              return esc + first + (rest ? QMARK.repeat(rest.length) : "");
            }
            if (index === 0) {
              return qmarkNoDot + (rest ? QMARK.repeat(rest.length) : "");
            }
            return QMARK.repeat(chars.length);
          }
          if (first === ".") {
            return DOT_LITERAL.repeat(chars.length);
          }
          if (first === "*") {
            if (esc) {
              return esc + first + (rest ? star : "");
            }
            return star;
          }
          return esc ? m : `\\${m}`;
        });
        if (backslashes === true) {
          if (opts.unescape === true) {
            output = output.replace(/\\/g, "");
          } else {
            output = output.replace(/\\+/g, (m) => {
              return m.length % 2 === 0 ? "\\\\" : m ? "\\" : "";
            });
          }
        }
        if (output === input && opts.contains === true) {
          state.output = input;
          return state;
        }
        state.output = utils.wrapOutput(output, state, options);
        return state;
      }
      while (!eos()) {
        value = advance();
        if (value === "\0") {
          continue;
        }
        if (value === "\\") {
          const next = peek2();
          if (next === "/" && opts.bash !== true) {
            continue;
          }
          if (next === "." || next === ";") {
            continue;
          }
          if (!next) {
            value += "\\";
            push({ type: "text", value });
            continue;
          }
          const match = /^\\+/.exec(remaining());
          let slashes = 0;
          if (match && match[0].length > 2) {
            slashes = match[0].length;
            state.index += slashes;
            if (slashes % 2 !== 0) {
              value += "\\";
            }
          }
          if (opts.unescape === true) {
            value = advance();
          } else {
            value += advance();
          }
          if (state.brackets === 0) {
            push({ type: "text", value });
            continue;
          }
        }
        if (state.brackets > 0 && (value !== "]" || prev.value === "[" || prev.value === "[^")) {
          if (opts.posix !== false && value === ":") {
            const inner = prev.value.slice(1);
            if (inner.includes("[")) {
              prev.posix = true;
              if (inner.includes(":")) {
                const idx = prev.value.lastIndexOf("[");
                const pre = prev.value.slice(0, idx);
                const rest2 = prev.value.slice(idx + 2);
                const posix2 = POSIX_REGEX_SOURCE[rest2];
                if (posix2) {
                  prev.value = pre + posix2;
                  state.backtrack = true;
                  advance();
                  if (!bos.output && tokens.indexOf(prev) === 1) {
                    bos.output = ONE_CHAR;
                  }
                  continue;
                }
              }
            }
          }
          if (value === "[" && peek2() !== ":" || value === "-" && peek2() === "]") {
            value = `\\${value}`;
          }
          if (value === "]" && (prev.value === "[" || prev.value === "[^")) {
            value = `\\${value}`;
          }
          if (opts.posix === true && value === "!" && prev.value === "[") {
            value = "^";
          }
          prev.value += value;
          append({ value });
          continue;
        }
        if (state.quotes === 1 && value !== '"') {
          value = utils.escapeRegex(value);
          prev.value += value;
          append({ value });
          continue;
        }
        if (value === '"') {
          state.quotes = state.quotes === 1 ? 0 : 1;
          if (opts.keepQuotes === true) {
            push({ type: "text", value });
          }
          continue;
        }
        if (value === "(") {
          increment("parens");
          push({ type: "paren", value });
          continue;
        }
        if (value === ")") {
          if (state.parens === 0 && opts.strictBrackets === true) {
            throw new SyntaxError(syntaxError("opening", "("));
          }
          const extglob = extglobs[extglobs.length - 1];
          if (extglob && state.parens === extglob.parens + 1) {
            extglobClose(extglobs.pop());
            continue;
          }
          push({ type: "paren", value, output: state.parens ? ")" : "\\)" });
          decrement("parens");
          continue;
        }
        if (value === "[") {
          if (opts.nobracket === true || !remaining().includes("]")) {
            if (opts.nobracket !== true && opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("closing", "]"));
            }
            value = `\\${value}`;
          } else {
            increment("brackets");
          }
          push({ type: "bracket", value });
          continue;
        }
        if (value === "]") {
          if (opts.nobracket === true || prev && prev.type === "bracket" && prev.value.length === 1) {
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          if (state.brackets === 0) {
            if (opts.strictBrackets === true) {
              throw new SyntaxError(syntaxError("opening", "["));
            }
            push({ type: "text", value, output: `\\${value}` });
            continue;
          }
          decrement("brackets");
          const prevValue = prev.value.slice(1);
          if (prev.posix !== true && prevValue[0] === "^" && !prevValue.includes("/")) {
            value = `/${value}`;
          }
          prev.value += value;
          append({ value });
          if (opts.literalBrackets === false || utils.hasRegexChars(prevValue)) {
            continue;
          }
          const escaped = utils.escapeRegex(prev.value);
          state.output = state.output.slice(0, -prev.value.length);
          if (opts.literalBrackets === true) {
            state.output += escaped;
            prev.value = escaped;
            continue;
          }
          prev.value = `(${capture}${escaped}|${prev.value})`;
          state.output += prev.value;
          continue;
        }
        if (value === "{" && opts.nobrace !== true) {
          increment("braces");
          const open = {
            type: "brace",
            value,
            output: "(",
            outputIndex: state.output.length,
            tokensIndex: state.tokens.length
          };
          braces.push(open);
          push(open);
          continue;
        }
        if (value === "}") {
          const brace = braces[braces.length - 1];
          if (opts.nobrace === true || !brace) {
            push({ type: "text", value, output: value });
            continue;
          }
          let output = ")";
          if (brace.dots === true) {
            const arr = tokens.slice();
            const range = [];
            for (let i = arr.length - 1; i >= 0; i--) {
              tokens.pop();
              if (arr[i].type === "brace") {
                break;
              }
              if (arr[i].type !== "dots") {
                range.unshift(arr[i].value);
              }
            }
            output = expandRange(range, opts);
            state.backtrack = true;
          }
          if (brace.comma !== true && brace.dots !== true) {
            const out = state.output.slice(0, brace.outputIndex);
            const toks = state.tokens.slice(brace.tokensIndex);
            brace.value = brace.output = "\\{";
            value = output = "\\}";
            state.output = out;
            for (const t of toks) {
              state.output += t.output || t.value;
            }
          }
          push({ type: "brace", value, output });
          decrement("braces");
          braces.pop();
          continue;
        }
        if (value === "|") {
          if (extglobs.length > 0) {
            extglobs[extglobs.length - 1].conditions++;
          }
          push({ type: "text", value });
          continue;
        }
        if (value === ",") {
          let output = value;
          const brace = braces[braces.length - 1];
          if (brace && stack[stack.length - 1] === "braces") {
            brace.comma = true;
            output = "|";
          }
          push({ type: "comma", value, output });
          continue;
        }
        if (value === "/") {
          if (prev.type === "dot" && state.index === state.start + 1) {
            state.start = state.index + 1;
            state.consumed = "";
            state.output = "";
            tokens.pop();
            prev = bos;
            continue;
          }
          push({ type: "slash", value, output: SLASH_LITERAL });
          continue;
        }
        if (value === ".") {
          if (state.braces > 0 && prev.type === "dot") {
            if (prev.value === ".") prev.output = DOT_LITERAL;
            const brace = braces[braces.length - 1];
            prev.type = "dots";
            prev.output += value;
            prev.value += value;
            brace.dots = true;
            continue;
          }
          if (state.braces + state.parens === 0 && prev.type !== "bos" && prev.type !== "slash") {
            push({ type: "text", value, output: DOT_LITERAL });
            continue;
          }
          push({ type: "dot", value, output: DOT_LITERAL });
          continue;
        }
        if (value === "?") {
          const isGroup = prev && prev.value === "(";
          if (!isGroup && opts.noextglob !== true && peek2() === "(" && peek2(2) !== "?") {
            extglobOpen("qmark", value);
            continue;
          }
          if (prev && prev.type === "paren") {
            const next = peek2();
            let output = value;
            if (prev.value === "(" && !/[!=<:]/.test(next) || next === "<" && !/<([!=]|\w+>)/.test(remaining())) {
              output = `\\${value}`;
            }
            push({ type: "text", value, output });
            continue;
          }
          if (opts.dot !== true && (prev.type === "slash" || prev.type === "bos")) {
            push({ type: "qmark", value, output: QMARK_NO_DOT });
            continue;
          }
          push({ type: "qmark", value, output: QMARK });
          continue;
        }
        if (value === "!") {
          if (opts.noextglob !== true && peek2() === "(") {
            if (peek2(2) !== "?" || !/[!=<:]/.test(peek2(3))) {
              extglobOpen("negate", value);
              continue;
            }
          }
          if (opts.nonegate !== true && state.index === 0) {
            negate();
            continue;
          }
        }
        if (value === "+") {
          if (opts.noextglob !== true && peek2() === "(" && peek2(2) !== "?") {
            extglobOpen("plus", value);
            continue;
          }
          if (prev && prev.value === "(" || opts.regex === false) {
            push({ type: "plus", value, output: PLUS_LITERAL });
            continue;
          }
          if (prev && (prev.type === "bracket" || prev.type === "paren" || prev.type === "brace") || state.parens > 0) {
            push({ type: "plus", value });
            continue;
          }
          push({ type: "plus", value: PLUS_LITERAL });
          continue;
        }
        if (value === "@") {
          if (opts.noextglob !== true && peek2() === "(" && peek2(2) !== "?") {
            push({ type: "at", extglob: true, value, output: "" });
            continue;
          }
          push({ type: "text", value });
          continue;
        }
        if (value !== "*") {
          if (value === "$" || value === "^") {
            value = `\\${value}`;
          }
          const match = REGEX_NON_SPECIAL_CHARS.exec(remaining());
          if (match) {
            value += match[0];
            state.index += match[0].length;
          }
          push({ type: "text", value });
          continue;
        }
        if (prev && (prev.type === "globstar" || prev.star === true)) {
          prev.type = "star";
          prev.star = true;
          prev.value += value;
          prev.output = star;
          state.backtrack = true;
          state.globstar = true;
          consume(value);
          continue;
        }
        let rest = remaining();
        if (opts.noextglob !== true && /^\([^?]/.test(rest)) {
          extglobOpen("star", value);
          continue;
        }
        if (prev.type === "star") {
          if (opts.noglobstar === true) {
            consume(value);
            continue;
          }
          const prior = prev.prev;
          const before = prior.prev;
          const isStart = prior.type === "slash" || prior.type === "bos";
          const afterStar = before && (before.type === "star" || before.type === "globstar");
          if (opts.bash === true && (!isStart || rest[0] && rest[0] !== "/")) {
            push({ type: "star", value, output: "" });
            continue;
          }
          const isBrace = state.braces > 0 && (prior.type === "comma" || prior.type === "brace");
          const isExtglob = extglobs.length && (prior.type === "pipe" || prior.type === "paren");
          if (!isStart && prior.type !== "paren" && !isBrace && !isExtglob) {
            push({ type: "star", value, output: "" });
            continue;
          }
          while (rest.slice(0, 3) === "/**") {
            const after = input[state.index + 4];
            if (after && after !== "/") {
              break;
            }
            rest = rest.slice(3);
            consume("/**", 3);
          }
          const isEnd = eos() || state.parens > 0 && rest === ")".repeat(state.parens) && !extglobs.some((extglob) => extglob.type === "negate");
          if (prior.type === "bos" && eos()) {
            prev.type = "globstar";
            prev.value += value;
            prev.output = globstar(opts);
            state.output = prev.output;
            state.globstar = true;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && !afterStar && isEnd) {
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = globstar(opts) + (opts.strictSlashes ? ")" : "|$)");
            prev.value += value;
            state.globstar = true;
            state.output += prior.output + prev.output;
            consume(value);
            continue;
          }
          if (prior.type === "slash" && prior.prev.type !== "bos" && rest[0] === "/") {
            const end = rest[1] !== void 0 ? "|$" : "";
            state.output = state.output.slice(0, -(prior.output + prev.output).length);
            prior.output = `(?:${prior.output}`;
            prev.type = "globstar";
            prev.output = `${globstar(opts)}${SLASH_LITERAL}|${SLASH_LITERAL}${end})`;
            prev.value += value;
            state.output += prior.output + prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          if (prior.type === "bos" && rest[0] === "/") {
            prev.type = "globstar";
            prev.value += value;
            prev.output = `(?:^|${SLASH_LITERAL}|${globstar(opts)}${SLASH_LITERAL})`;
            state.output = prev.output;
            state.globstar = true;
            consume(value + advance());
            push({ type: "slash", value: "/", output: "" });
            continue;
          }
          state.output = state.output.slice(0, -prev.output.length);
          prev.type = "globstar";
          prev.output = globstar(opts);
          prev.value += value;
          state.output += prev.output;
          state.globstar = true;
          consume(value);
          continue;
        }
        const token = { type: "star", value, output: star };
        if (opts.bash === true) {
          token.output = ".*?";
          if (prev.type === "bos" || prev.type === "slash") {
            token.output = nodot + token.output;
          }
          push(token);
          continue;
        }
        if (prev && (prev.type === "bracket" || prev.type === "paren") && opts.regex === true) {
          token.output = value;
          push(token);
          continue;
        }
        if (state.index === state.start || prev.type === "slash" || prev.type === "dot") {
          if (prev.type === "dot") {
            state.output += NO_DOT_SLASH;
            prev.output += NO_DOT_SLASH;
          } else if (opts.dot === true) {
            state.output += NO_DOTS_SLASH;
            prev.output += NO_DOTS_SLASH;
          } else {
            state.output += nodot;
            prev.output += nodot;
          }
          if (peek2() !== "*") {
            state.output += ONE_CHAR;
            prev.output += ONE_CHAR;
          }
        }
        push(token);
      }
      while (state.brackets > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "]"));
        state.output = utils.escapeLast(state.output, "[");
        decrement("brackets");
      }
      while (state.parens > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", ")"));
        state.output = utils.escapeLast(state.output, "(");
        decrement("parens");
      }
      while (state.braces > 0) {
        if (opts.strictBrackets === true) throw new SyntaxError(syntaxError("closing", "}"));
        state.output = utils.escapeLast(state.output, "{");
        decrement("braces");
      }
      if (opts.strictSlashes !== true && (prev.type === "star" || prev.type === "bracket")) {
        push({ type: "maybe_slash", value: "", output: `${SLASH_LITERAL}?` });
      }
      if (state.backtrack === true) {
        state.output = "";
        for (const token of state.tokens) {
          state.output += token.output != null ? token.output : token.value;
          if (token.suffix) {
            state.output += token.suffix;
          }
        }
      }
      return state;
    };
    parse.fastpaths = (input, options) => {
      const opts = { ...options };
      const max = typeof opts.maxLength === "number" ? Math.min(MAX_LENGTH, opts.maxLength) : MAX_LENGTH;
      const len = input.length;
      if (len > max) {
        throw new SyntaxError(`Input length: ${len}, exceeds maximum allowed length: ${max}`);
      }
      input = REPLACEMENTS[input] || input;
      const {
        DOT_LITERAL,
        SLASH_LITERAL,
        ONE_CHAR,
        DOTS_SLASH,
        NO_DOT,
        NO_DOTS,
        NO_DOTS_SLASH,
        STAR,
        START_ANCHOR
      } = constants.globChars(opts.windows);
      const nodot = opts.dot ? NO_DOTS : NO_DOT;
      const slashDot = opts.dot ? NO_DOTS_SLASH : NO_DOT;
      const capture = opts.capture ? "" : "?:";
      const state = { negated: false, prefix: "" };
      let star = opts.bash === true ? ".*?" : STAR;
      if (opts.capture) {
        star = `(${star})`;
      }
      const globstar = (opts2) => {
        if (opts2.noglobstar === true) return star;
        return `(${capture}(?:(?!${START_ANCHOR}${opts2.dot ? DOTS_SLASH : DOT_LITERAL}).)*?)`;
      };
      const create = (str) => {
        switch (str) {
          case "*":
            return `${nodot}${ONE_CHAR}${star}`;
          case ".*":
            return `${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*.*":
            return `${nodot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "*/*":
            return `${nodot}${star}${SLASH_LITERAL}${ONE_CHAR}${slashDot}${star}`;
          case "**":
            return nodot + globstar(opts);
          case "**/*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${ONE_CHAR}${star}`;
          case "**/*.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${slashDot}${star}${DOT_LITERAL}${ONE_CHAR}${star}`;
          case "**/.*":
            return `(?:${nodot}${globstar(opts)}${SLASH_LITERAL})?${DOT_LITERAL}${ONE_CHAR}${star}`;
          default: {
            const match = /^(.*?)\.(\w+)$/.exec(str);
            if (!match) return;
            const source2 = create(match[1]);
            if (!source2) return;
            return source2 + DOT_LITERAL + match[2];
          }
        }
      };
      const output = utils.removePrefix(input, state);
      let source = create(output);
      if (source && opts.strictSlashes !== true) {
        source += `${SLASH_LITERAL}?`;
      }
      return source;
    };
    module.exports = parse;
  }
});

// node_modules/picomatch/lib/picomatch.js
var require_picomatch = __commonJS({
  "node_modules/picomatch/lib/picomatch.js"(exports, module) {
    "use strict";
    var scan = require_scan();
    var parse = require_parse();
    var utils = require_utils();
    var constants = require_constants();
    var isObject = (val) => val && typeof val === "object" && !Array.isArray(val);
    var picomatch3 = (glob2, options, returnState = false) => {
      if (Array.isArray(glob2)) {
        const fns = glob2.map((input) => picomatch3(input, options, returnState));
        const arrayMatcher = (str) => {
          for (const isMatch of fns) {
            const state2 = isMatch(str);
            if (state2) return state2;
          }
          return false;
        };
        return arrayMatcher;
      }
      const isState = isObject(glob2) && glob2.tokens && glob2.input;
      if (glob2 === "" || typeof glob2 !== "string" && !isState) {
        throw new TypeError("Expected pattern to be a non-empty string");
      }
      const opts = options || {};
      const posix2 = opts.windows;
      const regex = isState ? picomatch3.compileRe(glob2, options) : picomatch3.makeRe(glob2, options, false, true);
      const state = regex.state;
      delete regex.state;
      let isIgnored = () => false;
      if (opts.ignore) {
        const ignoreOpts = { ...options, ignore: null, onMatch: null, onResult: null };
        isIgnored = picomatch3(opts.ignore, ignoreOpts, returnState);
      }
      const matcher = (input, returnObject = false) => {
        const { isMatch, match, output } = picomatch3.test(input, regex, options, { glob: glob2, posix: posix2 });
        const result = { glob: glob2, state, regex, posix: posix2, input, output, match, isMatch };
        if (typeof opts.onResult === "function") {
          opts.onResult(result);
        }
        if (isMatch === false) {
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (isIgnored(input)) {
          if (typeof opts.onIgnore === "function") {
            opts.onIgnore(result);
          }
          result.isMatch = false;
          return returnObject ? result : false;
        }
        if (typeof opts.onMatch === "function") {
          opts.onMatch(result);
        }
        return returnObject ? result : true;
      };
      if (returnState) {
        matcher.state = state;
      }
      return matcher;
    };
    picomatch3.test = (input, regex, options, { glob: glob2, posix: posix2 } = {}) => {
      if (typeof input !== "string") {
        throw new TypeError("Expected input to be a string");
      }
      if (input === "") {
        return { isMatch: false, output: "" };
      }
      const opts = options || {};
      const format = opts.format || (posix2 ? utils.toPosixSlashes : null);
      let match = input === glob2;
      let output = match && format ? format(input) : input;
      if (match === false) {
        output = format ? format(input) : input;
        match = output === glob2;
      }
      if (match === false || opts.capture === true) {
        if (opts.matchBase === true || opts.basename === true) {
          match = picomatch3.matchBase(input, regex, options, posix2);
        } else {
          match = regex.exec(output);
        }
      }
      return { isMatch: Boolean(match), match, output };
    };
    picomatch3.matchBase = (input, glob2, options, posix2 = options && options.windows) => {
      const regex = glob2 instanceof RegExp ? glob2 : picomatch3.makeRe(glob2, options);
      return regex.test(utils.basename(input, { windows: posix2 }));
    };
    picomatch3.isMatch = (str, patterns, options) => picomatch3(patterns, options)(str);
    picomatch3.parse = (pattern, options) => {
      if (Array.isArray(pattern)) return pattern.map((p) => picomatch3.parse(p, options));
      return parse(pattern, { ...options, fastpaths: false });
    };
    picomatch3.scan = (input, options) => scan(input, options);
    picomatch3.compileRe = (state, options, returnOutput = false, returnState = false) => {
      if (returnOutput === true) {
        return state.output;
      }
      const opts = options || {};
      const prepend = opts.contains ? "" : "^";
      const append = opts.contains ? "" : "$";
      let source = `${prepend}(?:${state.output})${append}`;
      if (state && state.negated === true) {
        source = `^(?!${source}).*$`;
      }
      const regex = picomatch3.toRegex(source, options);
      if (returnState === true) {
        regex.state = state;
      }
      return regex;
    };
    picomatch3.makeRe = (input, options = {}, returnOutput = false, returnState = false) => {
      if (!input || typeof input !== "string") {
        throw new TypeError("Expected a non-empty string");
      }
      let parsed = { negated: false, fastpaths: true };
      if (options.fastpaths !== false && (input[0] === "." || input[0] === "*")) {
        parsed.output = parse.fastpaths(input, options);
      }
      if (!parsed.output) {
        parsed = parse(input, options);
      }
      return picomatch3.compileRe(parsed, options, returnOutput, returnState);
    };
    picomatch3.toRegex = (source, options) => {
      try {
        const opts = options || {};
        return new RegExp(source, opts.flags || (opts.nocase ? "i" : ""));
      } catch (err) {
        if (options && options.debug === true) throw err;
        return /$^/;
      }
    };
    picomatch3.constants = constants;
    module.exports = picomatch3;
  }
});

// node_modules/picomatch/index.js
var require_picomatch2 = __commonJS({
  "node_modules/picomatch/index.js"(exports, module) {
    "use strict";
    var pico = require_picomatch();
    var utils = require_utils();
    function picomatch3(glob2, options, returnState = false) {
      if (options && (options.windows === null || options.windows === void 0)) {
        options = { ...options, windows: utils.isWindows() };
      }
      return pico(glob2, options, returnState);
    }
    Object.assign(picomatch3, pico);
    module.exports = picomatch3;
  }
});

// src/shared/batching-report.ts
var bare = (specs) => specs.map(({ batch_axis: _, ...s }) => s);
function signatureBatching(signature) {
  if (signature.batchable) return `on: ${axesOf(signature.inputs, signature.outputs, signature.batch_dim)}`;
  const reason = offReason(signature);
  return reason === SAVED_OFF ? `off: ${reason}` : `off: ${reason}; ${BATCH_AXES_FIX}`;
}
var SAVED_OFF = "saved as not batchable";
function offReason(signature) {
  const inferred = inferBatchAxes(bare(signature.inputs), bare(signature.outputs));
  return inferred.ok ? SAVED_OFF : inferred.reason;
}
function apiBatching(api, signature) {
  if (api.batching.enabled) {
    const padding = api.batching.padding;
    const padded = padding ? `; padded: ${Object.entries(padding.inputs).map(([name, p]) => `${name} axis ${p.axis}`).join(", ")}${padding.mask ? `, mask ${padding.mask}` : ""}` : "";
    return `on: ${axesOf(api.input, api.output, signature?.batch_dim ?? 0)}${padded}`;
  }
  if (signature && !signature.batchable) return signatureBatching(signature);
  return "off: batching.enabled is false";
}
function axesOf(inputs, outputs, batchDim) {
  const list = (specs) => specs.map((s) => `${s.name} ${batchAxisOf(s, batchDim)}`).join(", ");
  return `${list(inputs)} -> ${list(outputs)}`;
}

// src/operations/build.ts
import { tmpdir as tmpdir2 } from "node:os";
import { dirname as dirname5, join as join10 } from "node:path";

// src/build/bentofile.ts
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";

// src/build/bentofile-schema.ts
var BATCH_SIZE = { min: 1, max: 4096 };
var LATENCY_MS = { min: 0.1, max: 6e5 };
var DEFAULT_BATCHING = { max_batch_size: 64, max_latency_ms: 100 };
var DEFAULT_METHOD = "run";
var nameSchema = external_exports.string().max(TAG_PART_MAX).regex(TAG_PART, {
  error: "expected lower-case letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
});
var ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
var envNameSchema = external_exports.string().regex(ENV_NAME, { error: "expected an environment variable name like MY_VAR" });
var NPM_SPEC = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(@[^\s@]+)?$/;
var SYSTEM_PACKAGE = /^[A-Za-z0-9][A-Za-z0-9+.:=~_*-]*$/;
var relativePathSchema = external_exports.string().min(1, { error: "expected a path relative to the build context" });
var labelsSchema = external_exports.record(external_exports.string().min(1, { error: "expected a non-empty label key" }), external_exports.string());
var AXIS_ERROR = 'expected an axis number (0 is the first) or "shared" for an input the whole batch uses';
var axisSchema = external_exports.union([external_exports.number().int().min(0), external_exports.literal("shared")], { error: AXIS_ERROR });
var tensorNameSchema = external_exports.string().min(1, { error: "expected an input or output name" });
var axisNumberSchema = external_exports.number({ error: "expected an axis number (0 is the first)" }).int({ error: "expected an axis number (0 is the first)" }).min(0, { error: "expected an axis number (0 is the first)" });
var paddingSchema = external_exports.strictObject({
  inputs: external_exports.record(
    tensorNameSchema,
    external_exports.strictObject({
      axis: axisNumberSchema,
      /** Default 0 (false for bool inputs, "" for strings). */
      value: external_exports.union([external_exports.number(), external_exports.boolean(), external_exports.string()], {
        error: "expected a number (true/false for bool inputs, a string for string inputs)"
      }).optional()
    })
  ),
  mask: tensorNameSchema.optional(),
  buckets: external_exports.array(
    external_exports.number().int({ error: "expected whole lengths from 1, ascending, like [16, 32, 64, 128]" }).min(1, { error: "expected whole lengths from 1, ascending, like [16, 32, 64, 128]" })
  ).min(1, { error: "expected whole lengths from 1, ascending, like [16, 32, 64, 128]" }).refine((b) => b.every((v, i) => i === 0 || v > b[i - 1]), {
    error: "expected whole lengths from 1, ascending, like [16, 32, 64, 128]"
  }).optional(),
  outputs: external_exports.record(tensorNameSchema, axisNumberSchema).optional()
});
var batchingSchema = external_exports.strictObject({
  /** Defaults to the model signature's `batchable`. */
  enabled: external_exports.boolean().optional(),
  max_batch_size: external_exports.number().int({ error: `expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}` }).min(BATCH_SIZE.min, { error: `expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}` }).max(BATCH_SIZE.max, { error: `expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.max}` }).optional(),
  max_latency_ms: external_exports.number().min(LATENCY_MS.min, { error: `expected milliseconds from ${LATENCY_MS.min} to ${LATENCY_MS.max}` }).max(LATENCY_MS.max, { error: `expected milliseconds from ${LATENCY_MS.min} to ${LATENCY_MS.max}` }).optional(),
  // The queue and admission settings the runtime also takes as flags and env (src/shared/serve-settings.ts).
  max_queue_rows: batchingFieldSchema("max_queue_rows"),
  latency_quantile: batchingFieldSchema("latency_quantile"),
  late_target: batchingFieldSchema("late_target"),
  /** Batch axis per input and output name, over what the model's signature records. */
  axes: external_exports.record(tensorNameSchema, axisSchema).optional(),
  padding: paddingSchema.optional()
});
var warmupSchema = external_exports.strictObject({
  file: relativePathSchema.optional(),
  shapes: external_exports.record(
    external_exports.string().min(1, { error: "expected an input name" }),
    external_exports.array(
      external_exports.number().int({ error: "expected whole numbers from 1, like [1, 3, 224, 224]" }).min(1, { error: "expected whole numbers from 1, like [1, 3, 224, 224]" }),
      { error: "expected a shape like [1, 3, 224, 224]" }
    )
  ).optional(),
  fill: external_exports.union([external_exports.number(), external_exports.boolean(), external_exports.string()], {
    error: "expected a number (true/false for bool inputs, a string for string inputs)"
  }).optional()
}).superRefine((warmup, ctx) => {
  if (warmup.file === void 0 === (warmup.shapes === void 0)) {
    ctx.addIssue({
      code: "custom",
      message: "set either file (a sample .json, .npy or .npz in the build context) or shapes (input name -> shape, with fill)"
    });
  } else if (warmup.file !== void 0 && warmup.fill !== void 0) {
    ctx.addIssue({
      code: "custom",
      path: ["fill"],
      message: "fill goes with shapes; a sample file carries its own values: remove fill"
    });
  }
});
var apiConfigSchema = external_exports.strictObject({
  name: nameSchema,
  /** Default `/<name>`. */
  route: external_exports.string().regex(/^\/[A-Za-z0-9_\-/.]*$/, {
    error: 'expected a path starting with "/" (letters, digits, "_", "-", ".", "/")'
  }).optional(),
  /** A model tag, `name` or `name:version`; pinned to an exact version at build time. */
  model: external_exports.string().min(1, { error: "expected a model tag like iris:latest" }),
  /** The model signature to call; default "run". */
  method: external_exports.string().min(1).optional(),
  batching: batchingSchema.optional(),
  warmup: warmupSchema.optional()
});
var declarativeServiceSchema = external_exports.strictObject({
  name: nameSchema,
  description: external_exports.string().optional(),
  labels: labelsSchema.optional(),
  apis: external_exports.array(apiConfigSchema).min(1, { error: "expected at least one API" })
});
var serviceModuleSchema = external_exports.string().regex(/^[^:]+\.(ts|mts|js|mjs)(:[A-Za-z_$][\w$]*)?$/, {
  error: 'expected "path/to/service.ts:exportName" (a .ts/.mts/.js/.mjs module and the exported service)'
});
var modelRefSchema = external_exports.union([external_exports.string().min(1), external_exports.strictObject({ tag: external_exports.string().min(1) })]);
var envSchema = external_exports.strictObject({ name: envNameSchema, value: external_exports.string() });
var nodeSchema = external_exports.strictObject({
  /** Extra npm packages the service module imports at run time; kept out of its bundle. */
  packages: external_exports.array(external_exports.string().regex(NPM_SPEC, { error: "expected an npm package like name@1.2.3 or @scope/name" })).optional(),
  /** A lockfile for those packages (package-lock.json, npm-shrinkwrap.json). */
  lockfile: relativePathSchema.optional()
});
var dockerSchema = external_exports.strictObject({
  distro: dockerOptionsSchema.shape.distro,
  /** A known CUDA release, "12.4" or "12.4.1"; pinned to a full release. */
  cuda_version: external_exports.string().min(1).optional(),
  system_packages: external_exports.array(
    external_exports.string().regex(SYSTEM_PACKAGE, { error: "expected a system package name like curl or curl=7.88*" })
  ).optional(),
  /** A shell script run while building the image. */
  setup_script: relativePathSchema.optional(),
  base_image: external_exports.string().regex(/^[^\s]+$/, { error: "expected an image reference like debian:bookworm-slim" }).optional(),
  env: external_exports.record(envNameSchema, external_exports.string()).optional(),
  /** A Dockerfile template that overrides blocks of the generated one. */
  dockerfile_template: relativePathSchema.optional()
});
var bentofileSchema = external_exports.strictObject({
  service: external_exports.union([serviceModuleSchema, declarativeServiceSchema]),
  /** The bento's name; default the service's name. */
  name: nameSchema.optional(),
  /** Text, or `file: ./README.md` to read it from a file (as BentoML does). */
  description: external_exports.string().optional(),
  labels: labelsSchema.optional(),
  /** Models bundled besides those the APIs name. */
  models: external_exports.array(modelRefSchema).optional(),
  include: external_exports.array(external_exports.string().min(1, { error: "expected a glob pattern" })).optional(),
  exclude: external_exports.array(external_exports.string().min(1, { error: "expected a glob pattern" })).optional(),
  envs: external_exports.array(envSchema).optional(),
  node: nodeSchema.optional(),
  docker: dockerSchema.optional(),
  /** Per-replica cpu, memory and GPUs for `bentoci manifests` (docs/kubernetes.md). */
  resources: resourcesSchema.optional()
});

// src/build/suggest.ts
function editDistance(a, b) {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length];
}
function closest(word, allowed) {
  const lower = word.toLowerCase();
  let best;
  for (const candidate of allowed) {
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    const limit = Math.max(2, Math.floor(Math.max(lower.length, other.length) / 3));
    const truncated = Math.min(lower.length, other.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other));
    if ((distance <= limit || truncated) && (!best || distance < best.distance))
      best = { word: candidate, distance };
  }
  return best?.word;
}

// src/build/yaml-source.ts
var import_yaml = __toESM(require_dist(), 1);
var YamlSource = class _YamlSource {
  constructor(file, doc, lines) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }
  file;
  doc;
  lines;
  /** Parses `text`; a syntax error becomes a UsageError with the line and column. */
  static parse(file, text2) {
    const lines = new import_yaml.LineCounter();
    const doc = import_yaml.default.parseDocument(text2, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const error = doc.errors[0];
    if (error) {
      const { line, col } = lines.linePos(error.pos[0]);
      const message = error.message.split("\n")[0].replace(/\.$/, "");
      throw new UsageError(
        `${file}:${line}:${col}: YAML syntax error: ${message} (fix the YAML at line ${line}, column ${col})`
      );
    }
    return new _YamlSource(file, doc, lines);
  }
  toJS() {
    return this.doc.toJS();
  }
  /**
   * `file:line:col` of the value at `path` (or of its key, with `key: true`); the nearest enclosing
   * node when the path does not exist (a missing key points at the mapping that lacks it).
   */
  locate(path, options = {}) {
    const node = this.nodeAt(path, options.key ?? false);
    const offset = node?.range?.[0];
    if (offset === void 0) return `${this.file}:1:1`;
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }
  nodeAt(path, wantKey) {
    let node = this.doc.contents;
    let found = node;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if ((0, import_yaml.isMap)(node)) {
        const pair = node.items.find(
          (p) => (0, import_yaml.isPair)(p) && (0, import_yaml.isScalar)(p.key) && String(p.key.value) === String(segment)
        );
        if (!pair) return found;
        if (last && wantKey) return pair.key;
        node = pair.value;
      } else if ((0, import_yaml.isSeq)(node) && typeof segment === "number") {
        node = node.items[segment];
      } else {
        return found;
      }
      if (node && typeof node === "object" && "range" in node) found = node;
      else return found;
    }
    return found;
  }
};
function formatPath(path) {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

// src/build/issues.ts
function flattenIssues(issues) {
  return issues.flatMap((issue) => {
    if (issue.code !== "invalid_union") return [issue];
    const meant = issue.errors.filter(
      (branch) => !(branch.length === 1 && branch[0].code === "invalid_type" && branch[0].path.length === 0)
    );
    if (meant.length !== 1) return [issue];
    return flattenIssues(
      meant[0].map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }))
    );
  });
}
function describeIssue(context, issue) {
  const { locate: locate3 } = context;
  const path = issue.path;
  const where2 = formatPath([...context.root ?? [], ...path]);
  switch (issue.code) {
    case "unrecognized_keys": {
      const key = issue.keys[0];
      const allowed = allowedKeys(context.schema, path);
      const guess = closest(key, allowed);
      const scope = where2 ? `in ${where2}` : "at the top level";
      const fix = guess ? `did you mean "${guess}"?` : `remove it (allowed keys: ${allowed.join(", ")})`;
      return `${locate3([...path, key], { key: true })}: unknown key "${key}" ${scope}: ${fix}`;
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      const guess = typeof issue.input === "string" ? closest(issue.input, values) : void 0;
      const fix = guess ? `did you mean "${guess}"?` : `expected one of ${values.join(", ")}`;
      return `${locate3(path)}: ${where2}: ${JSON.stringify(issue.input)} is not allowed: ${fix}`;
    }
    case "invalid_type":
      if (issue.input === void 0)
        return `${locate3(path)}: ${where2} is missing: add it (${expected(issue.expected)})`;
      return `${locate3(path)}: ${where2}: expected ${expected(issue.expected)}, got ${describe(issue.input)}${issue.expected === "string" && isScalar2(issue.input) ? " (quote the value)" : ""}`;
    case "invalid_union":
      if (where2 === "service" && issue.input === void 0) {
        return `${locate3(path)}: service is missing: add it (a module "path/to/service.ts:exportName" or a mapping with name and apis)`;
      }
      if (where2 === "service") {
        return `${locate3(path)}: service: expected a module "path/to/service.ts:exportName" or a mapping with name and apis, got ${describe(issue.input)}`;
      }
      return `${locate3(path)}: ${where2}: ${issue.message}, got ${describe(issue.input)}`;
    default:
      return `${locate3(path)}: ${where2}: ${issue.message}${isScalar2(issue.input) ? ` (got ${JSON.stringify(issue.input)})` : ""}`;
  }
}
function expected(type) {
  const words = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "a mapping",
    array: "a list",
    record: "a mapping",
    function: "a function"
  };
  return words[type] ?? type;
}
function describe(value) {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}
function isScalar2(value) {
  return value !== null && value !== void 0 && typeof value !== "object" && typeof value !== "function";
}
function allowedKeys(schema, path) {
  let current = unwrap(schema);
  for (const segment of path) {
    const next = [];
    for (const s of current) {
      if (s instanceof external_exports.ZodObject && typeof segment === "string" && segment in s.shape) {
        next.push(...unwrap(s.shape[segment]));
      } else if (s instanceof external_exports.ZodArray && typeof segment === "number") {
        next.push(...unwrap(s.element));
      } else if (s instanceof external_exports.ZodRecord && typeof segment === "string") {
        next.push(...unwrap(s.valueType));
      }
    }
    current = next;
  }
  return current.filter((s) => s instanceof external_exports.ZodObject).flatMap((s) => Object.keys(s.shape));
}
function unwrap(schema) {
  if (schema instanceof external_exports.ZodOptional || schema instanceof external_exports.ZodNullable || schema instanceof external_exports.ZodDefault) {
    return unwrap(schema.unwrap());
  }
  if (schema instanceof external_exports.ZodUnion) return schema.options.flatMap(unwrap);
  if (schema instanceof external_exports.ZodPipe) return unwrap(schema.in);
  return [schema];
}

// src/build/batch-layout.ts
function resolveApiBatching(config, signature, model, where2) {
  const explicit = {};
  if (signature.batchable)
    for (const s of [...signature.inputs, ...signature.outputs])
      explicit[s.name] = s.batch_axis ?? signature.batch_dim;
  Object.assign(explicit, config?.axes ?? {});
  const wantsAxes = config?.axes !== void 0;
  const axes = resolveBatchAxes(signature.inputs, signature.outputs, explicit);
  const enabled = config?.enabled ?? (signature.batchable || wantsAxes);
  if (!enabled) {
    if (config?.padding)
      throw new UsageError(
        `${where2("batching", "padding")}: padding needs batching on: remove it or set enabled: true`
      );
    return { enabled: false, input: signature.inputs, output: signature.outputs };
  }
  if (!signature.batchable && !wantsAxes) {
    const why = offReason(signature);
    throw new UsageError(
      `${where2("batching", "enabled")}: model ${model} is not batchable (${why}): set batching.axes to batch it, or enabled: false`
    );
  }
  if (!axes.ok)
    throw new UsageError(
      `${where2("batching", wantsAxes ? "axes" : "enabled")}: model ${model} cannot batch: ${axes.reason}; ${BATCH_AXES_FIX}, or set enabled: false`
    );
  const input = withAxes(signature.inputs, axes.inputs);
  const output = withAxes(signature.outputs, axes.outputs);
  const padding = config?.padding ? resolvePadding(config.padding, input, output, where2) : void 0;
  return { enabled, input, output, ...padding ? { padding } : {} };
}
function resolvePadding(config, inputs, outputs, where2) {
  const fail3 = (keys, message) => {
    throw new UsageError(`${where2("batching", "padding", ...keys)}: ${message}`);
  };
  const find = (specs, name, keys, kind) => specs.find((s) => s.name === name) ?? fail3(
    keys,
    `"${name}" is not an ${kind} of the model (${kind}s: ${specs.map((s) => `"${s.name}"`).join(", ")})`
  );
  const padded = {};
  const checkAxis = (spec, axis, keys) => {
    if (spec.shape === null)
      fail3(keys, `"${spec.name}" has no shape (unknown rank): padding needs its axes known`);
    if (axis === spec.batch_axis)
      fail3(keys, `axis ${axis} of "${spec.name}" is its batch axis: pad along another`);
    const problem = axisProblem(spec, axis);
    if (problem) fail3(keys, problem.replace("hold more rows", "be padded"));
  };
  for (const [name, entry] of Object.entries(config.inputs)) {
    const spec = find(inputs, name, ["inputs", name], "input");
    if (spec.batch_axis === "shared")
      fail3(["inputs", name], `"${name}" is shared by the batch: only batched inputs are padded`);
    checkAxis(spec, entry.axis, ["inputs", name, "axis"]);
    padded[name] = {
      axis: entry.axis,
      value: padValue(spec, entry.value, () => ["inputs", name, "value"], fail3)
    };
  }
  if (Object.keys(padded).length === 0) fail3(["inputs"], "name at least one input to pad");
  if (config.mask !== void 0) {
    const mask = find(inputs, config.mask, ["mask"], "input");
    const axis = padded[mask.name]?.axis ?? maskAxis(mask, fail3);
    checkAxis(mask, axis, ["mask"]);
    if (mask.dtype === "string") fail3(["mask"], `"${mask.name}" holds strings: a mask is numbers or bools`);
    if (padded[mask.name] && padded[mask.name].value !== 0 && padded[mask.name].value !== false)
      fail3(["inputs", mask.name, "value"], `the mask "${mask.name}" is padded with 0: remove value`);
    const other = mask.shape.findIndex(
      (d, i) => i !== axis && i !== mask.batch_axis && typeof d !== "number"
    );
    if (other !== -1)
      fail3(
        ["mask"],
        `axis ${other} of "${mask.name}" is dynamic: the runtime can only fill a mask whose other axes are fixed`
      );
    padded[mask.name] = { axis, value: mask.dtype === "bool" ? false : 0 };
  }
  const cut = {};
  for (const [name, axis] of Object.entries(config.outputs ?? {})) {
    checkAxis(find(outputs, name, ["outputs", name], "output"), axis, ["outputs", name]);
    cut[name] = axis;
  }
  return {
    inputs: padded,
    ...config.mask !== void 0 ? { mask: config.mask } : {},
    ...config.buckets ? { buckets: config.buckets } : {},
    ...Object.keys(cut).length > 0 ? { outputs: cut } : {}
  };
}
function maskAxis(mask, fail3) {
  const dynamic = (mask.shape ?? []).flatMap(
    (d, i) => i !== mask.batch_axis && (typeof d === "string" || d === -1) ? [i] : []
  );
  if (dynamic.length !== 1)
    fail3(["mask"], `say which axis of "${mask.name}" is padded: list it under inputs with its axis`);
  return dynamic[0];
}
function padValue(spec, value, keys, fail3) {
  if (spec.dtype === "bool") {
    if (value === void 0) return false;
    if (typeof value !== "boolean") fail3(keys(), `"${spec.name}" is bool: pad with true or false`);
  } else if (spec.dtype === "string") {
    if (value === void 0) return "";
    if (typeof value !== "string") fail3(keys(), `"${spec.name}" holds strings: pad with a string`);
  } else {
    if (value === void 0) return 0;
    if (typeof value !== "number") fail3(keys(), `"${spec.name}" is ${spec.dtype}: pad with a number`);
    if (!spec.dtype.startsWith("float") && !Number.isInteger(value))
      fail3(keys(), `"${spec.name}" is ${spec.dtype}: pad with a whole number`);
  }
  return value;
}

// src/build/resolve.ts
async function resolveModels(store, requests) {
  const byText = /* @__PURE__ */ new Map();
  for (const { tag, where: where2 } of requests) {
    if (byText.has(tag)) continue;
    let model;
    try {
      model = await store.get(parseTag(tag, noun("model tag")));
      await store.assertIntact(model);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new UsageError(
          say`${where2}: model "${tag}" is not in the store (${store.root}): save it with ${operation("save-model", `${parseTag(tag).name} PATH`)} or fix the tag`
        );
      }
      if (err instanceof BentoError) throw new UsageError(say`${where2}: ${err}`, { cause: err });
      throw err;
    }
    byText.set(tag, model);
  }
  return byText;
}
function modelRefs(models) {
  const seen = /* @__PURE__ */ new Map();
  for (const model of models) {
    const tag = formatTag(model.tag);
    if (seen.has(tag)) continue;
    seen.set(tag, {
      model,
      ref: {
        tag,
        module: model.info.module,
        digest: model.info.digest,
        size: model.info.size,
        path: `models/${model.tag.name}/${model.tag.version}`
      }
    });
  }
  return [...seen.values()];
}
var RESERVED_ROUTES = ["/healthz", "/readyz", "/metrics"];
function checkApiRoutes(apis, where2) {
  const names3 = /* @__PURE__ */ new Map();
  const routes = /* @__PURE__ */ new Map();
  apis.forEach((api, i) => {
    const seen = names3.get(api.name);
    if (seen !== void 0) {
      throw new UsageError(
        `${where2(i, "name")}: "${api.name}" is also the name of API ${seen + 1}: give each API its own name`
      );
    }
    names3.set(api.name, i);
    const route = api.route ?? `/${api.name}`;
    const at = where2(i, api.route ? "route" : "name");
    if (RESERVED_ROUTES.includes(route))
      throw new UsageError(`${at}: route ${route} is served by the runtime itself: choose another route`);
    const other = routes.get(route);
    if (other !== void 0) {
      throw new UsageError(
        `${at}: route ${route} is also the route of API ${other + 1} (${apis[other].name}): give each API its own route`
      );
    }
    routes.set(route, i);
  });
}
function resolveApi(api, model, where2) {
  const method = api.method ?? DEFAULT_METHOD;
  const tag = formatTag(model.tag);
  const signatures = Object.keys(model.info.signatures);
  const signature = model.info.signatures[method];
  if (!signature) {
    const fix = signatures.length ? `use one of ${signatures.join(", ")}` : `the model (module ${model.info.module}) has no signatures: serve an ONNX model`;
    throw new UsageError(
      `${where2(api.method ? "method" : "model")}: model ${tag} has no signature "${method}": ${fix}`
    );
  }
  const batching = resolveApiBatching(api.batching, signature, tag, where2);
  return {
    name: api.name,
    route: api.route ?? `/${api.name}`,
    model: tag,
    method,
    batching: {
      enabled: batching.enabled,
      max_batch_size: api.batching?.max_batch_size ?? DEFAULT_BATCHING.max_batch_size,
      max_latency_ms: api.batching?.max_latency_ms ?? DEFAULT_BATCHING.max_latency_ms,
      ...queueSettings(api.batching),
      ...batching.padding ? { padding: batching.padding } : {}
    },
    input: batching.input,
    output: batching.output
  };
}
function queueSettings(batching) {
  const out = {};
  if (batching?.max_queue_rows !== void 0) out.max_queue_rows = batching.max_queue_rows;
  if (batching?.latency_quantile !== void 0) out.latency_quantile = batching.latency_quantile;
  if (batching?.late_target !== void 0) out.late_target = batching.late_target;
  return out;
}

// src/build/bentofile.ts
var DEFAULT_BENTOFILE = "bentofile.yaml";
function displayPath(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
async function loadBentofile(path, context = dirname(resolve(path))) {
  const absolute = resolve(path);
  const file = displayPath(absolute);
  let text2;
  try {
    text2 = await readFile(absolute, "utf8");
  } catch (err) {
    const code = err.code;
    if (code === "ENOENT") {
      throw new UsageError(
        `${file} not found: create a bentofile.yaml in the build context (see docs/bentofile.md) or pass -f PATH`
      );
    }
    throw new UsageError(`${file} cannot be read (${code ?? err.message}); check its permissions`);
  }
  const source = YamlSource.parse(file, text2);
  const config = validateBentofile(source);
  return { path: absolute, context: resolve(context), config, source };
}
function validateBentofile(source) {
  const data = source.toJS();
  if (data === null || data === void 0 || typeof data !== "object" || Array.isArray(data)) {
    throw new UsageError(
      `${source.file}:1:1: expected a mapping of bentofile keys with at least "service" (see docs/bentofile.md)`
    );
  }
  const parsed = bentofileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const issue = firstIssue(source, flattenIssues(parsed.error.issues));
    throw new UsageError(
      describeIssue({ schema: bentofileSchema, locate: (p, o) => source.locate(p, o) }, issue)
    );
  }
  checkAcrossFields(source, parsed.data);
  return parsed.data;
}
function firstIssue(source, issues) {
  const rank = (issue) => {
    const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]] : issue.path;
    const [line = "0", col = "0"] = source.locate(path, { key: issue.code === "unrecognized_keys" }).split(":").slice(-2);
    const missing = (issue.code === "invalid_type" || issue.code === "invalid_union") && issue.input === void 0;
    return (missing ? 1e12 : 0) + Number(line) * 1e6 + Number(col);
  };
  return [...issues].sort((a, b) => rank(a) - rank(b))[0];
}
function checkAcrossFields(source, config) {
  const fail3 = (path, message) => {
    throw new UsageError(`${source.locate(path)}: ${formatPath(path)}: ${message}`);
  };
  if (typeof config.service !== "string") {
    checkApiRoutes(config.service.apis, (i, key) => {
      const path = ["service", "apis", i, key];
      return `${source.locate(path)}: ${formatPath(path)}`;
    });
  }
  const envNames = /* @__PURE__ */ new Map();
  (config.envs ?? []).forEach((env, i) => {
    const seen = envNames.get(env.name);
    if (seen !== void 0)
      fail3(["envs", i, "name"], `${env.name} is already set by envs[${seen}]: set each variable once`);
    envNames.set(env.name, i);
  });
  const docker = config.docker;
  if (docker?.cuda_version !== void 0) {
    if (!resolveCudaVersion(docker.cuda_version)) {
      fail3(
        ["docker", "cuda_version"],
        `"${docker.cuda_version}" is not a known CUDA release: ${cudaVersionHint(docker.cuda_version)}`
      );
    }
    if (docker.distro === "alpine")
      fail3(
        ["docker", "distro"],
        "there are no CUDA images for alpine: use debian or ubuntu with cuda_version"
      );
    if (docker.base_image) {
      fail3(
        ["docker", "base_image"],
        "a base_image replaces the CUDA base image: remove cuda_version, or base_image and let cuda_version choose it"
      );
    }
  }
}

// src/build/build.ts
var import_yaml2 = __toESM(require_dist(), 1);
import { join as join8 } from "node:path";

// src/containerize/bento-files.ts
import { readFile as readFile2 } from "node:fs/promises";
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
function resolveCudaVersion2(requested) {
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
  return `nvidia/cuda:${CUDA_IMAGES[resolveCudaVersion2(version)]}`;
}
function chooseBase(docker) {
  if (docker.distro === "alpine") {
    throw new UsageError(
      'docker.distro "alpine" is not supported: onnxruntime-node ships glibc binaries only and cannot load on musl; use distro debian (default) or ubuntu, or a glibc base_image'
    );
  }
  const cudaVersion2 = docker.cuda_version ? resolveCudaVersion2(docker.cuda_version) : void 0;
  if (docker.base_image) {
    return {
      image: docker.base_image,
      copyNode: true,
      packageManager: "apt",
      ...cudaVersion2 ? { cudaVersion: cudaVersion2 } : {}
    };
  }
  if (cudaVersion2)
    return { image: cudaImage(cudaVersion2), copyNode: true, packageManager: "apt", cudaVersion: cudaVersion2 };
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
  const locate3 = locator(source);
  const pieces = split(source, locate3);
  applyWhitespace(pieces, options);
  const out = [];
  for (const piece of pieces) {
    if (piece.kind === "text") {
      if (piece.value) out.push({ kind: "text", value: piece.value });
    } else if (piece.kind !== "comment") {
      out.push({ kind: piece.kind, code: piece.code, offset: piece.offset, at: locate3(piece.offset) });
    }
  }
  return out;
}
function split(source, locate3) {
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
    if (close < 0) fail(locate3(open), `unclosed ${describe2(kind)}: expected "${CLOSE[kind]}"`);
    const stripRight = close > start && source[close - 1] === "-";
    const code = source.slice(start, stripRight ? close - 1 : close);
    pieces.push({ kind, code, offset: start, stripLeft, stripRight });
    pos = close + 2;
    if (kind === "tag" && RAW.test(code)) {
      END_RAW.lastIndex = pos;
      const end = END_RAW.exec(source);
      if (!end) fail(locate3(open), "unclosed {% raw %}: expected {% endraw %}");
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
function describe2(kind) {
  return kind === "output" ? "{{ ... }}" : kind === "tag" ? "{% ... %}" : "comment";
}
var OPERATORS = ["==", "!=", "<=", ">=", "<", ">", "=", "(", ")", "[", "]", ",", ".", "|", "~", ":", "-"];
var ESCAPES = { n: "\n", t: "	", r: "\r", "\\": "\\", '"': '"', "'": "'" };
function tokenize(code, offset, locate3) {
  const tokens = [];
  let i = 0;
  while (i < code.length) {
    const c = code[i];
    const at = locate3(offset + i);
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
  tokens.push({ type: "end", value: "", at: locate3(offset + code.length) });
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
    (v, [sep4], at) => {
      if (!Array.isArray(v)) return text(v, at);
      const glue = text(sep4 ?? "", at);
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
  const named2 = new Map(Object.entries(options.templates ?? {}));
  const parsed = /* @__PURE__ */ new Map();
  const load2 = (name) => {
    const source2 = named2.get(name);
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
    load: load2,
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
var ENV_NAME2 = /^[A-Za-z_][A-Za-z0-9_]*$/;
var SYSTEM_PACKAGE2 = /^[A-Za-z0-9][A-Za-z0-9.+_:=~*-]*$/;
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
    const where2 = options.template ? `docker.dockerfile_template "${options.template.path}"` : "the base Dockerfile template";
    throw new UsageError(`${where2} failed to render: ${oneLine(err)}`);
  }
}
function templateContext(bento, base, options) {
  const docker = bento.docker;
  const envs = [...bento.envs, ...Object.entries(docker.env ?? {}).map(([name, value]) => ({ name, value }))];
  for (const { name, value } of envs) {
    if (!ENV_NAME2.test(name))
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
    if (!SYSTEM_PACKAGE2.test(pkg))
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
  if (await exists(stored)) return { text: await readFile2(stored, "utf8"), stored: true };
  if (bento.docker.dockerfile_template !== void 0 || await exists(join(dir, TEMPLATE_COPY))) {
    const name = bento.version ? `${bento.name}:${bento.version}` : bento.name;
    throw new UsageError(
      say`bento ${name} has a docker.dockerfile_template but no ${STORED_DOCKERFILE}: containerize does not render a bento's template; ${operation("build")} to store the rendered Dockerfile`
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
      source: await readFile2(join(dir, template), "utf8"),
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
      "package.json": await readFile2(join(envDir, "package.json"), "utf8")
    };
    for (const lock2 of ["package-lock.json", "npm-shrinkwrap.json"]) {
      if (await exists(join(envDir, lock2))) files2[lock2] = await readFile2(join(envDir, lock2), "utf8");
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
  if (lock) files["package-lock.json"] = await readFile2(join(dir, lock), "utf8");
  return { files, lockfile: false };
}
function splitPackageSpec(spec) {
  const at = spec.lastIndexOf("@");
  if (at <= 0) return [spec, "*"];
  return [spec.slice(0, at), spec.slice(at + 1) || "*"];
}
async function locate(dir, option2, copy, name) {
  const rel = option2?.replace(/^\.\//, "");
  if (rel !== void 0 && (rel.startsWith("/") || rel.split("/").includes(".."))) {
    throw new UsageError(`invalid ${name} "${option2}" in bento.yaml: expected a path inside the bento`);
  }
  const candidates = [rel, copy, rel === void 0 ? void 0 : `src/${rel}`].filter(
    (c) => c !== void 0
  );
  for (const candidate of candidates) if (await exists(join(dir, candidate))) return candidate;
  if (rel === void 0) return void 0;
  throw new UsageError(
    `${name} "${option2}" is not in the bento (looked for ${candidates.join(", ")}); rebuild the bento with the file inside the build context`
  );
}

// src/shared/body-formats.ts
var NPZ_TYPE = "application/x-npz";
var singleTensorBody = (count) => count === 1;

// src/build/openapi.ts
function elementSchema(dtype, direction) {
  switch (dtype) {
    case "float16":
    case "float32":
    case "float64":
      return direction === "output" ? { type: ["number", "null"] } : { type: "number" };
    case "bool":
      return direction === "output" ? { type: "boolean" } : { anyOf: [{ type: "boolean" }, { enum: [0, 1] }] };
    case "string":
      return { type: "string" };
    case "int64":
    case "uint64": {
      const [minimum, maximum] = INTEGER_RANGES[dtype];
      const pattern = dtype === "int64" ? "^-?[0-9]{1,19}$" : "^[0-9]{1,20}$";
      return {
        anyOf: [
          { type: "integer", minimum, maximum },
          { type: "string", pattern }
        ]
      };
    }
    default: {
      const [minimum, maximum] = INTEGER_RANGES[dtype];
      return { type: "integer", minimum, maximum };
    }
  }
}
function formatShape(shape) {
  if (shape === null) return "(any shape)";
  return `[${shape.map((d) => d === -1 ? "?" : String(d)).join(", ")}]`;
}
function tensorSchema(spec, direction, batchDim) {
  let schema = elementSchema(spec.dtype, direction);
  if (spec.shape === null)
    return {
      description: `${spec.dtype} tensor of any shape (unknown rank)`,
      anyOf: [schema, { type: "array" }],
      "x-bentoci-tensor": { name: spec.name, dtype: spec.dtype, shape: null }
    };
  const axis = batchDim === void 0 || spec.batch_axis === "shared" ? void 0 : spec.batch_axis ?? batchDim;
  for (let i = spec.shape.length - 1; i >= 0; i--) {
    const dim = spec.shape[i];
    const fixed = typeof dim === "number" && dim >= 0;
    schema = {
      type: "array",
      items: schema,
      ...fixed ? { minItems: dim, maxItems: dim } : i === axis ? { minItems: 1 } : {}
    };
  }
  return {
    description: `${spec.dtype} tensor of shape ${formatShape(spec.shape)}`,
    ...schema,
    "x-bentoci-tensor": { name: spec.name, dtype: spec.dtype, shape: spec.shape }
  };
}
function bodySchema(specs, direction, batchDim, filled) {
  const named2 = {
    type: "object",
    properties: Object.fromEntries(specs.map((s) => [s.name, tensorSchema(s, direction, batchDim)])),
    required: specs.filter((s) => s.name !== filled).map((s) => s.name),
    additionalProperties: false
  };
  if (specs.length !== 1) return named2;
  const tensor = tensorSchema(specs[0], direction, batchDim);
  return direction === "input" ? { oneOf: [tensor, named2] } : tensor;
}
var errorSchema = {
  type: "object",
  properties: { error: { type: "string", description: "One line naming the input and what was expected" } },
  required: ["error"]
};
function schemaName(api, part) {
  return `${api}_${part}`;
}
function openApiDocument(options) {
  const schemas = {};
  const paths = {};
  for (const api of options.apis) {
    const batchDim = api.batching.enabled ? options.batchDims[api.name] : void 0;
    const input = schemaName(api.name, "input");
    const output = schemaName(api.name, "output");
    schemas[input] = bodySchema(api.input, "input", batchDim, api.batching.padding?.mask);
    schemas[output] = options.postHooks?.has(api.name) ? { description: `Whatever the service's post hook for ${api.name} returns` } : bodySchema(api.output, "output", batchDim);
    const inputs = api.input.map((s) => `${s.name}: ${s.dtype} ${formatShape(s.shape)}`).join("; ");
    paths[api.route] = {
      post: {
        operationId: api.name,
        summary: `Run ${api.model} (${api.method})`,
        description: [
          `Inputs: ${inputs}.`,
          api.batching.enabled ? `Requests are batched (up to ${api.batching.max_batch_size} rows, waiting at most ${api.batching.max_latency_ms} ms).` : "Requests are not batched.",
          options.preHooks?.has(api.name) ? "The service's pre hook runs before the input is checked." : ""
        ].filter(Boolean).join(" "),
        "x-bentoci-model": api.model,
        ...singleTensorBody(api.input.length) ? { parameters: binaryHeaders() } : {},
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { $ref: `#/components/schemas/${input}` } },
            [NPZ_TYPE]: binary(
              `The inputs as a NumPy .npz archive (np.savez or np.savez_compressed), one array per input named after it: ${api.input.map((s) => s.name).join(", ")}`
            ),
            ...singleTensorBody(api.input.length) ? {
              "application/x-npy": binary("The input tensor as a NumPy .npy file"),
              "application/octet-stream": binary(
                "The input tensor as raw little-endian bytes (x-tensor-dtype, x-tensor-shape)"
              )
            } : {}
          }
        },
        responses: {
          "200": {
            description: "The model output, in the format the Accept header asks for (JSON by default)",
            content: {
              "application/json": { schema: { $ref: `#/components/schemas/${output}` } },
              ...options.postHooks?.has(api.name) ? {} : {
                [NPZ_TYPE]: binary("The outputs as a NumPy .npz archive, one <output>.npy member each"),
                ...singleTensorBody(api.output.length) ? {
                  "application/x-npy": binary("The output tensor as a NumPy .npy file"),
                  "application/octet-stream": binary(
                    "The output tensor as raw little-endian bytes (x-tensor-dtype, x-tensor-shape headers)"
                  )
                } : {}
              }
            }
          },
          "400": { description: "The input does not match the signature", content: jsonError },
          "406": {
            description: "An Accept type the outputs cannot take (a single-tensor type for several outputs)",
            content: jsonError
          },
          "413": { description: "The body is larger than the limit", content: jsonError },
          "415": { description: "An unsupported content type", content: jsonError },
          "503": { description: "Overloaded (see Retry-After), not ready, or draining", content: jsonError },
          "504": { description: "The request timed out", content: jsonError }
        }
      }
    };
  }
  paths["/healthz"] = probe("healthz", "Liveness: 200 while the process serves HTTP");
  paths["/readyz"] = probe(
    "readyz",
    "Readiness: 200 once every model is loaded and warmed up, 503 before and while draining"
  );
  paths["/metrics"] = {
    get: {
      operationId: "runtime.metrics",
      summary: "Prometheus metrics",
      responses: {
        "200": {
          description: "Metrics in the Prometheus text format",
          content: { "text/plain": { schema: { type: "string" } } }
        }
      }
    }
  };
  return {
    openapi: "3.1.0",
    info: {
      title: options.title,
      ...options.description ? { description: options.description } : {},
      version: "1.0.0"
    },
    paths,
    components: { schemas: { ...schemas, Error: errorSchema } }
  };
}
function binary(description) {
  return { schema: { type: "string", format: "binary", description } };
}
function binaryHeaders() {
  const header = (name, description, schema) => ({
    name,
    in: "header",
    required: false,
    description,
    schema
  });
  return [
    header("x-tensor-dtype", "With application/octet-stream: the element type", {
      enum: [...BINARY_DTYPES]
    }),
    header("x-tensor-shape", "With application/octet-stream: the dims, comma-separated (e.g. 2,4)", {
      type: "string"
    })
  ];
}
var jsonError = { "application/json": { schema: { $ref: "#/components/schemas/Error" } } };
function probe(name, summary) {
  return {
    get: {
      operationId: `runtime.${name}`,
      summary,
      responses: {
        "200": { description: "OK" },
        "503": { description: "Not ready" }
      }
    }
  };
}

// src/build/plan.ts
import { readFile as readFile5, stat as stat4 } from "node:fs/promises";
import { basename as basename3, join as join6, resolve as resolve6 } from "node:path";

// src/build/context-path.ts
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, join as join2, relative as relative2, resolve as resolve2, sep } from "node:path";
function isInside(root, path) {
  const rel = relative2(root, path);
  return rel === "" || !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
async function contextFile(ref) {
  const { context, rel } = ref;
  const where2 = `${ref.where}: ${ref.noun ? `${ref.noun} ` : ""}`;
  const lexical = resolve2(context, rel);
  if (!isInside(context, lexical)) {
    throw new UsageError(
      `${where2}"${rel}" is outside the build context ${context}: copy the file into the project and name it relative to it`
    );
  }
  const real = await realpath(lexical).catch(() => void 0);
  if (real === void 0 || !(await stat(real)).isFile())
    throw new UsageError(`${where2}"${rel}" ${ref.missing}`);
  const realContext = await realpath(context);
  if (!isInside(realContext, real)) {
    throw new UsageError(
      `${where2}"${rel}" leads through a symbolic link to ${real}, outside the build context ${context}: copy the file into the project instead of linking it`
    );
  }
  return real;
}
async function throughLink(realContext, rel) {
  const path = join2(realContext, rel);
  const real = await realpath(path).catch(() => path);
  return real === path ? void 0 : real;
}

// src/build/reproducible.ts
import { createHash } from "node:crypto";
var LAST_COMMIT_TIME = "git log -1 --format=%ct";
function parseSourceDateEpoch(value) {
  if (value === void 0 || value === "") return void 0;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seconds) || seconds * 1e3 > 864e13) {
    throw new UsageError(
      `invalid SOURCE_DATE_EPOCH "${value}": expected whole seconds since 1970-01-01 UTC (e.g. $(${LAST_COMMIT_TIME}))`
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

// src/build/service-module.ts
import { randomBytes } from "node:crypto";
import { unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname as dirname2, extname, join as join4, resolve as resolve3 } from "node:path";
import { pathToFileURL as pathToFileURL2 } from "node:url";

// src/build/esbuild-loader.ts
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join as join3 } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
var cache = /* @__PURE__ */ new Map();
function loadEsbuild(context) {
  let loading = cache.get(context);
  if (!loading) {
    loading = load(context);
    cache.set(context, loading);
    loading.catch(() => cache.delete(context));
  }
  return loading;
}
async function load(context) {
  const bases = [import.meta.url, pathToFileURL(join3(context, "package.json")).href];
  for (const base of bases) {
    let entry;
    try {
      entry = createRequire(base).resolve("esbuild");
    } catch {
      continue;
    }
    return importEsbuild(pathToFileURL(entry).href);
  }
  const wasm = new URL("./esbuild-wasm/lib/main.js", import.meta.url);
  if (existsSync(fileURLToPath(wasm))) return importEsbuild(wasm.href);
  throw new UsageError(
    `bundling a service module needs esbuild, which is not installed with bentoci or in ${context}: run \`npm i -D esbuild\` in the project, or declare the service in bentofile.yaml`
  );
}
async function importEsbuild(url) {
  const mod = await import(url);
  return typeof mod.build === "function" ? mod : mod.default;
}

// src/build/service-module.ts
var fn = external_exports.custom((v) => typeof v === "function", {
  error: "expected a function"
});
var declaredApiSchema = apiConfigSchema.omit({ name: true }).extend({ pre: fn.optional(), post: fn.optional() });
var serviceDefinitionSchema = external_exports.strictObject({
  name: apiConfigSchema.shape.name.optional(),
  description: external_exports.string().optional(),
  labels: external_exports.record(external_exports.string().min(1), external_exports.string()).optional(),
  setup: fn.optional(),
  shutdown: fn.optional(),
  apis: external_exports.record(apiConfigSchema.shape.name, declaredApiSchema)
});
function parseServiceRef(text2) {
  const colon = text2.lastIndexOf(":");
  return colon < 0 ? { path: text2, exportName: "default" } : { path: text2.slice(0, colon), exportName: text2.slice(colon + 1) };
}
async function compileServiceModule(options) {
  const { context, ref, where: where2 } = options;
  await contextFile({
    context,
    rel: ref.path,
    where: `${where2}: service`,
    noun: "module",
    missing: `not found in ${context}: create it or fix the path`
  });
  const entry = resolve3(context, ref.path);
  const file = `${basename(ref.path, extname(ref.path))}.mjs`;
  const code = await bundle(entry, context, options.external, ref.path);
  const exported = await importExport(code, entry, ref);
  const parsed = serviceDefinitionSchema.safeParse(exported, { reportInput: true });
  const label = `${ref.path} (export "${ref.exportName}")`;
  if (!parsed.success) {
    const issue = flattenIssues(parsed.error.issues)[0];
    throw new UsageError(describeIssue({ schema: serviceDefinitionSchema, locate: () => label }, issue));
  }
  const definition = parsed.data;
  const apis = Object.entries(definition.apis).map(([name, api]) => {
    const { pre: _pre, post: _post, ...fields } = api;
    return apiConfigSchema.parse({ name, ...fields });
  });
  if (apis.length === 0)
    throw new UsageError(
      `${label}: apis is empty: declare at least one API (name: { model: "iris:latest" })`
    );
  return {
    file,
    code,
    module: `${file}:${ref.exportName}`,
    ...definition.name ? { name: definition.name } : {},
    ...definition.description ? { description: definition.description } : {},
    ...definition.labels ? { labels: definition.labels } : {},
    apis,
    preHooks: new Set(Object.keys(definition.apis).filter((name) => definition.apis[name].pre)),
    postHooks: new Set(Object.keys(definition.apis).filter((name) => definition.apis[name].post))
  };
}
async function bundle(entry, context, external, shown) {
  const esbuild = await loadEsbuild(context);
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: context,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      outfile: join4(context, "bundle.mjs"),
      external: ["onnxruntime-node", ...external.flatMap((name) => [name, `${name}/*`])],
      // CommonJS dependencies call require() for Node built-ins and read __dirname; ESM output has
      // neither. `define` only replaces free uses, so a module that declares its own keeps it.
      define: { __dirname: "import.meta.dirname", __filename: "import.meta.filename" },
      banner: {
        js: "import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);"
      },
      legalComments: "none",
      sourcemap: false,
      logLevel: "silent"
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error("esbuild wrote no output");
    return output.text;
  } catch (err) {
    const first = err.errors?.[0];
    if (first) {
      const at = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}` : shown;
      throw new UsageError(
        `${at}: service module ${shown} does not compile: ${first.text}; fix it, or list the package in node.packages if it is installed at run time`
      );
    }
    throw err;
  }
}
async function importExport(code, entry, ref) {
  const name = `.${basename(entry)}.bentoci-${process.pid}-${randomBytes(4).toString("hex")}.mjs`;
  let temp = join4(dirname2(entry), name);
  try {
    await writeFile(temp, code);
  } catch {
    temp = join4(tmpdir(), name);
    await writeFile(temp, code);
  }
  let mod;
  try {
    mod = await import(pathToFileURL2(temp).href);
  } catch (err) {
    throw new UsageError(
      `service module ${ref.path} fails to load: ${err.message.split("\n")[0]}; fix the module or install what it imports`
    );
  } finally {
    await unlink(temp).catch(() => void 0);
  }
  if (!(ref.exportName in mod)) {
    const names3 = Object.keys(mod).join(", ") || "nothing";
    throw new UsageError(
      `service module ${ref.path} has no export "${ref.exportName}" (it exports ${names3}): export the service or fix the name after ":"`
    );
  }
  const value = mod[ref.exportName];
  if (typeof value !== "object" || value === null) {
    throw new UsageError(
      `service module ${ref.path}: export "${ref.exportName}" is ${describe(value)}: export an object with apis`
    );
  }
  return value;
}

// src/build/sources.ts
import { realpath as realpath3 } from "node:fs/promises";
import { isAbsolute as isAbsolute3, relative as relative4, sep as sep3 } from "node:path";

// node_modules/tinyglobby/dist/index.mjs
import { readdir, readdirSync, realpath as realpath2, realpathSync, stat as stat2, statSync } from "fs";
import { isAbsolute as isAbsolute2, posix, resolve as resolve5 } from "path";
import { fileURLToPath as fileURLToPath2 } from "url";

// node_modules/fdir/dist/index.mjs
import { createRequire as createRequire2 } from "module";
import { basename as basename2, dirname as dirname3, normalize, relative as relative3, resolve as resolve4, sep as sep2 } from "path";
import * as nativeFs from "fs";
var __require = /* @__PURE__ */ createRequire2(import.meta.url);
function cleanPath(path) {
  let normalized = normalize(path);
  if (normalized.length > 1 && normalized[normalized.length - 1] === sep2) normalized = normalized.substring(0, normalized.length - 1);
  return normalized;
}
var SLASHES_REGEX = /[\\/]/g;
function convertSlashes(path, separator) {
  return path.replace(SLASHES_REGEX, separator);
}
var WINDOWS_ROOT_DIR_REGEX = /^[a-z]:[\\/]$/i;
function isRootDirectory(path) {
  return path === "/" || WINDOWS_ROOT_DIR_REGEX.test(path);
}
function normalizePath(path, options) {
  const { resolvePaths, normalizePath: normalizePath$1, pathSeparator } = options;
  const pathNeedsCleaning = process.platform === "win32" && path.includes("/") || path.startsWith(".");
  if (resolvePaths) path = resolve4(path);
  if (normalizePath$1 || pathNeedsCleaning) path = cleanPath(path);
  if (path === ".") return "";
  const needsSeperator = path[path.length - 1] !== pathSeparator;
  return convertSlashes(needsSeperator ? path + pathSeparator : path, pathSeparator);
}
function joinPathWithBasePath(filename, directoryPath) {
  return directoryPath + filename;
}
function joinPathWithRelativePath(root, options) {
  return function(filename, directoryPath) {
    const sameRoot = directoryPath.startsWith(root);
    if (sameRoot) return directoryPath.slice(root.length) + filename;
    else return convertSlashes(relative3(root, directoryPath), options.pathSeparator) + options.pathSeparator + filename;
  };
}
function joinPath(filename) {
  return filename;
}
function joinDirectoryPath(filename, directoryPath, separator) {
  return directoryPath + filename + separator;
}
function build$7(root, options) {
  const { relativePaths, includeBasePath } = options;
  return relativePaths && root ? joinPathWithRelativePath(root, options) : includeBasePath ? joinPathWithBasePath : joinPath;
}
function pushDirectoryWithRelativePath(root) {
  return function(directoryPath, paths) {
    paths.push(directoryPath.substring(root.length) || ".");
  };
}
function pushDirectoryFilterWithRelativePath(root) {
  return function(directoryPath, paths, filters) {
    const relativePath = directoryPath.substring(root.length) || ".";
    if (filters.every((filter) => filter(relativePath, true))) paths.push(relativePath);
  };
}
var pushDirectory = (directoryPath, paths) => {
  paths.push(directoryPath || ".");
};
var pushDirectoryFilter = (directoryPath, paths, filters) => {
  const path = directoryPath || ".";
  if (filters.every((filter) => filter(path, true))) paths.push(path);
};
var empty$2 = () => {
};
function build$6(root, options) {
  const { includeDirs, filters, relativePaths } = options;
  if (!includeDirs) return empty$2;
  if (relativePaths) return filters && filters.length ? pushDirectoryFilterWithRelativePath(root) : pushDirectoryWithRelativePath(root);
  return filters && filters.length ? pushDirectoryFilter : pushDirectory;
}
var pushFileFilterAndCount = (filename, _paths, counts, filters) => {
  if (filters.every((filter) => filter(filename, false))) counts.files++;
};
var pushFileFilter = (filename, paths, _counts, filters) => {
  if (filters.every((filter) => filter(filename, false))) paths.push(filename);
};
var pushFileCount = (_filename, _paths, counts, _filters) => {
  counts.files++;
};
var pushFile = (filename, paths) => {
  paths.push(filename);
};
var empty$1 = () => {
};
function build$5(options) {
  const { excludeFiles, filters, onlyCounts } = options;
  if (excludeFiles) return empty$1;
  if (filters && filters.length) return onlyCounts ? pushFileFilterAndCount : pushFileFilter;
  else if (onlyCounts) return pushFileCount;
  else return pushFile;
}
var getArray = (paths) => {
  return paths;
};
var getArrayGroup = () => {
  return [""].slice(0, 0);
};
function build$4(options) {
  return options.group ? getArrayGroup : getArray;
}
var groupFiles = (groups, directory, files) => {
  groups.push({
    directory,
    files,
    dir: directory
  });
};
var empty = () => {
};
function build$3(options) {
  return options.group ? groupFiles : empty;
}
var resolveSymlinksAsync = function(path, state, callback$1) {
  const { queue, fs, options: { suppressErrors } } = state;
  queue.enqueue();
  fs.realpath(path, (error, resolvedPath) => {
    if (error) return queue.dequeue(suppressErrors ? null : error, state);
    fs.stat(resolvedPath, (error$1, stat8) => {
      if (error$1) return queue.dequeue(suppressErrors ? null : error$1, state);
      if (stat8.isDirectory() && isRecursive(path, resolvedPath, state)) return queue.dequeue(null, state);
      callback$1(stat8, resolvedPath);
      queue.dequeue(null, state);
    });
  });
};
var resolveSymlinks = function(path, state, callback$1) {
  const { queue, fs, options: { suppressErrors } } = state;
  queue.enqueue();
  try {
    const resolvedPath = fs.realpathSync(path);
    const stat8 = fs.statSync(resolvedPath);
    if (stat8.isDirectory() && isRecursive(path, resolvedPath, state)) return;
    callback$1(stat8, resolvedPath);
  } catch (e) {
    if (!suppressErrors) throw e;
  }
};
function build$2(options, isSynchronous) {
  if (!options.resolveSymlinks || options.excludeSymlinks) return null;
  return isSynchronous ? resolveSymlinks : resolveSymlinksAsync;
}
function isRecursive(path, resolved, state) {
  if (state.options.useRealPaths) return isRecursiveUsingRealPaths(resolved, state);
  let parent = dirname3(path);
  let depth = 1;
  while (parent !== state.root && depth < 2) {
    const resolvedPath = state.symlinks.get(parent);
    const isSameRoot = !!resolvedPath && (resolvedPath === resolved || resolvedPath.startsWith(resolved) || resolved.startsWith(resolvedPath));
    if (isSameRoot) depth++;
    else parent = dirname3(parent);
  }
  state.symlinks.set(path, resolved);
  return depth > 1;
}
function isRecursiveUsingRealPaths(resolved, state) {
  return state.visited.includes(resolved + state.options.pathSeparator);
}
var onlyCountsSync = (state) => {
  return state.counts;
};
var groupsSync = (state) => {
  return state.groups;
};
var defaultSync = (state) => {
  return state.paths;
};
var limitFilesSync = (state) => {
  return state.paths.slice(0, state.options.maxFiles);
};
var onlyCountsAsync = (state, error, callback$1) => {
  report(error, callback$1, state.counts, state.options.suppressErrors);
  return null;
};
var defaultAsync = (state, error, callback$1) => {
  report(error, callback$1, state.paths, state.options.suppressErrors);
  return null;
};
var limitFilesAsync = (state, error, callback$1) => {
  report(error, callback$1, state.paths.slice(0, state.options.maxFiles), state.options.suppressErrors);
  return null;
};
var groupsAsync = (state, error, callback$1) => {
  report(error, callback$1, state.groups, state.options.suppressErrors);
  return null;
};
function report(error, callback$1, output, suppressErrors) {
  if (error && !suppressErrors) callback$1(error, output);
  else callback$1(null, output);
}
function build$1(options, isSynchronous) {
  const { onlyCounts, group, maxFiles } = options;
  if (onlyCounts) return isSynchronous ? onlyCountsSync : onlyCountsAsync;
  else if (group) return isSynchronous ? groupsSync : groupsAsync;
  else if (maxFiles) return isSynchronous ? limitFilesSync : limitFilesAsync;
  else return isSynchronous ? defaultSync : defaultAsync;
}
var readdirOpts = { withFileTypes: true };
var walkAsync = (state, crawlPath, directoryPath, currentDepth, callback$1) => {
  state.queue.enqueue();
  if (currentDepth < 0) return state.queue.dequeue(null, state);
  const { fs } = state;
  state.visited.push(crawlPath);
  state.counts.directories++;
  fs.readdir(crawlPath || ".", readdirOpts, (error, entries = []) => {
    callback$1(entries, directoryPath, currentDepth);
    state.queue.dequeue(state.options.suppressErrors ? null : error, state);
  });
};
var walkSync = (state, crawlPath, directoryPath, currentDepth, callback$1) => {
  const { fs } = state;
  if (currentDepth < 0) return;
  state.visited.push(crawlPath);
  state.counts.directories++;
  let entries = [];
  try {
    entries = fs.readdirSync(crawlPath || ".", readdirOpts);
  } catch (e) {
    if (!state.options.suppressErrors) throw e;
  }
  callback$1(entries, directoryPath, currentDepth);
};
function build(isSynchronous) {
  return isSynchronous ? walkSync : walkAsync;
}
var Queue = class {
  count = 0;
  constructor(onQueueEmpty) {
    this.onQueueEmpty = onQueueEmpty;
  }
  enqueue() {
    this.count++;
    return this.count;
  }
  dequeue(error, output) {
    if (this.onQueueEmpty && (--this.count <= 0 || error)) {
      this.onQueueEmpty(error, output);
      if (error) {
        output.controller.abort();
        this.onQueueEmpty = void 0;
      }
    }
  }
};
var Counter = class {
  _files = 0;
  _directories = 0;
  set files(num) {
    this._files = num;
  }
  get files() {
    return this._files;
  }
  set directories(num) {
    this._directories = num;
  }
  get directories() {
    return this._directories;
  }
  /**
  * @deprecated use `directories` instead
  */
  /* c8 ignore next 3 */
  get dirs() {
    return this._directories;
  }
};
var Aborter = class {
  aborted = false;
  abort() {
    this.aborted = true;
  }
};
var Walker = class {
  root;
  isSynchronous;
  state;
  joinPath;
  pushDirectory;
  pushFile;
  getArray;
  groupFiles;
  resolveSymlink;
  walkDirectory;
  callbackInvoker;
  constructor(root, options, callback$1) {
    this.isSynchronous = !callback$1;
    this.callbackInvoker = build$1(options, this.isSynchronous);
    this.root = normalizePath(root, options);
    this.state = {
      root: isRootDirectory(this.root) ? this.root : this.root.slice(0, -1),
      paths: [""].slice(0, 0),
      groups: [],
      counts: new Counter(),
      options,
      queue: new Queue((error, state) => this.callbackInvoker(state, error, callback$1)),
      symlinks: /* @__PURE__ */ new Map(),
      visited: [""].slice(0, 0),
      controller: new Aborter(),
      fs: options.fs || nativeFs
    };
    this.joinPath = build$7(this.root, options);
    this.pushDirectory = build$6(this.root, options);
    this.pushFile = build$5(options);
    this.getArray = build$4(options);
    this.groupFiles = build$3(options);
    this.resolveSymlink = build$2(options, this.isSynchronous);
    this.walkDirectory = build(this.isSynchronous);
  }
  start() {
    this.pushDirectory(this.root, this.state.paths, this.state.options.filters);
    this.walkDirectory(this.state, this.root, this.root, this.state.options.maxDepth, this.walk);
    return this.isSynchronous ? this.callbackInvoker(this.state, null) : null;
  }
  walk = (entries, directoryPath, depth) => {
    const { paths, options: { filters, resolveSymlinks: resolveSymlinks$1, excludeSymlinks, exclude, maxFiles, signal, useRealPaths, pathSeparator }, controller } = this.state;
    if (controller.aborted || signal && signal.aborted || maxFiles && paths.length > maxFiles) return;
    const files = this.getArray(this.state.paths);
    for (let i = 0; i < entries.length; ++i) {
      const entry = entries[i];
      if (entry.isFile() || entry.isSymbolicLink() && !resolveSymlinks$1 && !excludeSymlinks) {
        const filename = this.joinPath(entry.name, directoryPath);
        this.pushFile(filename, files, this.state.counts, filters);
      } else if (entry.isDirectory()) {
        let path = joinDirectoryPath(entry.name, directoryPath, this.state.options.pathSeparator);
        if (exclude && exclude(entry.name, path)) continue;
        this.pushDirectory(path, paths, filters);
        this.walkDirectory(this.state, path, path, depth - 1, this.walk);
      } else if (this.resolveSymlink && entry.isSymbolicLink()) {
        let path = joinPathWithBasePath(entry.name, directoryPath);
        this.resolveSymlink(path, this.state, (stat8, resolvedPath) => {
          if (stat8.isDirectory()) {
            resolvedPath = normalizePath(resolvedPath, this.state.options);
            if (exclude && exclude(entry.name, useRealPaths ? resolvedPath : path + pathSeparator)) return;
            this.walkDirectory(this.state, resolvedPath, useRealPaths ? resolvedPath : path + pathSeparator, depth - 1, this.walk);
          } else {
            resolvedPath = useRealPaths ? resolvedPath : path;
            const filename = basename2(resolvedPath);
            const directoryPath$1 = normalizePath(dirname3(resolvedPath), this.state.options);
            resolvedPath = this.joinPath(filename, directoryPath$1);
            this.pushFile(resolvedPath, files, this.state.counts, filters);
          }
        });
      }
    }
    this.groupFiles(this.state.groups, directoryPath, files);
  };
};
function promise(root, options) {
  return new Promise((resolve$1, reject) => {
    callback(root, options, (err, output) => {
      if (err) return reject(err);
      resolve$1(output);
    });
  });
}
function callback(root, options, callback$1) {
  let walker = new Walker(root, options, callback$1);
  walker.start();
}
function sync(root, options) {
  const walker = new Walker(root, options);
  return walker.start();
}
var APIBuilder = class {
  constructor(root, options) {
    this.root = root;
    this.options = options;
  }
  withPromise() {
    return promise(this.root, this.options);
  }
  withCallback(cb) {
    callback(this.root, this.options, cb);
  }
  sync() {
    return sync(this.root, this.options);
  }
};
var pm = null;
try {
  __require.resolve("picomatch");
  pm = __require("picomatch");
} catch {
}
var Builder = class {
  globCache = {};
  options = {
    maxDepth: Infinity,
    suppressErrors: true,
    pathSeparator: sep2,
    filters: []
  };
  globFunction;
  constructor(options) {
    this.options = {
      ...this.options,
      ...options
    };
    this.globFunction = this.options.globFunction;
  }
  group() {
    this.options.group = true;
    return this;
  }
  withPathSeparator(separator) {
    this.options.pathSeparator = separator;
    return this;
  }
  withBasePath() {
    this.options.includeBasePath = true;
    return this;
  }
  withRelativePaths() {
    this.options.relativePaths = true;
    return this;
  }
  withDirs() {
    this.options.includeDirs = true;
    return this;
  }
  withMaxDepth(depth) {
    this.options.maxDepth = depth;
    return this;
  }
  withMaxFiles(limit) {
    this.options.maxFiles = limit;
    return this;
  }
  withFullPaths() {
    this.options.resolvePaths = true;
    this.options.includeBasePath = true;
    return this;
  }
  withErrors() {
    this.options.suppressErrors = false;
    return this;
  }
  withSymlinks({ resolvePaths = true } = {}) {
    this.options.resolveSymlinks = true;
    this.options.useRealPaths = resolvePaths;
    return this.withFullPaths();
  }
  withAbortSignal(signal) {
    this.options.signal = signal;
    return this;
  }
  normalize() {
    this.options.normalizePath = true;
    return this;
  }
  filter(predicate) {
    this.options.filters.push(predicate);
    return this;
  }
  onlyDirs() {
    this.options.excludeFiles = true;
    this.options.includeDirs = true;
    return this;
  }
  exclude(predicate) {
    this.options.exclude = predicate;
    return this;
  }
  onlyCounts() {
    this.options.onlyCounts = true;
    return this;
  }
  crawl(root) {
    return new APIBuilder(root || ".", this.options);
  }
  withGlobFunction(fn2) {
    this.globFunction = fn2;
    return this;
  }
  /**
  * @deprecated Pass options using the constructor instead:
  * ```ts
  * new fdir(options).crawl("/path/to/root");
  * ```
  * This method will be removed in v7.0
  */
  /* c8 ignore next 4 */
  crawlWithOptions(root, options) {
    this.options = {
      ...this.options,
      ...options
    };
    return new APIBuilder(root || ".", this.options);
  }
  glob(...patterns) {
    if (this.globFunction) return this.globWithOptions(patterns);
    return this.globWithOptions(patterns, ...[{ dot: true }]);
  }
  globWithOptions(patterns, ...options) {
    const globFn = this.globFunction || pm;
    if (!globFn) throw new Error("Please specify a glob function to use glob matching.");
    var isMatch = this.globCache[patterns.join("\0")];
    if (!isMatch) {
      isMatch = globFn(patterns, ...options);
      this.globCache[patterns.join("\0")] = isMatch;
    }
    this.options.filters.push((path) => isMatch(path));
    return this;
  }
};

// node_modules/tinyglobby/dist/index.mjs
var import_picomatch = __toESM(require_picomatch2(), 1);
var isReadonlyArray = Array.isArray;
var BACKSLASHES = /\\/g;
var DRIVE_RELATIVE_PATH = /^[A-Za-z]:$/;
var isWin = process.platform === "win32";
var ONLY_PARENT_DIRECTORIES = /^(\/?\.\.)+$/;
function getPartialMatcher(patterns, options = {}) {
  const patternsCount = patterns.length;
  const patternsParts = Array(patternsCount);
  const matchers = Array(patternsCount);
  let i, j;
  for (i = 0; i < patternsCount; i++) {
    const parts = splitPattern(patterns[i]);
    patternsParts[i] = parts;
    const partsCount = parts.length;
    const partMatchers = Array(partsCount);
    for (j = 0; j < partsCount; j++) partMatchers[j] = (0, import_picomatch.default)(parts[j], options);
    matchers[i] = partMatchers;
  }
  return (input) => {
    const inputParts = input.split("/");
    if (inputParts[0] === ".." && ONLY_PARENT_DIRECTORIES.test(input)) return true;
    for (i = 0; i < patternsCount; i++) {
      const patternParts = patternsParts[i];
      const matcher = matchers[i];
      const inputPatternCount = inputParts.length;
      const minParts = Math.min(inputPatternCount, patternParts.length);
      j = 0;
      while (j < minParts) {
        const part = patternParts[j];
        if (part.includes("/")) return true;
        if (!matcher[j](inputParts[j])) break;
        if (!options.noglobstar && part === "**") return true;
        j++;
      }
      if (j === inputPatternCount) return true;
    }
    return false;
  };
}
var WIN32_ROOT_DIR = /^[A-Z]:\/$/i;
var isRoot = isWin ? (p) => WIN32_ROOT_DIR.test(p) : (p) => p === "/";
function buildFormat(cwd, root, absolute) {
  if (cwd === root || root.startsWith(`${cwd}/`)) {
    if (absolute) {
      const start = cwd.length + +!isRoot(cwd);
      return (p, isDir) => p.slice(start, isDir ? -1 : void 0) || ".";
    }
    const prefix = root.slice(cwd.length + 1);
    if (prefix) return (p, isDir) => {
      if (p === ".") return prefix;
      const result = `${prefix}/${p}`;
      return isDir ? result.slice(0, -1) : result;
    };
    return (p, isDir) => isDir && p !== "." ? p.slice(0, -1) : p;
  }
  if (absolute) return (p) => posix.relative(cwd, p) || ".";
  return (p) => posix.relative(cwd, `${root}/${p}`) || ".";
}
function buildRelative(cwd, root) {
  if (root.startsWith(`${cwd}/`)) {
    const prefix = root.slice(cwd.length + 1);
    return (p) => `${prefix}/${p}`;
  }
  return (p) => {
    const result = posix.relative(cwd, `${root}/${p}`);
    return p[p.length - 1] === "/" && result !== "" ? `${result}/` : result || ".";
  };
}
function ensureNonDriveRelativePath(path) {
  return path.replace(DRIVE_RELATIVE_PATH, (match) => `${match}/`);
}
var splitPatternOptions = { parts: true };
function splitPattern(path) {
  var _result$parts;
  const result = import_picomatch.default.scan(path, splitPatternOptions);
  return ((_result$parts = result.parts) === null || _result$parts === void 0 ? void 0 : _result$parts.length) ? result.parts : [path];
}
var POSIX_UNESCAPED_GLOB_SYMBOLS = /(?<!\\)([()[\]{}*?|]|^!|[!+@](?=\()|\\(?![()[\]{}!*+?@|]))/g;
var WIN32_UNESCAPED_GLOB_SYMBOLS = /(?<!\\)([()[\]{}]|^!|[!+@](?=\())/g;
var escapePosixPath = (path) => path.replace(POSIX_UNESCAPED_GLOB_SYMBOLS, "\\$&");
var escapeWin32Path = (path) => path.replace(WIN32_UNESCAPED_GLOB_SYMBOLS, "\\$&");
var escapePath = isWin ? escapeWin32Path : escapePosixPath;
function isDynamicPattern(pattern, options) {
  if ((options === null || options === void 0 ? void 0 : options.caseSensitiveMatch) === false) return true;
  const scan = import_picomatch.default.scan(pattern);
  return scan.isGlob || scan.negated;
}
function log(...tasks) {
  console.log(`[tinyglobby ${(/* @__PURE__ */ new Date()).toLocaleTimeString("es")}]`, ...tasks);
}
function ensureStringArray(value) {
  return typeof value === "string" ? [value] : value !== null && value !== void 0 ? value : [];
}
var PARENT_DIRECTORY = /^(\/?\.\.)+/;
var ESCAPING_BACKSLASHES = /\\(?=[()[\]{}!*+?@|])/g;
function normalizePattern(pattern, opts, props, isIgnore) {
  var _PARENT_DIRECTORY$exe;
  const cwd = opts.cwd;
  let result = pattern;
  if (pattern[pattern.length - 1] === "/") result = pattern.slice(0, -1);
  if (result[result.length - 1] !== "*" && opts.expandDirectories) result += "/**";
  const escapedCwd = escapePath(cwd);
  result = isAbsolute2(result.replace(ESCAPING_BACKSLASHES, "")) ? posix.relative(escapedCwd, result) : posix.normalize(result);
  const parentDir = (_PARENT_DIRECTORY$exe = PARENT_DIRECTORY.exec(result)) === null || _PARENT_DIRECTORY$exe === void 0 ? void 0 : _PARENT_DIRECTORY$exe[0];
  const parts = splitPattern(result);
  if (parentDir) {
    const n = (parentDir.length + 1) / 3;
    let i = 0;
    const cwdParts = escapedCwd.split("/");
    while (i < n && parts[i + n] === cwdParts[cwdParts.length + i - n]) {
      result = result.slice(0, (n - i - 1) * 3) + result.slice((n - i) * 3 + parts[i + n].length + 1) || ".";
      i++;
    }
    const potentialRoot = posix.join(cwd, parentDir.slice(i * 3));
    if (potentialRoot[0] !== "." && props.root.length > potentialRoot.length) {
      props.root = ensureNonDriveRelativePath(potentialRoot);
      props.depthOffset = -n + i;
    }
  }
  if (!isIgnore && props.depthOffset >= 0) {
    var _props$commonPath;
    (_props$commonPath = props.commonPath) !== null && _props$commonPath !== void 0 || (props.commonPath = parts);
    const newCommonPath = [];
    const length = Math.min(props.commonPath.length, parts.length);
    for (let i = 0; i < length; i++) {
      const part = parts[i];
      if (part === "**" && !parts[i + 1]) {
        newCommonPath.pop();
        break;
      }
      if (i === parts.length - 1 || part !== props.commonPath[i] || isDynamicPattern(part)) break;
      newCommonPath.push(part);
    }
    props.depthOffset = newCommonPath.length;
    props.commonPath = newCommonPath;
    props.root = ensureNonDriveRelativePath(newCommonPath.length > 0 ? posix.join(cwd, ...newCommonPath) : cwd);
  }
  return result;
}
function processPatterns(options, patterns, props) {
  const matchPatterns = [];
  const ignorePatterns = [];
  for (const pattern of options.ignore) {
    if (!pattern) continue;
    if (pattern[0] !== "!" || pattern[1] === "(") ignorePatterns.push(normalizePattern(pattern, options, props, true));
  }
  for (const pattern of patterns) {
    if (!pattern) continue;
    if (pattern[0] !== "!" || pattern[1] === "(") matchPatterns.push(normalizePattern(pattern, options, props, false));
    else if (pattern[1] !== "!" || pattern[2] === "(") ignorePatterns.push(normalizePattern(pattern.slice(1), options, props, true));
  }
  return {
    match: matchPatterns,
    ignore: ignorePatterns
  };
}
function buildCrawler(options, patterns) {
  const cwd = options.cwd;
  const props = {
    root: cwd,
    depthOffset: 0
  };
  const processed = processPatterns(options, patterns, props);
  if (options.debug) log("internal processing patterns:", processed);
  const { absolute, caseSensitiveMatch, debug, dot, followSymbolicLinks, onlyDirectories } = options;
  const root = props.root.replace(BACKSLASHES, "");
  const matchOptions = {
    dot,
    nobrace: options.braceExpansion === false,
    nocase: !caseSensitiveMatch,
    noextglob: options.extglob === false,
    noglobstar: options.globstar === false,
    posix: true
  };
  const matcher = (0, import_picomatch.default)(processed.match, matchOptions);
  const ignore = (0, import_picomatch.default)(processed.ignore, matchOptions);
  const partialMatcher = getPartialMatcher(processed.match, matchOptions);
  const format = buildFormat(cwd, root, absolute);
  const excludeFormatter = absolute ? format : buildFormat(cwd, root, true);
  const excludePredicate = (_, p) => {
    const relativePath = excludeFormatter(p, true);
    return relativePath !== "." && !partialMatcher(relativePath) || ignore(relativePath);
  };
  let maxDepth;
  if (options.deep !== void 0) maxDepth = Math.round(options.deep - props.depthOffset);
  const crawler = new Builder({
    filters: [debug ? (p, isDirectory) => {
      const path = format(p, isDirectory);
      const matches = matcher(path) && !ignore(path);
      if (matches) log(`matched ${path}`);
      return matches;
    } : (p, isDirectory) => {
      const path = format(p, isDirectory);
      return matcher(path) && !ignore(path);
    }],
    exclude: debug ? (_, p) => {
      const skipped = excludePredicate(_, p);
      log(`${skipped ? "skipped" : "crawling"} ${p}`);
      return skipped;
    } : excludePredicate,
    fs: options.fs,
    pathSeparator: "/",
    relativePaths: !absolute,
    resolvePaths: absolute,
    includeBasePath: absolute,
    resolveSymlinks: followSymbolicLinks,
    excludeSymlinks: !followSymbolicLinks,
    excludeFiles: onlyDirectories,
    includeDirs: onlyDirectories || !options.onlyFiles,
    maxDepth,
    signal: options.signal
  }).crawl(root);
  if (options.debug) log("internal properties:", {
    ...props,
    root
  });
  return [crawler, cwd !== root && !absolute && buildRelative(cwd, root)];
}
function formatPaths(paths, mapper) {
  if (mapper) for (let i = paths.length - 1; i >= 0; i--) paths[i] = mapper(paths[i]);
  return paths;
}
var defaultOptions = {
  caseSensitiveMatch: true,
  debug: !!process.env.TINYGLOBBY_DEBUG,
  expandDirectories: true,
  followSymbolicLinks: true,
  onlyFiles: true
};
function getOptions(options) {
  const opts = Object.assign({}, options);
  for (const key in defaultOptions) if (opts[key] === void 0) Object.assign(opts, { [key]: defaultOptions[key] });
  opts.cwd = (opts.cwd instanceof URL ? fileURLToPath2(opts.cwd) : resolve5(opts.cwd || process.cwd())).replace(BACKSLASHES, "/");
  opts.ignore = ensureStringArray(opts.ignore);
  opts.fs && (opts.fs = {
    readdir: opts.fs.readdir || readdir,
    readdirSync: opts.fs.readdirSync || readdirSync,
    realpath: opts.fs.realpath || realpath2,
    realpathSync: opts.fs.realpathSync || realpathSync,
    stat: opts.fs.stat || stat2,
    statSync: opts.fs.statSync || statSync
  });
  if (opts.debug) log("globbing with options:", opts);
  return opts;
}
function getCrawler(globInput, inputOptions = {}) {
  var _ref;
  if (globInput && (inputOptions === null || inputOptions === void 0 ? void 0 : inputOptions.patterns)) throw new Error("Cannot pass patterns as both an argument and an option");
  const isModern = isReadonlyArray(globInput) || typeof globInput === "string";
  const patterns = ensureStringArray((_ref = isModern ? globInput : globInput.patterns) !== null && _ref !== void 0 ? _ref : "**/*");
  const options = getOptions(isModern ? inputOptions : globInput);
  return patterns.length > 0 ? buildCrawler(options, patterns) : [];
}
async function glob(globInput, options) {
  const [crawler, relative6] = getCrawler(globInput, options);
  return crawler ? formatPaths(await crawler.withPromise(), relative6) : [];
}

// src/build/bentoignore.ts
var import_picomatch2 = __toESM(require_picomatch2(), 1);
import { readFile as readFile3 } from "node:fs/promises";
import { join as join5 } from "node:path";
var BENTOIGNORE = ".bentoignore";
function parseBentoignore(text2) {
  const rules = [];
  for (const raw of text2.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, "");
    if (!line || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    line = line.replace(/^\\([#!])/, "$1");
    const directoryOnly = line.endsWith("/");
    if (directoryOnly) line = line.replace(/\/+$/, "");
    const anchored = line.includes("/");
    line = line.replace(/^\//, "");
    if (!line) continue;
    const base = anchored ? line : `**/${line}`;
    const patterns = directoryOnly ? [`${base}/**/*`] : [base, `${base}/**/*`];
    const matches = (0, import_picomatch2.default)(patterns, { dot: true });
    rules.push({ negate, matches });
  }
  return (path) => {
    let ignored = false;
    for (const rule of rules) if (rule.matches(path)) ignored = !rule.negate;
    return ignored;
  };
}
async function readBentoignore(context) {
  const text2 = await readFile3(join5(context, BENTOIGNORE), "utf8").catch((err) => {
    if (err.code === "ENOENT") return "";
    throw err;
  });
  return parseBentoignore(text2);
}

// src/build/sources.ts
var ALWAYS_EXCLUDED = ["**/.git/**", "**/node_modules/**"];
async function selectSources(selection) {
  const { context } = selection;
  const include = selection.include ?? ["**"];
  const exclude = selection.exclude ?? [];
  const skip = (selection.skipDirs ?? []).map((dir) => relative4(context, dir).split(sep3).join("/")).filter((rel) => rel && !rel.startsWith("..") && !isAbsolute3(rel)).map((rel) => `${rel}/**`);
  const ignore = [...ALWAYS_EXCLUDED, ...skip];
  const options = { cwd: context, dot: false, onlyFiles: true, followSymbolicLinks: false };
  for (const [i, pattern] of include.entries()) {
    if (isAbsolute3(pattern) || pattern.split("/").includes("..")) {
      throw new UsageError(
        `${selection.locateInclude(i)}: include[${i}]: "${pattern}" leaves the build context: write it relative to ${context}`
      );
    }
  }
  const realContext = await realpath3(context);
  const direct = async (files) => {
    const kept2 = [];
    const linked = [];
    for (const file of files) {
      const real = await throughLink(realContext, file);
      if (real === void 0) kept2.push(file);
      else linked.push({ file, real });
    }
    return { kept: kept2, linked };
  };
  if (selection.include) {
    for (const [i, pattern] of include.entries()) {
      const { kept: kept2, linked } = await direct(await glob(pattern, { ...options, ignore }));
      if (kept2.length === 0 && linked.length > 0) {
        throw new UsageError(
          `${selection.locateInclude(i)}: include[${i}]: "${pattern}" matches only files behind a symbolic link ("${linked[0].file}" is ${linked[0].real}), which builds do not follow: copy the files into the project`
        );
      }
      if (kept2.length === 0) {
        throw new UsageError(
          `${selection.locateInclude(i)}: include[${i}]: "${pattern}" matches no file in ${context}: fix the pattern or remove it`
        );
      }
    }
  }
  const ignored = await readBentoignore(context);
  const { kept } = await direct(await glob(include, { ...options, ignore: [...ignore, ...exclude] }));
  return kept.filter((f) => !ignored(f)).sort();
}

// src/build/warmup.ts
import { readFile as readFile4, stat as stat3 } from "node:fs/promises";
import { extname as extname3 } from "node:path";

// runtime/service/warmup-samples.ts
import { extname as extname2 } from "node:path";

// runtime/errors.ts
var HttpError = class extends Error {
  status;
  headers;
  constructor(status, message, headers = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = "HttpError";
    this.status = status;
    this.headers = headers;
  }
};
var badRequest = (message) => new HttpError(400, message);
var quoted = (text2) => JSON.stringify(text2.length > 80 ? `${text2.slice(0, 80)}...` : text2);

// runtime/tensors/dtype.ts
var ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  // ORT takes float16 as raw IEEE half bits and bool as one byte per element.
  float16: Uint16Array,
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array
};
function arrayTypeOf(dtype) {
  return ARRAYS[dtype];
}
function allocate(dtype, length) {
  return dtype === "string" ? new Array(length).fill("") : new ARRAYS[dtype](length);
}
function bytesPerElement(dtype) {
  return ARRAYS[dtype].BYTES_PER_ELEMENT;
}
function elementCount(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
function toHalfBits(value) {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = value;
  const x = u32[0];
  const sign = x >>> 16 & 32768;
  const exp = x >>> 23 & 255;
  let mant = x & 8388607;
  if (exp === 255) return sign | 31744 | (mant ? 512 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 31744;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 8388608;
    const shift = 14 - e;
    const half2 = mant >>> shift;
    const rem2 = mant & (1 << shift) - 1;
    const mid = 1 << shift - 1;
    return sign | half2 + (rem2 > mid || rem2 === mid && half2 & 1 ? 1 : 0);
  }
  const half = e << 10 | mant >>> 13;
  const rem = mant & 8191;
  return sign | half + (rem > 4096 || rem === 4096 && half & 1 ? 1 : 0);
}

// runtime/tensors/binary.ts
function tensorFromBytes(bytes, dtype, shape, input) {
  const expected2 = elementCount(shape) * bytesPerElement(dtype);
  if (bytes.byteLength !== expected2) {
    throw badRequest(
      `input "${input}": body has ${bytes.byteLength} bytes but ${dtype} [${shape.join(", ")}] needs ${expected2}`
    );
  }
  const buffer = new ArrayBuffer(expected2);
  new Uint8Array(buffer).set(bytes);
  const Ctor = arrayTypeOf(dtype);
  return { dtype, shape, data: new Ctor(buffer) };
}
var NPY_MAGIC = [147, 78, 85, 77, 80, 89];
var NPY_DESCR = {
  "<f4": "float32",
  "<f8": "float64",
  "<f2": "float16",
  "|i1": "int8",
  "|u1": "uint8",
  "<i2": "int16",
  "<u2": "uint16",
  "<i4": "int32",
  "<u4": "uint32",
  "<i8": "int64",
  "<u8": "uint64",
  "|b1": "bool"
};
var DESCR_OF = Object.fromEntries(Object.entries(NPY_DESCR).map(([k, v]) => [v, k]));
function isNpy(bytes) {
  return bytes.length >= 10 && NPY_MAGIC.every((b, i) => bytes[i] === b);
}
function decodeNpy(bytes, input) {
  const fail3 = (problem) => {
    throw badRequest(`input "${input}": ${problem}`);
  };
  if (!isNpy(bytes)) fail3("body is not a .npy file (it must start with \\x93NUMPY)");
  const major = bytes[6];
  if (major < 1 || major > 3) fail3(`.npy format version ${major}.${bytes[7]} is not supported (1.0 to 3.0)`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart)
    fail3(`.npy file is truncated: ${bytes.length} bytes, shorter than its ${headerStart}-byte preamble`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerStart + headerLen > bytes.length)
    fail3(
      `.npy header is truncated: it declares ${headerLen} bytes, the body has ${bytes.length - headerStart} after the preamble`
    );
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLen).toString(
    major === 3 ? "utf8" : "latin1"
  );
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === void 0)
    fail3(
      `.npy header is malformed: expected a dict with 'descr', 'fortran_order' and 'shape', got ${JSON.stringify(clip(header.trim()))}`
    );
  const dtype = NPY_DESCR[descr === "|i1" || descr === "|u1" || descr === "|b1" ? descr : descr.replace(/^=/, "<")];
  if (!dtype) fail3(`.npy dtype "${clip(descr)}" is not supported (little-endian numbers and bool only)`);
  if (fortran === "True") fail3(".npy in Fortran order is not supported; save it in C order");
  const dims = shapeText.split(",").map((d) => d.trim()).filter((d) => d !== "");
  if (dims.some((d) => !/^\d{1,15}$/.test(d)))
    fail3(`.npy shape "(${clip(shapeText)})" is invalid: expected non-negative whole numbers`);
  return tensorFromBytes(bytes.subarray(headerStart + headerLen), dtype, dims.map(Number), input);
}
var clip = (text2) => text2.length > 80 ? `${text2.slice(0, 80)}...` : text2;

// runtime/tensors/json-walk.ts
var MAX_RANK = 32;
var FLOAT32_LIMIT = 2 ** 128 - 2 ** 103;
var FLOAT32_MAX = 34028234663852886e22;
function leafConverter(dtype) {
  switch (dtype) {
    case "float32":
      return (v) => typeof v === "number" && v < FLOAT32_LIMIT && v > -FLOAT32_LIMIT ? v : void 0;
    case "float64":
      return (v) => typeof v === "number" && v - v === 0 ? v : void 0;
    case "float16":
      return (v) => {
        if (typeof v !== "number") return void 0;
        const bits = toHalfBits(v);
        return (bits & 32767) === 31744 ? void 0 : bits;
      };
    case "bool":
      return (v) => v === true || v === 1 ? 1 : v === false || v === 0 ? 0 : void 0;
    case "string":
      return (v) => typeof v === "string" ? v : void 0;
    case "int64":
    case "uint64": {
      const [min, max] = INTEGER_RANGES[dtype];
      const big = dtype === "int64" ? BigInt.asIntN : BigInt.asUintN;
      return (v) => {
        if (typeof v === "number") return Number.isInteger(v) && v >= min && v <= max ? BigInt(v) : void 0;
        if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) {
          const n = BigInt(v);
          return big(64, n) === n ? n : void 0;
        }
        return void 0;
      };
    }
    default: {
      const [min, max] = INTEGER_RANGES[dtype];
      return (v) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : void 0;
    }
  }
}
var FLOAT_RANGES = {
  float16: "+-65504",
  float32: `+-${FLOAT32_MAX}`,
  float64: `+-${Number.MAX_VALUE}`
};
function expectation(dtype) {
  if (dtype.startsWith("float")) return `${dtype} numbers`;
  if (dtype === "bool") return "booleans";
  if (dtype === "string") return "strings";
  const [min, max] = INTEGER_RANGES[dtype];
  return `${dtype} integers (${min}..${max}${dtype.endsWith("64") ? ", or decimal strings" : ""})`;
}
function describe3(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number")
    return Number.isFinite(value) ? String(value) : "a number too large for a double (it reads as Infinity)";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
  return `a ${typeof value}`;
}
var where = (path) => path.map((i) => `[${i}]`).join("") || "top level";
var TensorWalk = class {
  constructor(value, dtype, input) {
    this.value = value;
    this.dtype = dtype;
    this.input = input;
    for (let v = value; Array.isArray(v); v = v[0]) {
      if (this.shape.length === MAX_RANK)
        this.fail(
          `the arrays nest more than ${MAX_RANK} deep: a tensor here has at most ${MAX_RANK} dimensions`
        );
      this.shape.push(v.length);
      if (v.length === 0) break;
    }
    this.rank = this.shape.length;
    this.at = new Array(Math.max(0, this.rank - 1)).fill(0);
    this.stack = this.rank === 0 ? [] : [value];
    this.convert = leafConverter(dtype);
  }
  value;
  dtype;
  input;
  shape = [];
  rank;
  /** The innermost arrays in row-major order (the value itself for rank 0 and 1), once checked. */
  rows = [];
  /** The index into each enclosing array of the innermost array being checked. */
  at;
  stack;
  checked = false;
  data;
  filled = 0;
  convert;
  /** The number of elements: known to be honest once `check` is done. */
  get size() {
    return this.rank === 0 ? 1 : this.rows.length * this.shape[this.rank - 1];
  }
  /** Checks up to `budget` arrays for the lengths the first path promised; true when all are checked. */
  check(budget) {
    if (this.checked) return true;
    const { rank, shape, at, stack } = this;
    if (rank <= 1) {
      if (rank === 1) this.rows.push(this.value);
      this.checked = true;
      return true;
    }
    for (let work = 0; work < budget; work++) {
      while (stack.length < rank) {
        const d2 = stack.length - 1;
        const child = stack[d2][at[d2]];
        if (!Array.isArray(child) || child.length !== shape[d2 + 1]) {
          this.fail(
            `the nested arrays are not rectangular: expected ${shape[d2 + 1]} elements at ${where(at.slice(0, d2 + 1))}, got ${Array.isArray(child) ? child.length : describe3(child)}`
          );
        }
        stack.push(child);
      }
      this.rows.push(stack.pop());
      let d = rank - 2;
      while (d >= 0 && ++at[d] === shape[d]) {
        at[d] = 0;
        stack.pop();
        d--;
      }
      if (d < 0) {
        this.checked = true;
        return true;
      }
    }
    return false;
  }
  /** Converts up to `budget` elements into the tensor; true when every element is in. */
  fill(budget) {
    if (!this.checked) throw new Error("TensorWalk.fill before check");
    const { convert, rank } = this;
    const size = this.size;
    this.data ??= allocate(this.dtype, size);
    const data = this.data;
    if (rank === 0) {
      const x = convert(this.value);
      if (x === void 0) this.failAt([], this.value);
      data[0] = x;
      this.filled = 1;
      return true;
    }
    const width = this.shape[rank - 1];
    const end = Math.min(size, this.filled + budget);
    let k = this.filled;
    while (k < end) {
      const r = Math.floor(k / width);
      const row = this.rows[r];
      const stop = Math.min(width, end - r * width);
      for (let c = k - r * width; c < stop; c++, k++) {
        const x = convert(row[c]);
        if (x === void 0) this.failAt([...this.pathOf(r), c], row[c]);
        data[k] = x;
      }
    }
    this.filled = k;
    return k === size;
  }
  tensor() {
    if (this.data === void 0 || this.filled !== this.size)
      throw new Error("TensorWalk.tensor before fill");
    return { dtype: this.dtype, shape: this.shape, data: this.data };
  }
  failAt(path, v) {
    const range = FLOAT_RANGES[this.dtype];
    if (range !== void 0 && typeof v === "number")
      this.fail(
        `the number at ${where(path)} is beyond the ${this.dtype} range (${range}): got ${describe3(v)}`
      );
    this.fail(`expected ${expectation(this.dtype)}, got ${describe3(v)} at ${where(path)}`);
  }
  /** The indices over the outer dims of innermost array `r` (only for error messages). */
  pathOf(r) {
    const path = [];
    for (let d = this.rank - 2; d >= 0; d--) {
      const n = this.shape[d];
      path.unshift(r % n);
      r = Math.floor(r / n);
    }
    return path;
  }
  fail(problem) {
    throw badRequest(`input "${this.input}": ${problem}`);
  }
};

// runtime/tensors/slices.ts
var STEP_BYTES = 1 << 14;
var STEP_ELEMENTS = 1 << 12;

// runtime/tensors/json.ts
function decodeFloatMatrix(value, dtype) {
  if (!Array.isArray(value) || value.length === 0 || !Array.isArray(value[0])) return void 0;
  const rows = value.length;
  const width = value[0].length;
  for (let r = 1; r < rows; r++) {
    const row = value[r];
    if (!Array.isArray(row) || row.length !== width) return void 0;
  }
  const limit = dtype === "float32" ? FLOAT32_LIMIT : Number.POSITIVE_INFINITY;
  const data = dtype === "float32" ? new Float32Array(rows * width) : new Float64Array(rows * width);
  let offset = 0;
  for (let r = 0; r < rows; r++) {
    const row = value[r];
    for (let c = 0; c < width; c++) {
      const x = row[c];
      if (typeof x !== "number" || !(x < limit && x > -limit)) return void 0;
      data[offset++] = x;
    }
  }
  return { dtype, shape: [rows, width], data };
}
function decodeJsonTensor(value, dtype, input) {
  if (dtype === "float32" || dtype === "float64") {
    const fast = decodeFloatMatrix(value, dtype);
    if (fast) return fast;
  }
  const walk = new TensorWalk(value, dtype, input);
  walk.check(Number.POSITIVE_INFINITY);
  walk.fill(Number.POSITIVE_INFINITY);
  return walk.tensor();
}

// runtime/tensors/json-numbers.ts
var POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
var scratch = new Float64Array(4096);

// runtime/tensors/json-parse.ts
var POW102 = Array.from({ length: 23 }, (_, i) => 10 ** i);

// runtime/tensors/npz.ts
import { promisify } from "node:util";
import { crc32, inflateRaw, inflateRawSync } from "node:zlib";
var DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
var DEFAULT_MAX_MEMBERS = 1024;
var SIG = {
  local: 67324752,
  central: 33639248,
  end: 101010256,
  zip64End: 101075792,
  zip64Locator: 117853008
};
var END_SIZE = 22;
var LOCAL_SIZE = 30;
var CENTRAL_SIZE = 46;
var ZIP64_EXTRA = 1;
var U16_MAX = 65535;
var U32_MAX = 4294967295;
var FLAG_ENCRYPTED = 1;
var FLAG_UTF8 = 2048;
var STORED = 0;
var DEFLATED = 8;
var fail2 = (problem) => badRequest(`.npz archive: ${problem}`);
function readNpz(buffer, limits = {}) {
  const arrays = /* @__PURE__ */ new Map();
  for (const { member, key, start, end } of locate2(buffer, limits)) {
    const data = buffer.subarray(start, end);
    arrays.set(key, toTensor(member, key, member.method === DEFLATED ? inflateSync(member, data) : data));
  }
  return arrays;
}
var inflateRawAsync = promisify(inflateRaw);
function locate2(buffer, limits) {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxMembers = limits.maxMembers ?? DEFAULT_MAX_MEMBERS;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const directory = findDirectory(buffer, view);
  if (directory.count > maxMembers)
    throw fail2(`it has ${directory.count} members, more than the ${maxMembers} allowed`);
  const members = readDirectory(buffer, view, directory);
  let total = 0;
  for (const m of members) total += m.size;
  if (total > maxBytes)
    throw fail2(`its arrays take ${total} bytes uncompressed, more than the ${maxBytes} allowed`);
  const ranges = members.map((m) => ({ member: m, ...dataRange(buffer, view, m, directory.offset) })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i].headerStart < ranges[i - 1].end)
      throw fail2(`members "${ranges[i - 1].member.name}" and "${ranges[i].member.name}" overlap`);
  }
  const keys = /* @__PURE__ */ new Set();
  const located = [];
  for (const { member, start, end } of ranges) {
    if (!member.name.endsWith(".npy") || member.name.length === 4)
      throw fail2(`member "${member.name}" is not a .npy file (np.savez names them <array>.npy)`);
    const key = member.name.slice(0, -4);
    if (keys.has(key)) throw fail2(`array "${key}" appears twice`);
    keys.add(key);
    checkMethod(member);
    limits.checkName?.(key);
    located.push({ member, key, start, end });
  }
  return located;
}
function findDirectory(buffer, view) {
  if (buffer.byteLength < END_SIZE) throw fail2(`${buffer.byteLength} bytes is too short to be a zip file`);
  const lowest = Math.max(0, buffer.byteLength - END_SIZE - U16_MAX);
  let end = -1;
  for (let at = buffer.byteLength - END_SIZE; at >= lowest; at--) {
    if (view.getUint32(at, true) === SIG.end && at + END_SIZE + view.getUint16(at + 20, true) <= buffer.byteLength) {
      end = at;
      break;
    }
  }
  if (end < 0) throw fail2("no end of central directory record: it is not a zip file, or it is truncated");
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0)
    throw fail2("multi-part zip files are not supported");
  let count = view.getUint16(end + 10, true);
  let size = view.getUint32(end + 12, true);
  let offset = view.getUint32(end + 16, true);
  if (count === U16_MAX || size === U32_MAX || offset === U32_MAX) {
    const locator2 = end - 20;
    if (locator2 < 0 || view.getUint32(locator2, true) !== SIG.zip64Locator)
      throw fail2("the end record points to a zip64 record that is missing");
    const record = u64(view, locator2 + 8, "the zip64 end record offset");
    if (record + 56 > locator2 || view.getUint32(record, true) !== SIG.zip64End)
      throw fail2("the zip64 end record is missing or out of bounds");
    count = u64(view, record + 32, "the member count");
    size = u64(view, record + 40, "the central directory size");
    offset = u64(view, record + 48, "the central directory offset");
  }
  if (offset + size > end) throw fail2("the central directory lies outside the file");
  return { offset, size, count };
}
function readDirectory(buffer, view, directory) {
  const members = [];
  const limit = directory.offset + directory.size;
  let at = directory.offset;
  for (let i = 0; i < directory.count; i++) {
    if (at + CENTRAL_SIZE > limit || view.getUint32(at, true) !== SIG.central)
      throw fail2(`central directory entry ${i + 1} is missing or damaged`);
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > limit) throw fail2(`central directory entry ${i + 1} runs past the directory`);
    const nameBytes = buffer.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength);
    const name = Buffer.from(nameBytes).toString(flags & FLAG_UTF8 ? "utf8" : "latin1");
    const member = {
      name,
      method: view.getUint16(at + 10, true),
      flags,
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true)
    };
    const disk = view.getUint16(at + 34, true);
    readZip64Extra(view, at + CENTRAL_SIZE + nameLength, extraLength, member, disk === U16_MAX);
    members.push(member);
    at = next;
  }
  return members;
}
function readZip64Extra(view, start, length, member, disk) {
  const wanted = [member.size, member.compressedSize, member.localOffset].some((v) => v === U32_MAX) || disk;
  if (!wanted) return;
  const end = start + length;
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > end) break;
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      const take = (what) => {
        if (field + 8 > at + 4 + size) throw fail2(`member "${member.name}": the zip64 field lacks ${what}`);
        const value = u64(view, field, what);
        field += 8;
        return value;
      };
      if (member.size === U32_MAX) member.size = take("its size");
      if (member.compressedSize === U32_MAX) member.compressedSize = take("its compressed size");
      if (member.localOffset === U32_MAX) member.localOffset = take("its offset");
      return;
    }
    at += 4 + size;
  }
  throw fail2(`member "${member.name}": its sizes point to a zip64 field that is missing`);
}
function dataRange(buffer, view, member, directoryOffset) {
  const at = member.localOffset;
  if (at + LOCAL_SIZE > directoryOffset || view.getUint32(at, true) !== SIG.local)
    throw fail2(`member "${member.name}": its local header is missing or out of bounds`);
  const nameLength = view.getUint16(at + 26, true);
  const extraLength = view.getUint16(at + 28, true);
  const start = at + LOCAL_SIZE + nameLength + extraLength;
  const end = start + member.compressedSize;
  if (end > directoryOffset) throw fail2(`member "${member.name}": its data runs past the end of the archive`);
  const localName = buffer.subarray(at + LOCAL_SIZE, at + LOCAL_SIZE + nameLength);
  if (Buffer.compare(localName, Buffer.from(member.name, member.flags & FLAG_UTF8 ? "utf8" : "latin1")) !== 0)
    throw fail2(`member "${member.name}": its local header names another file`);
  return { headerStart: at, start, end };
}
function checkMethod(member) {
  if (member.flags & FLAG_ENCRYPTED) throw fail2(`member "${member.name}" is encrypted`);
  if (member.method === STORED && member.compressedSize !== member.size)
    throw fail2(
      `member "${member.name}" is stored but its sizes differ (${member.compressedSize} and ${member.size})`
    );
  if (member.method !== STORED && member.method !== DEFLATED)
    throw fail2(
      `member "${member.name}" uses compression method ${member.method}; expected stored or deflated (np.savez or np.savez_compressed)`
    );
}
function inflateSync(member, data) {
  try {
    return inflateRawSync(data, { maxOutputLength: Math.max(1, member.size) });
  } catch (err) {
    throw inflateFailure(member, err);
  }
}
function inflateFailure(member, err) {
  const code = err.code;
  return fail2(
    `member "${member.name}" ${code === "ERR_BUFFER_TOO_LARGE" ? `inflates beyond its declared ${member.size} bytes` : `does not inflate (${err.message})`}`
  );
}
function toTensor(member, key, bytes) {
  if (bytes.byteLength !== member.size)
    throw fail2(
      `member "${member.name}" holds ${bytes.byteLength} bytes, not the ${member.size} its header says`
    );
  if (crc32(bytes) >>> 0 !== member.crc)
    throw fail2(`member "${member.name}" fails its CRC-32 check: the file is damaged`);
  return decodeNpy(bytes, key);
}
function u64(view, at, what) {
  if (at + 8 > view.byteLength) throw fail2(`${what} lies outside the file`);
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw fail2(`${what} is too large`);
  return Number(value);
}

// runtime/http/decode.ts
var SLICED_JSON_BYTES = 256 * 1024;
var DEFAULT_MAX_INFLATED_BYTES = 64 * 1024 * 1024;
var names = (specs) => specs.map((s) => `"${s.name}"`).join(", ");
function inputValues(json, specs) {
  if (Array.isArray(json) || typeof json !== "object" || json === null) {
    if (specs.length !== 1) {
      throw badRequest(
        `this API takes inputs ${names(specs)}: send an object like {${specs.map((s) => `"${s.name}": [...]`).join(", ")}}`
      );
    }
    return [[specs[0], json]];
  }
  return Object.entries(json).map(([name, value]) => {
    const spec = specs.find((s) => s.name === name);
    if (!spec)
      throw badRequest(`input ${quoted(name)} is not an input of this API (inputs: ${names(specs)})`);
    return [spec, value];
  });
}
function decodeJsonInputs(json, specs) {
  const inputs = {};
  for (const [spec, value] of inputValues(json, specs))
    inputs[spec.name] = decodeJsonTensor(value, spec.dtype, spec.name);
  return inputs;
}

// runtime/tensors/batch-layout.ts
function axesOfSpecs(specs, batchDim) {
  return specs.map((s) => ({ name: s.name, axis: batchAxisOf(s, batchDim) }));
}
var named = (axes) => axes.map((i) => `"${i.name}"`).join(", ");
function rowsOf(inputs, axes) {
  let rows = -1;
  let first = "";
  for (const input of axes) {
    const tensor = inputs[input.name];
    if (input.axis === "shared" || !tensor) continue;
    const n = tensor.shape[input.axis];
    if (n === void 0)
      throw badRequest(
        `input "${input.name}": rank ${tensor.shape.length} has no batch axis ${input.axis} (inputs: ${named(axes)})`
      );
    if (rows === -1) [rows, first] = [n, input.name];
    else if (n !== rows)
      throw badRequest(
        `input "${input.name}": ${n} rows along its batch axis ${input.axis}, but "${first}" has ${rows}; they must match`
      );
  }
  if (rows === 0) throw badRequest(`input "${first}": the batch axis is empty`);
  return rows === -1 ? 1 : rows;
}

// runtime/tensors/validate.ts
function formatSpec(spec) {
  if (spec.shape === null) return `${spec.dtype} of any shape`;
  return `${spec.dtype} [${spec.shape.map((d) => d === -1 ? "?" : String(d)).join(", ")}]`;
}
function formatTensor(t) {
  return `${t.dtype} [${t.shape.join(", ")}]`;
}
function validateInputs(inputs, specs, optional) {
  let present = 0;
  for (const spec of specs) {
    const t = inputs[spec.name];
    if (!t && spec.name === optional) continue;
    present++;
    if (!t) {
      const names3 = specs.map((s) => `"${s.name}"`).join(", ");
      throw badRequest(`input "${spec.name}" is missing: expected ${formatSpec(spec)} (inputs: ${names3})`);
    }
    const shape = spec.shape;
    const mismatch = t.dtype !== spec.dtype || shape !== null && (t.shape.length !== shape.length || shape.some((d, i) => typeof d === "number" && d >= 0 && t.shape[i] !== d));
    if (mismatch)
      throw badRequest(`input "${spec.name}": expected ${formatSpec(spec)}, got ${formatTensor(t)}`);
  }
  if (Object.keys(inputs).length > present) {
    const known = new Set(specs.map((s) => s.name));
    const extra = Object.keys(inputs).find((n) => !known.has(n));
    throw badRequest(
      `input "${extra}" is not an input of this API (inputs: ${specs.map((s) => `"${s.name}"`).join(", ")})`
    );
  }
}

// runtime/service/warmup-samples.ts
var SAMPLE_EXTENSIONS = [".json", ".npy", ".npz"];
var MAX_SAMPLE_BYTES = 64 * 1024 * 1024;
var names2 = (specs) => specs.map((s) => `"${s.name}"`).join(", ");
function decodeSampleFile(bytes, file, target) {
  const { specs } = target;
  const ext = extname2(file).toLowerCase();
  let inputs;
  if (ext === ".json") {
    let json;
    try {
      json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
    } catch (err) {
      throw new Error(`not valid JSON: ${err.message}`);
    }
    inputs = decodeJsonInputs(json, specs);
  } else if (ext === ".npy") {
    if (specs.length !== 1)
      throw new Error(`a .npy file holds one array but the API takes inputs ${names2(specs)}: use a .npz`);
    inputs = { [specs[0].name]: decodeNpy(bytes, specs[0].name) };
  } else if (ext === ".npz") {
    inputs = {};
    for (const [name, tensor] of readNpz(bytes, { maxBytes: MAX_SAMPLE_BYTES })) {
      if (!specs.some((s) => s.name === name))
        throw new Error(`array "${name}" is not an input of this API (inputs: ${names2(specs)})`);
      inputs[name] = tensor;
    }
  } else {
    throw new Error(`"${ext || file}" files are not samples: use ${SAMPLE_EXTENSIONS.join(", ")}`);
  }
  return checked(inputs, target);
}
function filledSample(shapes, fill2, target) {
  const { specs } = target;
  const unknown = Object.keys(shapes).find((name) => !specs.some((s) => s.name === name));
  if (unknown !== void 0)
    throw new Error(`"${unknown}" is not an input of this API (inputs: ${names2(specs)})`);
  const inputs = {};
  for (const spec of specs) {
    const shape = shapes[spec.name];
    if (!shape)
      throw new Error(`input "${spec.name}" has no shape: give every input one (inputs: ${names2(specs)})`);
    const count = elementCount(shape);
    if (count * bytesOf(spec.dtype) > MAX_SAMPLE_BYTES)
      throw new Error(
        `input "${spec.name}" at [${shape.join(", ")}] would take more than ${MAX_SAMPLE_BYTES} bytes: a sample is one representative request`
      );
    const value = decodeJsonTensor(fill2, spec.dtype, spec.name).data[0];
    const data = allocate(spec.dtype, count);
    data.fill(value);
    inputs[spec.name] = { dtype: spec.dtype, shape: [...shape], data };
  }
  return checked(inputs, target);
}
var bytesOf = (dtype) => dtype === "string" ? 8 : bytesPerElement(dtype);
function checked(inputs, target) {
  validateInputs(inputs, target.specs);
  const rows = target.batchable ? rowsOf(inputs, axesOfSpecs(target.specs, target.batchDim)) : 1;
  return { inputs, rows };
}

// src/build/warmup.ts
var WARMUP_DIR = "warmup";
async function planWarmups(options) {
  const files = [];
  const apis = [];
  for (const [i, api] of options.apis.entries()) {
    const config = options.configs[i].warmup;
    if (!config) {
      apis.push(api);
      continue;
    }
    const signature = options.models.get(options.configs[i].model).info.signatures[api.method];
    const target = {
      specs: api.input,
      batchable: signature.batchable,
      batchDim: signature.batch_dim
    };
    const where2 = (...keys) => options.where(i, "warmup", ...keys);
    let warmup;
    if (config.file !== void 0) {
      const file = await checkSampleFile(options.context, config.file, target, where2("file"), api);
      warmup = { file: file.target };
      files.push(file);
    } else {
      warmup = checkShapes(config, target, where2, api);
    }
    apis.push({ ...api, warmup });
  }
  return { apis, files };
}
var inputsOf = (api) => api.input.map((s) => `${s.name} ${formatSpec(s)}`).join(", ");
async function checkSampleFile(context, rel, target, where2, api) {
  const fail3 = (problem) => {
    throw new UsageError(`${where2}: "${rel}" ${problem}`);
  };
  const ext = extname3(rel).toLowerCase();
  if (!SAMPLE_EXTENSIONS.includes(ext))
    fail3(
      `is not a sample file: expected ${SAMPLE_EXTENSIONS.join(", ")} (a request as JSON, or NumPy arrays)`
    );
  const real = await contextFile({
    context,
    rel,
    where: where2,
    missing: `not found in ${displayPath(context)}: create the sample or fix the path`
  });
  const { size } = await stat3(real);
  if (size > MAX_SAMPLE_BYTES)
    fail3(`has ${size} bytes, more than ${MAX_SAMPLE_BYTES}: a sample is one representative request`);
  try {
    decodeSampleFile(await readFile4(real), rel, target);
  } catch (err) {
    fail3(
      `does not fit API "${api.name}": ${err.message} (inputs: ${inputsOf(api)}); fix the sample`
    );
  }
  return { source: real, target: `${WARMUP_DIR}/${api.name}${ext}` };
}
function checkShapes(config, target, where2, api) {
  const fill2 = config.fill ?? 0;
  for (const spec of api.input) {
    try {
      decodeJsonTensor(fill2, spec.dtype, spec.name);
    } catch (err) {
      throw new UsageError(
        `${where2("fill")}: ${JSON.stringify(fill2)} does not fit ${err.message.replace(/ at top level$/, "")}: choose a fill every input can take`
      );
    }
  }
  const shapes = config.shapes;
  try {
    filledSample(shapes, fill2, target);
  } catch (err) {
    throw new UsageError(
      `${where2("shapes")}: ${err.message} (inputs: ${inputsOf(api)}): give each input a shape its signature accepts`
    );
  }
  return { shapes, fill: fill2 };
}

// src/build/plan.ts
async function planBuild(options) {
  const log2 = options.log ?? (() => void 0);
  const context = options.context ? resolve6(options.context) : void 0;
  const bentofilePath = options.bentofile ?? join6(context ?? ".", DEFAULT_BENTOFILE);
  if (context && !(await stat4(context).catch(() => void 0))?.isDirectory()) {
    throw new UsageError(`build context "${options.context}" is not a directory: pass the project directory`);
  }
  const loaded = await loadBentofile(bentofilePath, context);
  const { config, source } = loaded;
  const file = source.file;
  const createdAt = parseSourceDateEpoch(options.sourceDateEpoch);
  const version = options.version ? validateTagPart(options.version, "version", "version") : void 0;
  let compiled;
  let apiConfigs;
  let apiWhere;
  if (typeof config.service === "string") {
    const ref = parseServiceRef(config.service);
    compiled = await compileServiceModule({
      context: loaded.context,
      ref,
      external: (config.node?.packages ?? []).map(packageName),
      where: source.locate(["service"])
    });
    apiConfigs = compiled.apis;
    apiWhere = (i, ...keys) => `${ref.path} (export "${ref.exportName}"): apis.${[apiConfigs[i].name, ...keys].join(".")}`;
    checkApiRoutes(apiConfigs, apiWhere);
  } else {
    apiConfigs = config.service.apis;
    apiWhere = (i, ...keys) => {
      const path = ["service", "apis", i, ...keys];
      return `${source.locate(path)}: ${formatPath(path)}`;
    };
  }
  const serviceName = typeof config.service === "string" ? compiled?.name ?? config.name : config.service.name;
  if (!serviceName) {
    throw new UsageError(
      `${source.locate(["service"])}: service: the module's export has no name: add name: "my_service" to it, or name: to ${file}`
    );
  }
  const name = config.name ?? serviceName;
  const requests = apiConfigs.map((api, i) => ({
    tag: api.model,
    where: apiWhere(i, "model")
  }));
  (config.models ?? []).forEach((m, i) => {
    const path = typeof m === "string" ? ["models", i] : ["models", i, "tag"];
    requests.push({
      tag: typeof m === "string" ? m : m.tag,
      where: `${source.locate(path)}: ${formatPath(path)}`
    });
  });
  const modelStore = openModelStore(options.home);
  const models = await resolveModels(modelStore, requests);
  const { apis, files: warmupFiles } = await planWarmups({
    context: loaded.context,
    configs: apiConfigs,
    apis: apiConfigs.map(
      (api, i) => resolveApi(api, models.get(api.model), (...keys) => apiWhere(i, ...keys))
    ),
    models,
    where: apiWhere
  });
  const bundled = modelRefs(requests.map((r) => models.get(r.tag)));
  for (const [text2, model] of models) log2(`model ${text2} -> ${formatTag(model.tag)} (${model.info.digest})`);
  apis.forEach((api, i) => {
    const signature = models.get(apiConfigs[i].model).info.signatures[api.method];
    log2(`API ${api.name}: batching ${apiBatching(api, signature)}`);
  });
  const sources = await selectSources({
    context: loaded.context,
    include: config.include,
    exclude: config.exclude,
    skipDirs: [options.home],
    locateInclude: (i) => source.locate(["include", i])
  });
  if (compiled && sources.includes(compiled.file)) {
    throw new UsageError(
      `${source.locate(["service"])}: service: the bundle src/${compiled.file} would replace the included file ${compiled.file}: exclude it or rename the module`
    );
  }
  const envFiles = await environmentFiles(loaded);
  const description = await readDescription(loaded, compiled);
  const labels = sortKeys({
    ...typeof config.service === "string" ? compiled?.labels : config.service.labels,
    ...config.labels,
    ...options.labels
  });
  const docker = {
    ...config.docker?.distro ? { distro: config.docker.distro } : {},
    ...config.docker?.cuda_version ? { cuda_version: resolveCudaVersion(config.docker.cuda_version) } : {},
    ...config.docker?.system_packages ? { system_packages: config.docker.system_packages } : {},
    ...envFiles.setupScript ? { setup_script: envFiles.setupScript.target } : {},
    ...config.docker?.base_image ? { base_image: config.docker.base_image } : {},
    ...config.docker?.env ? { env: sortKeys(config.docker.env) } : {},
    ...envFiles.template ? { dockerfile_template: envFiles.template.target } : {}
  };
  const spec = {
    service: { name: serviceName, ...compiled ? { module: compiled.module } : {}, apis },
    models: bundled.map((b) => b.ref),
    envs: config.envs ?? [],
    node: {
      packages: config.node?.packages ?? [],
      ...envFiles.lockfile ? { lockfile: envFiles.lockfile.target } : {}
    },
    docker,
    ...config.resources ? { resources: config.resources } : {}
  };
  const batchDims = Object.fromEntries(
    apis.map((api, i) => [
      api.name,
      models.get(apiConfigs[i].model).info.signatures[api.method].batch_dim
    ])
  );
  return {
    name,
    context: loaded.context,
    description,
    labels,
    spec,
    sources,
    compiled,
    models: bundled,
    envFiles: [...Object.values(envFiles).filter((f) => f !== void 0), ...warmupFiles],
    batchDims,
    createdAt,
    version
  };
}
async function environmentFiles(loaded) {
  const { config, source, context } = loaded;
  const check = async (path, rel, target) => {
    if (rel === void 0) return void 0;
    const abs = await contextFile({
      context,
      rel,
      where: `${source.locate(path)}: ${formatPath(path)}`,
      missing: `not found in ${displayPath(context)}: create it or fix the path`
    });
    return { source: abs, target: target(rel) };
  };
  return {
    setupScript: await check(
      ["docker", "setup_script"],
      config.docker?.setup_script,
      () => "env/docker/setup_script"
    ),
    template: await check(
      ["docker", "dockerfile_template"],
      config.docker?.dockerfile_template,
      () => "env/docker/Dockerfile.template"
    ),
    lockfile: await check(["node", "lockfile"], config.node?.lockfile, (rel) => `env/node/${basename3(rel)}`)
  };
}
async function readDescription(loaded, compiled) {
  const { config, source, context } = loaded;
  const text2 = config.description ?? (typeof config.service === "string" ? compiled?.description : config.service.description);
  const match = config.description ? /^file:\s*(.+)$/.exec(config.description.trim()) : null;
  if (!match) return text2;
  const file = await contextFile({
    context,
    rel: match[1].trim(),
    where: `${source.locate(["description"])}: description`,
    noun: "file",
    missing: `not found in ${displayPath(context)}: create it or write the description inline`
  });
  return readFile5(file, "utf8");
}
function packageName(spec) {
  const at = spec.indexOf("@", 1);
  return at < 0 ? spec : spec.slice(0, at);
}
function sortKeys(record) {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));
}

// src/build/stage.ts
import { copyFile, link, mkdir, stat as stat5, writeFile as writeFile2 } from "node:fs/promises";
import { dirname as dirname4, join as join7 } from "node:path";
var StagedBento = class {
  constructor(dir) {
    this.dir = dir;
  }
  dir;
  /** sha256 already known for files linked from verified model entries, by bento path. */
  known = /* @__PURE__ */ new Map();
  async writeText(rel, text2) {
    const target = join7(this.dir, rel);
    await mkdir(dirname4(target), { recursive: true });
    await writeFile2(target, text2);
  }
  async copyIn(source, rel) {
    const target = join7(this.dir, rel);
    await mkdir(dirname4(target), { recursive: true });
    await copyFile(source, target);
  }
  /** Puts a model entry (content files and model.yaml, not its signatures) under `rel`. */
  async addModel(model, rel) {
    for (const file of model.info.files) {
      await this.linkOrCopy(join7(model.dir, file.path), `${rel}/${file.path}`);
      this.known.set(`${rel}/${file.path}`, { ...file, path: `${rel}/${file.path}` });
    }
    await this.linkOrCopy(join7(model.dir, "model.yaml"), `${rel}/model.yaml`);
  }
  /** Model files are immutable in the store, so sharing their inodes is safe and saves the copy. */
  async linkOrCopy(source, rel) {
    const target = join7(this.dir, rel);
    await mkdir(dirname4(target), { recursive: true });
    try {
      await link(source, target);
    } catch (err) {
      const code = err.code;
      if (code !== "EXDEV" && code !== "EPERM" && code !== "ENOTSUP" && code !== "EMLINK") throw err;
      await copyFile(source, target);
    }
  }
  /**
   * The manifest and digest of everything staged, as the store will compute them at commit; model
   * files reuse the digests verified moments ago instead of being read again.
   */
  async manifest(isContent) {
    const files = [];
    for (const path of await listFiles(this.dir, (rel) => !isContent(rel))) {
      const size = (await stat5(join7(this.dir, path))).size;
      const known = this.known.get(path);
      files.push(
        known && known.size === size ? known : { path, sha256: await sha256File(join7(this.dir, path)), size }
      );
    }
    return { files, digest: manifestDigest(files) };
  }
};

// src/build/build.ts
var OPENAPI_FILE = "apis/openapi.yaml";
async function buildBento(options) {
  const plan = await planBuild(options);
  const { name, labels, description, createdAt } = plan;
  const store = openBentoStore(options.home);
  const staged = new StagedBento(await store.stage());
  try {
    await fill(staged, plan);
    const { digest } = await staged.manifest(store.isContent);
    const existing = await findSame(store, name, digest, labels, description, plan.version);
    if (existing) {
      await removeQuietly(staged.dir);
      await writeFileAtomic(join8(store.root, name, "latest"), `${existing.tag.version}
`);
      return { bento: existing, reused: true };
    }
    const identity = JSON.stringify({ digest, labels, description: description ?? null });
    const version = plan.version ?? (createdAt ? derivedVersion(createdAt, identity) : newVersion());
    const tag = { name, version };
    const info = (content) => ({
      name,
      version,
      api_version: "v1",
      ...description !== void 0 ? { description } : {},
      labels,
      creation_time: (createdAt ?? /* @__PURE__ */ new Date()).toISOString(),
      bentoci_version: BENTOCI_VERSION,
      ...plan.spec,
      ...content
    });
    try {
      return { bento: await store.commit(staged.dir, tag, info), reused: false };
    } catch (err) {
      const winner = err instanceof UsageError ? await store.find(tag) : void 0;
      if (winner && sameBento(winner, digest, labels, description)) return { bento: winner, reused: true };
      throw err;
    }
  } catch (err) {
    await removeQuietly(staged.dir);
    throw err;
  }
}
async function fill(staged, plan) {
  for (const rel of plan.sources) await staged.copyIn(join8(plan.context, rel), `src/${rel}`);
  if (plan.compiled) await staged.writeText(`src/${plan.compiled.file}`, plan.compiled.code);
  for (const { model, ref } of plan.models) await staged.addModel(model, ref.path);
  for (const file of plan.envFiles) await staged.copyIn(file.source, file.target);
  const openapi = openApiDocument({
    title: plan.spec.service.name,
    description: plan.description,
    apis: plan.spec.service.apis,
    batchDims: plan.batchDims,
    ...plan.compiled ? { preHooks: plan.compiled.preHooks, postHooks: plan.compiled.postHooks } : {}
  });
  const yaml = (value) => import_yaml2.default.stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
  await staged.writeText(OPENAPI_FILE, yaml(openapi));
  await staged.writeText(LOCK_FILE, yaml(plan.spec));
  const template = plan.envFiles.find((f) => f.target === plan.spec.docker.dockerfile_template);
  const dockerfile = await renderBentoDockerfile(
    staged.dir,
    {
      name: plan.name,
      description: plan.description,
      models: plan.spec.models,
      docker: plan.spec.docker,
      envs: plan.spec.envs,
      node: plan.spec.node
    },
    template ? displayPath(template.source) : void 0
  );
  await staged.writeText(STORED_DOCKERFILE, dockerfile);
}
async function findSame(store, name, digest, labels, description, version) {
  const same = (b) => sameBento(b, digest, labels, description);
  if (version) {
    const stored = await store.find({ name, version });
    if (!stored) return void 0;
    if (same(stored)) return stored;
    const what = manifestDigest(stored.info.files) === digest ? "labels or description" : "content";
    throw new OptionError(
      "version",
      say`bento ${name}:${version} already exists with other ${what}: saved tags are immutable; pick another ${option("version")}`
    );
  }
  return (await store.list({ name })).filter(same).at(-1);
}
function sameBento(bento, digest, labels, description) {
  return manifestDigest(bento.info.files) === digest && !isLegacyDigest(bento.info) && bento.info.description === description && JSON.stringify(sortKeys(bento.info.labels)) === JSON.stringify(labels);
}

// src/build/cuda-override.ts
var import_yaml3 = __toESM(require_dist(), 1);
import { randomBytes as randomBytes2 } from "node:crypto";
import { readFile as readFile6, rm, writeFile as writeFile3 } from "node:fs/promises";
import { join as join9, relative as relative5 } from "node:path";
async function withCudaVersion(original, cudaVersion2, temp, key = "cudaVersion") {
  const none = { path: original, restore: (err) => err, cleanup: async () => void 0 };
  const text2 = await readFile6(original, "utf8").catch(() => void 0);
  if (text2 === void 0) return none;
  const doc = import_yaml3.default.parseDocument(text2);
  if (doc.errors.length > 0 || !import_yaml3.default.isMap(doc.contents)) return none;
  doc.setIn(["docker", "cuda_version"], cudaVersion2);
  const copy = join9(temp, `bentofile.cuda-${randomBytes2(4).toString("hex")}.yaml`);
  await writeFile3(copy, doc.toString());
  const shown = say`${relative5(process.cwd(), original) || original} (with ${option(key, cudaVersion2)})`;
  const named2 = (part) => typeof part === "string" ? part.split(copy).flatMap((piece, i) => i === 0 ? [piece] : [...shown.parts, piece]) : [part];
  return {
    path: copy,
    restore(err) {
      if (!(err instanceof Error)) return err;
      if (err instanceof BentoError) {
        const text3 = new UserText(err.text.parts.flatMap(named2));
        err.text = text3;
        err.message = text3.render();
      } else err.message = err.message.replaceAll(copy, shown.render());
      return err;
    },
    cleanup: () => rm(copy, { force: true })
  };
}

// src/operations/build.ts
var keyValues = external_exports.record(external_exports.string(), external_exports.string());
var saveModelOptionsSchema = external_exports.object({
  /** `name` or `name:version`; the version is generated when absent. */
  tag: external_exports.string().min(1, "expected name or name:version"),
  /** A model file or a directory of files. */
  path: external_exports.string().min(1, "expected a model file or directory"),
  label: keyValues.default({}),
  metadata: keyValues.default({}),
  /** "onnx" (the default for .onnx files) or "files" for opaque data. */
  module: external_exports.string().min(1).optional(),
  /** false: never batch requests to this model; absent: as the model's signature says. */
  batchable: external_exports.boolean().optional(),
  /** Batch axes by input or output name (`shared`: one value for the whole batch), over the inferred ones. */
  batchAxis: external_exports.record(external_exports.string(), external_exports.union([external_exports.literal("shared"), external_exports.number().int().min(0)])).default({}),
  /** Replace an existing version with the same tag. */
  force: external_exports.boolean().default(false)
});
var cudaVersion = external_exports.optional(
  external_exports.string().transform((text2, ctx) => {
    const release = resolveCudaVersion(text2);
    if (release) return release;
    optionIssue(
      ctx,
      "cudaVersion",
      say`invalid ${option("cudaVersion")} "${text2}": not a known CUDA release; ${cudaVersionHint(text2)}`
    );
    return external_exports.NEVER;
  })
);
var buildOptionsSchema = external_exports.object({
  /** The bentofile; default `<context>/bentofile.yaml`. */
  bentofile: external_exports.string().min(1).optional(),
  /** The build context; default the bentofile's directory. */
  context: external_exports.string().min(1).optional(),
  /** The new bento's version (checked with the tag rules by the build); default generated or derived. */
  version: external_exports.string().min(1).optional(),
  /** Labels on top of the bentofile's. */
  label: keyValues.default({}),
  /** Over the bentofile's docker.cuda_version. */
  cudaVersion
});
function creationTimeOf(context) {
  return parseSourceDateEpoch((context.env ?? process.env)["SOURCE_DATE_EPOCH"]);
}
async function saveModelEntry(values, context) {
  const options = parseOptions(saveModelOptionsSchema, values);
  const creationTime = creationTimeOf(context);
  return saveModel(openModelStore(context.home), {
    tag: options.tag,
    source: options.path,
    labels: options.label,
    metadata: options.metadata,
    ...options.module !== void 0 ? { module: options.module } : {},
    ...options.batchable !== void 0 ? { batchable: options.batchable } : {},
    batchAxes: options.batchAxis,
    force: options.force,
    ...creationTime ? { creationTime } : {}
  });
}
async function buildBentoEntry(values, context) {
  const options = parseOptions(buildOptionsSchema, values);
  const log2 = context.log ?? (() => void 0);
  const build2 = {
    home: context.home,
    version: options.version,
    labels: options.label,
    sourceDateEpoch: (context.env ?? process.env)["SOURCE_DATE_EPOCH"],
    log: log2
  };
  if (!options.cudaVersion)
    return buildBento({ ...build2, bentofile: options.bentofile, context: options.context });
  const bentofile = options.bentofile ?? join10(options.context ?? ".", DEFAULT_BENTOFILE);
  const override = await withCudaVersion(bentofile, options.cudaVersion, context.temp ?? tmpdir2());
  log2(`building with docker.cuda_version ${options.cudaVersion}`);
  try {
    return await buildBento({
      ...build2,
      bentofile: override.path,
      context: options.context ?? dirname5(bentofile)
    });
  } catch (err) {
    throw override.restore(err);
  } finally {
    await override.cleanup();
  }
}

// src/core/archive/export.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash as createHash2 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { readFile as readFile7, stat as stat7 } from "node:fs/promises";
import { join as join12 } from "node:path";
import { Readable } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";
import { createGzip } from "node:zlib";

// src/core/archive/drain.ts
function drained(stream) {
  return new Promise((resolve8, reject) => {
    if (stream.destroyed) return reject(new Error("archive stream closed"));
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", onError);
    };
    const onDrain = () => {
      cleanup();
      resolve8();
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
import { rename, stat as stat6 } from "node:fs/promises";
import { dirname as dirname6, join as join11, resolve as resolve7 } from "node:path";
import { pipeline } from "node:stream/promises";

// src/core/archive/http.ts
var import_undici = __toESM(require_undici(), 1);
import { PassThrough } from "node:stream";
var TIMEOUTS = { headersTimeout: 6e4, bodyTimeout: 6e4, connectTimeout: 3e4 };
var agents;
function dispatchers() {
  const plain2 = new import_undici.Agent({ connect: { timeout: TIMEOUTS.connectTimeout } });
  agents ??= { get: plain2.compose(import_undici.interceptors.redirect({ maxRedirections: 5 })), put: plain2 };
  return agents;
}
function displayUrl(url) {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?\u2026" : ""}`;
}
async function httpGet(url, signal) {
  const res = await (0, import_undici.request)(url, { method: "GET", dispatcher: dispatchers().get, signal, ...TIMEOUTS });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const detail = await snippet(res.body);
    throw new HttpStatusError(
      res.statusCode,
      `GET ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`,
      retryAfterOf(res.headers)
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
          `PUT ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`,
          retryAfterOf(res.headers)
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
function retryAfterOf(headers) {
  const value = headers["retry-after"];
  return Array.isArray(value) ? value[0] : value;
}
async function snippet(body) {
  const text2 = await (body.text?.() ?? Promise.resolve("")).catch(() => "");
  const line = text2.replace(/\s+/g, " ").trim().slice(0, 200);
  return line ? ` (${line})` : "";
}
async function withRetries2(attempt, options) {
  const log2 = options.log ?? ((line) => process.stderr.write(`${line}
`));
  return withRetries(attempt, {
    ...options.policy ? { policy: options.policy } : {},
    ...options.signal ? { signal: options.signal } : {},
    onRetry: (err, delay, next, attempts) => log2(`${err.message}; retrying in ${delay} ms (attempt ${next} of ${attempts})`)
  });
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
  return { kind: "file", path: resolve7(text2) };
}
function describeLocation(location, stdio) {
  if (location.kind === "stdio") return stdio;
  if (location.kind === "url") return displayUrl(location.url);
  return location.path;
}
async function resolveDestination(text2, defaultName) {
  if (text2 === void 0) return { kind: "file", path: resolve7(defaultName) };
  const location = parseLocation(text2, "destination");
  if (location.kind === "file" && (await stat6(location.path).catch(() => void 0))?.isDirectory()) {
    return { kind: "file", path: join11(location.path, defaultName) };
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
  const info = await stat6(location.path).catch(() => void 0);
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
  return withRetries2(
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
  const why = missingDir ? `directory ${dirname6(location.path)} does not exist` : message;
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
  const infoData = await readFile7(join12(entry.dir, store.kind.infoFile));
  const members = [
    { rel: store.kind.infoFile, size: infoData.length, sha256: sha256(infoData), data: infoData }
  ];
  for (const file of entry.info.files) {
    assertSafePath(file.path, "recorded file", entry.dir);
    const path = within(entry.dir, file.path);
    const actual = await stat7(path).catch(() => void 0);
    if (!actual?.isFile()) throw damaged(`${file.path} is missing`);
    if (actual.size !== file.size)
      throw damaged(`${file.path} is ${actual.size} bytes, ${file.size} recorded`);
    members.push({ rel: file.path, size: file.size, sha256: file.sha256, path });
  }
  const signaturesDir = join12(entry.dir, SIGNATURES_DIR);
  if (await exists(signaturesDir)) {
    for (const rel of await listFiles(signaturesDir)) {
      const data = await readFile7(join12(signaturesDir, rel));
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
  return new Promise((resolve8, reject) => {
    pack.entry(header, data, (err) => err ? reject(err) : resolve8());
  });
}
async function addFile(pack, header, member, meter) {
  let settle = () => void 0;
  const added = new Promise((resolve8, reject) => {
    settle = (err) => err ? reject(err) : resolve8();
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
function parseByteSize(text2, name = "maxSize") {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?b)?|b)?\s*$/i.exec(text2);
  const unit = match?.[2]?.toLowerCase() ?? "";
  const decimal = match?.[3] !== void 0 && match[3].toLowerCase() === "b";
  if (!match || decimal) {
    throw invalidValue(name, text2, "expected bytes or a size like 512MiB, 64GiB or 1TiB (powers of 1024)");
  }
  const bytes = Math.floor(Number(match[1]) * (UNITS[unit] ?? 1));
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw invalidValue(name, text2, "expected a size above 0 bytes");
  return bytes;
}
function checkDeclaredSize(manifest, maxBytes, label) {
  if (manifest.size > maxBytes) {
    throw new BentoError(
      say`archive "${label}" declares ${formatBytes(manifest.size)} of files, more than the import limit of ${formatBytes(maxBytes)}; pass a larger ${option("maxSize")} if you expect an entry that big`
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
var import_yaml5 = __toESM(require_dist(), 1);
import { readFile as readFile8 } from "node:fs/promises";
import { pipeline as pipeline4 } from "node:stream/promises";
import { createGunzip } from "node:zlib";

// src/core/archive/members.ts
import { createHash as createHash3 } from "node:crypto";
import { createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir as mkdir2 } from "node:fs/promises";
import { dirname as dirname7 } from "node:path";
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
  const { noun: noun2, folder, infoFile } = store.kind;
  if (manifest.kind !== noun2) {
    const hint = KINDS.includes(manifest.kind) ? say`import it with ${operation(importOperation(manifest.kind))}` : "bentoci imports models and bentos only";
    throw new UsageError(say`archive "${label}" holds a ${manifest.kind}, not a ${noun2} (${hint})`);
  }
  parseTag(manifest.tag, { noun: `tag in archive "${label}"` });
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
    const again = noun2 === "model" ? "saved" : "built";
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
  await mkdir2(dirname7(path), { recursive: true });
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
var import_yaml4 = __toESM(require_dist(), 1);
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
    const result = store.kind.schema.safeParse(import_yaml4.default.parse(infoBytes.toString("utf8")));
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
  return withRetries2(attempt, {
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
  let expected2 = /* @__PURE__ */ new Map();
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
            say`archive "${label}" is not a bentoci archive: its first member is "${member.header.name}", not bentoci-archive.json (make archives with ${operation(exportOperation(store.kind.noun))})`
          );
        }
        manifest = checkManifest(await readManifest(member, label), store, label);
        checkDeclaredSize(manifest, context.maxSize, label);
        context.budget.expect(manifest);
        expected2 = new Map(manifest.files.map((f) => [f.path, f]));
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
      const want = expected2.get(role.rel);
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
      if (seen.size === expected2.size) context.budget.complete();
    }
    await feeding;
    if (!manifest) throw new BentoError(`archive "${label}" holds no members`);
    const missing = [...expected2.keys()].filter((path) => !seen.has(path));
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
      say`${what} already exists but is damaged (${existing.problem}); use ${option("force")} to replace it from the archive`
    );
  }
  if (existing.state === "different") {
    throw new UsageError(
      say`${what} already exists with different content (${existing.digest}; the archive holds ${manifest.digest}): saved tags are immutable (use ${option("force")} to replace it)`
    );
  }
}
async function commitStaged(store, staged, manifest, label, force) {
  const infoName = memberName(store.kind.infoFile);
  let raw;
  try {
    raw = import_yaml5.default.parse(await readFile8(within(staged, store.kind.infoFile), "utf8"));
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
    await new Promise((resolve8, reject) => {
      const done = (err) => {
        stream.off("readable", onReadable).off("end", onEnd).off("error", done).off("close", onEnd);
        if (err) reject(err);
        else resolve8();
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
  signatureBatching,
  renderDockerfile,
  dockerQuote,
  STORED_DOCKERFILE,
  dockerfileOf,
  bentoDepsOf,
  parseSourceDateEpoch,
  saveModelEntry,
  buildBentoEntry,
  exportEntry,
  DEFAULT_MAX_IMPORT_BYTES,
  parseByteSize,
  importArchive
};
