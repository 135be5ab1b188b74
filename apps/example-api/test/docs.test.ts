import t from 'tap';
import { startApi, testConfig } from './helpers/http.js';

t.test('serves the swagger ui and an openapi document built from the routes', async (t) => {
  const api = await startApi(testConfig());
  t.teardown(() => api.close());

  const page = await api.call('GET', '/docs/');

  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.match(page.text, /swagger-ui/i);

  const spec = await api.call('GET', '/docs/json');

  t.equal(spec.status, 200);
  t.equal(spec.body.openapi, '3.0.3');
  t.same(Object.keys(spec.body.paths).sort(), [
    '/auth/login',
    '/auth/logout',
    '/auth/logout-all',
    '/auth/refresh',
    '/auth/register',
    '/health',
    '/me',
  ]);
  t.same(spec.body.components.securitySchemes.bearerAuth, {
    type: 'http',
    scheme: 'bearer',
    description: 'The accessToken from /auth/login or /auth/refresh',
  });
  t.same(spec.body.paths['/me'].get.security, [{ bearerAuth: [] }]);

  const login = spec.body.paths['/auth/login'].post;

  t.same(login.requestBody.content['application/json'].schema.required, ['username', 'password']);
  t.ok(login.responses['429'], 'documents the rate limit answer');
});
