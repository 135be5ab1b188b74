import { Cluster } from 'ioredis';
import { redisClientOptions } from '../../src/stores/redis.js';
import type { ClusterNode } from '../helpers/redis-cluster.js';

/**
 * A Cluster client with the store's fail-fast settings: the offline queue and auto-pipelining
 * belong to the cluster, the rest to each node connection.
 */
export async function connectCluster(nodes: ClusterNode[], timeoutMs = 500): Promise<Cluster> {
  const { enableOfflineQueue, enableAutoPipelining, ...redisOptions } =
    redisClientOptions(timeoutMs);
  const client = new Cluster(nodes, {
    enableOfflineQueue,
    enableAutoPipelining,
    redisOptions,
    clusterRetryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
  // Node errors surface through each command; an unheard 'error' event would crash the run.
  client.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cluster client not ready')), 10_000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return client;
}
