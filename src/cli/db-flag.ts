import { Flags } from '@oclif/core';

/** `--db`: the backup file every command reads or writes. */
export const dbFlag = Flags.string({
  description: 'Path of the backup database.',
  default: 'looker.db',
  helpValue: 'PATH',
});
