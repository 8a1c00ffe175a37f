// tsc keeps the source tree under dist/ (dist/apps/api/src/main.js); the documented entry points are
// dist/apps/<app>/main.js, so each gets a one-line module that loads the compiled main.
import { chmodSync, writeFileSync } from 'node:fs';

for (const app of ['api', 'worker']) {
  const file = `dist/apps/${app}/main.js`;
  writeFileSync(file, `#!/usr/bin/env node\nimport './src/main.js';\n`);
  chmodSync(file, 0o755);
}
