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
