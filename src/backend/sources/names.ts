/**
 * Names the settings give a service (a DynamoDB table, an S3 bucket, a Kafka
 * topic): trimmed, the default when left empty, and checked against the
 * service's own rule, so a typo is a message naming the setting instead of an
 * AWS or broker error at the first read.
 */
import { SourceError } from './errors';

/** Each service's rule for names, as a pattern and in words (after "must be"). */
const NAME_RULES = {
  dynamoTable: {
    pattern: /^[A-Za-z0-9_.-]{3,255}$/,
    allowed: '3 to 255 characters of letters, digits, "_", "-" or "."',
  },
  s3Bucket: {
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    allowed: 'an S3 bucket name of 3 to 63 lower-case letters, digits, "." or "-"',
  },
  // "." and ".." are not topics.
  kafkaTopic: { pattern: /^(?!\.\.?$)[A-Za-z0-9._-]{1,249}$/, allowed: '1 to 249 letters, digits, ".", "_" or "-"' },
} as const;

/** Characters of a rejected name quoted in the message. */
const SHOWN = 80;

/** What an empty setting means: its default, or an error saying what the setting is required for. */
type WhenEmpty = { fallback: string } | { required: string };

/** The setting's name, trimmed (or its fallback); a `config` SourceError naming `field` otherwise. */
export function checkedName(
  field: string,
  value: string | undefined,
  kind: keyof typeof NAME_RULES,
  empty: WhenEmpty
): string {
  const name = value?.trim() || ('fallback' in empty ? empty.fallback : '');
  if (name === '' && 'required' in empty) {
    throw new SourceError('config', `${field}: required (${empty.required})`);
  }
  const rule = NAME_RULES[kind];
  if (!rule.pattern.test(name)) {
    throw new SourceError('config', `${field}: must be ${rule.allowed} (got "${name.slice(0, SHOWN)}")`);
  }
  return name;
}
