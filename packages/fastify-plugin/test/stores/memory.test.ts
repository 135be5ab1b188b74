import t from 'tap';
import { createMemoryStore } from '../../src/stores/memory.js';
import { storeContract } from './contract.js';

let clock = Date.now();

t.test('memory store contract', async (t) => {
  storeContract(t, {
    create: async () => createMemoryStore({ clock: () => clock }),
    now: () => clock,
    elapse: async (ms) => {
      clock += ms;
    },
    shortMs: 1000,
  });
});
