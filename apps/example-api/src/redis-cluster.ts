import { Cluster } from 'ioredis';
import type { ClusterNode } from './config.js';

/**
 * A Redis Cluster client that fails fast, like the one the plugin builds for `REDIS_URL`: with no
 * offline queue and one retry, a command for a master that is down errors at once, so the
 * request gets its 503 inside the store timeout instead of waiting in a queue.
 *
 * @example
 * const cluster = createClusterClient([{ host: '127.0.0.1', port: 7000 }], 500);
 * await app.register(tokenizedAuth, { secret, store: 'redis', redis: cluster });
 */
export function createClusterClient(nodes: ClusterNode[], timeoutMs: number): Cluster {
  return new Cluster(nodes, {
    // The queue that matters: ioredis keeps each node connection's own offline queue on (and
    // its types refuse `redisOptions.enableOfflineQueue`), but with this one off the cluster
    // refuses a command whose node connection is not ready instead of handing it over.
    enableOfflineQueue: false,
    // The cluster routes every command itself, so pipelining is set here, not per node.
    enableAutoPipelining: true,
    // Replicas lag their master: a revocation read from one could let a revoked token pass.
    scaleReads: 'master',
    // Keep looking for the cluster for ever, at most 1 s apart, so a restarted cluster is
    // picked up without restarting the API.
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    redisOptions: {
      maxRetriesPerRequest: 1,
      commandTimeout: timeoutMs,
      connectTimeout: Math.max(timeoutMs, 1000),
      // Names the API's connections in CLIENT LIST on every node.
      connectionName: 'example-api',
    },
  });
}

/** Whether the cluster client became ready within `ms`: before that every command fails. */
export function clusterReady(client: Cluster, ms: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);

  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.on('ready', onReady);
  });
}

/** QUIT lets replies in flight arrive; a cluster that does not answer is cut off instead. */
export async function closeCluster(client: Cluster): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
