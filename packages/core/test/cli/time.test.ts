import t from 'tap';
import {
  describeAge,
  describeExpiry,
  describeSpan,
  isoFromEpochSeconds,
} from '../../src/cli/time.js';

t.test('names a span in its largest whole unit, singular for one', async (t) => {
  t.equal(describeSpan(0), '0 seconds');
  t.equal(describeSpan(1), '1 second');
  t.equal(describeSpan(59), '59 seconds');
  t.equal(describeSpan(60), '1 minute');
  t.equal(describeSpan(14 * 60 + 59), '14 minutes');
  t.equal(describeSpan(3599), '59 minutes');
  t.equal(describeSpan(3600), '1 hour');
  t.equal(describeSpan(3 * 3600 + 1), '3 hours');
  t.equal(describeSpan(86400 * 2 - 1), '1 day');
  t.equal(describeSpan(-120), '2 minutes');
});

t.test('words an expiry as future or past', async (t) => {
  t.equal(describeExpiry(1000 + 14 * 60, 1000), 'expires in 14 minutes');
  t.equal(describeExpiry(1000, 1000 + 3 * 3600), 'expired 3 hours ago');
  t.equal(describeExpiry(1000, 1000), 'expired 0 seconds ago');
});

t.test('words an age, including a timestamp from a clock ahead of ours', async (t) => {
  t.equal(describeAge(1000, 1000 + 120), '2 minutes ago');
  t.equal(describeAge(1000 + 30, 1000), '30 seconds in the future');
});

t.test('formats epoch seconds as ISO 8601 and refuses what no date can hold', async (t) => {
  t.equal(isoFromEpochSeconds(1_765_200_000), '2025-12-08T13:20:00.000Z');
  t.equal(isoFromEpochSeconds(2 ** 50), 'not a valid timestamp');
});
