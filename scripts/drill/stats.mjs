/** Statuses a correct service may answer during the drill; anything else breaks an invariant. */
const EXPECTED = new Set([200, 201, 204, 401, 503]);
const MAX_KEPT_VIOLATIONS = 20;
// Routes that never reach the revocation store, so they say nothing about recovery.
const STORELESS = new Set(['register']);
// Login hashes the password before it reaches the store: its 503s include that CPU time.
const WORK_BEFORE_STORE = new Set(['login']);

export function percentile(values, p) {
  if (values.length === 0) return null;

  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);

  return round(sorted[Math.max(0, index)]);
}

export function round(value) {
  return Math.round(value * 10) / 10;
}

/** Counts every answer and keeps what the invariants and the summary need. */
export class Recorder {
  total = 0;
  byStatus = {};
  byRoute = {};
  latencies503 = [];
  /** 503s of routes whose first step is the store: how fast an outage is reported. */
  latencies503StoreFirst = [];
  latencies2xx = [];
  violations = [];
  violationCounts = {};
  stoppedAt = undefined;
  backAt = undefined;
  first503AfterStop = undefined;
  firstOkAfterBack = {};
  outside503 = 0;

  /** Clients that got a 503 once the outage began: only their recovery measures it. */
  hit = new Set();

  record(route, instance, res, client) {
    const status = String(res.status);
    const doneAt = res.startedAt + res.ms;
    this.total++;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    const perRoute = (this.byRoute[route] ??= {});
    perRoute[status] = (perRoute[status] ?? 0) + 1;

    if (res.status === 503) this.on503(route, res, doneAt, client);
    else if (typeof res.status === 'number' && res.status < 300) {
      this.onOk(route, instance, res, client);
    }

    if (res.status === 500) this.violation('status-500', { route, instance, code: res.code });
    // A probe presents a revoked token on purpose: the client judges its answer itself.
    else if (!EXPECTED.has(res.status) && !route.startsWith('probe-')) {
      const kind = typeof res.status === 'number' ? 'unexpected-status' : `transport-${status}`;
      this.violation(kind, { route, instance, status: res.status, code: res.code });
    }
  }

  on503(route, res, doneAt, client) {
    this.latencies503.push(res.ms);
    if (!WORK_BEFORE_STORE.has(route)) this.latencies503StoreFirst.push(res.ms);
    const inOutage = this.stoppedAt !== undefined && doneAt >= this.stoppedAt;
    if (inOutage) this.hit.add(client);
    if (inOutage && this.first503AfterStop === undefined) this.first503AfterStop = doneAt;
    if (!inOutage || (this.backAt !== undefined && this.recoveredEverywhere())) this.outside503++;
  }

  onOk(route, instance, res, client) {
    this.latencies2xx.push(res.ms);
    if (STORELESS.has(route) || this.backAt === undefined || !this.hit.has(client)) return;

    // Only a request sent after the stop and answered after Redis came back, by a client the
    // outage reached (on a cluster, one whose subject lives on the failed master), shows
    // recovery.
    const doneAt = res.startedAt + res.ms;
    if (res.startedAt >= this.stoppedAt && doneAt >= this.backAt) {
      this.firstOkAfterBack[instance] ??= doneAt;
    }
  }

  recoveredEverywhere() {
    return (
      this.instanceCount > 0 && Object.keys(this.firstOkAfterBack).length >= this.instanceCount
    );
  }

  violation(kind, detail) {
    this.violationCounts[kind] = (this.violationCounts[kind] ?? 0) + 1;
    if (this.violations.length < MAX_KEPT_VIOLATIONS) this.violations.push({ kind, ...detail });
  }
}
