// Tokenizes every dl file of the repository with the VS Code grammar, the way
// VS Code itself does (vscode-textmate on the oniguruma regex engine), and
// checks the scopes.
//
//   npm ci --prefix editors/tests            (once; works offline afterwards)
//   node --test editors/tests/tokenize.test.mjs
//   UPDATE_SNAPSHOTS=1 node --test editors/tests/tokenize.test.mjs   (rewrite snapshots)

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const EXTENSION = path.join(ROOT, 'editors', 'vscode');
const GRAMMAR = path.join(EXTENSION, 'syntaxes', 'dl.tmLanguage.json');
const PEST = path.join(ROOT, 'grammar', 'dl.pest');
const SNAPSHOTS = path.join(HERE, 'snapshots');
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';

// Scopes that make a token a keyword for a theme.
const KEYWORD_SCOPE = /^(keyword|storage|constant\.language)\./;
const IDENTIFIER_LIKE = /[A-Za-z_]/;

/** Every `.dl` file under `dir`, as paths relative to the repository root. */
function dlFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...dlFiles(rel));
    else if (entry.name.endsWith('.dl')) out.push(rel);
  }
  return out.sort();
}

const FILES = [
  ...dlFiles('lang-examples'),
  ...dlFiles('stdlib'),
  ...dlFiles('editors/tests/fixtures'),
];

function snapshotPath(rel) {
  const name = rel.replace(/^editors\/tests\//, '').replace(/\.dl$/, '.tokens.txt');
  return path.join(SNAPSHOTS, name);
}

/** The words of the `keyword` rule of the pest grammar. */
function pestKeywords() {
  const pest = fs.readFileSync(PEST, 'utf8');
  const start = pest.search(/^keyword\s*=\s*[@_$!]?\{/m);
  assert.ok(start >= 0, `no \`keyword\` rule in ${PEST}`);
  let depth = 0;
  let end = start;
  for (let i = pest.indexOf('{', start); i < pest.length; i++) {
    if (pest[i] === '{') depth++;
    if (pest[i] === '}' && --depth === 0) {
      end = i;
      break;
    }
  }
  const words = [...pest.slice(start, end).matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  assert.ok(words.length > 0, 'the `keyword` rule lists no words');
  return words;
}

let grammar;
const tokenized = new Map(); // rel -> { text, tokens }

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.dl'
        ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR)
        : null,
  });
  return registry.loadGrammar('source.dl');
}

/** Tokens of a text: { line, col (both 1-based), text, scopes }, whitespace left out. */
function tokenize(text) {
  const tokens = [];
  let stack = vsctm.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const result = grammar.tokenizeLine(line, stack);
    for (const t of result.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      if (piece.trim() === '') continue;
      tokens.push({ line: i + 1, col: t.startIndex + 1, text: piece, scopes: t.scopes });
    }
    stack = result.ruleStack;
  });
  return tokens;
}

function render(rel, tokens) {
  const lines = [
    `# ${rel} tokenized with editors/vscode/syntaxes/dl.tmLanguage.json`,
    '# line:col "text" scopes (source.dl left out); regenerate with UPDATE_SNAPSHOTS=1',
  ];
  for (const t of tokens) {
    const scopes = t.scopes.filter((s) => s !== 'source.dl').join(' ') || '(source.dl only)';
    lines.push(`${t.line}:${t.col} ${JSON.stringify(t.text)} ${scopes}`);
  }
  return lines.join('\n') + '\n';
}

/** The scopes of the token that starts at the `nth` occurrence of `needle` in `rel`. */
function scopesAt(rel, needle, nth = 0) {
  const { text, tokens } = tokenized.get(rel);
  let offset = -1;
  for (let k = 0; k <= nth; k++) {
    offset = text.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, `${rel}: \`${needle}\` occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, offset).split(/\r?\n/);
  const line = before.length;
  const col = before[before.length - 1].length + 1;
  const token = tokens.find((t) => t.line === line && t.col === col);
  assert.ok(token, `${rel}:${line}:${col}: no token starts at \`${needle}\``);
  return { token, where: `${rel}:${line}:${col} ${JSON.stringify(token.text)}` };
}

function expectScope(rel, needle, scope, { nth = 0, whole = true } = {}) {
  const { token, where } = scopesAt(rel, needle, nth);
  if (whole) assert.equal(token.text, needle, `${where}: \`${needle}\` is not one token`);
  assert.ok(
    token.scopes.includes(scope),
    `${where}: expected scope ${scope}, got ${token.scopes.join(' ')}`,
  );
}

before(async () => {
  grammar = await loadGrammar();
  assert.ok(grammar, `could not load ${GRAMMAR}`);
  for (const rel of FILES) {
    const text = fs.readFileSync(path.join(ROOT, rel), 'utf8');
    tokenized.set(rel, { text, tokens: tokenize(text) });
  }
});

test('the extension manifest points at the grammar', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION, 'package.json'), 'utf8'));
  const language = manifest.contributes.languages.find((l) => l.id === 'dl');
  assert.ok(language, 'package.json contributes no `dl` language');
  assert.deepEqual(language.extensions, ['.dl']);
  assert.ok(fs.existsSync(path.join(EXTENSION, language.configuration)), language.configuration);
  JSON.parse(fs.readFileSync(path.join(EXTENSION, language.configuration), 'utf8'));
  const contributed = manifest.contributes.grammars.find((g) => g.language === 'dl');
  assert.equal(contributed.scopeName, 'source.dl');
  assert.equal(path.resolve(EXTENSION, contributed.path), GRAMMAR);
  assert.equal(JSON.parse(fs.readFileSync(GRAMMAR, 'utf8')).scopeName, 'source.dl');
});

for (const rel of FILES) {
  test(`snapshot of ${rel}`, () => {
    const actual = render(rel, tokenized.get(rel).tokens);
    const file = snapshotPath(rel);
    if (UPDATE) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, actual);
      return;
    }
    assert.ok(
      fs.existsSync(file),
      `no snapshot ${path.relative(ROOT, file)}: run UPDATE_SNAPSHOTS=1 node --test editors/tests/tokenize.test.mjs and review it`,
    );
    const expected = fs.readFileSync(file, 'utf8');
    if (actual === expected) return;
    const a = actual.split('\n');
    const e = expected.split('\n');
    const diff = [];
    for (let i = 0; i < Math.max(a.length, e.length) && diff.length < 20; i++) {
      if (a[i] !== e[i]) diff.push(`- ${e[i] ?? '(none)'}\n+ ${a[i] ?? '(none)'}`);
    }
    assert.fail(
      `${rel}: tokens differ from ${path.relative(ROOT, file)} ` +
        `(rerun with UPDATE_SNAPSHOTS=1 if the change is intended):\n${diff.join('\n')}`,
    );
  });
}

test('no snapshot is left without its source file', () => {
  const expected = new Set(FILES.map(snapshotPath));
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  const stale = fs.existsSync(SNAPSHOTS) ? walk(SNAPSHOTS).filter((f) => !expected.has(f)) : [];
  if (UPDATE) stale.forEach((f) => fs.rmSync(f));
  else assert.deepEqual(stale.map((f) => path.relative(ROOT, f)), [], 'stale snapshots');
});

test('no identifier-like token is left with only source.dl', () => {
  const bare = [];
  for (const [rel, { tokens }] of tokenized) {
    for (const t of tokens) {
      if (t.scopes.length === 1 && IDENTIFIER_LIKE.test(t.text)) {
        bare.push(`${rel}:${t.line}:${t.col} ${JSON.stringify(t.text)}`);
      }
    }
  }
  assert.deepEqual(bare, [], 'tokens with no scope but source.dl');
});

test('no token at all is left with only source.dl', () => {
  const bare = [];
  for (const [rel, { tokens }] of tokenized) {
    for (const t of tokens) {
      if (t.scopes.length === 1) bare.push(`${rel}:${t.line}:${t.col} ${JSON.stringify(t.text)}`);
    }
  }
  assert.deepEqual(bare, [], 'tokens with no scope but source.dl');
});

test('every keyword of grammar/dl.pest is highlighted as a keyword', () => {
  const keywords = pestKeywords();
  const seen = new Set();
  const wrong = [];
  for (const [rel, { tokens }] of tokenized) {
    for (const t of tokens) {
      if (!keywords.includes(t.text)) continue;
      if (t.scopes.some((s) => s.startsWith('comment.') || s.startsWith('string.'))) continue;
      if (t.scopes.some((s) => KEYWORD_SCOPE.test(s))) seen.add(t.text);
      else wrong.push(`${rel}:${t.line}:${t.col} ${t.text}: ${t.scopes.join(' ')}`);
    }
  }
  assert.deepEqual(wrong, [], 'keywords without a keyword scope');
  const missing = keywords.filter((k) => !seen.has(k));
  assert.deepEqual(
    missing,
    [],
    'keywords that no tokenized file uses: add them to editors/tests/fixtures/tour.dl',
  );
});

test('edge cases: hyphenated names, bad escapes, unterminated strings', () => {
  const scopesOf = (source, text) => {
    const token = tokenize(source).find((t) => t.text === text);
    assert.ok(token, `no token ${JSON.stringify(text)} in ${JSON.stringify(source)}`);
    return token.scopes;
  };
  // A keyword followed by a hyphen is part of a longer name, not a keyword.
  const record = 'env Dev {\n    lake-zone = true-ish\n    type-name = let-it-be\n}\n';
  assert.ok(scopesOf(record, 'lake-zone').includes('variable.other.property.dl'));
  assert.ok(scopesOf(record, 'true-ish').includes('variable.other.enummember.dl'));
  assert.ok(scopesOf(record, 'type-name').includes('variable.other.property.dl'));
  assert.ok(scopesOf(record, 'let-it-be').includes('variable.other.enummember.dl'));
  // Only \" \\ \n \t \r \$ and \u{HEX} are escapes; the parser rejects the others.
  const escapes = 'let s = "\\q \\u{zz} \\n"\n';
  assert.ok(scopesOf(escapes, '\\q').includes('invalid.illegal.escape.dl'));
  assert.ok(scopesOf(escapes, '\\u{zz}').includes('invalid.illegal.escape.dl'));
  assert.ok(scopesOf(escapes, '\\n').includes('constant.character.escape.dl'));
  // Strings do not span lines: an unterminated one stops at the end of its line.
  const open = 'lake L {\n    a = "open\n    b = 1\n}\n';
  assert.ok(scopesOf(open, 'b').includes('variable.other.property.dl'));
  assert.ok(scopesOf(open, '1').includes('constant.numeric.integer.dl'));
  // A declaration keyword at the start of a line ends an unfinished type declaration.
  const unfinished = 'type A = String where\nlet b = 1\n';
  assert.ok(scopesOf(unfinished, 'b').includes('entity.name.variable.let.dl'));
});

test('literals, comments and names get their intended scopes', () => {
  const seed = 'lang-examples/seed/lake.dl';
  const tour = 'editors/tests/fixtures/tour.dl';

  // CIDR, duration, doc comment, comment, enum variant.
  expectScope(seed, '10.20.0.0/24', 'constant.numeric.cidr.dl');
  expectScope(seed, '60d', 'constant.numeric.duration.dl');
  expectScope(seed, '///', 'comment.line.documentation.dl');
  expectScope(seed, '///', 'punctuation.definition.comment.dl');
  expectScope(seed, '/// The region', 'comment.line.documentation.dl', { whole: false });
  expectScope(seed, '// The data lake', 'comment.line.double-slash.dl', { whole: false });
  expectScope(seed, 'us-east-2', 'variable.other.enummember.dl', { nth: 1 });
  expectScope(seed, 'glacier,', 'variable.other.enummember.dl', { nth: 1, whole: false });
  expectScope(seed, 'destroy', 'variable.other.enummember.dl');

  // Interpolation and escapes.
  expectScope(tour, '${', 'punctuation.definition.template-expression.begin.dl');
  expectScope(tour, '${', 'meta.interpolation.dl');
  expectScope(tour, '${', 'string.quoted.double.dl');
  expectScope(tour, 'Dev.network.cidr}', 'variable.other.object.dl', { whole: false });
  expectScope(tour, 'network.cidr}', 'variable.other.property.dl', { whole: false });
  expectScope(tour, 'cidr} and', 'variable.other.property.dl', { whole: false });
  expectScope(tour, '} and ${', 'punctuation.definition.template-expression.end.dl', {
    whole: false,
  });
  expectScope(tour, 'home }', 'variable.other.readwrite.dl', { whole: false });
  expectScope(tour, '\\t', 'constant.character.escape.dl');
  expectScope(tour, '\\u{1F600}', 'constant.character.escape.dl');
  expectScope(tour, '\\$', 'constant.character.escape.dl');
  expectScope(tour, '"Hello', 'punctuation.definition.string.begin.dl', { whole: false });

  // `////` is an ordinary comment.
  expectScope(tour, '//// Four', 'comment.line.double-slash.dl', { whole: false });

  // Declared names.
  expectScope(seed, 'DataLake', 'entity.name.namespace.lake.dl');
  expectScope(seed, 'Dev {', 'entity.name.class.env.dl', { whole: false });
  expectScope(seed, 'Dev {', 'entity.other.inherited-class.env.dl', { nth: 1, whole: false });
  expectScope(seed, 'home:', 'entity.name.variable.let.dl', { whole: false });
  expectScope(tour, 'Port =', 'entity.name.type.alias.dl', { whole: false });
  expectScope(tour, 'Endpoint', 'entity.name.type.record.dl');
  expectScope(tour, 'Tier', 'entity.name.type.enum.dl');
  expectScope(tour, 'Dev\n{', 'entity.other.inherited-class.env.dl', { whole: false });

  // Types.
  expectScope(seed, 'Region', 'entity.name.type.dl');
  expectScope(tour, 'String', 'support.type.builtin.dl');
  expectScope(tour, 'Map', 'support.type.builtin.dl');
  expectScope(tour, 'TierInfo', 'entity.name.type.dl');
  expectScope(tour, 'CodeCommit', 'entity.name.type.dl');
  expectScope(seed, 'GitHubConnection', 'entity.name.type.dl');

  // Fields, variants, paths, numbers.
  expectScope(seed, 'logical_id_prefix', 'variable.other.property.dl');
  expectScope(seed, 'cost-center', 'variable.other.property.dl');
  expectScope(tour, 'port:', 'entity.name.variable.field.dl', { whole: false });
  expectScope(tour, 'backup-zone', 'entity.name.variable.field.dl');
  expectScope(tour, 'bronze', 'variable.other.enummember.dl');
  expectScope(tour, 'gold-plus', 'variable.other.enummember.dl');
  expectScope(tour, 'Dev.network.cidr }', 'variable.other.object.dl', { whole: false });
  expectScope(tour, '8_080', 'constant.numeric.integer.dl');
  expectScope(tour, '-3', 'constant.numeric.integer.dl');
  expectScope(tour, '..', 'keyword.operator.range.dl');
  expectScope(tour, '65_535', 'constant.numeric.integer.dl');
  expectScope(tour, 'std', 'entity.name.namespace.dl');
  expectScope(seed, 'true', 'constant.language.boolean.true.dl');
});
