// Two rules of the front end's structure, checked on every build (npm run check:sources, run by
// npm run build and so by make test's front-end step); the exit status is 1 when one is broken:
//
//   - No import cycle: the modules of src/ import one another one way only. Every static import and
//     re-export counts, type-only ones too (a cycle of types is still a knot for a reader); dynamic
//     import() does not (the pages fetched on demand, views/lazy.ts, may reach back to the router).
//   - The network only through the API layer: nothing but src/api.ts calls fetch (or XMLHttpRequest,
//     EventSource, sendBeacon); every other module asks api.ts or the per-area modules built on it
//     (accountApi.ts, commentsApi.ts, contribApi.ts, statsApi.ts).
//
//   node scripts/check-sources.mjs [srcDir]     (default: src)
//
// Parsed with the TypeScript compiler (a devDependency already), so comments and strings never count.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(process.argv[2] ?? path.join(HERE, '..', 'src'));

/** The one module that talks to the network. */
const NETWORK_MODULES = new Set(['api.ts']);
/** Globals that reach the network. */
const NETWORK_CALLS = new Set(['fetch', 'XMLHttpRequest', 'EventSource', 'sendBeacon']);

function sources(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) files.push(...sources(full));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

/** A relative specifier as a file of src/ (Vite's resolution: the name, .ts, or its index.ts). */
function resolve(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, base + '.ts', base + '.tsx', path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not this one.
    }
  }
  return null;
}

const rel = (file) => path.relative(SRC, file).split(path.sep).join('/');
const problems = [];
const graph = new Map();

for (const file of sources(SRC)) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges = new Set();
  const mayCall = NETWORK_MODULES.has(rel(file));
  const where = (node) => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return `${rel(file)}:${line + 1}:${character + 1}`;
  };
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const target = resolve(file, node.moduleSpecifier.text);
      if (target) edges.add(target);
      else if (node.moduleSpecifier.text.startsWith('.')) problems.push(`${where(node)}: cannot find the module '${node.moduleSpecifier.text}'`);
    }
    if (!mayCall && (ts.isCallExpression(node) || ts.isNewExpression(node))) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
      if (name && NETWORK_CALLS.has(name)) {
        problems.push(`${where(node)}: ${name}() outside the API layer: go through api.ts (getJson, getStaticJson, write…)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  graph.set(file, [...edges].sort());
}

// Cycles: a depth-first walk; each back edge closes one cycle, reported once from its smallest module.
const state = new Map();
const stack = [];
const cycles = new Map();
function walk(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (!graph.has(next)) continue;
    if (state.get(next) === 'open') {
      const cycle = stack.slice(stack.indexOf(next)).map(rel);
      const start = cycle.indexOf([...cycle].sort()[0]);
      const turned = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.set(turned.join(' → '), turned);
    } else if (!state.has(next)) {
      walk(next);
    }
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of graph.keys()) if (!state.has(file)) walk(file);
for (const cycle of cycles.values()) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`check-sources: ${problems.length} problem${problems.length > 1 ? 's' : ''} in ${rel(SRC) || SRC}`);
  process.exit(1);
}
console.log(`check-sources: ${graph.size} modules, no import cycle, the network only through api.ts`);
