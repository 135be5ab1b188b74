import t from 'tap';
import { hello } from '../src/index.js';

t.test('says hi', async (t) => {
  t.equal(hello(), 'hi');
});
