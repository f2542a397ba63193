/**
 * Lazy, shared web-tree-sitter parser for C (tree-sitter-c's own wasm). One init per process.
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Tree } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;

/** The shared parser, initialised on first use. */
export function getParser(): Promise<Parser> {
  if (!ready) {
    ready = (async () => {
      const require = createRequire(import.meta.url);
      // The runtime's own wasm named by package, not beside the running script: the code-cached CommonJS bundle
      // (scripts/build.mjs) holds web-tree-sitter's JavaScript, so its directory is not the package's.
      await Parser.init({ locateFile: (file: string) => require.resolve(`web-tree-sitter/${file}`) });
      const lang = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
      const p = new Parser();
      p.setLanguage(lang);
      return p;
    })();
    ready.catch(() => (ready = undefined));
  }
  return ready;
}

/** Parse C text; throws only when the runtime itself fails (callers turn that into MMR010). */
export async function parseC(text: string): Promise<Tree> {
  const p = await getParser();
  const t = p.parse(text);
  if (!t) throw new Error('tree-sitter returned no tree');
  return t;
}
