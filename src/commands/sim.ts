import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { numberFlag } from '../cli/number-flags.js';
import { ConfigError, UsageError } from '../errors.js';
import {
  SIM_CONTENT_TYPES,
  DEFAULT_COUNTS,
  MAX_COUNT,
  RATE_LIMIT_MODELS,
  RETRY_AFTER_FORMS,
  SimulatorListenError,
  SimulatorOptionError,
  startSimulator,
  type RunningSimulator,
  type SimCounts,
  type SimulatorOptions,
} from '../sim/index.js';

const count = (name: string, what: string, fallback: number, min = 0) =>
  numberFlag(name, {
    description: `Number of ${what} (default ${String(fallback)}).`,
    min,
    max: MAX_COUNT,
    integer: true,
    helpGroup: 'DATASET',
  });

const rate = (name: string, what: string) =>
  numberFlag(name, {
    description: `Probability (0..1) that a content request ${what}.`,
    min: 0,
    max: 1,
    helpGroup: 'FAULTS',
  });

export default class Sim extends BaseCommand {
  static override summary =
    'Run a simulated Looker API on this machine, to try lookervault without a Looker.';

  static override description = [
    'Plays a Looker instance under /api/4.0 with a dataset generated from --seed (the same seed',
    'always serves the same bytes). Point lookervault, or any Looker SDK, at the printed URL and',
    'credentials. Optional behaviours: latency, a concurrency capacity, a rate limit (429 with',
    'Retry-After), random faults (5xx, connection resets, hangs, malformed JSON) and live',
    'mutation. Counters: GET <url>/__sim/stats. Runs until Ctrl-C (SIGINT) or SIGTERM.',
    '',
    'Exit codes: 0 stopped by a signal; 2 bad flags or the port is in use.',
  ].join('\n');

  static override examples = [
    '<%= config.bin %> sim',
    '<%= config.bin %> sim --port 8080 --dashboards 50000 --looks 20000',
    '<%= config.bin %> sim --rate-limit 20 --error-rate 0.02 --latency 40 --jitter 20',
    '<%= config.bin %> sim --json   # one JSON line: {"url", "clientId", "clientSecret", ...}',
  ];

  static override flags = {
    port: numberFlag('port', {
      description: 'TCP port; 0 picks a free one.',
      min: 0,
      max: 65535,
      integer: true,
      default: 0,
    }),
    host: Flags.string({ description: 'Interface to listen on.', default: '127.0.0.1' }),
    seed: numberFlag('seed', {
      description: 'Seed of the generated dataset and of random behaviour.',
      min: -(2 ** 31),
      max: 2 ** 31 - 1,
      integer: true,
      default: 1,
    }),
    'client-id': Flags.string({ description: 'API client id the simulator accepts.' }),
    'client-secret': Flags.string({ description: 'API client secret the simulator accepts.' }),
    'token-ttl': numberFlag('token-ttl', {
      description: 'Access token lifetime in seconds.',
      min: 1,
      integer: true,
    }),
    dashboards: count('dashboards', 'user-defined dashboards', DEFAULT_COUNTS.dashboard),
    looks: count('looks', 'looks', DEFAULT_COUNTS.look),
    folders: count(
      'folders',
      'shared folders (plus the roots and a personal folder per user)',
      DEFAULT_COUNTS.folder,
    ),
    boards: count('boards', 'boards', DEFAULT_COUNTS.board),
    users: count('users', 'users', DEFAULT_COUNTS.user, 1),
    groups: count('groups', 'groups', DEFAULT_COUNTS.group),
    roles: count('roles', 'roles', DEFAULT_COUNTS.role),
    'permission-sets': count('permission-sets', 'permission sets', DEFAULT_COUNTS.permission_set),
    'model-sets': count('model-sets', 'model sets', DEFAULT_COUNTS.model_set),
    'user-attributes': count(
      'user-attributes',
      "user attributes (Looker's 8 system ones first)",
      DEFAULT_COUNTS.user_attribute,
    ),
    'lookml-models': count('lookml-models', 'LookML models', DEFAULT_COUNTS.lookml_model),
    'explores-per-model': count(
      'explores-per-model',
      'explores in each LookML model',
      DEFAULT_COUNTS.exploresPerModel,
    ),
    'tiles-per-dashboard': numberFlag('tiles-per-dashboard', {
      description:
        'Tiles of every user-defined dashboard (default 0: long-tailed 2–13, 3.5 on average, a few outliers of 47–125).',
      min: 0,
      max: 500,
      integer: true,
      helpGroup: 'DATASET',
    }),
    'merged-tiles-per-thousand': numberFlag('merged-tiles-per-thousand', {
      description: `Tiles of user-defined dashboards that show merged results, per 1,000 (default ${String(DEFAULT_COUNTS.mergedTilesPerThousand)}).`,
      min: 0,
      max: 1000,
      integer: true,
      helpGroup: 'DATASET',
    }),
    'lookml-dashboards': count(
      'lookml-dashboards',
      'LookML dashboards',
      DEFAULT_COUNTS.lookmlDashboards,
    ),
    'scheduled-plans': count('scheduled-plans', 'scheduled plans', DEFAULT_COUNTS.scheduled_plan),
    'dashboards-per-folder': Flags.string({
      description:
        'Fixed dashboard counts of the first shared folders, in order: "1000,1000,500*10" (N*K: K folders of N each); other dashboards never go to them.',
      helpGroup: 'DATASET',
    }),
    empty: Flags.boolean({
      description:
        'Start with no content (no dashboards, looks, folders but the system ones, boards or schedules); same users and LookML as the seed: a second instance to restore into. Count flags still apply.',
      helpGroup: 'DATASET',
      default: false,
    }),
    'read-only': Flags.boolean({
      description: 'The API user may not write: every write request answers 403.',
      helpGroup: 'BEHAVIOUR',
      default: false,
    }),
    latency: numberFlag('latency', {
      description: 'Fixed delay added to each API request, in ms.',
      min: 0,
      helpGroup: 'BEHAVIOUR',
    }),
    jitter: numberFlag('jitter', {
      description: 'Random extra delay up to this many ms.',
      min: 0,
      helpGroup: 'BEHAVIOUR',
    }),
    capacity: numberFlag('capacity', {
      description: 'Requests served at once; more wait in a queue (default: unlimited).',
      min: 1,
      integer: true,
      helpGroup: 'BEHAVIOUR',
    }),
    'rate-limit': numberFlag('rate-limit', {
      description: 'Requests per second allowed; above it: 429 with Retry-After (login exempt).',
      min: 0,
      exclusiveMin: true,
      helpGroup: 'BEHAVIOUR',
    }),
    'rate-limit-burst': numberFlag('rate-limit-burst', {
      description: 'Requests accepted at once after a quiet period (default: the rate).',
      min: 1,
      helpGroup: 'BEHAVIOUR',
    }),
    'rate-limit-model': Flags.option({
      description:
        'How --rate-limit is counted: token-bucket (burst, then the rate), fixed-window (per clock second), sliding-log (in any 1-second window).',
      // The concurrency model has a flag of its own (--concurrency-limit).
      options: RATE_LIMIT_MODELS.filter((model) => model !== 'concurrency'),
      default: 'token-bucket' as const,
      helpGroup: 'BEHAVIOUR',
    })(),
    'concurrency-limit': numberFlag('concurrency-limit', {
      description:
        'Requests served at once; one more is answered 429 instead of queued (login exempt).',
      min: 1,
      integer: true,
      helpGroup: 'BEHAVIOUR',
    }),
    'retry-after': Flags.option({
      description:
        "A 429's Retry-After: exact (whole seconds until a request would pass), one (always 1), absent, http-date.",
      options: RETRY_AFTER_FORMS,
      default: 'exact' as const,
      helpGroup: 'BEHAVIOUR',
    })(),
    'mutation-rate': numberFlag('mutation-rate', {
      description: 'Create, update and delete dashboards and looks at this many per second.',
      min: 0,
      exclusiveMin: true,
      helpGroup: 'BEHAVIOUR',
    }),
    'listing-omit': Flags.string({
      description:
        "Parts search_dashboards leaves out of each dashboard: 'abbreviated' (tiles, filters, layouts) or comma-separated keys. [default: none: whole dashboards, as the spec says]",
      helpGroup: 'BEHAVIOUR',
      helpValue: '<keys>',
    }),
    'total-count': Flags.boolean({
      description:
        'Answer list requests that pass limit with X-Total-Count and Link headers, as Looker does when it knows the total. --no-total-count leaves them out.',
      helpGroup: 'BEHAVIOUR',
      default: true,
      allowNo: true,
    }),
    'login-failure-status': Flags.option({
      description: 'Status for wrong credentials (Looker sends 404).',
      options: ['401', '404'] as const,
      default: '404' as const,
      helpGroup: 'BEHAVIOUR',
    })(),
    'error-rate': rate('error-rate', 'is answered 500/502/503/504'),
    'reset-rate': rate('reset-rate', 'has its connection reset'),
    'hang-rate': rate('hang-rate', 'is never answered'),
    'malformed-rate': rate('malformed-rate', 'gets truncated JSON'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Sim);
    const counts: SimCounts = {
      dashboard: flags.dashboards,
      look: flags.looks,
      folder: flags.folders,
      board: flags.boards,
      user: flags.users,
      group: flags.groups,
      role: flags.roles,
      permission_set: flags['permission-sets'],
      model_set: flags['model-sets'],
      user_attribute: flags['user-attributes'],
      lookml_model: flags['lookml-models'],
      exploresPerModel: flags['explores-per-model'],
      tilesPerDashboard: flags['tiles-per-dashboard'],
      mergedTilesPerThousand: flags['merged-tiles-per-thousand'],
      lookmlDashboards: flags['lookml-dashboards'],
      scheduled_plan: flags['scheduled-plans'],
    };
    const rps = flags['rate-limit'];
    if (rps === undefined && flags['rate-limit-burst'] !== undefined) {
      throw new UsageError('--rate-limit-burst needs --rate-limit');
    }
    const concurrencyLimit = flags['concurrency-limit'];
    if (rps !== undefined && concurrencyLimit !== undefined) {
      throw new UsageError('--rate-limit and --concurrency-limit cannot be combined', {
        hint: 'The simulator plays one limiter at a time: pick the one to test against.',
      });
    }
    if (flags['rate-limit-burst'] !== undefined && flags['rate-limit-model'] !== 'token-bucket') {
      throw new UsageError('--rate-limit-burst only applies to --rate-limit-model token-bucket');
    }
    const mutationRate = flags['mutation-rate'];
    const seed = flags.seed;
    const options: SimulatorOptions = {
      host: flags.host,
      port: flags.port,
      seed,
      counts,
      clientId: flags['client-id'],
      clientSecret: flags['client-secret'],
      tokenTtlSeconds: flags['token-ttl'],
      loginFailureStatus: flags['login-failure-status'] === '401' ? 401 : 404,
      latencyMs: flags.latency,
      jitterMs: flags.jitter,
      capacity: flags.capacity,
      rateLimit:
        rps !== undefined
          ? {
              model: flags['rate-limit-model'],
              requestsPerSecond: rps,
              burst: flags['rate-limit-burst'],
              retryAfter: flags['retry-after'],
            }
          : concurrencyLimit !== undefined
            ? {
                model: 'concurrency',
                maxConcurrent: concurrencyLimit,
                retryAfter: flags['retry-after'],
              }
            : undefined,
      faults: {
        serverErrorRate: flags['error-rate'],
        resetRate: flags['reset-rate'],
        hangRate: flags['hang-rate'],
        malformedRate: flags['malformed-rate'],
      },
      mutation: mutationRate === undefined ? undefined : { perSecond: mutationRate },
      dashboardListing: listingShape(flags['listing-omit']),
      totalCount: flags['total-count'],
      empty: flags.empty,
      canWrite: !flags['read-only'],
      ...(flags['dashboards-per-folder'] === undefined
        ? {}
        : { dashboardsPerFolder: folderLayout(flags['dashboards-per-folder']) }),
    };
    const sim = await start(options);
    // Listen for the stop signal before printing: whoever reads the banner may signal at once.
    const stopped = new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => {
        resolve('SIGINT');
      });
      process.once('SIGTERM', () => {
        resolve('SIGTERM');
      });
    });
    if (this.jsonEnabled()) {
      this.writeOut(
        JSON.stringify({
          url: sim.url,
          apiUrl: `${sim.url}/api/4.0`,
          statsUrl: `${sim.url}/__sim/stats`,
          clientId: sim.clientId,
          clientSecret: sim.clientSecret,
          seed,
          counts: Object.fromEntries(
            SIM_CONTENT_TYPES.map((type) => [type, sim.dataset.count(type)]),
          ),
          pid: process.pid,
        }),
      );
    } else {
      this.writeErr(banner(sim, options));
    }
    const signal = await stopped;
    const { requests } = sim.stats();
    await sim.close();
    if (!this.jsonEnabled())
      this.writeErr(`\nStopped (${signal}) after ${String(requests.total)} requests.`);
  }
}

/** "1000,500*10" → [1000, 500 ×10]. */
function folderLayout(text: string): number[] {
  const layout: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)(?:\s*\*\s*(\d+))?\s*$/.exec(part);
    if (!match) {
      throw new UsageError(`--dashboards-per-folder: "${part}" is not N or N*K`, {
        hint: 'Example: --dashboards-per-folder 3000,10*20 (one folder of 3000, twenty of 10).',
      });
    }
    const times = match[2] === undefined ? 1 : Number(match[2]);
    for (let i = 0; i < times; i++) layout.push(Number(match[1]));
  }
  return layout;
}

function listingShape(omit: string | undefined): SimulatorOptions['dashboardListing'] {
  if (omit === undefined) return undefined;
  if (omit.trim() === 'abbreviated') return { omit: 'abbreviated' };
  const keys = omit
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  if (keys.length === 0) throw new UsageError("--listing-omit needs 'abbreviated' or some keys");
  return { omit: keys };
}

async function start(options: SimulatorOptions): Promise<RunningSimulator> {
  try {
    return await startSimulator(options);
  } catch (error) {
    if (error instanceof SimulatorOptionError) throw new UsageError(error.message);
    if (error instanceof SimulatorListenError) {
      if (error.code === 'EADDRINUSE') {
        throw new ConfigError(
          `port ${String(error.port)} on ${error.host} is already in use; choose another with --port, or --port 0 for any free port`,
        );
      }
      throw new ConfigError(error.message, { hint: 'Check --host and --port.' });
    }
    throw error;
  }
}

function banner(sim: RunningSimulator, options: SimulatorOptions): string {
  const d = sim.dataset;
  const behaviour: string[] = [];
  if (options.latencyMs || options.jitterMs) {
    behaviour.push(
      `latency ${String(options.latencyMs ?? 0)} ms + up to ${String(options.jitterMs ?? 0)} ms`,
    );
  }
  if (options.capacity !== undefined) behaviour.push(`capacity ${String(options.capacity)}`);
  const limit = options.rateLimit;
  if (limit) {
    const retryAfter = `Retry-After ${limit.retryAfter ?? 'exact'}`;
    const model = limit.model ?? 'token-bucket';
    behaviour.push(
      model === 'concurrency'
        ? `concurrency limit ${String(limit.maxConcurrent)} (429 above it, ${retryAfter})`
        : model === 'token-bucket'
          ? `rate limit ${String(limit.requestsPerSecond)}/s (token bucket, burst ${String(limit.burst ?? limit.requestsPerSecond)}, ${retryAfter})`
          : `rate limit ${String(limit.requestsPerSecond)}/s (${model}, ${retryAfter})`,
    );
  }
  const f = options.faults ?? {};
  const faults = (
    [
      ['5xx', f.serverErrorRate],
      ['reset', f.resetRate],
      ['hang', f.hangRate],
      ['malformed', f.malformedRate],
    ] as const
  ).filter(([, r]) => r !== undefined && r > 0);
  if (faults.length > 0)
    behaviour.push(`faults ${faults.map(([k, r]) => `${k} ${String(r)}`).join(', ')}`);
  const listing = options.dashboardListing;
  if (listing) {
    const omitted =
      listing.omit === 'abbreviated' ? 'tiles, filters, layouts' : listing.omit.join(', ');
    behaviour.push(`dashboard listings leave out ${omitted}`);
  }
  if (options.totalCount === false) behaviour.push('no X-Total-Count on lists');
  if (options.mutation?.perSecond !== undefined)
    behaviour.push(`mutation ${String(options.mutation.perSecond)}/s`);
  return [
    `Looker API simulator listening on ${sim.url}  (API ${sim.url}/api/4.0)`,
    `  client id      ${sim.clientId}`,
    `  client secret  ${sim.clientSecret}`,
    `  dataset        seed ${String(options.seed ?? 1)}: ${String(d.count('dashboard'))} dashboards (+${String(d.deletedIds('dashboard').length)} in the trash), ${String(d.count('look'))} looks, ` +
      `${String(d.count('folder'))} folders, ${String(d.count('user'))} users, ${String(d.count('scheduled_plan'))} scheduled plans, ` +
      `${String(d.count('explore'))} explores, and more`,
    `  behaviour      ${behaviour.length > 0 ? behaviour.join('; ') : 'no latency, limits or faults'}`,
    `  counters       ${sim.url}/__sim/stats`,
    '',
    'Point lookervault (or any Looker SDK) at it:',
    `  export LOOKERSDK_BASE_URL=${sim.url} LOOKERSDK_CLIENT_ID=${sim.clientId} LOOKERSDK_CLIENT_SECRET=${sim.clientSecret}`,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}
