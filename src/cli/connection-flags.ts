import { Flags } from '@oclif/core';
import { DEFAULT_TIMEOUT_SECONDS, ENV } from '../looker/settings.js';
import { numberFlag } from './number-flags.js';

/** The flags of every command that talks to Looker. */
export const connectionFlags = {
  'base-url': Flags.string({
    description: `Looker API base URL, e.g. https://mycompany.looker.com (env ${ENV.baseUrl}).`,
    helpGroup: 'CONNECTION',
  }),
  'client-id': Flags.string({
    description: `API client id (env ${ENV.clientId}).`,
    helpGroup: 'CONNECTION',
  }),
  'client-secret': Flags.string({
    description: `API client secret. Discouraged: visible in the process list and shell history; prefer env ${ENV.clientSecret} or looker.ini.`,
    helpGroup: 'CONNECTION',
  }),
  config: Flags.string({
    description:
      'Looker SDK ini file with the connection settings. [default: ./looker.ini if present]',
    helpGroup: 'CONNECTION',
  }),
  section: Flags.string({
    description: 'Section of the ini file to read. [default: the first section]',
    helpGroup: 'CONNECTION',
  }),
  'verify-ssl': Flags.boolean({
    description: `Verify the server's TLS certificate (env ${ENV.verifySsl}). On by default; --no-verify-ssl turns it off.`,
    allowNo: true,
    helpGroup: 'CONNECTION',
  }),
  timeout: numberFlag('timeout', {
    description: `Seconds before a request is aborted (env ${ENV.timeout}). [default: ${DEFAULT_TIMEOUT_SECONDS}]`,
    min: 1,
    integer: true,
    helpGroup: 'CONNECTION',
  }),
};
