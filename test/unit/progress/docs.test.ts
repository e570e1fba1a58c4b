import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/cli.js';
import { runSummarySchema, typeSummarySchema } from '../../../src/engine/run-summary.js';
import {
  statusDetailSchema,
  statusFailedPageSchema,
  statusItemFailureSchema,
  statusRunSchema,
  statusTypeSchema,
} from '../../../src/cli/status-output.js';

const docs = readFileSync(path.join(PROJECT_ROOT, 'docs', 'progress.md'), 'utf8');

describe('docs/progress.md', () => {
  it.each([
    ['the run summary', Object.keys(runSummarySchema.shape)],
    ['a type of the run summary', Object.keys(typeSummarySchema.shape)],
    ['a run in status --json', Object.keys(statusRunSchema.shape)],
    ['a run in detail', Object.keys(statusDetailSchema.shape.run.shape)],
    ['a type state', Object.keys(statusTypeSchema.shape)],
    ['a failed page', Object.keys(statusFailedPageSchema.shape)],
    ['an item failure', Object.keys(statusItemFailureSchema.shape)],
  ])('documents every field of %s', (_what, fields) => {
    const missing = fields.filter((field) => !docs.includes(`\`${field}\``));
    expect(missing).toEqual([]);
  });
});
