/**
 * The Dockerfile template engine (src/containerize/template/): the Jinja subset BentoML templates use
 * renders as Jinja does, and a hostile template can only fail. Templates that ran code or read files
 * through nunjucks (issue #16) are refused with one line naming the template, and their marker files
 * are never written.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DockerfileBento, renderDockerfile } from '../../../src/containerize/render.js';
import { renderTemplate, TemplateError } from '../../../src/containerize/template/index.js';
import { UsageError } from '../../../src/core/errors.js';

const DATA = {
  a: 1,
  zero: 0,
  xs: ['p', 'q'],
  m: { k: 'v', empty: '' },
  s: '  Hi There ',
  env: { B: '2', A: '1' },
};
const render = (source: string, data: Record<string, unknown> = DATA) => renderTemplate(source, { data });

/** The error a render throws (a TemplateError unless said otherwise). */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the render to fail');
}

describe('the Jinja subset', () => {
  it('prints variables, own fields, indexes and literals', () => {
    expect(render('{{ a }} {{ m.k }} {{ m["k"] }} {{ xs[1] }} {{ xs[-1] }} {{ "lit" }} {{ 2.5 }}')).toBe(
      '1 v v q q lit 2.5',
    );
    expect(render('[{{ missing }}][{{ missing.deeper }}][{{ none }}][{{ xs }}]')).toBe('[][][][p,q]');
  });

  it('has the filters templates use', () => {
    expect(render('{{ s | trim | lower }}|{{ s | upper }}|{{ xs | join("-") }}|{{ xs | length }}')).toBe(
      'hi there|  HI THERE |p-q|2',
    );
    expect(
      render('{{ missing | default("d") }}|{{ m.empty | default("e", true) }}|{{ m.empty | d("x") }}'),
    ).toBe('d|e|');
    expect(render('{{ s | replace("i", "I") }}|{{ xs | first }}{{ xs | last }}|{{ m | dump }}')).toBe(
      '  HI There |pq|{"k":"v","empty":""}',
    );
    expect(render('{% for k, v in env | dictsort %}{{ k }}={{ v }};{% endfor %}')).toBe('A=1;B=2;');
    expect(render('{{ "x" ~ a ~ "y" }} {{ "ci" if m.k else "install" }} {{ "a" if zero }}.')).toBe(
      'x1y ci .',
    );
  });

  it('has if/elif/else, tests and comparisons', () => {
    expect(render('{% if zero %}a{% elif a == 1 and "p" in xs %}b{% else %}c{% endif %}')).toBe('b');
    expect(render('{% if "p" not in xs or not a %}y{% else %}n{% endif %}')).toBe('n');
    expect(render('{% if missing is defined %}d{% endif %}{% if missing is not defined %}u{% endif %}')).toBe(
      'u',
    );
    expect(render('{{ 3 > 2 }} {{ "b" <= "a" }} {{ m.k != "w" }} {{ zero or "z" }} {{ a and "yes" }}')).toBe(
      'true false true z yes',
    );
  });

  it('has for/else with loop, and set scoped as in Jinja', () => {
    expect(
      render('{% for x in xs %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}'),
    ).toBe('1p,2q');
    expect(render('{% for x in missing %}a{% else %}empty{% endfor %}')).toBe('empty');
    expect(render('{% set v = "top" %}{% for x in xs %}{% set v = x %}{{ v }}{% endfor %}{{ v }}')).toBe(
      'pqtop',
    );
  });

  it('applies trimBlocks, lstripBlocks and whitespace control as BentoML sets Jinja', () => {
    expect(render('x\n  {% if a %}\n  yes\n  {% endif %}\nz')).toBe('x\n  yes\nz');
    expect(render('  {{ a }}  {% if a %}x{% endif %}  \n')).toBe('  1  x  \n');
    expect(render('line1\n    {%- if a %}\nX\n    {% endif -%}\n   tail')).toBe('line1X\ntail');
    expect(render('a {{- " b " -}} c\n  {# note #}\nd')).toBe('a b c\nd');
    expect(render('{% raw %}{{ not rendered }}{% endraw %}')).toBe('{{ not rendered }}');
    expect(
      renderTemplate('x\n  {% if a %}\ny{% endif %}', { data: DATA, trimBlocks: false, lstripBlocks: false }),
    ).toBe('x\n  \ny');
  });

  it('extends a named template: blocks override, super() renders the parent, top-level sets reach it', () => {
    const templates = {
      base: 'head {{ who }}\n{% block A %}base-a{% endblock %}\n{% block B %}base-b{% endblock %}\n',
    };
    const child =
      '{% extends "base" %}{% set who = "child" %}ignored text\n{% block B %}[{{ super() }}+{{ a }}]{% endblock %}';
    expect(renderTemplate(child, { data: DATA, templates })).toBe('head child\nbase-a[base-b+1]');
  });

  it('names the line and column of what it cannot parse or render', () => {
    const cases: [string, RegExp][] = [
      ['a\n{% if %}', /^\[Line 2, Column 7\] expected a value/],
      ['{% if a %}x', /^\[Line 1, Column 4\] \{% if %\} is not closed/],
      ['{{ a ', /unclosed \{\{ \.\.\. \}\}/],
      ['{% endfor %}', /unexpected \{% endfor %\}/],
      ['{% block A %}{% endblock %}{% block A %}{% endblock %}', /block "A" is defined twice/],
      ['{{ a | nosuch }}', /unknown filter "nosuch"/],
      ['{{ super() }}', /super\(\) can only be called inside a \{% block %\}/],
      ['{% extends "base" %}{% extends "base" %}', /extends twice/],
      ['{% extends "other" %}', /can only name bento_base_template/],
      ['{{ m }}', /cannot print a mapping/],
      ['{% for x in a %}{% endfor %}', /needs a list/],
    ];
    for (const [source, message] of cases) {
      const error = errorOf(() => renderTemplate(source, { data: DATA, templates: { base: 'x' } }));
      expect(error, source).toBeInstanceOf(TemplateError);
      expect(error.message, source).toMatch(message);
      expect(error.message).not.toContain('\n');
    }
  });
});

describe('what a template cannot do', () => {
  it('refuses calls, and names that reach JavaScript internals', () => {
    const cases: [string, RegExp][] = [
      ['{{ range.constructor("return 1")() }}', /"constructor" is not allowed/],
      ['{{ xs.join(",") }}', /calls are not supported/],
      ['{{ a["__proto__"] }}', /"__proto__" is not allowed/],
      ['{{ toString }}', /"toString" is not allowed/],
      ['{{ (a)() }}', /calls are not supported/],
      ['{% set constructor = 1 %}', /"constructor" is not allowed/],
    ];
    for (const [source, message] of cases) {
      const error = errorOf(() => render(source));
      expect(error.message, source).toMatch(message);
    }
    // A key computed at run time reads only own data: nothing inherited comes back.
    expect(render('[{{ cycler.__init__.__globals__ }}]')).toBe('[]');
    expect(
      render('{% set k = "const" ~ "ructor" %}[{{ m[k] }}][{{ xs[k] }}][{{ s[k] }}][{{ m[k][k] }}]'),
    ).toBe('[][][][]');
  });

  it('has no tag that reads a file or defines code', () => {
    for (const tag of [
      'include "/etc/passwd"',
      'import "x" as y',
      'from "x" import y',
      'macro m()',
      'call m()',
      'filter upper',
      'with',
    ]) {
      expect(errorOf(() => render(`{% ${tag} %}`)).message, tag).toMatch(
        /unsupported tag .*cannot read files or define code/,
      );
    }
    expect(errorOf(() => renderTemplate('{% extends "/etc/passwd" %}', { data: {} })).message).toMatch(
      /can only name bento_base_template, not "\/etc\/passwd"/,
    );
  });

  it('takes plain data only: a function passed in is refused, not exposed', () => {
    expect(() => renderTemplate('{{ f }}', { data: { f: () => 1 } })).toThrow(/plain data/);
    expect(() => renderTemplate('{{ d }}', { data: { d: new Date() } })).toThrow(/plain data/);
  });

  it('bounds the work: nested loops, output size and blocks that render each other', () => {
    const wide = { xs: Array.from({ length: 200 }, (_, i) => i) };
    const loops = '{% for a in xs %}{% for b in xs %}{% for c in xs %}{% endfor %}{% endfor %}{% endfor %}';
    expect(errorOf(() => renderTemplate(loops, { data: wide })).message).toMatch(/too much work/);
    const big = '{% for a in xs %}{% for b in xs %}{{ "0123456789" }}{% endfor %}{% endfor %}';
    expect(errorOf(() => renderTemplate(big, { data: wide, limits: { output: 100_000 } })).message).toMatch(
      /output exceeds 100000 characters/,
    );
    // Values that double: shared lists, concatenation, replace and join are measured before they grow.
    const doubling = (step: string) => `{% set v = "xxxxxxxx" %}${`{% set v = ${step} %}`.repeat(40)}{{ v }}`;
    for (const step of ['[v, v]', 'v ~ v', '[v, v] | join(v)', 'v | replace("x", v)']) {
      expect(errorOf(() => render(doubling(step))).message, step).toMatch(
        /builds a value larger than 4194304 characters/,
      );
    }
    expect(errorOf(() => render(`${'{% if a %}'.repeat(150)}x${'{% endif %}'.repeat(150)}`)).message).toMatch(
      /nested more than 100 deep/,
    );
    const templates = { base: '{% block Y %}{% block X %}{% endblock %}{% endblock %}' };
    const cycle = '{% extends "base" %}{% block X %}{% block Y %}{{ super() }}{% endblock %}{% endblock %}';
    expect(errorOf(() => renderTemplate(cycle, { data: {}, templates })).message).toMatch(
      /nested too deeply/,
    );
  });
});

describe('docker.dockerfile_template through renderDockerfile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bci-sandbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bento: DockerfileBento = {
    name: 'iris_classifier',
    models: [
      { tag: 'iris:v1', module: 'onnx', digest: `sha256:${'a'.repeat(64)}`, size: 1, path: 'models/iris/v1' },
    ],
    docker: {},
    envs: [],
  };
  const dockerfile = (source: string) =>
    renderDockerfile(bento, { template: { source, path: 'Dockerfile.template' } });

  it('a template that runs code through the Function constructor fails and writes nothing', () => {
    const marker = join(dir, 'rce-marker');
    const payloads = [
      `{{ range.constructor("process.getBuiltinModule('fs').writeFileSync('${marker}', 'x')")() }}`,
      `{{ bento.name.constructor.constructor("process.getBuiltinModule('fs').writeFileSync('${marker}', 'x')")() }}`,
      `{% set f = models.constructor %}{{ f.constructor("process.getBuiltinModule('fs').writeFileSync('${marker}', 'x')")() }}`,
    ];
    for (const payload of payloads) {
      const error = errorOf(() => dockerfile(`{% extends bento_base_template %}\n${payload}`));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(
        /^docker\.dockerfile_template "Dockerfile\.template" failed to render: \[Line 2, Column \d+\] /,
      );
      expect(error.message).not.toContain('\n');
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('a template that reads a file outside fails and the text is nowhere', async () => {
    const secret = join(dir, 'secret');
    await writeFile(secret, 'root:SECRET-HASH:19000::::::\n');
    const payloads = [
      `{{ range.constructor("return process.getBuiltinModule('fs').readFileSync('${secret}', 'utf8')")() }}`,
      `{% include "${secret}" %}`,
      `{% extends "${secret}" %}`,
      `{% import "${secret}" as s %}`,
    ];
    for (const payload of payloads) {
      const error = errorOf(() => dockerfile(payload));
      expect(error, payload).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(/^docker\.dockerfile_template "Dockerfile\.template" failed to render: /);
      expect(error.message).not.toContain('SECRET-HASH');
    }
  });

  it('keeps BentoML-style templates: extends, blocks, super(), variables, set, loops and filters', () => {
    const text = dockerfile(
      [
        '{% extends bento_base_template %}',
        '{# A BentoML-style template. #}',
        '{% set greeting = "hello from " ~ bento.name %}',
        '{% block SETUP_BENTO_BASE_IMAGE %}',
        '{{ super() }}',
        'RUN echo "{{ greeting | upper }}"',
        '{% endblock %}',
        '{% block SETUP_BENTO_ENTRYPOINT %}',
        '{% for model in models %}',
        'LABEL model.{{ loop.index }}={{ model.tag | dq }}',
        '{% endfor %}',
        'WORKDIR {{ bento__path }}',
        '{{ super() }}',
        '{% endblock %}',
      ].join('\n'),
    );
    expect(text).toMatch(/FROM node:24-trixie-slim AS bento\n+RUN echo "HELLO FROM IRIS_CLASSIFIER"\n/);
    expect(text).toContain('LABEL model.1="iris:v1"\nWORKDIR /home/bentoci/bento\nEXPOSE 3000\n');
    expect(text).toContain('USER 10001:10001');
  });
});
