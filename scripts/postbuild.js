// Copies non-TypeScript assets into dist/ after `tsc` (the simulator reads its OpenAPI spec at run time).
import { cpSync, existsSync } from 'node:fs';

if (existsSync('src/sim/spec')) {
  cpSync('src/sim/spec', 'dist/sim/spec', { recursive: true });
}
