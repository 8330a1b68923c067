import { SETTINGS_LIMITS } from '../common/settings';

/** Settings that are whole numbers with a range in {@link SETTINGS_LIMITS}. */
export type IntegerSettingKey = keyof typeof SETTINGS_LIMITS;

/**
 * Why `text` is not a valid value of an integer setting, in the backend's
 * words ("maxItemsPerQuery: must be an integer from 1 to 10000000 (got "2.5")"),
 * or undefined when it is one (or empty: the default).
 */
export function integerSettingError(key: IntegerSettingKey, text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') {
    return undefined;
  }
  const { min, max } = SETTINGS_LIMITS[key];
  const n = Number(trimmed);
  if (Number.isInteger(n) && n >= min && n <= max) {
    return undefined;
  }
  return `${key}: must be an integer from ${min} to ${max} (got ${JSON.stringify(trimmed)})`;
}

/** host:port, the host a name, an IPv4 address or a bracketed IPv6 address. */
const BROKER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Why a Kafka broker list is not "host:port, host:port, …", or undefined when it is (or empty: no Kafka). */
export function kafkaBrokersError(text: string): string | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  const bad = text
    .split(',')
    .map((broker) => broker.trim())
    .find((broker) => {
      const match = BROKER.exec(broker);
      const port = match ? Number(match[2]) : 0;
      return !match || port < 1 || port > 65535;
    });
  return bad === undefined
    ? undefined
    : `kafkaBrokers: must be a comma-separated list of host:port with ports from 1 to 65535 (got ${JSON.stringify(bad)})`;
}
