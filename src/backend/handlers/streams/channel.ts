/**
 * Live channel paths: one channel per (sensor, live query), so every viewer
 * of the same sensor and query shares one stream, and each sensor of a query
 * is its own stream.
 *
 * Grafana caps `ds/<uid>/<path>` at 160 characters and allows only
 * `[A-Za-z0-9_\-/=.]` in a path, while sensor ids may be 128 characters of
 * `[A-Za-z0-9_.:@-]` and a query carries many parameters. So:
 * - `v1/<token>`: the sensor and the query's live-relevant, non-default
 *   fields as JSON in URL-safe base64 — decodable by any plugin process, so
 *   a stream survives a plugin restart. Used whenever it fits (a sensor id
 *   of a dozen characters with a few changed settings does; compressing
 *   gains nothing on JSON this short).
 * - `h1/<hash>`: otherwise, 128 bits of SHA-256 of the same JSON; the query
 *   is found in this process's registry, which QueryData fills when it hands
 *   out the channel. A process that never saw the query (restarted since)
 *   answers NOT_FOUND until the dashboard queries again, unless the
 *   subscriber sent the query itself as the subscription's `data`
 *   (`{"sensor": …, "query": {…}}`).
 */
import { createHash } from 'node:crypto';

import { LRUCache } from 'lru-cache';

import { resolveQuery, type ResolvedQuery } from '../../../common/query';

export const CHANNEL_MAX_LENGTH = 160;
/** Grafana's rule for a channel path (its `A-z` also admits `[\]^_\``; we never produce those). */
export const CHANNEL_PATH = /^[A-Za-z0-9_\-/=.]*$/;

/** What a live channel scores: one sensor with one resolved query. */
export interface LiveChannel {
  sensor: string;
  query: ResolvedQuery;
}

/** The query fields that change what a live stream sends; the rest (sensors, queryType, …) do not. */
const LIVE_FIELDS = [
  'metric',
  'metrics',
  'featureSet',
  'transforms',
  'model',
  'contamination',
  'isolationForest',
  'dbscan',
  'liveSource',
  'liveReplayMinutes',
] as const satisfies ReadonlyArray<keyof ResolvedQuery>;

const DEFAULTS = resolveQuery({});

/** `value` where it differs from `fallback`; for an object, only its members that differ. */
function changed(value: unknown, fallback: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    fallback !== null &&
    typeof fallback === 'object'
  ) {
    const members = Object.entries(value).filter(
      ([k, v]) => changed(v, (fallback as Record<string, unknown>)[k]) !== undefined
    );
    return members.length > 0 ? Object.fromEntries(members) : undefined;
  }
  return JSON.stringify(value) === JSON.stringify(fallback) ? undefined : value;
}

/** The JSON a channel stands for: the sensor and the live fields that differ from the defaults. */
function channelJson(channel: LiveChannel): string {
  const q: Record<string, unknown> = {};
  for (const field of LIVE_FIELDS) {
    const value = changed(channel.query[field], DEFAULTS[field]);
    if (value !== undefined) {
      q[field] = value;
    }
  }
  // `transforms` alone means nothing unless the feature set is custom; resolveQuery rebuilds it.
  if (channel.query.featureSet !== 'custom') {
    delete q.transforms;
  }
  return JSON.stringify({ s: channel.sensor, q });
}

const registry = new LRUCache<string, string>({ max: 10_000 });

function hashOf(json: string): string {
  return createHash('sha256').update(json).digest('base64url').slice(0, 22);
}

/**
 * The channel path (after `ds/<uid>/`) for a sensor and query; registers the
 * query so that a hashed path can be resolved by this process.
 */
export function channelPath(dataSourceUid: string, channel: LiveChannel): string {
  const json = channelJson(channel);
  const encoded = `v1/${Buffer.from(json).toString('base64url')}`;
  if (`ds/${dataSourceUid}/${encoded}`.length <= CHANNEL_MAX_LENGTH) {
    return encoded;
  }
  const hash = hashOf(json);
  registry.set(hash, json);
  return `h1/${hash}`;
}

/** `ds/<uid>/<path>`, what a frame's `meta.channel` carries. */
export function channelAddress(dataSourceUid: string, channel: LiveChannel): string {
  return `ds/${dataSourceUid}/${channelPath(dataSourceUid, channel)}`;
}

function fromJson(json: string): LiveChannel | undefined {
  try {
    const parsed = JSON.parse(json) as { s?: unknown; q?: unknown };
    if (typeof parsed.s !== 'string') {
      return undefined;
    }
    const query = resolveQuery({ ...(parsed.q as object), sensors: [parsed.s], live: true });
    return { sensor: query.sensors[0]!, query };
  } catch {
    // A path someone made up, or a query this version no longer accepts: no such channel.
    return undefined;
  }
}

/** Subscription data a client may send along: `{"sensor": "...", "query": {...}}`. */
function fromSubscriptionData(data: unknown): LiveChannel | undefined {
  if (data === null || typeof data !== 'object') {
    return undefined;
  }
  const { sensor, query } = data as { sensor?: unknown; query?: unknown };
  return typeof sensor === 'string' ? fromJson(JSON.stringify({ s: sensor, q: query ?? {} })) : undefined;
}

/**
 * The channel a path stands for, or undefined when it is not a live path this
 * process can resolve. A hashed path also resolves from subscription data
 * whose query hashes to it (and is then registered).
 */
export function decodeChannelPath(path: string, data: unknown = null): LiveChannel | undefined {
  const [version, token, ...rest] = path.split('/');
  if (rest.length > 0 || !token) {
    return undefined;
  }
  if (version === 'v1') {
    try {
      return fromJson(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (version === 'h1') {
    const known = registry.get(token);
    if (known) {
      return fromJson(known);
    }
    const offered = fromSubscriptionData(data);
    if (offered) {
      const json = channelJson(offered);
      if (hashOf(json) === token) {
        registry.set(token, json);
        return offered;
      }
    }
  }
  return undefined;
}

/** A stable name of a channel for logs and the per-channel state (its path, which never holds secrets). */
export function channelKey(dataSourceUid: string, path: string): string {
  return `${dataSourceUid}/${path}`;
}
