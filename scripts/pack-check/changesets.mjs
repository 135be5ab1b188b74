// Proves the release flow: `changeset version` on a copy of the workspace's manifests and pending
// changesets bumps each package as its changesets say, writes their lines into its CHANGELOG and
// leaves the example app alone. The copy has no git history, so nothing here touches the repo.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckFailure, cleanEnv, run, step } from './run.mjs';

const BUMPS = ['none', 'patch', 'minor', 'major'];

// Added to the pending changesets so every published package is released even when nothing is
// pending, as right after a release.
const PROBE = { id: 'pack-check-probe', bump: 'patch', summary: 'Pack-check probe release' };

export function checkChangesets(root, packages, scratch) {
  step('changeset version on a copy of the workspace manifests');
  const copy = join(scratch, 'changesets');
  const workspaces = copyWorkspace(root, copy);
  const probe = `---\n${packages.map(({ name }) => `'${name}': ${PROBE.bump}`).join('\n')}\n---\n`;
  writeFileSync(join(copy, '.changeset', `${PROBE.id}.md`), `${probe}\n${PROBE.summary}\n`);
  const changesets = readChangesets(join(copy, '.changeset'));

  // The ceiling keeps changesets' git look-ups from finding a repository above the scratch dir.
  const env = { ...cleanEnv(), GIT_CEILING_DIRECTORIES: scratch };
  run('changeset version', join(root, 'node_modules/.bin/changeset'), ['version'], {
    cwd: copy,
    env,
  });

  for (const workspace of workspaces) checkWorkspace(copy, workspace, changesets);
  const left = readChangesets(join(copy, '.changeset'));
  if (left.length > 0) {
    throw new CheckFailure(`changeset version left ${left.map(({ id }) => id).join(', ')}`);
  }
}

/** Copies the root manifest, workspace list, changesets and each workspace's manifest and log. */
function copyWorkspace(root, copy) {
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset']) {
    cpSync(join(root, file), join(copy, file), { recursive: true });
  }

  return workspaceDirs(root).map((dir) => {
    mkdirSync(join(copy, dir), { recursive: true });
    const before = {};
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (!existsSync(join(root, dir, file))) continue;

      cpSync(join(root, dir, file), join(copy, dir, file));
      before[file] = readFileSync(join(root, dir, file), 'utf8');
    }

    return { dir, before, manifest: JSON.parse(before['package.json']) };
  });
}

// The "dir/*" entries of pnpm-workspace.yaml, expanded to the directories holding a package.json.
function workspaceDirs(root) {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const parents = [...yaml.matchAll(/^\s*-\s*['"]?([\w.-]+)\/\*['"]?\s*$/gm)].map((m) => m[1]);

  return parents.flatMap((parent) =>
    readdirSync(join(root, parent))
      .map((name) => `${parent}/${name}`)
      .filter((dir) => existsSync(join(root, dir, 'package.json'))),
  );
}

/** Each pending changeset's id, the bump it asks for each package, and its summary. */
function readChangesets(dir) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file !== 'README.md')
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const [, frontmatter, summary] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text) ?? [];
      if (frontmatter === undefined)
        throw new CheckFailure(`.changeset/${file} has no front matter`);

      const releases = new Map(
        [...frontmatter.matchAll(/^\s*['"]?([^'":\s]+)['"]?\s*:\s*(\w+)\s*$/gm)].map((m) => [
          m[1],
          m[2],
        ]),
      );

      return { id: file.slice(0, -'.md'.length), releases, summary: summary.trim() };
    });
}

function checkWorkspace(copy, { dir, before, manifest }, changesets) {
  const { name, version } = manifest;
  const mine = changesets.filter(({ releases }) => releases.has(name));
  const after = (file) => {
    const path = join(copy, dir, file);

    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  if (mine.length === 0) {
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (after(file) !== before[file]) throw new CheckFailure(`${dir}/${file} changed`);
    }

    return;
  }

  const bump = mine.map(({ releases }) => releases.get(name)).reduce(higherBump, 'none');
  const expected = bumpVersion(version, bump);
  const actual = JSON.parse(after('package.json')).version;
  if (actual !== expected) {
    throw new CheckFailure(`${name}: version ${actual}, expected ${expected} (${bump} bump)`);
  }

  checkChangelog(name, expected, after('CHANGELOG.md'), before['CHANGELOG.md'], changesets);
}

function checkChangelog(name, version, changelog, previous, changesets) {
  if (changelog === undefined) throw new CheckFailure(`${name}: no CHANGELOG.md was written`);

  const heading = `# ${name}\n\n## ${version}\n`;
  if (!changelog.startsWith(heading)) {
    const start = changelog.split('\n').slice(0, 3).join('\n');
    throw new CheckFailure(`${name}: CHANGELOG.md opens with\n${start}\nnot with\n${heading}`);
  }

  // Changesets indents a summary's later lines, so whitespace is compared loosely.
  const flat = (text) => text.replace(/\s+/g, ' ');
  for (const { id, releases, summary } of changesets) {
    const listed = flat(changelog).includes(flat(summary));
    if (listed !== releases.has(name)) {
      const problem = listed ? 'lists' : 'lacks';
      throw new CheckFailure(`${name}: CHANGELOG.md ${problem} changeset "${id}"`);
    }
  }

  const history = previous?.slice(previous.indexOf('\n') + 1).trim();
  if (history !== undefined && !changelog.includes(history)) {
    throw new CheckFailure(`${name}: CHANGELOG.md lost its earlier entries`);
  }
}

function higherBump(a, b) {
  if (!BUMPS.includes(b)) throw new CheckFailure(`unknown bump "${b}" in a changeset`);

  return BUMPS.indexOf(b) > BUMPS.indexOf(a) ? b : a;
}

function bumpVersion(version, bump) {
  const [major, minor, patch] = version.split(/[.+-]/).map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  if (bump === 'patch') return `${major}.${minor}.${patch + 1}`;

  return version;
}
