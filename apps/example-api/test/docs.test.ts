import t, { type Test } from 'tap';
import { startApi, testConfig, type RunningApi } from './helpers/http.js';

const CONTENT_TYPES: Record<string, RegExp> = {
  css: /^text\/css/,
  js: /^(application|text)\/javascript/,
  png: /^image\/png$/,
};

// The stylesheets, icons and scripts a docs page links to, as absolute URLs: a relative link
// resolves against the page's own URL, which differs between `/docs` and `/docs/`.
function linkedAssets(pageUrl: string, html: string): string[] {
  const links = [...html.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((match) => match[1]!);

  return links.map((link) => new URL(link, pageUrl).href);
}

async function fetchDocsPage(t: Test, api: RunningApi, path: string): Promise<string[]> {
  const page = await api.call('GET', path);

  t.equal(page.status, 200, path);
  t.match(page.headers['content-type'], /^text\/html/, path);
  t.match(page.text, /<div id="swagger-ui">/, path);

  return linkedAssets(`${api.url}${path}`, page.text);
}

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

  const bodyRequired = (path: string) => spec.body.paths[path].post.requestBody.required;

  t.equal(bodyRequired('/auth/refresh'), true);
  t.equal(bodyRequired('/auth/logout'), false, 'logout may be sent without a body');
  t.equal(bodyRequired('/auth/logout-all'), false, 'logout-all may be sent without a body');
});

t.test('serves /docs and /docs/ with every asset their pages link to', async (t) => {
  const api = await startApi(testConfig());
  t.teardown(() => api.close());

  // The README gives `/docs`; swagger-ui answers it directly rather than redirecting.
  const assets = new Set([
    ...(await fetchDocsPage(t, api, '/docs')),
    ...(await fetchDocsPage(t, api, '/docs/')),
  ]);
  const names = [...assets].map((asset) => asset.slice(asset.lastIndexOf('/') + 1)).sort();

  t.same(names, [
    'favicon-16x16.png',
    'favicon-32x32.png',
    'index.css',
    'swagger-initializer.js',
    'swagger-ui-bundle.js',
    'swagger-ui-standalone-preset.js',
    'swagger-ui.css',
  ]);

  for (const asset of assets) {
    const path = asset.slice(api.url.length);
    const response = await api.call('GET', path);
    const extension = path.slice(path.lastIndexOf('.') + 1);

    t.equal(response.status, 200, path);
    t.match(response.headers['content-type'], CONTENT_TYPES[extension]!, path);
    t.ok(response.text.length > 0, path);
  }
});
