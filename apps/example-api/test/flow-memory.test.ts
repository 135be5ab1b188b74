import t from 'tap';
import { flowSuite } from './helpers/flow.js';
import { testConfig } from './helpers/http.js';

flowSuite(t, (env) => testConfig(env));
