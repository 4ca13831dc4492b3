import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  invalidValue,
  require_semver,
  validateTag
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/registry/release-tags.ts
var import_semver = __toESM(require_semver(), 1);
var RELEASE_TAG_KINDS = ["minor", "major", "latest"];
function parseReleaseTagKinds(text) {
  if (text.trim() === "none") return [];
  const kinds = text.split(",").map((k) => k.trim()).filter(Boolean);
  for (const kind of kinds) {
    if (!RELEASE_TAG_KINDS.includes(kind)) {
      throw invalidValue("releaseTags", text, "expected a comma list of minor, major, latest (or none)");
    }
  }
  return [...new Set(kinds)];
}
function releaseTags(release, kinds = RELEASE_TAG_KINDS) {
  const parsed = import_semver.default.parse(release);
  if (!parsed) throw invalidValue("release", release, "expected a semantic version such as 1.4.2");
  const prefix = release.startsWith("v") ? "v" : "";
  const exact = validateTag(
    `${prefix}${parsed.version}${parsed.build.length > 0 ? `-${parsed.build.join(".")}` : ""}`,
    "release"
  );
  if (parsed.prerelease.length > 0) return { exact, moving: [] };
  const moving = [];
  for (const kind of kinds) {
    if (kind === "minor") moving.push(`${prefix}${parsed.major}.${parsed.minor}`);
    if (kind === "major") moving.push(`${prefix}${parsed.major}`);
    if (kind === "latest") moving.push("latest");
  }
  return { exact, moving };
}

export {
  RELEASE_TAG_KINDS,
  parseReleaseTagKinds,
  releaseTags
};
