/**
 * Scheduled plans. Each belongs to a user (about 10% to the API user, the rest spread over all
 * users) and delivers a dashboard, a look or a LookML dashboard by email or webhook.
 */
import { NO_SHORTCUT, numericIndex, numericKey, type Collection } from './collection.js';
import type { ContentCollections } from './content.js';
import { DAY_MS, EPOCH_MS, HISTORY_MS, Stream, isoTime, type Item, type World } from './world.js';
import { CRONTABS } from './words.js';

const PLAN_CAN = Object.freeze({
  show: true,
  create: true,
  index: true,
  update: true,
  destroy: true,
});

type Target = { kind: 'dashboard' | 'look' | 'lookml'; index: number } | undefined;

export function createScheduleCollection(world: World, content: ContentCollections): Collection {
  const { dashboards, looks, lookmlDashboards } = content;

  function target(index: number): Target {
    const r = world.unit(Stream.schedule + 10, index);
    const pick = world.unit(Stream.schedule + 11, index);
    if (lookmlDashboards.count > 0 && r < 0.05) {
      return { kind: 'lookml', index: Math.floor(pick * lookmlDashboards.count) };
    }
    if (looks.count > 0 && (r < 0.4 || dashboards.count === 0)) {
      return { kind: 'look', index: Math.floor(pick * looks.count) };
    }
    if (dashboards.count > 0)
      return { kind: 'dashboard', index: Math.floor(pick * dashboards.count) };
    return undefined;
  }

  const owner = (index: number) => world.ownerOf(Stream.schedule, index, true);

  function plan(index: number): Item {
    const rng = world.rng(Stream.schedule, index);
    const id = numericKey(index);
    const user = owner(index);
    const to = target(index);
    const summary =
      to?.kind === 'dashboard'
        ? dashboards.summary(to.index)
        : to?.kind === 'look'
          ? looks.summary(to.index)
          : to?.kind === 'lookml'
            ? lookmlDashboards.summary(to.index)
            : undefined;
    const created = EPOCH_MS - HISTORY_MS + Math.floor(rng.float() * HISTORY_MS * 0.9);
    const updated = created + Math.floor(rng.float() * (EPOCH_MS - created - DAY_MS));
    const destinations: Item[] = [];
    const destinationCount = rng.range(1, 3);
    const webhook = rng.chance(0.1);
    for (let d = 0; d < destinationCount; d++) {
      destinations.push({
        id: String((index + 1) * 10 + d),
        scheduled_plan_id: id,
        format: webhook
          ? 'json_detail'
          : rng.pick(['wysiwyg_pdf', 'csv_zip', 'wysiwyg_png', 'inline_json']),
        apply_formatting: true,
        apply_vis: true,
        address: webhook
          ? `https://hooks.example.com/looker/${String(rng.next())}`
          : world.userNames(rng.int(world.counts.user)).email,
        looker_recipient: !webhook,
        type: webhook ? 'webhook' : 'email',
        parameters: null,
        message: rng.chance(0.3) ? 'Weekly numbers attached.' : null,
      });
    }
    const title = (summary?.title as string | undefined) ?? 'Untitled';
    return {
      name: `${title} (${rng.pick(['weekly', 'daily', 'monthly'])})`,
      user_id: world.userId(user),
      run_as_recipient: false,
      enabled: rng.chance(0.9),
      look_id: to?.kind === 'look' ? numericKey(to.index) : null,
      dashboard_id: to?.kind === 'dashboard' ? numericKey(to.index) : null,
      lookml_dashboard_id: to?.kind === 'lookml' ? lookmlDashboards.key(to.index) : null,
      filters_string: null,
      dashboard_filters: null,
      require_results: false,
      require_no_results: false,
      require_change: false,
      send_all_results: false,
      crontab: rng.pick(CRONTABS),
      datagroup: null,
      timezone: rng.pick(['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo']),
      scheduled_plan_destination: destinations,
      run_once: false,
      include_links: true,
      include_dashboard_summary: false,
      custom_url_base: null,
      custom_url_params: null,
      custom_url_label: null,
      show_custom_url: false,
      pdf_paper_size: null,
      pdf_landscape: rng.chance(0.3),
      embed: false,
      color_theme: null,
      long_tables: false,
      pdf_page_breaks: false,
      tab_ids: [],
      inline_table_width: null,
      query_id: null,
      id,
      created_at: isoTime(created),
      updated_at: isoTime(updated),
      title,
      user: world.userPublic(user),
      next_run_at: isoTime(EPOCH_MS + rng.range(1, 7 * 24) * 3_600_000),
      last_run_at: isoTime(EPOCH_MS - rng.range(1, 7 * 24) * 3_600_000),
      can: PLAN_CAN,
    };
  }

  return {
    name: 'scheduled_plan',
    listSchema: 'ScheduledPlan',
    count: world.counts.scheduled_plan,
    keyField: 'id',
    key: numericKey,
    index: numericIndex,
    summary: plan,
    detail: plan,
    initiallyDeleted: () => false,
    fast(index, field) {
      if (field === 'user_id') return world.userId(owner(index));
      if (field === 'dashboard_id' || field === 'look_id' || field === 'lookml_dashboard_id') {
        const to = target(index);
        if (field === 'dashboard_id') return to?.kind === 'dashboard' ? numericKey(to.index) : null;
        if (field === 'look_id') return to?.kind === 'look' ? numericKey(to.index) : null;
        return to?.kind === 'lookml' ? lookmlDashboards.key(to.index) : null;
      }
      return NO_SHORTCUT;
    },
    softDelete: false,
    titleField: 'name',
    hasUpdatedAt: true,
  };
}
