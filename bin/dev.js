#!/usr/bin/env node
// Development entry point: runs the compiled commands like bin/run.js, but with oclif's
// development mode (more detailed errors). Build first with `npm run build`.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
